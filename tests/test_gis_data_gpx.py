from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING

import gpxpy
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gis_data import settings
from gis_data.gpx import ODBL_URL
from gis_data.gpx import gpx_to_xml
from gis_data.gpx import route_to_gpx
from gis_data.gpx import validate_gpx_schema
from tests.conftest import GPX_SCHEMA

if TYPE_CHECKING:
    from pathlib import Path

# Piazza del Comune -> Via Palestro -> Cremona station, a few real vertices.
TRACK = [(45.1334, 10.0246), (45.1352, 10.0239), (45.1391, 10.0214), (45.1433, 10.0180)]
STOPS = [
    ("Piazza del Comune", TRACK[0]),
    ("Via Palestro", TRACK[2]),
    ("Stazione di Cremona", TRACK[-1]),
]
WHEN = datetime(2025, 5, 17, 9, 30, tzinfo=UTC)


def _export(*, description: str | None = "Test & <route>", time: datetime | None = None) -> str:
    doc = route_to_gpx(TRACK, STOPS, name="Cremona centre", description=description, time=time)
    return gpx_to_xml(doc)


def test_round_trip_keeps_track_and_waypoints() -> None:
    parsed = gpxpy.parse(_export(time=WHEN))
    assert len(parsed.tracks) == 1
    assert len(parsed.tracks[0].segments) == 1
    points = parsed.tracks[0].segments[0].points
    assert [(p.latitude, p.longitude) for p in points] == TRACK
    assert [(w.name, (w.latitude, w.longitude)) for w in parsed.waypoints] == STOPS
    assert [w.type for w in parsed.waypoints] == ["start", "via", "end"]
    assert parsed.name == "Cremona centre"
    assert parsed.description == "Test & <route>"
    assert parsed.time == WHEN


def test_metadata_carries_osm_attribution() -> None:
    xml = _export(time=WHEN)
    parsed = gpxpy.parse(xml)
    assert parsed.copyright_author == "OpenStreetMap contributors"
    assert parsed.copyright_license == ODBL_URL
    assert parsed.copyright_year == "2025"
    assert parsed.link_text == settings.attribution
    assert settings.attribution in xml
    assert "© OpenStreetMap contributors (ODbL 1.0)" in xml


@pytest.mark.parametrize(
    ("description", "time"),
    [
        ("Test & <route>", None),
        ("Test & <route>", WHEN),
        (None, None),
        ("naive time with microseconds", datetime(2025, 1, 1, 12, 0, 0, 5)),
    ],
    ids=["plain", "time", "no-description", "naive-time-microseconds"],
)
def test_export_validates_against_gpx_11_schema(description: str | None, time: datetime | None) -> None:
    assert validate_gpx_schema(_export(description=description, time=time), GPX_SCHEMA) == []


def test_export_without_waypoints_or_points_is_valid() -> None:
    xml = gpx_to_xml(route_to_gpx([], [], name="empty"))
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []


def test_validate_reports_schema_errors() -> None:
    xml = _export().replace("<trk>", "<trk><bogus/>", 1)
    errors = validate_gpx_schema(xml.encode(), GPX_SCHEMA)
    assert errors
    assert any("bogus" in e for e in errors)


def test_validate_reports_malformed_xml() -> None:
    errors = validate_gpx_schema(b"<gpx><trk>", GPX_SCHEMA)
    assert len(errors) == 1
    assert errors[0].startswith("not well-formed XML")


def test_validate_does_not_expand_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="x">'
        "<metadata><name>&x;</name></metadata></gpx>"
    )
    errors = validate_gpx_schema(hostile, GPX_SCHEMA)
    assert errors == ["document type declarations (DOCTYPE) are not allowed in GPX"]


@pytest.mark.parametrize("point", [(91.0, 10.0), (45.0, 181.0), (float("nan"), 10.0)])
def test_invalid_points_are_rejected(point: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="not a valid"):
        route_to_gpx([point], [], name="bad")


def test_antimeridian_is_written_as_minus_180() -> None:
    xml = gpx_to_xml(route_to_gpx([(0.0, 180.0), (0.0, 179.99999999)], [], name="am"))
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    points = gpxpy.parse(xml).tracks[0].segments[0].points
    assert [p.longitude for p in points] == [-180.0, -180.0]


latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, exclude_max=True, allow_nan=False)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=30))
def test_round_trip_keeps_points(track: list[tuple[float, float]]) -> None:
    stops = [("from", track[0]), ("to", track[-1])]
    xml = gpx_to_xml(route_to_gpx(track, stops, name="h"))
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    parsed = gpxpy.parse(xml)
    points = parsed.tracks[0].segments[0].points
    assert len(points) == len(track)
    for p, (lat, lon) in zip(points, track, strict=True):
        assert p.latitude == pytest.approx(lat, abs=1e-6)
        # Longitudes a rounding away from 180 come back as -180, the same meridian.
        assert p.longitude == pytest.approx(lon, abs=1e-6) or lon >= 179.9999999
    assert [(w.latitude, w.longitude) for w in parsed.waypoints] == [
        (p.latitude, p.longitude) for p in (points[0], points[-1])
    ]
