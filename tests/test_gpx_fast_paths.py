"""The batch paths of the GPX reader and the streaming writer give what the slow paths give (issue 10)."""

from __future__ import annotations

import copy
import gc
import os
import re
import tracemalloc
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import TYPE_CHECKING

import gpxpy
import gpxpy.gpx
import pytest
from gpxpy import gpxfield
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gis_data.errors import InvalidGPXError
from gis_data.gpx_import import inspect_gpx
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_points import UTC_Z
from gis_data.gpx_points import utc_times
from gis_data.gpx_stream import time_texts
from gis_data.gpx_write import gpx_bytes
from gis_data.gpx_write import schema_locations_for
from gis_data.gpx_write import write_gpx
from gis_data.safe_xml import CHUNK_BYTES
from tests.bench_gpx import generated
from tests.conftest import DATA
from tests.test_gpx_import import GPX11
from tests.test_gpx_import import points_of

if TYPE_CHECKING:
    from pathlib import Path

CORPUS_FILES = sorted((DATA / "gpx-corpus").glob("*.gpx"))
BIG = 10**9  # bytes: the size limit lifted
LONG = 1e6  # seconds: the time budget lifted


@pytest.fixture(scope="module")
def big_track() -> gpxpy.gpx.GPX:
    return generated(100_000)


def test_a_100k_point_track_round_trips_exactly(big_track: gpxpy.gpx.GPX) -> None:
    data = gpx_bytes(big_track)
    again = parse_gpx(data, max_bytes=BIG, time_budget_s=LONG)
    assert points_of(again) == points_of(big_track)
    times = [p.time for p in again.tracks[0].segments[0].points]
    assert {type(t.tzinfo) for t in times if t is not None} == {gpxfield.SimpleTZ}
    assert None not in times
    assert gpx_bytes(again) == data
    assert gc.isenabled()


def test_streaming_write_gives_the_same_bytes(big_track: gpxpy.gpx.GPX, tmp_path: Path) -> None:
    data = gpx_bytes(big_track)
    assert write_gpx(big_track, tmp_path / "a.gpx") == len(data)
    assert (tmp_path / "a.gpx").read_bytes() == data
    with (tmp_path / "b.gpx").open("wb") as stream:
        write_gpx(big_track, stream, version="1.0")
    assert (tmp_path / "b.gpx").read_bytes() == gpx_bytes(big_track, version="1.0")


def test_streaming_write_holds_one_batch_of_points(big_track: gpxpy.gpx.GPX) -> None:
    gc.collect()
    tracemalloc.start()
    try:
        with open(os.devnull, "wb") as sink:
            write_gpx(big_track, sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20  # the whole document is 12.5 MB


def test_bad_version_creates_no_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'2\.0'"):
        write_gpx(gpxpy.gpx.GPX(), tmp_path / "x.gpx", version="2.0")
    assert not (tmp_path / "x.gpx").exists()


@pytest.mark.parametrize("version", ["1.0", "1.1"])
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_written_bytes_are_gpxpys(path: Path, version: str) -> None:
    """The streaming writer writes exactly what gpxpy's to_xml writes, for every corpus file."""
    doc = parse_gpx(path.read_bytes())
    reference = copy.deepcopy(doc)
    reference.schema_locations = schema_locations_for(list(reference.schema_locations), version)
    expected = reference.to_xml(version).encode()
    if b"&" not in expected:  # gpx_bytes escapes what gpxpy leaves raw
        assert gpx_bytes(doc, version=version) == expected


def _segment(body: bytes, copies: int) -> bytes:
    return (
        GPX11
        + b"<trk><trkseg>\n"
        + body * copies
        + b"<extensions><x:a xmlns:x='urn:x'>1</x:a></extensions>"
        + (b"</trkseg></trk></gpx>")
    )


PLAIN = b'<trkpt lat="45.1" lon="10.0"><ele>40</ele><time>2024-05-01T08:00:00Z</time></trkpt>\n'
UNUSUAL = [
    b'<trkpt lat="45.1" lon="10.0"><ele>41</ele><name>n</name></trkpt>\n',
    b'<trkpt lat="45.2" lon="10.1"><time>2015-12-11T15:43:13.250+01:00</time></trkpt>\n',
    b'<trkpt lat="45.2" lon="10.1"><ele/><time>yesterday</time></trkpt>\n',
    b'<trkpt lat="45.3" lon="10.2"><extensions><x:hr xmlns:x="urn:x">120</x:hr></extensions></trkpt>\n',
]


@pytest.mark.parametrize("unusual", UNUSUAL, ids=["name", "offset", "bad-time", "extension"])
def test_unusual_points_among_plain_ones_read_like_gpxpy(unusual: bytes) -> None:
    """Across several parse chunks, batches with an unusual point are read point by point, like gpxpy."""
    copies = 3 * CHUNK_BYTES // len(PLAIN)
    data = _segment(PLAIN * (copies // 2) + unusual + PLAIN * (copies // 2), 1)
    assert len(data) > 2 * CHUNK_BYTES
    loaded = inspect_gpx(data, max_bytes=BIG, time_budget_s=LONG)
    assert points_of(loaded.gpx) == points_of(gpxpy.parse(data))
    assert loaded.gpx.tracks[0].segments[0].extensions[0].text == "1"
    assert loaded.line_of("trk[1]/trkseg[1]", copies // 2) == copies // 2 + 2
    notes = ["invalid time 'yesterday' ignored"] if b"yesterday" in unusual else []
    assert [i.message for i in loaded.issues] == notes


def test_a_bad_point_deep_in_a_big_file_is_named_with_its_line() -> None:
    copies = 2 * CHUNK_BYTES // len(PLAIN)
    data = _segment(PLAIN * copies + b'<trkpt lat="nan" lon="10"/>\n' + PLAIN, 1)
    with pytest.raises(
        InvalidGPXError, match=rf"^a\.gpx: line {copies + 2}: trk\[1\]/trkseg\[1\]/trkpt\[{copies + 1}\]"
    ):
        parse_gpx(data, name="a.gpx", max_bytes=BIG, time_budget_s=LONG)
    broken = _segment(PLAIN * copies + b'<trkpt lat="x" lon="10"/>\n<trkpt lat=', 1)
    with pytest.raises(InvalidGPXError, match=rf"line {copies + 2}: .*needs numeric lat and lon, got lat='x'"):
        parse_gpx(broken, name="a.gpx", max_bytes=BIG, time_budget_s=LONG)
    assert gc.isenabled()


UTC_FORM = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _fromisoformat(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC_Z) if UTC_FORM.fullmatch(text) else None
    except ValueError:
        return None


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.text("0123456789-T:Z .+", min_size=19, max_size=21), max_size=4), st.booleans())
def test_utc_times_read_as_fromisoformat(texts: list[str], fix_form: bool) -> None:
    if fix_form:
        texts = [f"{t[:4]}-{t[5:7]}-{t[8:10]}T{t[11:13]}:{t[14:16]}:{t[17:19]}Z" for t in texts]
    expected = [_fromisoformat(t) for t in texts]
    result = utc_times(texts)
    assert result == (None if None in expected else expected)
    assert result is None or all(r.tzinfo is UTC_Z for r in result)


ZONES = st.sampled_from([None, UTC, UTC_Z, gpxfield.SimpleTZ("+01:00"), timezone(timedelta(hours=-3)), UTC])


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)), ZONES)))
def test_time_texts_are_gpxpys(moments: list[tuple[datetime, timezone | None]]) -> None:
    times = [moment.replace(tzinfo=zone) for moment, zone in moments]
    assert time_texts(times) == [gpxfield.format_time(t) for t in times]
