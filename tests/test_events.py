from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import geopandas as gpd
import icalendar
import pytest
from click.testing import CliRunner

from cli.main import cli
from gis_data import settings
from poi import default_pois
from poi.events import Event
from poi.events import parse_event_rows
from poi.events_data import all_events
from poi.events_ics import events_to_ics
from poi.events_ics import ics_rows

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "events_store", tmp_path / "events_store.csv")
    monkeypatch.setattr(settings, "poi_store", tmp_path / "poi_store.geojson")


@pytest.fixture(scope="module")
def calendar() -> list[Event]:
    return all_events(default_pois())


def test_curated_calendar_is_placed(calendar: list[Event]) -> None:
    assert len(calendar) == 41
    torrone = next(e for e in calendar if e.id == "event-festa-del-torrone-2026")
    assert (torrone.start, torrone.end) == (dt.date(2026, 11, 7), dt.date(2026, 11, 22))
    assert torrone.placement == "comune"
    assert torrone.lat == pytest.approx(45.133, abs=0.01)
    undated = [e for e in calendar if not e.dated]
    assert undated
    assert all(e.usual_period or e.placement for e in undated)


def test_ics_round_trip_keeps_dated_events(calendar: list[Event]) -> None:
    data = events_to_ics(calendar)
    parsed = icalendar.Calendar.from_ical(data)  # a second tool reads it back
    assert len(parsed.walk("VEVENT")) == sum(1 for e in calendar if e.dated)
    report = parse_event_rows(ics_rows(data), source="round trip", licence="same")
    assert report.ok, report.problems
    again = {e.id: e for e in report.events}
    for e in calendar:
        if e.dated:
            first, last = e.start or e.end, e.end or e.start
            assert (again[e.id].start, again[e.id].end) == (first, last)


def test_bad_csv_names_lines_and_changes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("id,name,comune,start_date,end_date\nfiera-1,Fiera di prova,Crema,2026-05-01,2026-05-03\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["events", "import", str(good)]).exit_code == 0
    before = settings.events_store.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,comune,start_date,end_date\n"
        "a,Fiera A,Crema,2026-05-01,2026-04-01\n"
        "b,,Crema,,\n"
        "c,Fiera C,Crema,2026-02-30,\n"
        "a,Fiera A bis,Crema,,\n"
    )
    result = runner.invoke(cli, ["events", "import", str(bad)])
    assert result.exit_code == 1
    for expected in (
        "line 2: end_date 2026-04-01 is before",
        "line 3: missing 'name'",
        "line 4: start_date",
        "line 5: duplicate id 'a'",
    ):
        assert expected in result.stderr
    assert settings.events_store.read_bytes() == before


def test_weekend_events_along_a_cremona_tour(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "giro"
    planned = runner.invoke(
        cli,
        [
            "itinerary",
            "plan",
            "--start",
            "Stazione di Cremona",
            "--visit",
            "museum-museo-del-violino",
            "--loop",
            "--date",
            "2026-11-21",
            "-o",
            str(out),
        ],
    )
    assert planned.exit_code == 0, planned.output
    result = runner.invoke(cli, ["events", "along", str(out / "itinerary.json"), "--to", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert "Festa del Torrone 2026" in result.stdout
    assert "Monteverdi" not in result.stdout  # June
    assert "13 November every year" in result.stdout  # Sant'Omobono: recurring, no invented date


def test_export_opened_by_second_tools(tmp_path: Path) -> None:
    runner = CliRunner()
    geo = tmp_path / "events.geojson"
    assert runner.invoke(cli, ["events", "export", str(geo)]).exit_code == 0
    frame = gpd.read_file(geo)
    assert len(frame) == 41
    assert set(frame["placement"]) <= {"venue", "comune", "none"}
    ics = tmp_path / "events.ics"
    result = runner.invoke(cli, ["events", "export", str(ics)])
    assert result.exit_code == 0
    vevents = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    undated = 41 - len(vevents)
    assert undated > 0
    assert f"wrote {len(vevents)} event(s)" in result.output
    assert f"({undated} known only by their usual period left out)" in result.output
    assert json.loads(geo.read_text())["type"] == "FeatureCollection"
