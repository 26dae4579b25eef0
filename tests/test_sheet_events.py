"""What's on along the way on the printed sheet, from the library and from ``cremona-bike sheet``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from cli.sheet import sheet
from poi import default_pois
from routing.itinerary import stops_from_frame
from routing.itinerary_doc import ItineraryRequest
from routing.itinerary_doc import itinerary_document
from routing.itinerary_plan import plan_itinerary
from tests.conftest import empty_user_stores
from web.sheets import sheet_html
from web.sheets import sheet_pdf

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import geopandas as gpd
    import networkx as nx

    from routing.itinerary_plan import Itinerary

ISSUED = dt.date(2026, 11, 20)


@pytest.fixture(scope="module", autouse=True)
def _curated_calendar_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("stores")
    with empty_user_stores(folder):
        yield


@pytest.fixture(scope="module")
def pois() -> gpd.GeoDataFrame:
    return default_pois()


@pytest.fixture(scope="module")
def torrone_tour(cremona_graph: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame) -> Itinerary:
    """Cremona station to the Museo del Violino and back on Saturday 21 November 2026, Festa del Torrone."""
    (station,) = stops_from_frame(pois[pois["name"] == "Stazione di Cremona"])
    (museum,) = stops_from_frame(pois[pois["id"] == "museum-museo-del-violino"])
    request = ItineraryRequest(
        kind="tour", start=station, visits=(museum,), loop=True, depart=dt.datetime(2026, 11, 21, 9, 30)
    )
    return plan_itinerary(cremona_graph, request)


def _text(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [" ".join(doc[i].get_textpage().get_text_bounded().split()) for i in range(len(doc))]


@pytest.mark.parametrize(
    ("lang", "heading", "when"),
    [("it", "Eventi lungo il percorso", "7–22 nov 2026"), ("en", "What's on along the way", "7–22 Nov 2026")],
)
def test_sheet_lists_the_festa_del_torrone(
    torrone_tour: Itinerary,
    cremona_graph: nx.MultiDiGraph[int],
    pois: gpd.GeoDataFrame,
    lang: str,
    heading: str,
    when: str,
) -> None:
    pages = _text(sheet_pdf(torrone_tour, cremona_graph, pois, lang=lang, generated=ISSUED))
    assert len(pages) == 2  # the section fits on the first page: the map made room for it
    first = pages[0]
    assert heading in first
    assert "Festa del Torrone 2026" in first
    assert when in first
    assert "Centro storico, Cremona" in first
    assert "festadeltorrone.com" in first
    assert "Monteverdi" not in first  # June


def test_no_section_without_a_date_or_without_events(
    torrone_tour: Itinerary, cremona_graph: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame
) -> None:
    undated = dataclasses.replace(torrone_tour, request=dataclasses.replace(torrone_tour.request, depart=None))
    assert "Eventi lungo il percorso" not in sheet_html(undated, cremona_graph, pois, lang="it")
    assert "Eventi lungo il percorso" not in sheet_html(torrone_tour, cremona_graph, pois, events_within_m=50.0)
    assert "Eventi lungo il percorso" in sheet_html(torrone_tour, cremona_graph, pois)


def test_cli_sheet_lists_them_too(torrone_tour: Itinerary, tmp_path: Path) -> None:
    plan = torrone_tour
    doc = tmp_path / "itinerary.json"
    doc.write_text(json.dumps(itinerary_document(plan.request, plan.plan, plan.stages, notes=plan.notes)))
    out = tmp_path / "sheet.pdf"
    result = CliRunner().invoke(sheet, [str(doc), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Festa del Torrone 2026" in _text(out.read_bytes())[0]
    near = CliRunner().invoke(sheet, [str(doc), "-o", str(out), "--lang", "en", "--events-within", "50"])
    assert near.exit_code == 0, near.output
    assert "What's on along the way" not in " ".join(_text(out.read_bytes()))
    bad = CliRunner().invoke(sheet, [str(doc), "-o", str(out), "--events-within", "-1"])
    assert bad.exit_code == 2
    assert "'--events-within'" in bad.output
