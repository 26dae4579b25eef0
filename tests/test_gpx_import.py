"""Safe GPX import and faithful writing, on the gpxpy corpus and on hostile files."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

import gpxpy
import gpxpy.gpx
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidGPXError
from gis_data.gpx import validate_gpx_schema
from gis_data.gpx_import import inspect_gpx
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_import import read_gpx
from gis_data.gpx_validate import default_schema
from gis_data.gpx_validate import validate_gpx
from gis_data.gpx_write import gpx_bytes
from gis_data.safe_xml import CLOCK_EVERY
from tests.conftest import DATA
from tests.conftest import GPX_SCHEMA

if TYPE_CHECKING:
    from pathlib import Path

CORPUS = DATA / "gpx-corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.gpx"))
GPX11 = b'<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="test">'

Row = tuple[float, float, float | None, datetime | None]


def points_of(doc: gpxpy.gpx.GPX) -> list[Row]:
    """Every point (track, route, waypoint) as (lat, lon, ele, time), in document order."""
    rows = [(p.latitude, p.longitude, p.elevation, p.time) for t in doc.tracks for s in t.segments for p in s.points]
    rows += [(p.latitude, p.longitude, p.elevation, p.time) for r in doc.routes for p in r.points]
    rows += [(p.latitude, p.longitude, p.elevation, p.time) for p in doc.waypoints]
    return rows


def test_corpus_is_complete() -> None:
    assert len(CORPUS_FILES) == 28
    for name in ("LICENSE.txt", "NOTICE.txt", "PROVENANCE.md"):
        assert (CORPUS / name).is_file()


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_loads_like_gpxpy(path: Path) -> None:
    """Every corpus file loads; its points are exactly those gpxpy reads."""
    doc = read_gpx(path)
    reference = gpxpy.parse(path.read_bytes())
    assert points_of(doc) == points_of(reference)
    assert [t.name for t in doc.tracks] == [t.name for t in reference.tracks]
    assert [len(t.segments) for t in doc.tracks] == [len(t.segments) for t in reference.tracks]
    assert doc.version in ("1.0", "1.1")


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_round_trip_keeps_every_point(path: Path) -> None:
    doc = read_gpx(path)
    again = parse_gpx(gpx_bytes(doc), name=path.name)
    assert points_of(again) == points_of(doc)
    assert [w.name for w in again.waypoints] == [w.name for w in doc.waypoints]


def test_round_trip_leaves_the_document_unchanged() -> None:
    doc = read_gpx(CORPUS / "cerknicko-jezero.gpx")
    before = (doc.version, doc.creator, dict(doc.nsmap), list(doc.schema_locations))
    gpx_bytes(doc, version="1.1")
    assert (doc.version, doc.creator, dict(doc.nsmap), list(doc.schema_locations)) == before


@pytest.mark.parametrize(
    "name", ["gpx1.1_with_all_fields.gpx", "track-with-empty-segment.gpx", "gpx_with_garmin_extension.gpx"]
)
def test_written_gpx_is_schema_valid(name: str) -> None:
    assert validate_gpx_schema(gpx_bytes(read_gpx(CORPUS / name)), GPX_SCHEMA) == []


def test_gpx10_is_written_as_valid_gpx11() -> None:
    data = gpx_bytes(read_gpx(CORPUS / "cerknicko-jezero.gpx"))
    assert b"http://www.topografix.com/GPX/1/0" not in data
    assert validate_gpx_schema(data, GPX_SCHEMA) == []


def test_extensions_are_kept_with_their_namespace() -> None:
    doc = read_gpx(CORPUS / "gpx_with_garmin_extension.gpx")
    (ext,) = doc.waypoints[0].extensions
    assert ext.tag == "{http://www.garmin.com/xmlschemas/TrackPointExtension/v1}TrackPointExtension"
    data = gpx_bytes(doc)
    assert b"<gpxtpx:hr>171</gpxtpx:hr>" in data
    again = parse_gpx(data)
    assert again.waypoints[0].extensions[0][0].text == "171"


def test_extensions_of_an_unversioned_file_are_kept() -> None:
    """gpxpy reads a file without version as GPX 1.0 and drops its extensions; we keep both."""
    doc = read_gpx(CORPUS / "unicode_with_bom.gpx")
    assert [e.tag for e in doc.waypoints[0].extensions] == ["security"]
    assert doc.waypoints[0].name == "test"
    assert gpxpy.parse((CORPUS / "unicode_with_bom.gpx").read_bytes()).waypoints[0].extensions == []


def test_foreign_elements_of_a_gpx10_point_become_extensions() -> None:
    data = (
        b'<gpx xmlns="http://www.topografix.com/GPX/1/0" xmlns:hr="urn:example:hr" version="1.0">'
        b'<trk><trkseg><trkpt lat="45.1" lon="10.0"><ele>40</ele><hr:bpm>120</hr:bpm></trkpt>'
        b"</trkseg></trk></gpx>"
    )
    point = parse_gpx(data).tracks[0].segments[0].points[0]
    assert point.elevation == 40.0
    assert [(e.tag, e.text) for e in point.extensions] == [("{urn:example:hr}bpm", "120")]
    assert b"<hr:bpm>120</hr:bpm>" in gpx_bytes(parse_gpx(data))


def test_special_characters_survive_writing() -> None:
    """gpxpy writes link hrefs and extension text unescaped; our writer must not break the XML."""
    data = (
        GPX11 + b'<metadata><link href="https://example.org/?a=1&amp;b=2"/></metadata>'
        b'<wpt lat="45.1" lon="10.0"><name>Po &amp; Adda</name>'
        b'<extensions><n xmlns="urn:x" k="&quot;q&quot;">fish &amp; chips &lt;3</n></extensions></wpt></gpx>'
    )
    doc = parse_gpx(data)
    again = parse_gpx(gpx_bytes(doc))
    assert again.link == "https://example.org/?a=1&b=2"
    assert again.waypoints[0].name == "Po & Adda"
    (ext,) = again.waypoints[0].extensions
    assert (ext.text, ext.get("k")) == ("fish & chips <3", '"q"')
    assert doc.waypoints[0].extensions[0].text == "fish & chips <3"  # the input is untouched


def test_source_lines_are_recorded() -> None:
    loaded = inspect_gpx((CORPUS / "first_and_last_elevation.gpx").read_bytes())
    assert loaded.line_of("trk[1]/trkseg[1]", 9) == 27
    assert loaded.container_lines["trk[1]/trkseg[1]"] > 0


# --- hostile and broken documents --------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" creator="x"><wpt lat="45.1" lon="10.0"><name>&lol9;</name></wpt></gpx>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" creator="x"><wpt lat="45.1" lon="10.0"><name>&secret;</name></wpt></gpx>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE gpx SYSTEM "http://attacker.invalid/gpx.dtd">
<gpx version="1.1" creator="x"><wpt lat="45.1" lon="10.0"/></gpx>
"""


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(BILLION_LAUGHS, "document type declarations are not allowed", id="billion-laughs"),
        pytest.param(EXTERNAL_ENTITY, "document type declarations are not allowed", id="external-entity"),
        pytest.param(EXTERNAL_DTD, "document type declarations are not allowed", id="external-dtd"),
        pytest.param(b'<kml xmlns="http://www.opengis.net/kml/2.2"/>', "not a GPX document", id="kml"),
        pytest.param(b"<?xml version='1.0'?>\n<svg><gpx/></svg>", "the root element is <svg>", id="svg"),
        pytest.param(b"<gpx>\n<wpt lat='1' lon='2'><name>\xc3\x28</name></wpt></gpx>", "line 2", id="utf8"),
        pytest.param(b"", "empty document", id="empty"),
        pytest.param(b"  \n\t ", "empty document", id="blank"),
        pytest.param(GPX11 + b"<trk><trkseg><trkpt lat='45.1'", "not well-formed", id="truncated"),
        pytest.param(b'<gpx version="2.0"/>', "unsupported GPX version '2.0'", id="version"),
        pytest.param(
            GPX11 + b'<trk><trkseg>\n<trkpt lat="north" lon="10"/></trkseg></trk></gpx>',
            "line 2: trk[1]/trkseg[1]/trkpt[1] needs numeric lat and lon",
            id="bad-lat",
        ),
        pytest.param(
            GPX11 + b'<trk><trkseg><trkpt lat="45" lon="10">\n<ele>high</ele></trkpt></trkseg></trk></gpx>',
            "line 2: <ele> is not a number: 'high'",
            id="bad-ele",
        ),
    ],
)
def test_hostile_or_broken_file_is_refused(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "hostile.gpx"
    path.write_bytes(content)
    with pytest.raises(InvalidGPXError) as info:
        read_gpx(path)
    message = str(info.value)
    assert str(path) in message
    assert problem in message
    assert "root:" not in message  # nothing of /etc/passwd leaks


def test_external_entity_never_reaches_the_output(tmp_path: Path) -> None:
    report = validate_gpx(EXTERNAL_ENTITY, name="xxe.gpx")
    assert [i.level for i in report] == ["error"]
    assert "root:" not in str(report)


def test_oversize_file_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.gpx"
    path.write_bytes((CORPUS / "korita-zbevnica.gpx").read_bytes())
    monkeypatch.setattr(settings, "gpx_max_bytes", 10_000)
    with pytest.raises(InvalidGPXError, match=r"big\.gpx: 88561 bytes is over the 10000-byte limit"):
        read_gpx(path)
    with pytest.raises(InvalidGPXError, match="over the 10000-byte limit"):
        parse_gpx(path.read_bytes())


def test_slow_file_is_stopped_by_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    points = b"".join(b'<trkpt lat="45.1" lon="10.0"/>' for _ in range(CLOCK_EVERY + 1))
    data = GPX11 + b"<trk><trkseg>" + points + b"</trkseg></trk></gpx>"
    monkeypatch.setattr(settings, "gpx_time_budget_s", 0.0)
    with pytest.raises(InvalidGPXError, match="longer than the 0 s budget"):
        parse_gpx(data, name="slow.gpx")
    monkeypatch.setattr(settings, "gpx_time_budget_s", 10.0)
    assert len(parse_gpx(data).tracks[0].segments[0].points) == CLOCK_EVERY + 1


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match="no such file"):
        read_gpx(tmp_path / "nowhere.gpx")


def test_packaged_schema_is_the_tests_schema() -> None:
    assert default_schema().read_bytes() == GPX_SCHEMA.read_bytes()
    assert (default_schema().parent / "PROVENANCE.md").is_file()


# --- property: a round trip keeps the points ---------------------------------------------------

coordinate = st.integers(-899_999_999, 899_999_999).map(lambda i: i / 1e7)
longitude = st.integers(-1_799_999_999, 1_799_999_999).map(lambda i: i / 1e7)
elevation = st.none() | st.integers(-400_000, 8_800_000).map(lambda i: i / 1000)
moment = st.none() | st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
text = st.none() | st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), max_size=12
).map(lambda s: s.strip() or None)


@st.composite
def documents(draw: st.DrawFn) -> gpxpy.gpx.GPX:
    doc = gpxpy.gpx.GPX()
    doc.name = draw(text)
    for _ in range(draw(st.integers(0, 2))):
        track = gpxpy.gpx.GPXTrack(name=draw(text))
        for _ in range(draw(st.integers(1, 2))):
            segment = gpxpy.gpx.GPXTrackSegment()
            for _ in range(draw(st.integers(0, 6))):
                point = gpxpy.gpx.GPXTrackPoint(
                    draw(coordinate), draw(longitude), elevation=draw(elevation), time=draw(moment)
                )
                segment.points.append(point)
            track.segments.append(segment)
        doc.tracks.append(track)
    for _ in range(draw(st.integers(0, 3))):
        doc.waypoints.append(
            gpxpy.gpx.GPXWaypoint(draw(coordinate), draw(longitude), elevation=draw(elevation), name=draw(text))
        )
    return doc


@hsettings(max_examples=60, deadline=None)
@given(documents())
def test_round_trip_keeps_points(doc: gpxpy.gpx.GPX) -> None:
    again = parse_gpx(gpx_bytes(doc))
    assert points_of(again) == points_of(doc)
    assert [w.name for w in again.waypoints] == [w.name for w in doc.waypoints]
    assert again.name == doc.name


def test_times_with_offsets_keep_their_instant() -> None:
    data = GPX11 + (
        b'<trk><trkseg><trkpt lat="57.01" lon="9.99"><time>2015-12-11T15:43:13.250+01:00</time></trkpt>'
        b"</trkseg></trk></gpx>"
    )
    (point,) = parse_gpx(data).tracks[0].segments[0].points
    assert point.time == datetime(2015, 12, 11, 14, 43, 13, 250_000, tzinfo=UTC)
    assert point.time.utcoffset() == timedelta(hours=1)
