from __future__ import annotations

import csv
import io
import json
import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gis_data import settings
from gis_data.errors import InvalidDataError
from gis_data.poi_sources import embedded_path
from poi.errors import ImportRejectedError
from poi.errors import InvalidPoiError
from poi.export import pois_to_csv
from poi.model import FIELDS
from poi.registry import import_registry
from poi.registry import load_store
from poi.validate import Provenance
from poi.validate import parse_record

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

CURATED = embedded_path("curated-pois-cremona")


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = tmp_path / "store" / "poi_store.geojson"
    monkeypatch.setattr(settings, "poi_store", store)
    return store


def _curated_rows(*ids: str) -> list[dict[str, str]]:
    with CURATED.open(encoding="utf-8", newline="") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    return [rows[i] for i in ids]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _registry(tmp_path: Path) -> Path:
    """A registry of real curated records (no coordinates) in registry columns."""
    header = ["id", "name", "category", "address", "comune", "phone", "source_url", "lat", "lon"]
    rows = [
        [r[c] for c in header[:-2]] + ["", ""]
        for r in _curated_rows(
            "luthier-davide-sora", "museum-museo-diotti", "infopoint-cremona", "lodging-bb-il-violino"
        )
    ]
    return _write_csv(tmp_path / "registry.csv", header, rows)


def test_import_places_records_on_their_street(
    tmp_path: Path, store: Path, cremona_graph: nx.MultiDiGraph[int]
) -> None:
    report = import_registry(_registry(tmp_path), streets=cremona_graph, defaults=Provenance("Infopoint Cremona"))
    assert report.ok
    assert set(report.added) == {
        "luthier-davide-sora",
        "museum-museo-diotti",
        "infopoint-cremona",
        "lodging-bb-il-violino",
    }
    assert set(report.geocoded) == {"luthier-davide-sora", "lodging-bb-il-violino"}
    assert set(report.unplaced) == {"museum-museo-diotti", "infopoint-cremona"}
    stored = load_store().set_index("id")
    assert stored.loc["luthier-davide-sora", "precision"] == "street"
    assert stored.loc["museum-museo-diotti", "geometry"] is None
    assert set(stored["source"]) == {"Infopoint Cremona"}
    assert set(stored["licence"]) == {"not stated"}
    # Importing again updates, it does not duplicate.
    again = import_registry(_registry(tmp_path), streets=cremona_graph)
    assert again.added == ()
    assert len(again.updated) == 4
    assert len(load_store()) == 4


def test_bad_import_names_the_lines_and_changes_nothing(
    tmp_path: Path, store: Path, cremona_graph: nx.MultiDiGraph[int]
) -> None:
    import_registry(_registry(tmp_path), streets=cremona_graph)
    before = store.read_bytes()

    header = ["id", "name", "category", "address", "comune", "lat", "lon"]
    sora, diotti, bijou = _curated_rows("luthier-davide-sora", "museum-museo-diotti", "museum-museo-del-bijou")
    rows = [
        [sora["id"], sora["name"], sora["category"], sora["address"], sora["comune"], "", ""],
        # line 3: a missing column (the row stops before lon)
        [diotti["id"], diotti["name"], diotti["category"], diotti["address"], diotti["comune"], ""],
        # line 4: a bad coordinate
        [bijou["id"], bijou["name"], bijou["category"], bijou["address"], bijou["comune"], "95.2", "10.4"],
        # line 5: a duplicate id
        [sora["id"], sora["name"], sora["category"], sora["address"], sora["comune"], "", ""],
    ]
    bad = _write_csv(tmp_path / "bad.csv", header, rows)
    with pytest.raises(ImportRejectedError) as info:
        import_registry(bad, streets=cremona_graph)
    report = info.value.report
    assert [p.where for p in report.problems] == ["line 3", "line 4", "line 5"]
    text = "\n".join(report.lines())
    assert "line 3: 6 fields, expected 7: missing 'lon'" in text
    assert "line 4: latitude 95.2 is out of range -90..90" in text
    assert "line 5: duplicate id 'luthier-davide-sora' (first on line 2)" in text
    assert "nothing imported" in text
    assert store.read_bytes() == before
    assert [p.name for p in store.parent.iterdir()] == [store.name]


def test_missing_required_column_is_reported_on_the_header(tmp_path: Path) -> None:
    bad = _write_csv(tmp_path / "nocat.csv", ["id", "name"], [["x", "X"]])
    with pytest.raises(ImportRejectedError) as info:
        import_registry(bad)
    assert [str(p) for p in info.value.report.problems] == ["line 1: missing column 'category'"]
    assert not settings.poi_store.exists()


def test_multiline_cells_report_the_starting_line(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text('id,name,category,notes\na,A,museum,"two\nlines"\nb,B,nope,\n', encoding="utf-8")
    with pytest.raises(ImportRejectedError) as info:
        import_registry(path)
    assert [str(p) for p in info.value.report.problems] == ["line 4: unknown category 'nope'"]


def test_geojson_registry_problems_name_the_feature(tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [10.017983, 45.143301]},
                "properties": {"id": "station-cr", "name": "Stazione di Cremona", "category": "station"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[10.0, 45.0], [10.1, 45.1]]},
                "properties": {"id": "line", "name": "A line", "category": "other"},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "id": "museum",
                    "name": "Museo del Violino",
                    "category": "museum",
                    "opening_hours": "martedì-domenica 10.00-18.00",
                },
            },
        ],
    }
    path = tmp_path / "registry.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportRejectedError) as info:
        import_registry(path)
    problems = [str(p) for p in info.value.report.problems]
    assert problems[0] == "feature 2: geometry is a LineString, expected a Point or null"
    assert problems[1].startswith("feature 3: opening_hours 'martedì-domenica 10.00-18.00'")
    doc["features"] = [doc["features"][0]]
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = import_registry(path)
    assert report.added == ("station-cr",)
    stored = load_store()
    assert stored["category"].tolist() == ["railway_station"]
    assert stored["precision"].tolist() == ["point"]


def test_export_then_import_round_trip_is_byte_identical(
    tmp_path: Path, store: Path, cremona_graph: nx.MultiDiGraph[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import_registry(_registry(tmp_path), streets=cremona_graph)
    exported = tmp_path / "export.csv"
    exported.write_text(pois_to_csv(load_store()), encoding="utf-8")
    first = store.read_bytes()
    other = tmp_path / "other" / "store.geojson"
    monkeypatch.setattr(settings, "poi_store", other)
    import_registry(exported, streets=cremona_graph)
    assert other.read_bytes() == first


def test_a_failed_write_leaves_the_store_and_no_temporary_file(
    tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_registry(_registry(tmp_path))
    before = store.read_bytes()

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    more = _write_csv(tmp_path / "more.csv", ["id", "name", "category"], [["x", "X", "museum"]])
    with pytest.raises(OSError, match="No space"):
        import_registry(more)
    assert store.read_bytes() == before
    assert [p.name for p in store.parent.iterdir()] == [store.name]


def test_a_hand_broken_store_is_an_error(store: Path) -> None:
    store.parent.mkdir(parents=True)
    store.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidDataError):
        load_store()
    store.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "geometry": None, "properties": {"id": "x"}}],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidPoiError, match="feature 1: unknown category ''"):
        load_store()


def test_a_missing_store_is_empty() -> None:
    assert len(load_store()) == 0


text_values = st.one_of(st.text(max_size=12), st.sampled_from(["", "museum", "45.1", "yes", "x"]))


# The first draw of st.text builds Hypothesis's character tables: not slow generation.
@hsettings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), text_values))
def test_parse_record_returns_a_poi_or_problems_never_raises(values: dict[str, str]) -> None:
    poi, problems = parse_record(values, Provenance("test"))
    assert (poi is None) == bool(problems)
    if poi is not None:
        assert poi.source
        assert (poi.latlon is None) == (poi.precision == "none")
