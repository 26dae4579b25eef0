"""The columnar track reader holds and refuses what the object reader does, in little memory (issue 10)."""

from __future__ import annotations

import gc
import json
import tracemalloc
from dataclasses import asdict
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import gpxpy.gpx
import numpy as np
import pytest
from click.testing import CliRunner
from gpxpy import gpxfield
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cli.gpx import stats_lines
from cli.main import cli
from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidGPXError
from gis_data.gpx_column_stats import column_stats
from gis_data.gpx_columns import TrackColumns
from gis_data.gpx_columns import read_track_columns
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_stats import gpx_stats
from gis_data.gpx_times import object_datetime64
from gis_data.gpx_times import utc_datetime64
from gis_data.gpx_write import gpx_bytes
from gis_data.safe_xml import CHUNK_BYTES
from tests.bench_gpx import generated
from tests.conftest import DATA
from tests.hostile_corpus import GPX_HEAD
from tests.hostile_corpus import GPX_TAIL
from tests.hostile_corpus import small_files

if TYPE_CHECKING:
    from collections.abc import Callable

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "gpx-corpus-gpxpy" / "files"
CORPUS_FILES = sorted((DATA / "gpx-corpus").glob("*.gpx")) + sorted(SHARED_CORPUS.glob("*.gpx"))
BIG = 10**10  # bytes: the size limit lifted
LONG = 1e6  # seconds: the time budget lifted
#: The peak of Python memory while reading, per track point (the arrays alone take 32 bytes).
MAX_BYTES_PER_POINT = 60


def assert_same_points(columns: TrackColumns, doc: gpxpy.gpx.GPX) -> None:
    """Assert that the columns hold exactly the track points, segments and tracks of ``doc``."""
    points = [p for t in doc.tracks for s in t.segments for p in s.points]
    assert columns.lat.tolist() == [p.latitude for p in points]
    assert columns.lon.tolist() == [p.longitude for p in points]
    elevations = np.array([np.nan if p.elevation is None else p.elevation for p in points], dtype=float)
    assert np.array_equal(columns.ele, elevations, equal_nan=True)
    times, local = object_datetime64([p.time for p in points])
    assert np.array_equal(columns.time, times, equal_nan=True)
    assert columns.local_times == local
    sizes = [len(s.points) for t in doc.tracks for s in t.segments]
    assert columns.segment_starts.tolist() == np.cumsum([0, *sizes])[:-1].tolist()
    assert columns.track_starts.tolist() == np.cumsum([0, *(len(t.segments) for t in doc.tracks)])[:-1].tolist()
    skeleton = columns.skeleton
    assert [t.name for t in skeleton.tracks] == [t.name for t in doc.tracks]
    assert skeleton.version == doc.version
    assert len(skeleton.routes) == len(doc.routes)
    assert [(w.latitude, w.longitude, w.name) for w in skeleton.waypoints] == [
        (w.latitude, w.longitude, w.name) for w in doc.waypoints
    ]


def error_of(action: Callable[[], object]) -> str:
    """Return the message of the InvalidGPXError ``action`` raises."""
    with pytest.raises(InvalidGPXError) as caught:
        action()
    return str(caught.value)


def segment(body: bytes, copies: int = 1) -> bytes:
    return GPX_HEAD + b"<trk><trkseg>\n" + body * copies + b"</trkseg></trk>\n" + GPX_TAIL


PLAIN = b'<trkpt lat="45.1334" lon="10.0246"><ele>41.5</ele><time>2025-05-17T08:00:00Z</time></trkpt>\n'
#: Enough points for many chunks.
MANY = 3 * CHUNK_BYTES // len(PLAIN)


# --- the same points as parse_gpx ----------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_corpus_columns_and_stats_equal_the_objects(path: Path) -> None:
    data = path.read_bytes()
    doc = parse_gpx(data, name=path.name)
    columns = read_track_columns(path)
    assert_same_points(columns, doc)
    if not columns.local_times:
        assert column_stats(columns) == gpx_stats(doc)
        assert column_stats(columns, hysteresis_m=0.0, stopped_kmh=3.0) == gpx_stats(
            doc, hysteresis_m=0.0, stopped_kmh=3.0
        )


def test_the_corpus_is_there() -> None:
    assert len(CORPUS_FILES) >= 28
    assert any(read_track_columns(p).local_times for p in CORPUS_FILES)


@pytest.fixture(scope="module")
def big_track() -> tuple[gpxpy.gpx.GPX, bytes]:
    doc = generated(100_000)
    return doc, gpx_bytes(doc)


def test_a_generated_100k_track_equals_the_objects(big_track: tuple[gpxpy.gpx.GPX, bytes]) -> None:
    doc, data = big_track
    columns = read_track_columns(data, max_bytes=BIG, time_budget_s=LONG)
    again = parse_gpx(data, max_bytes=BIG, time_budget_s=LONG)
    assert_same_points(columns, again)
    assert column_stats(columns) == gpx_stats(again) == gpx_stats(doc)
    assert not columns.local_times
    assert gc.isenabled()


def test_tracks_segments_and_points_without_elevation_or_time() -> None:
    doc = (
        GPX_HEAD
        + (
            b"<trk><name>one</name><trkseg>"
            b'<trkpt lat="45.1" lon="10.0"><ele>40</ele></trkpt><trkpt lat="45.2" lon="10.1"/>'
            b'</trkseg><trkseg/><trkseg><trkpt lat="45.3" lon="10.2"><time>2025-05-17T08:00:00Z</time></trkpt>'
            b"</trkseg></trk><trk><name>two</name></trk><trk><trkseg>"
            b'<trkpt lat="-0.0" lon="0"><ele>1e1</ele><time>2025-05-17T09:00:00.250Z</time></trkpt>'
            b'<trkpt lat="0.0" lon="-0"/></trkseg></trk>'
            b'<wpt lat="46" lon="11"><name>Crema</name></wpt>'
            b'<rte><rtept lat="45" lon="9"/><rtept lat="45.01" lon="9"/></rte>'
        )
        + GPX_TAIL
    )
    columns = read_track_columns(doc)
    parsed = parse_gpx(doc)
    assert_same_points(columns, parsed)
    assert columns.segment_bounds() == [(0, 2), (2, 2), (2, 3), (3, 5)]
    assert columns.track_starts.tolist() == [0, 3, 3]
    assert str(columns.time[4]) == "NaT"
    assert str(columns.time[3]) == "2025-05-17T09:00:00.250000"
    assert column_stats(columns) == gpx_stats(parsed)
    assert str(column_stats(columns).bbox) == str(gpx_stats(parsed).bbox)  # the sign of zero too


def test_times_with_offsets_are_kept_in_utc_and_flagged() -> None:
    doc = segment(
        b'<trkpt lat="45.1" lon="10"><time>2025-05-17T10:00:00+02:00</time></trkpt>'
        b'<trkpt lat="45.2" lon="10"><time>2025-05-17T08:00:01Z</time></trkpt>'
        b'<trkpt lat="45.3" lon="10"><time>2025-05-17T08:00:02</time></trkpt>'
        b'<trkpt lat="45.4" lon="10"><time>yesterday</time></trkpt>'
    )
    columns = read_track_columns(doc)
    assert_same_points(columns, parse_gpx(doc))
    assert columns.local_times
    assert [str(t) for t in columns.time] == [
        "2025-05-17T08:00:00.000000",
        "2025-05-17T08:00:01.000000",
        "2025-05-17T08:00:02.000000",  # a naive time, taken as UTC
        "NaT",
    ]


@pytest.mark.parametrize(
    "odd",
    [
        b'<trkpt lat="45.2" lon="10.1"><ele>40</ele><extensions><hr>120</hr></extensions></trkpt>\n',
        b'<trkpt lat="45.2" lon="10.1"><name>stop</name><time>2025-05-17T08:00:00.5+01:00</time></trkpt>\n',
        b'<trkpt lat="45.2" lon="10.1"><ele/><time></time></trkpt>\n',
        b'<trkpt lat="45.2" lon="10.1"><ele>40</ele><ele>41</ele></trkpt>\n',
        b'<trkpt lon="10.1" lat=" 45.2 "><time>2025-05-17T08:00:00.123456789Z</time><ele> 7 </ele></trkpt>\n',
        b'<trkpt lat="45.2" lon="10.1"><ele>4<!-- c -->0</ele><time><![CDATA[2025-05-17T08:00:00Z]]></time></trkpt>\n',
    ],
)
def test_unusual_points_among_many_plain_ones_read_as_parse_gpx_reads_them(odd: bytes) -> None:
    doc = segment(PLAIN * MANY + odd + PLAIN * MANY + odd)
    assert_same_points(read_track_columns(doc, max_bytes=BIG), parse_gpx(doc, max_bytes=BIG))


def test_a_point_without_elevation_in_a_long_segment() -> None:
    doc = segment(PLAIN * MANY + b'<trkpt lat="45.2" lon="10.1"/>\n' + PLAIN * MANY)
    columns = read_track_columns(doc, max_bytes=BIG)
    assert_same_points(columns, parse_gpx(doc, max_bytes=BIG))
    assert int(np.isnan(columns.ele).sum()) == 1


# --- the same refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in small_files() if n.endswith((".gpx", ".xml"))])
def test_hostile_files_are_refused_with_parse_gpx_message(name: str) -> None:
    data = small_files()[name]
    if name == "xinclude.gpx":  # harmless once parsed safely (XInclude is not processed): read alike
        assert_same_points(read_track_columns(data, name=name), parse_gpx(data, name=name))
        return
    assert error_of(lambda: read_track_columns(data, name=name)) == error_of(lambda: parse_gpx(data, name=name))


@pytest.mark.parametrize(
    "bad",
    [
        b'<trkpt lat="x" lon="10"/>',
        b'<trkpt lat="45" lon="200"/>',
        b'<trkpt lat="nan" lon="10"><ele>3</ele><time>2025-05-17T08:00:00Z</time></trkpt>',
        b'<trkpt lat="45" lon="10"><ele>NaN</ele><time>2025-05-17T08:00:00Z</time></trkpt>',
        b'<trkpt lat="45" lon="10"><ele>-inf</ele><time>2025-05-17T08:00:00Z</time></trkpt>',
        b'<trkpt lat="45" lon="10"><ele>high</ele></trkpt>',
        b'<trkpt lon="10"/>',
        b'<trkpt lat="45" lon="10"><ele>1',
    ],
)
def test_bad_points_deep_in_a_big_file_get_parse_gpx_message(bad: bytes) -> None:
    doc = segment(PLAIN * MANY + bad + b"\n" + PLAIN * 3)
    expected = error_of(lambda: parse_gpx(doc, name="a.gpx", max_bytes=BIG))
    assert f"line {MANY + 4}" in expected
    assert error_of(lambda: read_track_columns(doc, name="a.gpx", max_bytes=BIG)) == expected


def test_bad_waypoints_and_routes_are_refused_as_parse_gpx_refuses_them() -> None:
    for doc in (
        GPX_HEAD + b'<wpt lat="91" lon="10"/>' + GPX_TAIL,
        GPX_HEAD + b'<rte><rtept lat="45" lon="inf"/></rte>' + GPX_TAIL,
        GPX_HEAD + b'<gpx version="2.0"/>',
        b'<gpx version="3.0"><trk/></gpx>',
        b"<svg><trk/></svg>",
    ):
        assert error_of(lambda d=doc: read_track_columns(d, name="a.gpx")) == error_of(  # type: ignore[misc]
            lambda d=doc: parse_gpx(d, name="a.gpx")  # type: ignore[misc]
        )


def test_a_file_just_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    doc = segment(PLAIN * 10)
    path = tmp_path / "ride.gpx"
    path.write_bytes(doc)
    limit = len(doc) - 1
    expected = f"{path}: {len(doc)} bytes is over the {limit}-byte limit (gpx_max_bytes)"
    assert error_of(lambda: read_track_columns(path, max_bytes=limit)) == expected
    assert error_of(lambda: read_track_columns(doc, name=str(path), max_bytes=limit)) == expected
    assert len(read_track_columns(path, max_bytes=len(doc)).lat) == 10
    with pytest.raises(DataNotFoundError, match="no such file"):
        read_track_columns(tmp_path / "missing.gpx")


def test_the_time_budget_is_kept() -> None:
    doc = segment(PLAIN * MANY)
    message = error_of(lambda: read_track_columns(doc, name="a.gpx", max_bytes=BIG, time_budget_s=0))
    assert message.startswith("a.gpx: reading took longer than the 0 s budget (reached line ")


# --- memory ----------------------------------------------------------------------------------------------


def test_a_million_points_stay_within_60_bytes_a_point() -> None:
    t0 = datetime(2025, 5, 17, 8, tzinfo=UTC)
    block = b"".join(
        b'<trkpt lat="%.6f" lon="%.6f"><ele>%.1f</ele><time>%s</time></trkpt>\n'
        % (45 + i * 1e-5, 10 + i * 1e-5, i % 97, (t0 + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ").encode())
        for i in range(1000)
    )
    body = block * 1000
    doc = segment(body)
    del body
    gc.collect()
    tracemalloc.start()
    try:
        columns = read_track_columns(doc, max_bytes=BIG, time_budget_s=LONG)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(columns.lat) == 1_000_000
    assert str(columns.time[-1]) == "2025-05-17T08:16:39.000000"
    assert peak / 1_000_000 < MAX_BYTES_PER_POINT


# --- times -----------------------------------------------------------------------------------------------


@hsettings(max_examples=200, deadline=None)
@given(
    st.lists(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)), min_size=1, max_size=5),
    st.integers(min_value=0, max_value=15),
)
def test_utc_datetime64_reads_as_gpxpy(moments: list[datetime], digits: int) -> None:
    fractions = [f".{m.microsecond:06d}987654321"[: digits + 1] if digits else "" for m in moments]
    texts = [f"{m.year:04d}-{m:%m-%dT%H:%M:%S}{f}Z" for m, f in zip(moments, fractions, strict=True)]
    expected = [gpxfield.parse_time(t) for t in texts]
    values = utc_datetime64(texts)
    assert values is not None
    assert values.tolist() == [e.replace(tzinfo=None) for e in expected if e]


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.text("0123456789-T:Z .+", min_size=19, max_size=24), min_size=1, max_size=4))
def test_utc_datetime64_refuses_what_is_not_plain_utc(texts: list[str]) -> None:
    values = utc_datetime64(texts)
    if values is not None:
        parsed = [gpxfield.parse_time(t) for t in texts]
        assert all(p is not None and p.utcoffset() == timedelta(0) for p in parsed)
        assert values.tolist() == [p.replace(tzinfo=None) for p in parsed if p]


# --- the commands ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((DATA / "gpx-corpus").glob("*.gpx")), ids=lambda p: p.name)
def test_gpx_info_prints_what_the_object_figures_give(path: Path) -> None:
    doc = parse_gpx(path.read_bytes(), name=str(path))
    stats = gpx_stats(doc, hysteresis_m=3.0)
    runner = CliRunner()
    text = runner.invoke(cli, ["gpx", "info", "--hysteresis", "3", str(path)])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines() == stats_lines(str(path), doc.version, stats, 3.0)
    as_json = runner.invoke(cli, ["gpx", "info", "--json", str(path)])
    figures = {"source": str(path), "version": doc.version, **asdict(gpx_stats(doc))}
    assert json.loads(as_json.output) == json.loads(json.dumps(figures, default=str, ensure_ascii=False))
