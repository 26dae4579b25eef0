"""The offer as open data: files opened by other tools (geopandas, icalendar, ics, csv, frictionless), CLI and web."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import shutil
import zipfile
from typing import TYPE_CHECKING

import geopandas as gpd
import icalendar
import ics
import pytest
from click.testing import CliRunner
from frictionless import validate

from cli.main import cli
from gis_data import settings
from gis_data.closures import read_closures
from gis_data.content_actions import publish
from gis_data.content_actions import save_draft
from gis_data.network import load_network
from gis_data.route_registry import read_route_registry
from poi import default_pois
from poi.content import event_document
from poi.content_closures import check_closure
from poi.events_data import all_events
from poi.events_data import read_event_table
from tests.conftest import empty_user_stores
from web import create_app
from web.plans import close_store
from web.plans import get_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from flask import Flask

DATA_FILES = (
    "pois.csv",
    "pois.geojson",
    "events.csv",
    "events.geojson",
    "events.ics",
    "closures.geojson",
    "cycle-routes.csv",
)
ALL_FILES = (*DATA_FILES, "datapackage.json", "README.md", "ATTRIBUTION.txt")


@pytest.fixture(scope="module")
def private_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the user's POI and event stores out of the export."""
    folder = tmp_path_factory.mktemp("stores")
    with empty_user_stores(folder):
        yield


@pytest.fixture(scope="module")
def closures_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closure of a real street of the Cremona graph (Via Palestro) for the weekend of the Festa del Torrone."""
    G = load_network(settings.default_network)
    edge = next(d for _, _, d in G.edges(data=True) if d.get("name") == "Via Palestro" and "geometry" in d)
    feature = {
        "type": "Feature",
        "geometry": json.loads(gpd.GeoSeries([edge["geometry"]]).to_json())["features"][0]["geometry"],
        "properties": {"name": "Via Palestro", "start": "2026-11-21", "end": "2026-11-22", "reason": "market"},
    }
    path = tmp_path_factory.mktemp("closures") / "chiusure.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, private_stores: None, closures_file: Path) -> Path:
    folder = tmp_path_factory.mktemp("offer") / "open-data"
    result = CliRunner().invoke(cli, ["offer", "export", str(folder), "--closures", str(closures_file), "--zip"])
    assert result.exit_code == 0, result.output
    assert "pois.csv" in result.stdout
    return folder


@pytest.fixture(scope="module")
def shown_pois(private_stores: None) -> gpd.GeoDataFrame:
    pois = default_pois()
    return pois[pois.geometry.notna() & ~pois.geometry.is_empty]


def test_every_file_is_written_readable_by_all(exported: Path) -> None:
    assert sorted(p.name for p in exported.iterdir()) == sorted([*ALL_FILES, "cremona-bike-offer.zip"])
    assert all((exported / name).stat().st_mode & 0o044 == 0o044 for name in ALL_FILES)


def test_geojson_read_by_geopandas(exported: Path, shown_pois: gpd.GeoDataFrame, private_stores: None) -> None:
    pois = gpd.read_file(exported / "pois.geojson")
    assert pois.crs is not None
    assert pois.crs.to_epsg() == 4326
    assert len(pois) == len(shown_pois) == 976
    assert set(pois["id"]) == set(shown_pois["id"])
    assert pois["licence"].notna().all()
    assert pois["attribution"].notna().all()
    events = gpd.read_file(exported / "events.geojson")
    assert events.crs is not None
    assert events.crs.to_epsg() == 4326
    assert len(events) == len(all_events(default_pois())) == 41
    torrone = events[events["id"] == "event-festa-del-torrone-2026"].iloc[0]
    assert (torrone["start_date"].date(), torrone["end_date"].date()) == (dt.date(2026, 11, 7), dt.date(2026, 11, 22))
    assert torrone.geometry.y == pytest.approx(45.133, abs=0.01)
    closures = gpd.read_file(exported / "closures.geojson")
    assert list(closures["name"]) == ["Via Palestro"]


def test_csv_records_each_carry_their_licence(exported: Path) -> None:
    def rows(name: str) -> list[dict[str, str]]:
        with (exported / name).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    pois = rows("pois.csv")
    assert len(pois) == 976
    assert all(r["source"] and r["licence"] and r["attribution"] for r in pois)
    assert {r["licence"] for r in pois if r["source"].startswith("osm-")} == {"ODbL 1.0"}
    events = rows("events.csv")
    assert len(events) == 41
    assert all(r["source"] and r["licence"] for r in events)
    routes = rows("cycle-routes.csv")
    assert [r["id"] for r in routes] == [r.id for r in read_route_registry()]
    assert all(r["licence"] for r in routes)


def test_events_csv_is_an_events_file_again(exported: Path) -> None:
    report = read_event_table(exported / "events.csv", source="open data", licence="ODbL 1.0")
    assert report.ok, report.problems
    assert len(report.events) == 41


def test_ics_read_back_by_icalendar_and_by_ics(exported: Path) -> None:
    data = (exported / "events.ics").read_bytes()
    dated = [e for e in all_events(default_pois()) if e.dated]
    vevents = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len(vevents) == len(dated) == 30
    torrone = next(v for v in vevents if str(v["summary"]) == "Festa del Torrone 2026")
    assert torrone.decoded("dtstart") == dt.date(2026, 11, 7)
    assert torrone.decoded("dtend") == dt.date(2026, 11, 23)  # exclusive end
    second = ics.Calendar(data.decode("utf-8"))  # an independent parser
    assert {e.name for e in second.events} == {e.name for e in dated}
    again = next(e for e in second.events if e.name == "Festa del Torrone 2026")
    assert again.all_day
    assert again.begin.date() == dt.date(2026, 11, 7)


def test_closures_read_back_as_closures(exported: Path, closures_file: Path) -> None:
    assert read_closures(exported / "closures.geojson") == read_closures(closures_file)


def test_datapackage_is_valid_and_checks_the_files(exported: Path, tmp_path: Path) -> None:
    descriptor = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in descriptor["resources"]] == list(DATA_FILES)
    for resource in descriptor["resources"]:
        assert resource["mediatype"]
        assert resource["format"] in {"csv", "geojson", "ics"}
        assert resource["licenses"][0]["name"] == "ODbL-1.0"
        assert all(lic["path"].startswith("https://") for lic in resource["licenses"])
        assert resource["sources"]
    report = validate(exported / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])
    tampered = tmp_path / "tampered"
    shutil.copytree(exported, tampered)
    text = (tampered / "events.csv").read_text(encoding="utf-8")
    (tampered / "events.csv").write_text(text.replace("Festa del Torrone 2026", "Festa del Torrone 2027"))
    assert not validate(tampered / "datapackage.json").valid  # the hash and size no longer match


def test_readme_and_attribution_name_the_licences(exported: Path) -> None:
    readme = (exported / "README.md").read_text(encoding="utf-8")
    for text in ("ODbL 1.0", "© OpenStreetMap contributors", "IODL 2.0", "CC BY 4.0", "re-check before publishing"):
        assert text in readme
    lines = (exported / "ATTRIBUTION.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("© OpenStreetMap contributors")
    assert "Fonte: Regione Lombardia — dati.lombardia.it (Flussi Stazioni Ferroviarie)" in lines
    assert any("GeoNames (CC BY 4.0)" in line for line in lines)


def test_zip_holds_the_same_files(exported: Path) -> None:
    archive = zipfile.ZipFile(exported / "cremona-bike-offer.zip")
    assert sorted(archive.namelist()) == sorted(f"cremona-bike-offer/{name}" for name in ALL_FILES)
    for name in ALL_FILES:
        assert archive.read(f"cremona-bike-offer/{name}") == (exported / name).read_bytes()


def test_cli_bad_closures_file_is_one_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"geometry": null, "properties": {}}]}')
    result = CliRunner().invoke(cli, ["offer", "export", str(tmp_path / "out"), "--closures", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: bad.geojson feature 1: bad geometry")
    assert "Traceback" not in result.output


# --- the web page ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, private_stores: None) -> Iterator[Flask]:
    db = tmp_path_factory.mktemp("plans") / "plans.sqlite"
    app = create_app({"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{db}"})
    yield app
    close_store(app)


def test_open_data_page_links_every_file(app: Flask) -> None:
    page = app.test_client().get("/open-data?lang=it")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ALL_FILES:
        assert f'href="/open-data/{name}"' in html
    assert 'href="/open-data/offer.zip"' in html
    assert "© OpenStreetMap contributors" in html
    assert "Dati aperti" in html  # in Italian


def test_open_data_files_are_served(app: Flask) -> None:
    client = app.test_client()
    geo = client.get("/open-data/pois.geojson")
    assert geo.status_code == 200
    assert geo.mimetype == "application/geo+json"
    assert len(gpd.read_file(io.BytesIO(geo.data))) == 976
    calendar = client.get("/open-data/events.ics")
    assert calendar.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(icalendar.Calendar.from_ical(calendar.data).walk("VEVENT")) == 30
    archive = client.get("/open-data/offer.zip")
    assert archive.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert sorted(names) == sorted(f"cremona-bike-offer/{name}" for name in ALL_FILES)
    assert client.get("/open-data/plans.sqlite").status_code == 404


def test_what_staff_publish_is_in_the_open_data(tmp_path: Path, private_stores: None) -> None:
    app = create_app({"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    app.config["CONTENT_CHECK_S"] = 0
    client = app.test_client()
    with app.app_context():
        engine = get_store()
        torrone = next(e for e in all_events(default_pois()) if e.id == "event-festa-del-torrone-2026")
        edited = event_document(dataclasses.replace(torrone, venue="Piazza Stradivari"))
        save_draft(engine, "event", torrone.id, edited, name=torrone.name, actor="staff", revision=None)
        publish(engine, "event", torrone.id, actor="staff")
        form = {"name": "Piazza del Comune", "lat": "45.1334", "lon": "10.0246", "radius_m": "60"}
        closure = check_closure({**form, "start": "2026-11-21", "end": "2026-11-22"}, item_id="closure-piazza")
        assert closure.document is not None
        save_draft(engine, "closure", "closure-piazza", closure.document, name="Piazza", actor="staff", revision=None)
        publish(engine, "closure", "closure-piazza", actor="staff")
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/events.csv").get_data(as_text=True))))
    assert next(r for r in rows if r["id"] == torrone.id)["venue"] == "Piazza Stradivari"
    assert len(rows) == 41
    closures = json.loads(client.get("/open-data/closures.geojson").data)
    assert [f["properties"]["name"] for f in closures["features"]] == ["Piazza del Comune"]
    close_store(app)
