"""Snap a foreign GPS track onto the bicycle graph, making it an editable itinerary.

The track is sampled every ``spacing_m`` metres along its length and a route
is planned through the samples (:func:`routing.plan_route`), so the result
follows the network and carries via points that the planner can move. How
far the snapped route strays from the track tells whether the sampling was
dense enough: a GPS track on the network typically stays within 10–20 m; a
long excursion means the track left the mapped roads or a sample fell on a
parallel road.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from gis_data.gpx_geometry import cumulative_m
from gis_data.gpx_geometry import deviation_m
from gis_data.gpx_geometry import local_transformer
from gis_data.gpx_geometry import project
from routing.errors import InvalidPointError
from routing.errors import NoRouteError
from routing.errors import PointOffNetworkError
from routing.paths import plan_route

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx

    from routing.snapping import LatLon
    from routing.summary import Route

logger = logging.getLogger(__name__)

#: A leg between samples longer than this many times their distance along the
#: track, plus the slack, is a detour: the next samples are tried instead.
DETOUR_FACTOR = 2.0
DETOUR_SLACK_M = 200.0
#: How many samples ahead a detour-free leg is looked for.
LOOKAHEAD = 3


@dataclass(frozen=True, slots=True)
class SnappedTrack:
    """A track re-planned on the network, with its via points and its deviation.

    ``samples`` are the points taken along the track that the route goes
    through, and ``via_points`` the same as snapped to the network (start,
    vias, end); ``skipped`` are samples left out because they were off the
    network or unreachable. ``max_deviation_m`` is the discrete Hausdorff distance between the
    track and the route, ``mean_deviation_m`` the track's average distance
    from the route.
    """

    route: Route
    via_points: tuple[LatLon, ...]
    samples: tuple[LatLon, ...]
    skipped: tuple[LatLon, ...]
    max_deviation_m: float
    mean_deviation_m: float


def sample_along(points: Sequence[LatLon], spacing_m: float) -> list[LatLon]:
    """Return points every ``spacing_m`` metres along a polyline, with its two ends.

    A last interval shorter than a quarter of the spacing is merged into the
    one before, so the route does not end with a needless tiny leg.

    Raises
    ------
    InvalidPointError
        If the spacing is not positive or the line has fewer than two points.

    Examples
    --------
    >>> line = [(45.0, 10.0), (45.0, 10.03)]  # about 2.36 km
    >>> [round(lon, 4) for _, lon in sample_along(line, 1000)]
    [10.0, 10.0127, 10.0254, 10.03]
    >>> len(sample_along(line, 2300))
    2
    """
    if not spacing_m > 0:
        msg = f"spacing must be a positive number of metres, got {spacing_m!r}"
        raise InvalidPointError(msg)
    if len(points) < 2:
        msg = f"a track needs at least two points to snap, got {len(points)}"
        raise InvalidPointError(msg)
    transformer = local_transformer(points)
    line = shapely.LineString(project(points, transformer))
    length = float(line.length)
    marks = list(np.arange(0.0, length, spacing_m))
    if len(marks) > 1 and length - marks[-1] < spacing_m / 4:
        marks.pop()
    marks.append(length)
    xy = shapely.get_coordinates(shapely.line_interpolate_point(line, marks))
    lon, lat = transformer.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
    return [(float(a), float(b)) for a, b in zip(lat, lon, strict=True)]


def snap_track(
    G: nx.MultiDiGraph[int],
    track: Sequence[LatLon],
    *,
    spacing_m: float = 500.0,
    profile: str | None = "shortest",
    snap_limit_m: float | None = None,
) -> SnappedTrack:
    """Re-plan a GPS track on the bicycle graph through samples taken along it.

    Parameters
    ----------
    G
        The bicycle graph.
    track
        The track's ``(lat, lon)`` points in riding order (for a GPX document,
        every track point of every segment).
    spacing_m
        Distance between samples along the track: smaller follows the track
        more closely, larger gives fewer via points to edit.
    profile
        Routing profile of the legs between samples (see
        :func:`routing.plan_route`). The default, ``"shortest"``, follows
        the track most faithfully: the rider chose the roads already.
    snap_limit_m
        Farthest a sample may be from the network; default
        ``gis_data.settings.snap_limit_m``.

    Returns
    -------
    SnappedTrack
        The route, its via points and how far it strays from the track.

    Raises
    ------
    InvalidPointError
        If the track has fewer than two points or the spacing is not positive.
    ProfileError
        If the profile name is unknown.
    PointOffNetworkError
        If the track's first or last point lies farther than the limit from
        the network (samples between are skipped instead, see ``skipped``).
    NoRouteError
        If the last point cannot be reached from the first.
    """
    samples = sample_along(track, spacing_m)
    kept, skipped = _reachable(G, samples, profile=profile, snap_limit_m=snap_limit_m)
    route = plan_route(G, kept, profile=profile, snap_limit_m=snap_limit_m)
    worst, mean = deviation_m(list(track), route.latlon())
    logger.info(
        "snapped %d track points through %d samples (%d skipped): %.0f m, deviation max %.1f m, mean %.1f m",
        len(track),
        len(kept),
        len(skipped),
        route.length_m,
        worst,
        mean,
    )
    return SnappedTrack(
        route=route,
        via_points=tuple(s.snapped for s in route.snaps),
        samples=tuple(kept),
        skipped=tuple(skipped),
        max_deviation_m=worst,
        mean_deviation_m=mean,
    )


def _reachable(
    G: nx.MultiDiGraph[int],
    samples: Sequence[LatLon],
    *,
    profile: str | None,
    snap_limit_m: float | None,
) -> tuple[list[LatLon], list[LatLon]]:
    """Choose the samples to route through; return them and the skipped ones.

    From each kept sample the next one is taken if the leg to it is no detour
    (at most ``DETOUR_FACTOR`` times the distance along the track, plus
    ``DETOUR_SLACK_M``); otherwise one of the following ``LOOKAHEAD`` samples
    that is, skipping those between (a sample on the wrong carriageway, a
    one-way ridden against). With none, the next reachable sample is taken
    as it is. A kept sample from which nothing is reachable (a dead end) is
    dropped. The two ends are never skipped, so their errors reach the caller.
    """

    def leg(a: LatLon, b: LatLon) -> float | None:
        try:
            return plan_route(G, [a, b], profile=profile, snap_limit_m=snap_limit_m).length_m
        except (NoRouteError, PointOffNetworkError):
            return None

    along = cumulative_m(samples)
    kept = [0]
    skipped: list[int] = []
    i, n = 1, len(samples)
    while i < n:
        here = kept[-1]
        lengths: dict[int, float | None] = {}
        chosen = None
        for j in range(i, min(i + LOOKAHEAD, n)):
            lengths[j] = leg(samples[here], samples[j])
            limit = DETOUR_FACTOR * (along[j] - along[here]) + DETOUR_SLACK_M
            if lengths[j] is not None and lengths[j] <= limit:
                chosen = j
                break
        if chosen is None:
            chosen = next(
                (
                    j
                    for j in range(i, n)
                    if (lengths[j] if j in lengths else leg(samples[here], samples[j])) is not None
                ),
                None,
            )
        if chosen is None:
            if len(kept) == 1:
                plan_route(G, [samples[0], samples[-1]], profile=profile, snap_limit_m=snap_limit_m)
                raise NoRouteError("no sample of the track is reachable from its start")
            skipped.append(kept.pop())
            continue
        skipped.extend(range(i, chosen))
        kept.append(chosen)
        i = chosen + 1
    if skipped:
        logger.info("%d of %d samples skipped: off the network, unreachable or a detour", len(skipped), n)
    return [samples[k] for k in kept], [samples[k] for k in sorted(skipped)]
