"""Split a GPX track into pieces: at distances, at waypoints, into days, at time gaps.

The document's track points are taken in order, all tracks and segments
together, as one ride (distances count along the segments, not across the
gaps between them); each piece is a new document with one track that
keeps the segment breaks falling inside it. Pieces cut at a place (a
distance or a waypoint) share the point where they meet, so each day ends
where the next begins; pieces cut at a gap in time do not. Merging the
pieces back ``how="line"`` gives the original points. Each waypoint goes to
the piece it lies closest to.
"""

from __future__ import annotations

import itertools
import logging
from typing import TYPE_CHECKING

import gpxpy.gpx
import numpy as np

from gis_data.errors import InvalidGPXError
from gis_data.gpx_geometry import local_transformer
from gis_data.gpx_geometry import offsets_m
from gis_data.gpx_geometry import project
from gis_data.gpx_geometry import step_lengths_m
from gis_data.gpx_model import copy_points
from gis_data.gpx_model import fit_bounds
from gis_data.gpx_model import latlons
from gis_data.gpx_model import single_track

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

#: A flattened track point: (segment number, point).
_Flat = tuple[int, gpxpy.gpx.GPXTrackPoint]


def _flatten(gpx: gpxpy.gpx.GPX) -> list[_Flat]:
    flat = [(n, p) for n, segment in enumerate(s for t in gpx.tracks for s in t.segments) for p in segment.points]
    if len(flat) < 2:
        msg = f"nothing to split: the document has {len(flat)} track point(s)"
        raise InvalidGPXError(msg)
    return flat


def _ridden(flat: list[_Flat]) -> NDArray[np.float64]:
    """Return the distance ridden to each point: along segments, not across gaps between them."""
    steps = step_lengths_m(latlons(p for _, p in flat))
    same = np.fromiter((a == b for (a, _), (b, _) in itertools.pairwise(flat)), bool, len(steps))
    return np.concatenate(([0.0], np.cumsum(np.where(same, steps, 0.0))))


def _pieces(gpx: gpxpy.gpx.GPX, flat: list[_Flat], cuts: Sequence[int], *, shared: bool) -> list[gpxpy.gpx.GPX]:
    """Cut the flattened points before index ``k`` of each cut (sharing point k if ``shared``)."""
    bounds = sorted({k for k in cuts if 0 < k < len(flat) - (1 if shared else 0)})
    ranges: list[tuple[int, int]] = []
    start = 0
    for k in bounds:
        ranges.append((start, k + 1 if shared else k))
        start = k
    ranges.append((start, len(flat)))
    base = gpx.tracks[0].name if gpx.tracks and gpx.tracks[0].name else gpx.name
    pieces = []
    for number, (lo, hi) in enumerate(ranges, start=1):
        segments = [
            copy_points([p for _, p in group], gpxpy.gpx.GPXTrackPoint)
            for _, group in itertools.groupby(flat[lo:hi], key=lambda pair: pair[0])
        ]
        label = f"{base} ({number}/{len(ranges)})" if base else f"part {number}/{len(ranges)}"
        piece = single_track(gpx, segments, name=label)
        piece.name = label
        pieces.append(piece)
    _share_waypoints(gpx, pieces)
    pieces = [fit_bounds(piece, gpx) for piece in pieces]
    logger.debug("split %d points into %d pieces", len(flat), len(pieces))
    return pieces


def _share_waypoints(gpx: gpxpy.gpx.GPX, pieces: list[gpxpy.gpx.GPX]) -> None:
    """Give each waypoint (a copy) to the piece nearest to it; pieces are new, so fill them."""
    if not gpx.waypoints:
        return
    lines = [latlons(p for t in piece.tracks for s in t.segments for p in s.points) for piece in pieces]
    transformer = local_transformer([p for line in lines for p in line])
    spots = latlons(gpx.waypoints)
    distances = np.column_stack([offsets_m(spots, line, transformer) for line in lines])
    for waypoint, nearest in zip(gpx.waypoints, distances.argmin(axis=1), strict=True):
        pieces[int(nearest)].waypoints.extend(copy_points([waypoint], gpxpy.gpx.GPXWaypoint))


def _nearest_index(cumulative: NDArray[np.float64], distance_m: float) -> int:
    k = int(np.searchsorted(cumulative, distance_m))
    if k > 0 and (k >= len(cumulative) or distance_m - cumulative[k - 1] < cumulative[k] - distance_m):
        k -= 1
    return k


def split_at_distances(gpx: gpxpy.gpx.GPX, distances_m: Sequence[float]) -> list[gpxpy.gpx.GPX]:
    """Split the track at the points nearest to the given distances from its start.

    Raises
    ------
    InvalidGPXError
        If the document has fewer than two track points, or a distance is not
        strictly between 0 and the track's length.

    Examples
    --------
    >>> doc, seg = gpxpy.gpx.GPX(), gpxpy.gpx.GPXTrackSegment()
    >>> seg.points = [gpxpy.gpx.GPXTrackPoint(45.0, 10.0 + i / 1000) for i in range(11)]
    >>> doc.tracks.append(gpxpy.gpx.GPXTrack()); doc.tracks[0].segments.append(seg)
    >>> [len(p.tracks[0].segments[0].points) for p in split_at_distances(doc, [300])]
    [5, 7]
    """
    flat = _flatten(gpx)
    cumulative = _ridden(flat)
    total = float(cumulative[-1])
    cuts = []
    for distance in distances_m:
        if not 0 < distance < total:
            msg = f"cannot split at {distance / 1000:g} km: the track is {total / 1000:.2f} km long"
            raise InvalidGPXError(msg)
        cuts.append(_nearest_index(cumulative, distance))
    return _pieces(gpx, flat, cuts, shared=True)


def split_into_days(gpx: gpxpy.gpx.GPX, days: int) -> list[gpxpy.gpx.GPX]:
    """Split the track into ``days`` pieces of about equal distance.

    Raises
    ------
    ValueError
        If ``days`` is less than 1.
    InvalidGPXError
        If the document has fewer than two track points.
    """
    if days < 1:
        msg = f"days must be at least 1, got {days!r}"
        raise ValueError(msg)
    flat = _flatten(gpx)
    cumulative = _ridden(flat)
    total = float(cumulative[-1])
    cuts = [_nearest_index(cumulative, total * i / days) for i in range(1, days)]
    return _pieces(gpx, flat, cuts, shared=True)


def split_at_waypoints(gpx: gpxpy.gpx.GPX, names: Sequence[str]) -> list[gpxpy.gpx.GPX]:
    """Split the track at the points nearest to the named waypoints.

    Raises
    ------
    InvalidGPXError
        If a name matches no waypoint, or the document has fewer than two
        track points.
    """
    flat = _flatten(gpx)
    by_name = {w.name: w for w in gpx.waypoints if w.name}
    missing = [n for n in names if n not in by_name]
    if missing:
        known = ", ".join(repr(n) for n in by_name) or "none"
        msg = f"no waypoint named {missing[0]!r} (waypoints: {known})"
        raise InvalidGPXError(msg)
    points = latlons(p for _, p in flat)
    transformer = local_transformer(points)
    xy = project(points, transformer)
    cuts = []
    for name in names:
        spot = project(latlons([by_name[name]]), transformer)[0]
        cuts.append(int(np.argmin(np.hypot(*(xy - spot).T))))
    return _pieces(gpx, flat, cuts, shared=True)


def split_at_time_gaps(gpx: gpxpy.gpx.GPX, gap_s: float) -> list[gpxpy.gpx.GPX]:
    """Split the track where more than ``gap_s`` seconds pass between two points.

    Raises
    ------
    InvalidGPXError
        If the track has no times, or fewer than two points.

    Examples
    --------
    >>> from datetime import datetime, timedelta
    >>> doc, seg = gpxpy.gpx.GPX(), gpxpy.gpx.GPXTrackSegment()
    >>> t0 = datetime(2025, 5, 1, 9)
    >>> seg.points = [gpxpy.gpx.GPXTrackPoint(45.0, 10.0 + i / 1000, time=t0 + timedelta(
    ...     minutes=i + (60 if i > 2 else 0))) for i in range(6)]
    >>> doc.tracks.append(gpxpy.gpx.GPXTrack()); doc.tracks[0].segments.append(seg)
    >>> [len(p.tracks[0].segments[0].points) for p in split_at_time_gaps(doc, 600)]
    [3, 3]
    """
    flat = _flatten(gpx)
    if all(p.time is None for _, p in flat):
        msg = "cannot split at time gaps: the track has no times"
        raise InvalidGPXError(msg)
    cuts = []
    for k, ((_, a), (_, b)) in enumerate(itertools.pairwise(flat), start=1):
        if a.time is None or b.time is None:
            continue
        try:
            gap = (b.time - a.time).total_seconds()
        except TypeError:
            continue
        if gap > gap_s:
            cuts.append(k)
    return _pieces(gpx, flat, cuts, shared=False)
