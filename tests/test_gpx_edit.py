"""Editing, stats, validation, conversion and export of GPX documents, on real tracks."""

from __future__ import annotations

import itertools
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import gpxpy.gpx
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gis_data.errors import InvalidGPXError
from gis_data.gpx import route_to_gpx
from gis_data.gpx_edit import bbox_area
from gis_data.gpx_edit import crop_gpx
from gis_data.gpx_edit import fill_times
from gis_data.gpx_edit import merge_gpx
from gis_data.gpx_edit import reverse_gpx
from gis_data.gpx_edit import strip_gpx
from gis_data.gpx_export import PRESETS
from gis_data.gpx_export import apply_preset
from gis_data.gpx_export import export_gpx
from gis_data.gpx_export import read_via_points
from gis_data.gpx_geojson import gpx_to_geojson
from gis_data.gpx_geojson import parse_geojson
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_import import read_gpx
from gis_data.gpx_kml import gpx_to_kml
from gis_data.gpx_kml import parse_kml
from gis_data.gpx_model import iter_track_points
from gis_data.gpx_model import track_point_count
from gis_data.gpx_simplify import max_deviation_m
from gis_data.gpx_simplify import simplify_gpx
from gis_data.gpx_simplify import simplify_to_points
from gis_data.gpx_split import split_at_distances
from gis_data.gpx_split import split_at_time_gaps
from gis_data.gpx_split import split_at_waypoints
from gis_data.gpx_split import split_into_days
from gis_data.gpx_stats import gpx_stats
from gis_data.gpx_validate import validate_gpx
from gis_data.gpx_write import gpx_bytes
from tests.conftest import DATA
from tests.foreign_tracks import ev8_po_dense
from tests.foreign_tracks import needs_shared
from tests.test_gpx_import import points_of

CORPUS = DATA / "gpx-corpus"
# The corpus' longest ride: 4 tracks (one empty, one untimed), 871 points, 14.9 km.
KORITA = CORPUS / "korita-zbevnica.gpx"

Key = tuple[float, float, float | None, datetime | None]


def keys(doc: gpxpy.gpx.GPX) -> list[Key]:
    return [(p.latitude, p.longitude, p.elevation, p.time) for p in iter_track_points(doc)]


def longest_track() -> gpxpy.gpx.GPX:
    """Korita-Zbevnica's second track, 358 points: the longest single track of the corpus."""
    doc = read_gpx(KORITA)
    doc.tracks = [max(doc.tracks, key=lambda t: sum(len(s.points) for s in t.segments))]
    return doc


# --- simplify ----------------------------------------------------------------------------------


def test_simplify_longest_ride_to_500_points() -> None:
    doc = read_gpx(KORITA)
    small = simplify_to_points(doc, 500)
    count = track_point_count(small)
    deviation = max_deviation_m(doc, small)
    assert 450 <= count <= 500
    assert deviation < 5.0  # a GPS track of a hike loses almost nothing at 500 points
    assert track_point_count(doc) == 871  # the input is untouched
    for old, new in zip(doc.tracks, small.tracks, strict=True):
        for before, after in zip(old.segments, new.segments, strict=True):
            assert [keys_of(p) for p in after.points[:1] + after.points[-1:]] == [
                keys_of(p) for p in before.points[:1] + before.points[-1:]
            ]


def test_simplify_longest_track_to_100_points() -> None:
    doc = longest_track()
    small = simplify_to_points(doc, 100)
    assert 90 <= track_point_count(small) <= 100
    assert max_deviation_m(doc, small) < 10.0


def test_simplify_to_tolerance_stays_within_it() -> None:
    doc = read_gpx(KORITA)
    for tolerance in (1.0, 5.0, 20.0):
        small = simplify_gpx(doc, tolerance)
        assert max_deviation_m(doc, small) <= tolerance + 1e-6
    assert track_point_count(simplify_gpx(doc, 20.0)) < track_point_count(simplify_gpx(doc, 1.0))


def test_simplify_to_too_few_points_is_refused() -> None:
    with pytest.raises(InvalidGPXError, match="need at least 6"):
        simplify_to_points(read_gpx(KORITA), 5)


# --- split and merge ---------------------------------------------------------------------------


@needs_shared
def test_split_into_days_gives_equal_stages_that_meet() -> None:
    doc = read_gpx(ev8_po_dense())
    days = split_into_days(doc, 3)
    lengths = [gpx_stats(d).distance_m for d in days]
    assert len(days) == 3
    assert sum(lengths) == pytest.approx(gpx_stats(doc).distance_m, rel=1e-9)
    assert max(lengths) - min(lengths) < 1500  # vertices are ~100 m apart, gaps up to 1.5 km
    for a, b in itertools.pairwise(days):
        assert keys(a)[-1] == keys(b)[0]
    assert (
        merge_gpx(days, how="line").tracks[0].segments[0].points[0].latitude
        == doc.tracks[0].segments[0].points[0].latitude
    )
    assert keys(merge_gpx(days, how="line")) == keys(doc)


@needs_shared
def test_split_at_km_and_beyond_the_end() -> None:
    doc = read_gpx(ev8_po_dense())
    first, _second = split_at_distances(doc, [25_000])
    assert gpx_stats(first).distance_m == pytest.approx(25_000, abs=200)
    with pytest.raises(InvalidGPXError, match="cannot split at 100 km: the track is 7"):
        split_at_distances(doc, [100_000])


def test_split_at_waypoints_on_a_planned_route() -> None:
    stops = [("Cremona", (45.1334, 10.0246)), ("Stazione", (45.1433, 10.0180)), ("Po", (45.1300, 10.0600))]
    track = [(45.1334, 10.0246), (45.1391, 10.0214), (45.1433, 10.0180), (45.1350, 10.0400), (45.13, 10.06)]
    doc = route_to_gpx(track, stops, name="tour")
    first, second = split_at_waypoints(doc, ["Stazione"])
    assert keys(first)[-1][:2] == (45.1433, 10.0180) == keys(second)[0][:2]
    assert [w.name for w in first.waypoints] == ["Cremona", "Stazione"]
    assert [w.name for w in second.waypoints] == ["Po"]
    with pytest.raises(InvalidGPXError, match="no waypoint named 'Pavia'"):
        split_at_waypoints(doc, ["Pavia"])


def test_split_at_time_gaps_on_a_real_ride() -> None:
    doc = read_gpx(KORITA)
    parts = split_at_time_gaps(doc, 15 * 60)
    assert len(parts) > 1
    assert sum(track_point_count(p) for p in parts) == track_point_count(doc)
    assert keys(merge_gpx(parts, how="line")) == keys(doc)
    with pytest.raises(InvalidGPXError, match="no times"):
        split_at_time_gaps(strip_gpx(doc, times=True), 60)


def test_merge_modes() -> None:
    a, b = read_gpx(CORPUS / "cerknicko-jezero.gpx"), read_gpx(CORPUS / "Mojstrovka.gpx")
    tracks = merge_gpx([a, b], how="tracks")
    segments = merge_gpx([a, b], how="segments")
    line = merge_gpx([a, b], how="line")
    assert len(tracks.tracks) == len(a.tracks) + len(b.tracks)
    assert len(segments.tracks) == 1
    assert len(segments.tracks[0].segments) == sum(len(t.segments) for t in a.tracks + b.tracks)
    assert len(line.tracks[0].segments) == 1
    assert keys(line) == keys(a) + keys(b)
    assert len(tracks.waypoints) == len(a.waypoints) + len(b.waypoints)


# --- reverse, crop, strip, fill times ----------------------------------------------------------


def test_reverse_a_real_ride() -> None:
    doc = read_gpx(KORITA)
    back = reverse_gpx(doc)
    forward, backward = keys(doc), keys(back)
    assert [k[:3] for k in backward] == [k[:3] for k in reversed(forward)]
    times = [k[3] for k in backward if k[3] is not None]
    original = [k[3] for k in forward if k[3] is not None]
    assert (times[0], times[-1]) == (original[0], original[-1])  # the same time span
    assert times == sorted(times)  # the reversed ride runs forward in time
    assert keys(reverse_gpx(back)) == forward


@needs_shared
def test_crop_splits_segments_at_the_edge() -> None:
    doc = read_gpx(ev8_po_dense())
    # A box around Cremona: the Po trace enters, leaves along the river and comes back.
    area = bbox_area(45.10, 9.95, 45.14, 10.10)
    cropped = crop_gpx(doc, area)
    inside = keys(cropped)
    assert 0 < len(inside) < track_point_count(doc)
    assert all(45.10 <= lat <= 45.14 and 9.95 <= lon <= 10.10 for lat, lon, *_ in inside)
    assert inside == [k for k in keys(doc) if 45.10 <= k[0] <= 45.14 and 9.95 <= k[1] <= 10.10]


def test_strip_and_fill_times() -> None:
    doc = read_gpx(KORITA)
    bare = strip_gpx(doc, times=True, extensions=True, waypoints=True)
    assert all(p.time is None for p in iter_track_points(bare))
    assert bare.waypoints == []
    assert gpx_stats(bare).moving_s is None
    start = datetime(2025, 5, 17, 9, 0, tzinfo=UTC)
    timed = fill_times(bare, speed_kmh=15.0, start=start)
    points = list(iter_track_points(timed))
    assert points[0].time == start
    stats = gpx_stats(timed)
    # Gaps between tracks are ridden too, so the time exceeds the tracks' own distance at 15 km/h.
    assert stats.elapsed_s is not None
    assert stats.elapsed_s >= stats.distance_m / (15 / 3.6) - 1
    assert all(p.time is None for p in iter_track_points(bare))
    with pytest.raises(InvalidGPXError, match="no time"):
        fill_times(bare, speed_kmh=15.0)


# --- stats and validation ----------------------------------------------------------------------


def test_stats_of_a_real_ride() -> None:
    doc = read_gpx(KORITA)
    stats = gpx_stats(doc)
    assert stats.distance_m == pytest.approx(doc.length_2d(), rel=1e-3)
    assert stats.moving_s == pytest.approx(doc.get_moving_data().moving_time, rel=0.05)
    assert (stats.tracks, stats.track_points, stats.waypoints) == (4, 871, 2)
    assert stats.elapsed_s == 3 * 3600 + 43 * 60 + 1
    assert stats.ascent_m is not None
    assert 650 < stats.ascent_m < 800


@needs_shared
def test_hysteresis_distrusts_noise_on_the_po_plain() -> None:
    doc = read_gpx(ev8_po_dense())
    raw = gpx_stats(doc, hysteresis_m=0.0)
    filtered = gpx_stats(doc)
    assert raw.ascent_m is not None
    assert filtered.ascent_m is not None
    assert raw.ascent_m > 300  # noise of a 75 km trace that never leaves the plain
    assert filtered.ascent_m < 70
    assert filtered.max_elevation_m is not None
    assert filtered.min_elevation_m is not None
    assert filtered.max_elevation_m - filtered.min_elevation_m < 35


@needs_shared
def test_validate_reports_with_locations_and_lines() -> None:
    report = validate_gpx((CORPUS / "first_and_last_elevation.gpx").read_bytes(), name="f.gpx")
    assert str(report[0]) == (
        "error trk[1]/trkseg[1]/trkpt[10] (line 27): time goes back 3600 s from the previous point"
    )
    assert any(i.level == "warning" and "km/h since the previous point" in i.message for i in report)
    empty = validate_gpx((CORPUS / "track-with-empty-segment.gpx").read_bytes())
    assert [str(i) for i in empty] == ["warning trk[1]/trkseg[2] (line 43): empty segment"]
    schema = validate_gpx((CORPUS / "gpx1.1_with_extensions_without_namespaces.gpx").read_bytes())
    assert [(i.level, i.location, i.line) for i in schema] == [("error", "wpt[1]/extensions[1]/aaa[1]", 4)]
    assert validate_gpx((CORPUS / "gpx_with_garmin_extension.gpx").read_bytes()) == ()
    assert validate_gpx(gpx_bytes(read_gpx(ev8_po_dense()))) == ()


def test_validate_reports_duplicates_and_ranges() -> None:
    report = validate_gpx((CORPUS / "track-with-small-floats.gpx").read_bytes())
    assert [(i.level, i.location, i.message) for i in report] == [
        ("warning", "trk[1]/trkseg[1]/trkpt[3]", "repeats the previous point")
    ]


# --- conversion and export ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["korita-zbevnica.gpx", "route.gpx", "gpx1.1_with_all_fields.gpx"])
def test_geojson_round_trip(name: str) -> None:
    doc = read_gpx(CORPUS / name)
    collection = gpx_to_geojson(doc)
    again = parse_geojson(json.dumps(collection).encode())
    assert points_of(again) == points_of(doc)
    assert [t.name for t in again.tracks] == [t.name for t in doc.tracks]


@pytest.mark.parametrize("name", ["korita-zbevnica.gpx", "route.gpx", "gpx1.1_with_all_fields.gpx"])
def test_kml_round_trip_keeps_positions(name: str) -> None:
    doc = read_gpx(CORPUS / name)
    again = parse_kml(gpx_to_kml(doc))
    assert [k[:3] for k in points_of(again)] == [k[:3] for k in points_of(doc)]
    assert len(again.routes) == len(doc.routes)


def test_kml_gx_track_keeps_times() -> None:
    kml = b"""<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
    <Placemark><name>ride</name><gx:Track>
      <when>2025-05-17T09:00:00Z</when><when>2025-05-17T09:01:00Z</when>
      <gx:coord>10.0246 45.1334 46</gx:coord><gx:coord>10.0180 45.1433 47</gx:coord>
    </gx:Track></Placemark></kml>"""
    points = parse_kml(kml).tracks[0].segments[0].points
    assert [(p.latitude, p.elevation, p.time) for p in points] == [
        (45.1334, 46.0, datetime(2025, 5, 17, 9, 0, tzinfo=UTC)),
        (45.1433, 47.0, datetime(2025, 5, 17, 9, 1, tzinfo=UTC)),
    ]


def test_device_presets_on_the_longest_ride() -> None:
    doc = read_gpx(KORITA)
    etrex = apply_preset(doc, PRESETS["garmin-etrex-route"])
    assert (len(etrex.tracks), len(etrex.routes), len(etrex.waypoints)) == (0, 3, 0)  # 1 track empty
    assert all(2 <= len(r.points) <= 250 for r in etrex.routes)
    edge = apply_preset(doc, PRESETS["garmin-edge"])
    assert track_point_count(edge) == 871
    assert len(edge.waypoints) == 2
    both = export_gpx(doc, parts=("trk", "rte", "wpt"), max_track_points=300, max_route_points=100)
    assert track_point_count(both) <= 300
    assert all(len(r.points) <= 100 for r in both.routes)


def test_planned_route_reopened_keeps_its_via_points() -> None:
    stops = [("Piazza del Comune", (45.1334, 10.0246)), ("Via Palestro", (45.1391, 10.0214))]
    stops += [("Stazione", (45.1433, 10.018))]
    doc = route_to_gpx([p for _, p in stops], stops, name="centre")
    reopened = parse_gpx(gpx_bytes(doc))
    assert read_via_points(reopened) == stops
    assert read_via_points(reverse_gpx(reopened)) == stops[::-1]
    assert read_via_points(read_gpx(KORITA)) == []


# --- properties --------------------------------------------------------------------------------

REAL = [(p.latitude, p.longitude) for p in iter_track_points(read_gpx(KORITA))]


@st.composite
def real_tracks(draw: st.DrawFn) -> gpxpy.gpx.GPX:
    """A document of 1-3 segments cut from the real Korita ride, with or without times."""
    doc = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    t0 = datetime(2025, 5, 17, 9, tzinfo=UTC)
    timed = draw(st.booleans())
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(REAL) - 3))
        size = draw(st.integers(2, 80))
        segment = gpxpy.gpx.GPXTrackSegment()
        for n, (lat, lon) in enumerate(REAL[start : start + size]):
            time = t0 + timedelta(seconds=10 * (start + n)) if timed else None
            segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, elevation=float(n), time=time))
        track.segments.append(segment)
    doc.tracks.append(track)
    return doc


@hsettings(max_examples=40, deadline=None)
@given(real_tracks(), st.floats(0.0, 200.0))
def test_simplify_never_adds_points_and_keeps_ends(doc: gpxpy.gpx.GPX, tolerance: float) -> None:
    small = simplify_gpx(doc, tolerance)
    for old, new in zip(doc.tracks[0].segments, small.tracks[0].segments, strict=True):
        assert len(new.points) <= len(old.points)
        assert keys_of(new.points[0]) == keys_of(old.points[0])
        assert keys_of(new.points[-1]) == keys_of(old.points[-1])


def keys_of(p: gpxpy.gpx.GPXTrackPoint) -> Key:
    return p.latitude, p.longitude, p.elevation, p.time


@hsettings(max_examples=40, deadline=None)
@given(real_tracks())
def test_reverse_twice_is_identity(doc: gpxpy.gpx.GPX) -> None:
    assert points_of(reverse_gpx(reverse_gpx(doc))) == points_of(doc)


@hsettings(max_examples=40, deadline=None)
@given(real_tracks(), st.integers(1, 5))
def test_split_then_merge_keeps_all_points(doc: gpxpy.gpx.GPX, days: int) -> None:
    pieces = split_into_days(doc, days)
    assert keys(merge_gpx(pieces, how="line")) == keys(doc)
