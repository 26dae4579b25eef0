from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING

import gpxpy
import pytest
from click.testing import CliRunner

from cli.poi import poi
from gis_data import settings
from gis_data.gpx import gpx_to_xml
from gis_data.gpx import route_to_gpx
from gis_data.gpx import validate_gpx_schema
from gis_data.poi_sources import embedded_path
from routing import plan_route
from tests.conftest import GPX_SCHEMA
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx
    from click.testing import Result

PIAZZA_DEL_COMUNE = (45.1334, 10.0246)
CREMONA_STATION = (45.1433, 10.0180)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.delenv("CREMONA_BIKE_DATA", raising=False)
    monkeypatch.setattr(settings, "poi_store", tmp_path / "store" / "poi_store.geojson")
    return CliRunner()


@pytest.fixture
def route_gpx(cremona_graph: nx.MultiDiGraph[int], tmp_path: Path) -> Path:
    """The acceptance route, Piazza del Comune → Cremona station, as a GPX file."""
    route = plan_route(cremona_graph, [PIAZZA_DEL_COMUNE, CREMONA_STATION])
    stops = [("Piazza del Comune", PIAZZA_DEL_COMUNE), ("Stazione", CREMONA_STATION)]
    path = tmp_path / "a.gpx"
    path.write_text(gpx_to_xml(route_to_gpx(route.latlon(), stops, name="a")), encoding="utf-8")
    return path


def _run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(poi, list(args), catch_exceptions=False)


def _rows(result: Result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.strip().splitlines()[1:]]


def test_list_counts_per_category_and_source(runner: CliRunner) -> None:
    result = _run(runner, "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.split()[:3] == ["drinking_water", "471", "471"] for line in lines)
    assert any(line.split()[:2] == ["luthier", "9"] for line in lines)
    assert any(line.split()[:3] == ["osm-drinking-water", "480", "ODbL"] for line in lines)
    assert "total: 1055 POIs" in result.stdout
    assert "source: © OpenStreetMap contributors (ODbL)" in result.stderr


def test_list_of_a_raw_osm_extract_uses_its_tags(runner: CliRunner) -> None:
    result = _run(runner, "list", "--data", str(LIECHTENSTEIN))
    assert result.exit_code == 0, result.output
    categories = {line.split()[0] for line in result.stdout.split("\n\n")[0].splitlines()[1:]}
    assert {"drinking_water", "museum", "railway_station", "castle", "restaurant"} <= categories
    assert "osm:liechtenstein.osm.pbf" in result.stdout
    assert "curated-pois-cremona" not in result.stdout


def test_along_prints_km_and_off_route_metres(runner: CliRunner, route_gpx: Path, tmp_path: Path) -> None:
    out = tmp_path / "water.gpx"
    result = _run(runner, "along", str(route_gpx), "--buffer", "300", "-c", "drinking_water", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = _rows(result)
    assert rows
    kms = [float(r[0]) for r in rows]
    assert kms == sorted(kms)
    assert all(0 <= float(r[1]) <= 300 for r in rows)
    assert {r[2] for r in rows} == {"drinking_water"}
    xml = out.read_text(encoding="utf-8")
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    doc = gpxpy.parse(xml)
    assert [w.type for w in doc.waypoints] == ["drinking_water"] * len(rows)
    assert [w.symbol for w in doc.waypoints] == ["Drinking Water"] * len(rows)


@pytest.mark.parametrize("suffix", [".geojson", ".csv"])
def test_along_writes_geojson_and_csv(runner: CliRunner, route_gpx: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"pois{suffix}"
    result = _run(runner, "along", str(route_gpx), "--buffer", "150", "-o", str(out))
    assert result.exit_code == 0, result.output
    count = len(_rows(result))
    if suffix == ".geojson":
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert len(doc["features"]) == count
        assert all("km" in f["properties"] for f in doc["features"])
    else:
        with out.open(encoding="utf-8", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == count


def test_near_a_named_place(runner: CliRunner) -> None:
    result = _run(runner, "near", "Stazione di Cremona", "--radius", "200", "-c", "railway_station")
    assert result.exit_code == 0, result.output
    rows = _rows(result)
    assert rows[0][2] == "Stazione di Cremona"
    assert float(rows[0][0]) < 1


def test_unknown_category_is_a_usage_error(runner: CliRunner, route_gpx: Path) -> None:
    result = runner.invoke(poi, ["along", str(route_gpx), "-c", "spa"])
    assert result.exit_code == 2
    assert "Unknown POI category 'spa'" in result.stderr


def test_import_bad_file_reports_lines_and_keeps_the_store(runner: CliRunner, tmp_path: Path) -> None:
    with embedded_path("curated-pois-cremona").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:3]
    good = tmp_path / "good.csv"
    header = ["id", "name", "category", "address", "comune"]
    good.write_text(
        ",".join(header) + "\n" + "".join(",".join(f'"{r[c]}"' for c in header) + "\n" for r in rows),
        encoding="utf-8",
    )
    assert _run(runner, "import", str(good)).exit_code == 0
    before = settings.poi_store.read_bytes()

    lines = [
        "id,name,category,comune,lat,lon",
        "museum-museo-del-violino,Museo del Violino,museum,Cremona,,",
        "luthier-davide-sora,Davide Sora,luthier,Cremona",  # missing columns
        "station-cr,Stazione di Cremona,railway_station,Cremona,45.1433,1000",  # bad coordinate
        "museum-museo-del-violino,Museo del Violino,museum,Cremona,,",  # duplicate id
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(poi, ["import", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv: line 3: 4 fields, expected 6: missing 'lat', 'lon'" in result.stderr
    assert "bad.csv: line 4: longitude 1000.0 is out of range -180..180" in result.stderr
    assert "bad.csv: line 5: duplicate id 'museum-museo-del-violino' (first on line 2)" in (result.stderr)
    assert "Error: bad.csv: 3 problem(s); the store is unchanged" in result.stderr
    assert settings.poi_store.read_bytes() == before


def test_import_then_export_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    registry = tmp_path / "reg.csv"
    registry.write_text(
        "id,name,category,address,comune,opening_hours\n"
        'lodging-bb-il-violino,B&B Il Violino,lodging,"Via Arisi 3, Cremona",Cremona,\n',
        encoding="utf-8",
    )
    result = _run(runner, "import", str(registry), "--source", "Infopoint", "--checked", "2026-01")
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated, 1 placed on their street" in result.stdout
    exported = tmp_path / "out.geojson"
    assert _run(runner, "export", str(exported)).exit_code == 0
    feature = json.loads(exported.read_text(encoding="utf-8"))["features"][0]
    assert feature["properties"]["precision"] == "street"
    assert feature["properties"]["source"] == "Infopoint"
    assert feature["properties"]["last_checked"] == "2026-01"
    listed = _run(runner, "list")
    # The stored record replaces the embedded one of the same id.
    assert any(line.split()[:2] == ["Infopoint", "1"] for line in listed.stdout.splitlines())
    assert "total: 1055 POIs" in listed.stdout


def test_categories_lists_the_tag_table(runner: CliRunner) -> None:
    result = _run(runner, "categories")
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert "tourism=information + information=office" in lines["infopoint"]
    assert "(curated only)" in lines["pro_loco"]
