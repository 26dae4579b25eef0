"""What a printed itinerary sheet says, apart from its layout: links, QR codes, contacts, warnings.

Pure functions of the plan and the POIs, used by :mod:`web.sheets`: the web
planner's URLs of a plan (:func:`plan_links`) and their QR codes, the contacts of
the issuing Infopoint, the surface split, the busy stretches and the warnings in
the sheet's language, and the formats of times and distances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pandas as pd
import segno

from routing.costs import surface_class
from routing.cue_text import format_km
from web.errors import InfopointNotFoundError
from web.sheet_text import labels
from web.sheet_text import translate_note

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    import geopandas as gpd

    from routing.explain import RouteSegment
    from routing.itinerary_plan import Itinerary

LatLon = tuple[float, float]

#: The web planner the QR codes point to.
DEFAULT_BASE_URL = "http://127.0.0.1:5000/"
#: The Infopoint that issues a sheet unless another is named.
DEFAULT_INFOPOINT = "infopoint-cremona"
#: Surface classes, from smooth to rough (see :func:`routing.costs.surface_class`).
SURFACE_CLASSES: tuple[str, ...] = ("paved", "cobbles", "compacted", "gravel", "unpaved")
#: Roads busy with motor traffic: riding on them without a cycle lane is a warning.
BUSY_HIGHWAYS = frozenset({"trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link"})
#: Shortest stretch worth a warning, in metres.
WARN_MIN_M = 200.0


@dataclass(frozen=True, slots=True)
class PlanLinks:
    """Where the QR codes of a sheet point: the plan in the web planner and its GPX."""

    plan: str
    gpx: str


@dataclass(frozen=True, slots=True)
class Infopoint:
    """The contacts of the Infopoint that issues a sheet."""

    name: str
    address: str
    phone: str
    email: str
    website: str
    hours: str


def plan_links(
    points: Sequence[LatLon],
    *,
    base_url: str = DEFAULT_BASE_URL,
    profile: str = "touring",
    plan_id: str | None = None,
) -> PlanLinks:
    """Return the web planner's URLs of a plan, and of its GPX.

    A saved plan is ``<base>/plan/<id>`` (and ``.gpx``). Otherwise the URL
    encodes the request the way the planner's form does: ``from``, ``via`` (in
    riding order) and ``to`` as ``LAT,LON``, plus ``profile`` when it is not the
    default.

    Examples
    --------
    >>> links = plan_links([(45.1433, 10.018), (45.1321, 10.0227), (45.1433, 10.018)], base_url="http://x/")
    >>> links.plan
    'http://x/?from=45.1433%2C10.018&via=45.1321%2C10.0227&to=45.1433%2C10.018'
    >>> links.gpx.startswith("http://x/api/route.gpx?from=")
    True
    >>> plan_links([], base_url="http://x", plan_id="a1").gpx
    'http://x/plan/a1.gpx'
    """
    base = base_url if base_url.endswith("/") else f"{base_url}/"
    if plan_id is not None:
        return PlanLinks(f"{base}plan/{plan_id}", f"{base}plan/{plan_id}.gpx")
    text = [f"{lat:.6f}".rstrip("0").rstrip(".") + "," + f"{lon:.6f}".rstrip("0").rstrip(".") for lat, lon in points]
    args = [("from", text[0]), *(("via", t) for t in text[1:-1]), ("to", text[-1])] if text else []
    if profile and profile != "touring":
        args.append(("profile", profile))
    query = urlencode(args)
    return PlanLinks(f"{base}?{query}", f"{base}api/route.gpx?{query}")


def qr_data_uri(url: str) -> str:
    """Return a QR code of ``url`` as an SVG data URI (black on white, error correction M).

    Examples
    --------
    >>> qr_data_uri("http://127.0.0.1:5000/").startswith("data:image/svg+xml")
    True
    """
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000", light="#fff"))


def surface_split(segments: Sequence[RouteSegment]) -> dict[str, float]:
    """Return the metres ridden on each surface class, in :data:`SURFACE_CLASSES` order.

    Examples
    --------
    >>> from routing.explain import RouteSegment
    >>> segs = [RouteSegment(0, 300.0, "", "residential", "asphalt", "none", (), 15, 1),
    ...         RouteSegment(0.3, 100.0, "", "track", "gravel", "none", (), 12, 1.5)]
    >>> surface_split(segs)
    {'paved': 300.0, 'gravel': 100.0}
    """
    metres: dict[str, float] = {}
    for seg in segments:
        cls = (
            seg.surface
            if seg.surface in SURFACE_CLASSES
            else surface_class({"surface": seg.surface, "highway": seg.highway})
        )
        metres[cls] = metres.get(cls, 0.0) + seg.length_m
    return {c: round(metres[c], 1) for c in SURFACE_CLASSES if metres.get(c)}


def busy_stretches(segments: Sequence[RouteSegment]) -> dict[str, float]:
    """Return the metres ridden on busy roads without cycle infrastructure, by street, longest first.

    Examples
    --------
    >>> from routing.explain import RouteSegment
    >>> busy_stretches([RouteSegment(0, 400.0, "Via Po", "primary", "asphalt", "none", (), 15, 2)])
    {'Via Po': 400.0}
    """
    metres: dict[str, float] = {}
    for seg in segments:
        if seg.highway in BUSY_HIGHWAYS and seg.infrastructure == "none":
            metres[seg.name or seg.highway] = metres.get(seg.name or seg.highway, 0.0) + seg.length_m
    return dict(sorted(metres.items(), key=lambda kv: -kv[1]))


def infopoint_contacts(pois: gpd.GeoDataFrame, infopoint_id: str = DEFAULT_INFOPOINT) -> Infopoint:
    """Return the contacts of an Infopoint among the POIs.

    Raises
    ------
    InfopointNotFoundError
        If no POI of category ``infopoint`` has that id (the message lists those known).
    """
    points = pois[pois["category"] == "infopoint"]
    row = points[points["id"] == infopoint_id]
    if not len(row):
        known = ", ".join(sorted(str(i) for i in points["id"])) or "none"
        msg = f"No infopoint with id {infopoint_id!r}; known infopoints: {known}"
        raise InfopointNotFoundError(msg)
    rec = row.iloc[0]
    return Infopoint(
        name=field_text(rec.get("name")),
        address=field_text(rec.get("address")),
        phone=field_text(rec.get("phone")),
        email=field_text(rec.get("email")),
        website=field_text(rec.get("website")),
        hours=field_text(rec.get("opening_hours_text")) or field_text(rec.get("opening_hours")),
    )


def field_text(value: object) -> str:
    """Return a POI field as text, empty when it is missing (``None`` or NaN in a frame).

    Examples
    --------
    >>> field_text(None), field_text(float("nan")), field_text("0372 407081")
    ('', '', '0372 407081')
    """
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def format_duration(seconds: float) -> str:
    """Format a time as hours and minutes, at least a minute.

    Examples
    --------
    >>> format_duration(3900), format_duration(720), format_duration(5)
    ('1 h 05 min', '12 min', '1 min')
    """
    minutes = max(round(seconds / 60), 1)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def format_distance(km: float, lang: str) -> str:
    """Format the distance to the next cue: metres (to 10 m) below a km, else km with one decimal."""
    return f"{max(round(km * 100), 1) * 10} m" if km < 0.995 else f"{format_km(km, lang)} km"


def format_clock(value: dt.datetime | None) -> str:
    """Format a time of day as ``HH:MM`` (24 hours in both languages), or a dash without one.

    Examples
    --------
    >>> import datetime as dt
    >>> format_clock(dt.datetime(2026, 12, 1, 9, 5)), format_clock(None)
    ('09:05', '–')
    """
    return value.strftime("%H:%M") if value else "–"


def sheet_warnings(itinerary: Itinerary, lang: str) -> list[str]:
    """Return the sheet's warnings in its language: closed at arrival, unpaved, cobbles, busy roads, the rest."""
    words = labels(lang)
    plan = itinerary.plan
    route = plan.route
    out: list[str] = []
    own = set()
    for v in plan.visits:
        own.add(v.warning)
        if v.opening == "closed":
            hours = v.stop.opening_hours_text if lang == "it" and v.stop.opening_hours_text else v.stop.opening_hours
            out.append(words["w_closed"].format(name=v.stop.name, time=format_clock(v.arrive), hours=hours))
    split = surface_split(route.segments)
    rough = {c: m for c, m in split.items() if c not in {"paved", "cobbles"}}
    rough_m = sum(rough.values())
    if rough_m >= WARN_MIN_M / 2:
        kinds = ", ".join(f"{words[c]} {format_km(m / 1000, lang)} km" for c, m in rough.items())
        share = f"{rough_m / route.length_m:.0%}" if route.length_m else "0%"
        out.append(words["w_unpaved"].format(share=share, km=format_km(rough_m / 1000, lang), kinds=kinds))
    if split.get("cobbles", 0.0) >= WARN_MIN_M:
        out.append(words["w_cobbles"].format(km=format_km(split["cobbles"] / 1000, lang)))
    busy = busy_stretches(route.segments)
    busy_m = sum(busy.values())
    if busy_m >= WARN_MIN_M:
        named = [n for n in busy if n not in BUSY_HIGHWAYS]
        names = ", ".join(named[:5]) + (" …" if len(named) > 5 else "") or words["unnamed_roads"]
        out.append(words["w_busy"].format(km=format_km(busy_m / 1000, lang), names=names))
    out += [translate_note(w, lang) for w in plan.warnings if w not in own]
    out += [translate_note(n, lang) for n in route.notes if n.startswith("Avoided closure")]
    return out
