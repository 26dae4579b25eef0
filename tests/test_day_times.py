"""A multi-day trip times the stops of each day from that day's departure, on real Liechtenstein roads."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pytest

from cli.itinerary import itinerary_markdown
from cli.itinerary import summary_lines
from cli.poi import all_pois
from routing.day_times import clock_at
from routing.day_times import day_of
from routing.itinerary import Stop
from routing.itinerary import plan_tour
from routing.itinerary_doc import ItineraryRequest
from routing.itinerary_plan import plan_itinerary
from tests.conftest import LIECHTENSTEIN
from web.sheets import sheet_pdf

if TYPE_CHECKING:
    import networkx as nx

    from routing.itinerary_plan import Itinerary

DEPART = dt.datetime(2026, 5, 2, 16, 0)
BALZERS = Stop("balzers", "Balzers", 47.06667, 9.5, "town_centre")
RUGGELL = Stop("ruggell", "Ruggell", 47.23976, 9.52629, "town_centre", dwell_min=30)
SCHAAN = Stop("schaan", "Schaan", 47.1651, 9.5094, "museum", dwell_min=45, opening_hours="Mo-Su 08:00-18:00")


def first_day_only(hours: str, when: dt.datetime, where: tuple[float, float]) -> str:
    """An opening-hours checker for the test: open from 08:00 to 18:00 on the first day only."""
    return "open" if when.date() == DEPART.date() and 8 <= when.hour < 18 else "closed"


def on_the_clock(hours: str, when: dt.datetime, where: tuple[float, float]) -> str:
    """Open from 08:00 to 18:00 every day."""
    return "open" if 8 <= when.hour < 18 else "closed"


@pytest.fixture(scope="module")
def two_days(liechtenstein_graph: nx.MultiDiGraph[int]) -> Itinerary:
    """Balzers, Ruggell (day 1), Schaan (day 2), back to Balzers, 30 km a day, from 16:00."""
    request = ItineraryRequest(
        kind="tour", start=BALZERS, visits=(RUGGELL, SCHAAN), loop=True, keep_order=True, km_per_day=30.0, depart=DEPART
    )
    return plan_itinerary(liechtenstein_graph, request, hours=on_the_clock)


def test_each_day_sets_off_at_the_departure_hour(
    liechtenstein_graph: nx.MultiDiGraph[int], two_days: Itinerary
) -> None:
    stages = two_days.stages
    visits = two_days.plan.visits
    assert len(stages) == 2
    assert [v.stop.id for v in visits] == ["balzers", "ruggell", "schaan", "balzers"]
    assert [day_of(v.km, stages) for v in visits] == [0, 0, 1, 1]
    one_ride = plan_tour(
        liechtenstein_graph, BALZERS, (RUGGELL, SCHAAN), loop=True, keep_order=True, depart=DEPART, hours=on_the_clock
    )
    # Day 1 is the single ride's.
    assert visits[:2] == one_ride.visits[:2]
    # Day 2 starts at 16:00 on 3 May where day 1 ended; its stops keep the single ride's intervals.
    morning = dt.datetime(2026, 5, 3, 16, 0)
    starts = clock_at(stages[1].start_km, one_ride.visits)
    assert starts is not None
    for got, single in zip(visits[2:], one_ride.visits[2:], strict=True):
        assert got.arrive is not None
        assert single.arrive is not None
        assert got.arrive.date() == morning.date()
        assert got.arrive - morning == single.arrive - starts
        assert got.leave is not None
        assert single.leave is not None
        assert got.leave - got.arrive == single.leave - single.arrive
    # The single ride reaches Schaan after its 18:00 closing; on its own day it is reached soon after 16:00, open.
    assert one_ride.visits[2].opening == "closed"
    assert visits[2].opening == "open"
    assert visits[2].arrive is not None
    assert visits[2].arrive.hour < 18
    assert not any("Schaan is closed" in w for w in two_days.plan.warnings)


def test_a_stop_closed_on_its_own_day_is_warned(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    request = ItineraryRequest(
        kind="tour", start=BALZERS, visits=(RUGGELL, SCHAAN), loop=True, keep_order=True, km_per_day=30.0, depart=DEPART
    )
    planned = plan_itinerary(liechtenstein_graph, request, hours=first_day_only)
    schaan = planned.plan.visits[2]
    assert schaan.opening == "closed"
    assert schaan.arrive is not None
    assert schaan.warning == f"Schaan is closed at {schaan.arrive:%H:%M} (Mo-Su 08:00-18:00)"
    assert [w for w in planned.plan.warnings if "Schaan" in w] == [schaan.warning]


def test_a_day_trip_keeps_the_single_ride(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    request = ItineraryRequest(kind="tour", start=BALZERS, visits=(SCHAAN,), depart=DEPART)
    planned = plan_itinerary(liechtenstein_graph, request, hours=on_the_clock)
    single = plan_tour(liechtenstein_graph, BALZERS, (SCHAAN,), depart=DEPART, hours=on_the_clock)
    assert len(planned.stages) == 1
    assert planned.plan.visits == single.visits


def test_the_printed_sheet_gives_day_two_its_times(
    liechtenstein_graph: nx.MultiDiGraph[int], two_days: Itinerary
) -> None:
    pois = all_pois(LIECHTENSTEIN)
    pdf = sheet_pdf(two_days, liechtenstein_graph, pois, lang="en", generated=DEPART.date())
    text = "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))
    schaan = two_days.plan.visits[2]
    assert schaan.arrive is not None
    assert schaan.leave is not None
    rows = [line for line in text.splitlines() if "Schaan" in line]
    assert any(f"{schaan.arrive:%H:%M}" in line and f"{schaan.leave:%H:%M}" in line for line in rows), rows


def test_the_itinerary_page_names_the_day_of_each_time(two_days: Itinerary) -> None:
    schaan = two_days.plan.visits[2]
    assert schaan.arrive is not None
    page = itinerary_markdown(two_days)
    assert f"| 2 | Schaan | museum | 33.6 | day 2 {schaan.arrive:%H:%M} |" in page
    assert "| 0 | Balzers | town_centre | 0.0 | day 1 16:00 |" in page
    assert any(
        line.strip().startswith("2. km") and f"arrive day 2 {schaan.arrive:%H:%M}" in line
        for line in summary_lines(two_days)
    )
