"""Why this way: per-segment rows and shares that explain a route."""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple
from typing import overload

import numpy as np

from routing.costs import cycle_infrastructure
from routing.costs import edge_factor
from routing.costs import edge_speed_kmh
from routing.costs import surface_class

if TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Mapping

    from routing.profiles import Profile

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
#: What an edge class shows: highway, surface, infrastructure, speed (km/h) and cost factor.
Look = tuple[str, str, str, float, float]
#: What a way shows: its name and the names of its signed routes.
Label = tuple[str, tuple[str, ...]]


class RouteSegment(NamedTuple):
    """A stretch of a route along which the way's description does not change.

    A named tuple: immutable, compared by value, and cheap to make (a route has
    dozens of segments and is answered in well under a millisecond).
    """

    start_km: float
    length_m: float
    name: str
    highway: str
    surface: str
    infrastructure: str
    cycle_routes: tuple[str, ...]
    speed_kmh: float
    cost_factor: float


def describe_edge(data: Mapping[str, Any], profile: Profile, route_names: Mapping[int, str]) -> dict[str, Any]:
    """Return the fields of a :class:`RouteSegment` for one edge, without position or length.

    Examples
    --------
    >>> from routing.profiles import TOURING
    >>> row = describe_edge({"highway": "cycleway", "routes": (7,)}, TOURING, {7: "EV15"})
    >>> row["infrastructure"], row["cycle_routes"], row["cost_factor"]
    ('cycleway', ('EV15',), 1.0)
    """
    return {
        "name": str(data.get("name") or data.get("ref") or ""),
        "highway": str(data.get("highway", "")),
        "surface": str(data.get("surface") or surface_class(data)),
        "infrastructure": cycle_infrastructure(data),
        "cycle_routes": tuple(route_names.get(r, str(r)) for r in data.get("routes", ())),
        "speed_kmh": round(edge_speed_kmh(data, profile), 2),
        "cost_factor": round(edge_factor(data, profile), 3),
    }


def explain(
    rows: Sequence[tuple[Mapping[str, Any], float]],
    profile: Profile,
    route_names: Mapping[int, str],
) -> tuple[RouteSegment, ...]:
    """Group consecutive ridden edges with the same description into segments.

    Parameters
    ----------
    rows
        ``(edge data, metres ridden on it)`` in riding order.
    profile
        The profile whose speeds and factors to report.
    route_names
        Relation id → display name of the signed cycle routes.

    Returns
    -------
    tuple of RouteSegment
        In riding order, with the km at which each starts.
    """
    segments: list[RouteSegment] = []
    at = 0.0
    for data, metres in rows:
        fields = describe_edge(data, profile, route_names)
        last = segments[-1] if segments else None
        if last is not None and all(getattr(last, k) == v for k, v in fields.items()):
            segments[-1] = last._replace(length_m=last.length_m + metres)
        else:
            segments.append(RouteSegment(start_km=round(at / 1000, 3), length_m=metres, **fields))
        at += metres
    return tuple(segments)


@dataclass(frozen=True, slots=True)
class Looks:
    """How each cost class of edges reads in an explanation for one profile.

    ``look[c]`` numbers the :data:`Look` of class ``c``; equal looks share a number.
    """

    look: IntArray
    fields: tuple[Look, ...]


def class_looks(class_data: Sequence[Mapping[str, Any]], speed_kmh: FloatArray, factor: FloatArray) -> Looks:
    """Describe each cost class once, with the speeds and factors of a profile.

    Parameters
    ----------
    class_data
        One edge's attributes per cost class (see :mod:`routing.compact`).
    speed_kmh, factor
        The profile's speed and preference factor per class.

    Returns
    -------
    Looks
        The same fields :func:`describe_edge` gives, numbered.

    Examples
    --------
    >>> looks = class_looks([{"highway": "cycleway"}], np.array([16.0]), np.array([1.3]))
    >>> looks.fields[looks.look[0]]
    ('cycleway', 'paved', 'cycleway', 16.0, 1.3)
    """
    ids: dict[Look, int] = {}
    out = np.empty(len(class_data), dtype=np.int64)
    for c, d in enumerate(class_data):
        key: Look = (
            str(d.get("highway", "")),
            str(d.get("surface") or surface_class(d)),
            cycle_infrastructure(d),
            round(float(speed_kmh[c]), 2),
            round(float(factor[c]), 3),
        )
        out[c] = ids.setdefault(key, len(ids))
    return Looks(out, tuple(ids))


def explain_ids(
    metres: Sequence[float],
    looks: Sequence[int],
    labels: Sequence[int],
    look_fields: Sequence[Look],
    label_fields: Sequence[Label],
) -> tuple[RouteSegment, ...]:
    """Group consecutive ridden edges into segments, as :func:`explain` does, from numbered descriptions.

    Parameters
    ----------
    metres
        Metres ridden on each edge, in riding order.
    looks, labels
        Each edge's look and label numbers; equal numbers mean equal fields.
    look_fields, label_fields
        The fields behind the numbers.

    Returns
    -------
    tuple of RouteSegment
        In riding order, with the km at which each starts.

    Examples
    --------
    >>> looks = [("cycleway", "paved", "cycleway", 16.0, 1.0)]
    >>> segs = explain_ids([100.0, 50.0], [0, 0], [0, 0], looks, [("Via Po", ())])
    >>> len(segs), segs[0].length_m
    (1, 150.0)
    """
    count = len(metres)
    if not count:
        return ()
    key = np.asarray(looks, dtype=np.int64) * (max(labels, default=0) + 1) + np.asarray(labels, dtype=np.int64)
    starts = [0, *(np.flatnonzero(key[1:] != key[:-1]) + 1).tolist()]
    # Added one by one, in riding order, as the rows were always summed.
    before = [0.0, *itertools.accumulate(metres)]
    segments = []
    make = RouteSegment
    add = operator.add
    reduce = functools.reduce
    for i, j in zip(starts, [*starts[1:], count], strict=True):
        highway, surface, infrastructure, speed, factor = look_fields[looks[i]]
        name, routes = label_fields[labels[i]]
        length = metres[i] if j == i + 1 else reduce(add, metres[i + 1 : j], metres[i])
        segments.append(
            make(round(before[i] / 1000, 3), length, name, highway, surface, infrastructure, routes, speed, factor)
        )
    return tuple(segments)


class Explanation(Sequence[RouteSegment]):
    """A route's segments (see :func:`explain_ids`), grouped when first read.

    Planning a route does not pay for its explanation until something reads it
    (a summary, an answer of the web API, a printed sheet); it then behaves as
    the tuple of segments, and compares equal to it.

    Examples
    --------
    >>> looks = [("cycleway", "paved", "cycleway", 16.0, 1.0)]
    >>> segs = Explanation([100.0, 50.0], [0, 0], [0, 0], looks, [("Via Po", ())])
    >>> len(segs), segs[0].length_m, segs == (segs[0],)
    (1, 150.0, True)
    """

    __slots__ = ("_args", "_segments")

    def __init__(
        self,
        metres: Sequence[float],
        looks: Sequence[int],
        labels: Sequence[int],
        look_fields: Sequence[Look],
        label_fields: Sequence[Label],
    ) -> None:
        self._args: tuple[Any, ...] | None = (metres, looks, labels, look_fields, label_fields)
        self._segments: tuple[RouteSegment, ...] | None = None

    def _grouped(self) -> tuple[RouteSegment, ...]:
        found = self._segments
        if found is None:
            args = self._args
            assert args is not None
            found = self._segments = explain_ids(*args)
            self._args = None
        return found

    @overload
    def __getitem__(self, i: int) -> RouteSegment: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[RouteSegment, ...]: ...

    def __getitem__(self, i: int | slice) -> RouteSegment | tuple[RouteSegment, ...]:
        return self._grouped()[i]

    def __len__(self) -> int:
        return len(self._grouped())

    def __iter__(self) -> Iterator[RouteSegment]:
        return iter(self._grouped())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._grouped() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Explanation({self._grouped()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self._grouped(),))
