"""``cremona-bike itinerary``: tours through chosen POIs, loops, multi-day stages, train + bike.

Each command writes a folder: ``itinerary.json`` (the versioned document, which
``itinerary replan`` reads back), ``itinerary.gpx`` (one track per day and the
stops as waypoints), ``day-N.gpx`` for multi-day trips, and ``itinerary.md``, a
readable summary.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import click

from cli.options import data_option
from cli.options import domain_errors
from cli.options import load_graph
from cli.options import one_line
from cli.poi import all_pois
from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.errors import PlaceNotFoundError
from gis_data.gpx import days_to_gpx
from gis_data.gpx import gpx_to_xml
from gis_data.gpx import route_to_gpx
from gis_data.places import normalize_name
from gis_data.places import resolve_place
from gis_data.poi_sources import write_text_atomic
from gis_data.untrusted import read_json
from poi.model import opening_state
from routing.errors import ItineraryFormatError
from routing.itinerary import Stop
from routing.itinerary import stops_from_frame
from routing.itinerary_doc import ItineraryRequest
from routing.itinerary_doc import itinerary_document
from routing.itinerary_doc import request_from_document
from routing.itinerary_plan import plan_itinerary

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

    from routing.itinerary_plan import Itinerary

logger = logging.getLogger(__name__)

OVERNIGHT = ("lodging", "agriturismo", "railway_station")
MAX_ITINERARY_BYTES = 5 * 1024 * 1024


def _hours(expression: str, when: dt.datetime, latlon: tuple[float, float]) -> str:
    return opening_state(expression, when, latlon=latlon)


def find_stop(G: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame, text: str) -> Stop:
    """Resolve a POI id, a POI name or a place to a stop.

    Raises
    ------
    PlaceNotFoundError
        With suggestions from POI names and places.
    """
    placed = pois[pois.geometry.notna() & ~pois.geometry.is_empty]
    by_id = placed[placed["id"] == text]
    if len(by_id):
        return stops_from_frame(by_id)[0]
    key = normalize_name(text)
    by_name = placed[placed["name"].map(lambda n: normalize_name(str(n or ""))) == key]
    if len(by_name):
        return stops_from_frame(by_name)[0]
    unplaced = pois[(pois["id"] == text) | (pois["name"].map(lambda n: normalize_name(str(n or ""))) == key)]
    if len(unplaced):
        msg = f"POI {text!r} has no known position (its address could not be placed), so it cannot be visited"
        raise PlaceNotFoundError(msg, text)
    try:
        place = resolve_place(G, text)
    except PlaceNotFoundError as exc:
        names = [str(n) for n in placed["name"] if n and key and key in normalize_name(str(n))][:5]
        suggestions = tuple(dict.fromkeys([*names, *exc.suggestions]))[:6]
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        msg = f"No POI or place matches {text!r}.{hint}"
        raise PlaceNotFoundError(msg, text, suggestions) from exc
    return Stop(id=normalize_name(place.name).replace(" ", "-"), name=place.name, lat=place.lat, lon=place.lon)


def _of(pois: gpd.GeoDataFrame, categories: tuple[str, ...]) -> list[Stop]:
    chosen = pois[pois["category"].isin(categories) & pois.geometry.notna() & ~pois.geometry.is_empty]
    return stops_from_frame(chosen)


def _depart(date: str | None, time: str) -> dt.datetime | None:
    if not date:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(date), dt.time.fromisoformat(time))
    except ValueError as exc:
        msg = f"bad --date {date!r} or --time {time!r}: use YYYY-MM-DD and HH:MM"
        raise click.BadParameter(msg) from exc


def plan_with_pois(G: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame, request: ItineraryRequest) -> Itinerary:
    """Plan a request with the POIs as loop candidates, overnight places, stations and opening hours.

    Raises
    ------
    click.ClickException
        For any planning error, as one line.
    """
    with domain_errors():
        return plan_itinerary(
            G,
            request,
            hours=_hours,
            candidates=_of(pois, request.categories) if request.categories else (),
            overnight=_of(pois, OVERNIGHT),
            stations=_of(pois, ("railway_station",)),
        )


def _plan_and_write(G: nx.MultiDiGraph[int], pois: gpd.GeoDataFrame, request: ItineraryRequest, out: Path) -> None:
    planned = plan_with_pois(G, pois, request)
    write_itinerary(planned, out)
    for line in summary_lines(planned):
        click.echo(line, err=True)
    click.echo(f"wrote itinerary.json, itinerary.gpx and itinerary.md to {out}", err=True)


def write_itinerary(planned: Itinerary, out: Path) -> None:
    """Write the itinerary folder: JSON document, master GPX, per-day GPX and Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    doc = itinerary_document(planned.request, planned.plan, planned.stages, notes=planned.notes, created=now)
    write_text_atomic(out / "itinerary.json", json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    stops = [(v.stop.name, v.stop.latlon) for v in planned.plan.visits]
    title = _title(planned)
    days = [(f"Day {s.day}: {s.start_km:.1f}-{s.end_km:.1f} km", _latlon(s.geometry)) for s in planned.stages]
    master = days_to_gpx(days, stops, name=title, description=_description(planned), time=now)
    write_text_atomic(out / "itinerary.gpx", gpx_to_xml(master))
    if len(planned.stages) > 1:
        for stage, (name, points) in zip(planned.stages, days, strict=True):
            ends = [(f"Start day {stage.day}", points[0]), (stage.end_name, points[-1])] if points else []
            day = route_to_gpx(points, ends, name=f"{title} - {name}", time=now)
            write_text_atomic(out / f"day-{stage.day}.gpx", gpx_to_xml(day))
    write_text_atomic(out / "itinerary.md", itinerary_markdown(planned))


def _latlon(line: Any) -> list[tuple[float, float]]:
    return [(float(y), float(x)) for x, y, *_ in line.coords]


def _title(planned: Itinerary) -> str:
    req = planned.request
    if req.kind == "loop":
        return f"Loop of {req.target_km:g} km from {req.start.name}"
    names = [v.stop.name for v in planned.plan.visits]
    return f"{names[0]} → {names[-1]}" if names else "Itinerary"


def _description(planned: Itinerary) -> str:
    route = planned.plan.route
    return f"{route.length_m / 1000:.1f} km by bicycle, {len(planned.stages)} day(s); {settings.attribution}"


def _clock(value: dt.datetime | None) -> str:
    return value.strftime("%H:%M") if value else "-"


def _when(planned: Itinerary, value: dt.datetime | None) -> str:
    """Return a stop's time; on a trip of several days, with the day it falls on (``day 2 16:13``)."""
    first = planned.plan.visits[0].arrive if planned.plan.visits else None
    if value is None or first is None or len(planned.stages) < 2:
        return _clock(value)
    return f"day {(value.date() - first.date()).days + 1} {_clock(value)}"


def summary_lines(planned: Itinerary) -> list[str]:
    """Return the short summary printed on stderr."""
    plan = planned.plan
    route = plan.route
    hours, minutes = divmod(round(plan.total_time_s / 60), 60)
    lines = [
        _title(planned),
        f"{route.length_m / 1000:.1f} km, riding {route.duration_s / 3600:.1f} h, with stops {hours}:{minutes:02d}; "
        f"profile {route.profile}; on signed cycle routes {route.signed_share:.0%}"
        + ("; order optimised" if plan.optimised else ""),
    ]
    for i, v in enumerate(plan.visits):
        eta = f" arrive {_when(planned, v.arrive)}" if v.arrive else ""
        stay = f", {v.dwell_min:.0f} min" if v.dwell_min else ""
        lines.append(f"  {i}. km {v.km:6.1f}{eta}{stay}  {v.stop.name} [{v.stop.category or 'place'}]")
    for s in planned.stages if len(planned.stages) > 1 else ():
        station = f"; bail-out: {s.bailout_station} {s.bailout_distance_m / 1000:.1f} km" if s.bailout_station else ""
        lines.append(
            f"  day {s.day}: km {s.start_km:.1f}-{s.end_km:.1f} ({s.length_km:.1f} km) to {s.end_name}{station}"
        )
    lines += [f"warning: {w}" for w in plan.warnings]
    lines += [f"note: {n}" for n in planned.notes]
    return lines


def itinerary_markdown(planned: Itinerary) -> str:
    """Return the itinerary as a readable Markdown page."""
    plan = planned.plan
    route = plan.route
    rows = [
        "| # | Stop | Category | km | Arrive | Stay (min) | Opening | Warning |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, v in enumerate(plan.visits):
        rows.append(
            f"| {i} | {v.stop.name} | {v.stop.category or '-'} | {v.km:.1f} | {_when(planned, v.arrive)} | "
            f"{v.dwell_min:.0f} | {v.opening} | {v.warning or ''} |"
        )
    days = [
        "| Day | km | Length | Ends at | Off route (m) | Bail-out station | Distance (km) | Note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in planned.stages:
        distance = f"{s.bailout_distance_m / 1000:.1f}" if s.bailout_station else "-"
        days.append(
            f"| {s.day} | {s.start_km:.1f}-{s.end_km:.1f} | {s.length_km:.1f} | {s.end_name} | "
            f"{s.end_off_route_m:.0f} | {s.bailout_station or '-'} | {distance} | {s.note} |"
        )
    routes = ", ".join(f"{u.name or u.ref} ({u.share:.0%})" for u in route.cycle_routes) or "none"
    parts = [
        f"# {_title(planned)}",
        "",
        f"- Distance: {route.length_m / 1000:.1f} km; riding time {route.duration_s / 3600:.1f} h "
        f"(profile {route.profile}); with stops {plan.total_time_s / 3600:.1f} h",
        f"- On signed cycle routes: {route.signed_share:.0%} — {routes}",
        f"- Visiting order: {'optimised' if plan.optimised else 'as given'}",
        "",
        "## Stops",
        "",
        *rows,
        "",
        "## Days",
        "",
        *days,
    ]
    if plan.warnings:
        parts += ["", "## Warnings", "", *[f"- {w}" for w in plan.warnings]]
    if planned.notes:
        parts += ["", "## Notes", "", *[f"- {n}" for n in planned.notes]]
    parts += ["", f"Map data {settings.attribution}."]
    return "\n".join(parts) + "\n"


@click.group(short_help="Tours through POIs, loops, multi-day stages.")
def itinerary() -> None:
    """Plan itineraries: tours through chosen POIs, loops, multi-day trips, train + bike."""


_out = click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write.",
)
_date = click.option(
    "--date", default=None, metavar="YYYY-MM-DD", help="Day of departure (for ETAs and opening hours)."
)
_time = click.option("--time", "time_", default="09:00", show_default=True, metavar="HH:MM", help="Departure time.")
_profile = click.option("--profile", default="touring", show_default=True, help="Rider profile.")
_days = click.option("--days", type=click.IntRange(1, 30), default=None, help="Split into N days of equal length.")
_km_day = click.option("--km-per-day", type=click.FloatRange(1, 400), default=None, help="Daily distance target.")
_hours_day = click.option(
    "--hours-per-day", type=click.FloatRange(0.5, 16), default=None, help="Daily riding-time target."
)


def _daily(days: int | None, km_per_day: float | None, hours_per_day: float | None) -> dict[str, Any]:
    given = [x for x in (days, km_per_day, hours_per_day) if x is not None]
    if len(given) > 1:
        msg = "give only one of --days, --km-per-day and --hours-per-day"
        raise click.UsageError(msg)
    return {"km_per_day": km_per_day, "hours_per_day": hours_per_day, "extra": {"days": days} if days else {}}


@itinerary.command(short_help="A tour through chosen POIs.")
@click.option("--start", required=True, metavar="PLACE", help="Start: a place, POI id or POI name.")
@click.option("--visit", "visits", multiple=True, metavar="POI", help="A POI (id or name) or place to visit.")
@click.option("--end", default=None, metavar="PLACE", help="End, if not the last visit or the start.")
@click.option("--loop", is_flag=True, help="Come back to the start.")
@click.option("--keep-order", is_flag=True, help="Visit in the given order instead of optimising it.")
@click.option("--lunch", is_flag=True, help="Add a lunch break after noon.")
@_date
@_time
@_profile
@_days
@_km_day
@_hours_day
@data_option
@_out
def plan(
    start: str,
    visits: tuple[str, ...],
    end: str | None,
    loop: bool,
    keep_order: bool,
    lunch: bool,
    date: str | None,
    time_: str,
    profile: str,
    days: int | None,
    km_per_day: float | None,
    hours_per_day: float | None,
    data: Path | None,
    out: Path,
) -> None:
    """Plan a tour from --start through each --visit, to --end or back (--loop)."""
    if end and loop:
        msg = "give --end or --loop, not both"
        raise click.UsageError(msg)
    G = load_graph(data)
    pois = all_pois(data)
    with domain_errors():
        request = ItineraryRequest(
            kind="tour",
            start=find_stop(G, pois, start),
            visits=tuple(find_stop(G, pois, v) for v in visits),
            end=find_stop(G, pois, end) if end else None,
            loop=loop,
            keep_order=keep_order,
            profile=profile,
            depart=_depart(date, time_),
            lunch=lunch,
            data=str(data or ""),
            **_daily(days, km_per_day, hours_per_day),
        )
    _plan_and_write(G, pois, request, out)


@itinerary.command(short_help="A loop of a target length.")
@click.option("--start", required=True, metavar="PLACE", help="Start and finish.")
@click.option("--km", type=click.FloatRange(2, 300), required=True, help="Target length.")
@click.option("--category", "categories", multiple=True, help="POI category to pass (repeat).")
@click.option("--min-pois", type=click.IntRange(0, 20), default=0, help="Pass at least this many POIs.")
@click.option("--seed", type=int, default=0, show_default=True, help="Fixes the directions tried.")
@_date
@_time
@_profile
@_days
@_km_day
@_hours_day
@data_option
@_out
def loop(
    start: str,
    km: float,
    categories: tuple[str, ...],
    min_pois: int,
    seed: int,
    date: str | None,
    time_: str,
    profile: str,
    days: int | None,
    km_per_day: float | None,
    hours_per_day: float | None,
    data: Path | None,
    out: Path,
) -> None:
    """Plan a round trip of about --km from --start, through POIs of the chosen categories."""
    G = load_graph(data)
    pois = all_pois(data)
    if min_pois and not categories:
        msg = "--min-pois needs at least one --category"
        raise click.UsageError(msg)
    with domain_errors():
        request = ItineraryRequest(
            kind="loop",
            start=find_stop(G, pois, start),
            target_km=km,
            categories=categories,
            min_pois=min_pois,
            seed=seed,
            profile=profile,
            depart=_depart(date, time_),
            data=str(data or ""),
            **_daily(days, km_per_day, hours_per_day),
        )
    _plan_and_write(G, pois, request, out)


@itinerary.command(short_help="Plan a saved itinerary again.")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_option
@_out
def replan(document: Path, data: Path | None, out: Path) -> None:
    """Read DOCUMENT (an itinerary.json) and plan it again on the current data."""
    try:
        doc = read_json(document, max_bytes=MAX_ITINERARY_BYTES)
        request = request_from_document(doc)
    except (ValueError, ItineraryFormatError, DataNotFoundError) as exc:
        message = one_line(exc)
        msg = message if str(document) in message else f"cannot read {str(document)!r}: {message}"
        raise click.ClickException(msg) from exc
    source = data or (Path(request.data) if request.data else None)
    G = load_graph(source)
    _plan_and_write(G, all_pois(source), request, out)
