"""``cremona-bike route``: plan a bicycle route and write it as GeoJSON or GPX.

The route goes to stdout (GeoJSON unless ``--format gpx``) or to ``-o FILE``,
whose extension picks the format; the human summary always goes to stderr, so
stdout can be piped.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import click

from cli.options import PLACE
from cli.options import data_option
from cli.options import domain_errors
from cli.options import load_graph
from cli.options import off_network_message
from gis_data import settings
from gis_data.closures import read_closures
from gis_data.gpx import gpx_to_xml
from gis_data.gpx import route_to_gpx
from gis_data.places import resolve_place
from gis_data.profile_file import read_profile_file
from routing import PRESETS
from routing import Profile
from routing import plan_alternatives
from routing import plan_route
from routing import profile_from_dict
from routing import route_to_feature
from routing.cue_text import LANGUAGES
from routing.cue_text import cue_line
from routing.cue_text import cue_waypoints
from routing.cues import route_cues
from routing.errors import PointOffNetworkError
from routing.errors import ProfileError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx

    from gis_data.places import Place
    from routing import CycleRouteUse
    from routing import Route
    from routing.snapping import LatLon

logger = logging.getLogger(__name__)

#: Output formats by file extension.
FORMATS: dict[str, str] = {".gpx": "gpx", ".geojson": "geojson", ".json": "geojson"}
FORMAT_NAMES: dict[str, str] = {"gpx": "GPX", "geojson": "GeoJSON"}
#: Snaps farther than this are reported in the summary, in metres.
SNAP_NOTICE_M = 25.0


def output_format(output: Path | None, fmt: str | None) -> str:
    """Return ``"gpx"`` or ``"geojson"`` for an output path and ``--format`` choice.

    Raises
    ------
    click.BadParameter
        If the file's extension is not ``.gpx``, ``.geojson`` or ``.json``, or
        contradicts ``--format``.

    Examples
    --------
    >>> output_format(Path("ride.GPX"), None), output_format(None, None)
    ('gpx', 'geojson')
    """
    if output is None or str(output) == "-":
        return fmt or "geojson"
    ext = output.suffix.lower()
    if ext not in FORMATS:
        msg = f"unknown extension {ext or '(none)'!r} of {str(output)!r}: use .gpx, .geojson or .json"
        raise click.BadParameter(msg, param_hint="'-o' / '--output'")
    if fmt is not None and fmt != FORMATS[ext]:
        msg = f"extension {ext!r} of {str(output)!r} contradicts --format {fmt}"
        raise click.BadParameter(msg, param_hint="'-o' / '--output'")
    return FORMATS[ext]


def format_duration(seconds: float) -> str:
    """Format a duration as ``h:mm``, rounded to the minute.

    Examples
    --------
    >>> format_duration(3600 + 25 * 60 + 31), format_duration(20)
    ('1:26', '0:00')
    """
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}:{minutes:02d}"


def format_shares(shares: Mapping[str, float], *, top: int = 6) -> str:
    """Format fractions as percentages, largest first; the tail is summed as "other".

    Examples
    --------
    >>> format_shares({"asphalt": 0.7, "gravel": 0.25, "sett": 0.05}, top=2)
    'asphalt 70%, gravel 25%, other 5%'
    >>> format_shares({})
    'none'
    """
    ranked = sorted(shares.items(), key=lambda kv: -kv[1])
    parts = [f"{label} {percent(share)}" for label, share in ranked[:top]]
    rest = sum(share for _, share in ranked[top:])
    if rest > 0:
        parts.append(f"other {percent(rest)}")
    return ", ".join(parts) or "none"


def percent(share: float) -> str:
    """Format a fraction as a whole percentage; a small non-zero one as "<1%".

    Examples
    --------
    >>> percent(0.254), percent(0.004), percent(0.0)
    ('25%', '<1%', '0%')
    """
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"


def format_cycle_routes(uses: Sequence[CycleRouteUse]) -> str:
    """Format the signed cycle routes used, with their share of the ride, or "none".

    Examples
    --------
    >>> from routing import CycleRouteUse
    >>> format_cycle_routes([CycleRouteUse(1, "EuroVelo 8", "EV8", "icn", 900.0, 0.45)])
    'EuroVelo 8 [EV8, icn] 45%'
    """
    parts = []
    for use in uses:
        label = use.name or use.ref or f"relation {use.relation_id}"
        tags = [t for t in (use.ref, use.network) if t and t not in label]
        if tags:
            label = f"{label} [{', '.join(tags)}]"
        parts.append(f"{label} {percent(use.share)}")
    return "; ".join(parts) or "none"


def route_summary(route: Route, labels: Sequence[str]) -> list[str]:
    """Return the lines of the human summary of a route between named stops."""
    lines = [
        " → ".join(labels),
        f"distance: {route.length_m / 1000:.1f} km, time: {format_duration(route.duration_s)}"
        f" at {route.speed_kmh:g} km/h, profile: {route.profile}",
        f"surface: {format_shares(route.surface_shares)}",
        f"highway: {format_shares(route.highway_shares)}",
        f"cycle infrastructure: {format_shares(route.infrastructure_shares)}",
        f"on signed cycle routes: {percent(route.signed_share)}",
        f"cycle routes: {format_cycle_routes(route.cycle_routes)}",
    ]
    lines.extend(f"note: {note}" for note in route.notes)
    for label, snap in zip(labels, route.snaps, strict=False):
        if snap.distance_m > SNAP_NOTICE_M:
            lines.append(f"note: {label!r} is {snap.distance_m:.0f} m from the network")
    return lines


def _plan(
    G: nx.MultiDiGraph[int], stops: Sequence[Place], options: Mapping[str, Any], alternatives: int
) -> list[Route]:
    """Plan the route (and alternatives); a stop off the network is named in the error."""
    points = [p.latlon for p in stops]
    try:
        if alternatives:
            return plan_alternatives(G, points, count=alternatives, **options)
        return [plan_route(G, points, **options)]
    except PointOffNetworkError as exc:
        label = next((p.name for p in stops if p.latlon == tuple(exc.point)), None)
        raise click.ClickException(off_network_message(exc, label)) from exc


def _render(route: Route, stops: Sequence[Place], fmt: str, turns: Sequence[tuple[str, LatLon]] = ()) -> str:
    labels = [p.name for p in stops]
    name = f"{labels[0]} → {labels[-1]}"
    if fmt == "gpx":
        via = f" via {', '.join(labels[1:-1])}" if len(labels) > 2 else ""
        doc = route_to_gpx(
            route.latlon(),
            # Stops sit where the route starts/passes/ends, on the network.
            [(p.name, snap.snapped) for p, snap in zip(stops, route.snaps, strict=True)],
            name=name,
            description=f"{route.length_m / 1000:.1f} km by bicycle{via}",
            time=datetime.now(UTC).replace(microsecond=0),
            cues=turns,
        )
        return gpx_to_xml(doc)
    feature = route_to_feature(route)
    feature["properties"] = {
        "name": name,
        "stops": labels,
        **feature["properties"],
        "attribution": settings.attribution,
    }
    return json.dumps(feature, ensure_ascii=False) + "\n"


def explain_lines(route: Route) -> list[str]:
    """Return the "why this way" table: one row per stretch of the route.

    Each row gives the km where it starts, its length, the street, the road
    class, the surface, the cycle infrastructure, the signed routes, the
    profile's speed and its cost factor (1 = neutral, higher = disliked).
    """
    header = f"{'km':>6} {'m':>6}  {'speed':>5} {'factor':>6}  way"
    lines = [header]
    for seg in route.segments:
        routes = f" [{'; '.join(seg.cycle_routes)}]" if seg.cycle_routes else ""
        way = f"{seg.name or '(unnamed)'} - {seg.highway}, {seg.surface}, {seg.infrastructure}{routes}"
        lines.append(f"{seg.start_km:6.2f} {seg.length_m:6.0f}  {seg.speed_kmh:5.1f} {seg.cost_factor:6.2f}  {way}")
    return lines


def _profile(name: str | None, profile_file: Path | None) -> str | Profile | None:
    if profile_file is not None:
        try:
            return profile_from_dict(read_profile_file(profile_file))
        except ProfileError as exc:
            msg = f"{profile_file}: {exc}"
            raise ProfileError(msg) from exc
    return name


def _areas(avoid: Path | None, closures: Path | None) -> dict[str, Any]:
    areas = [c.geometry for c in read_closures(avoid)] if avoid else []
    return {"avoid": areas, "closures": read_closures(closures) if closures else []}


@click.command(short_help="Plan a bicycle route.")
@click.argument("origin", metavar="FROM", type=PLACE)
@click.argument("destination", metavar="TO", type=PLACE)
@click.option(
    "--via",
    multiple=True,
    type=PLACE,
    metavar="PLACE",
    help="Pass through this place (repeat for several, in order).",
)
@data_option
@click.option(
    "--speed",
    type=click.FloatRange(min=0, max=100, min_open=True),
    metavar="KMH",
    default=None,
    help="Riding speed for the time estimate, in km/h (the summary shows the one used).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=None,
    help="Write the route to FILE: .gpx, or .geojson/.json. Default: stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "gpx"]),
    default=None,
    help="Format of the route written to stdout [default: geojson].",
)
@click.option(
    "--profile",
    default=None,
    metavar="NAME",
    help=f"Rider profile: {', '.join(PRESETS)}, any of them with +wet, or shortest [default: touring].",
)
@click.option(
    "--profile-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A TOML profile: base preset plus overrides (see README).",
)
@click.option("--explain", is_flag=True, help="Print why the route goes this way, stretch by stretch.")
@click.option(
    "--alternatives",
    type=click.IntRange(0, 5),
    default=0,
    metavar="N",
    help="Also look for N genuinely different alternatives (written as FILE-alt1.gpx … or in the GeoJSON).",
)
@click.option(
    "--avoid",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="GeoJSON of no-go areas (polygons or lines) to keep out of.",
)
@click.option(
    "--closures",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="GeoJSON of dated closures (properties name, start, end as YYYY-MM-DD or MM-DD).",
)
@click.option(
    "--date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day of the ride, for the closures [default: today when --closures is given].",
)
@click.option("--cues", is_flag=True, help="Print turn-by-turn directions (and add them to a GPX as waypoints).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Language of --cues.")
def route(
    origin: str,
    destination: str,
    via: tuple[str, ...],
    data: Path | None,
    speed: float | None,
    output: Path | None,
    fmt: str | None,
    profile: str | None,
    profile_file: Path | None,
    explain: bool,
    alternatives: int,
    avoid: Path | None,
    closures: Path | None,
    date: datetime | None,
    cues: bool,
    lang: str,
) -> None:
    """Plan a bicycle route from FROM to TO and write it as GeoJSON or GPX.

    FROM, TO and each --via PLACE are "LAT,LON" (e.g. "45.1334,10.0246") or a
    name: a comune, town, railway station ("Stazione di Cremona"), street or,
    for an OSM extract, one of its places. Use "cremona-bike places" to list
    them; put "--" before a FROM that starts with "-". A summary (distance,
    time, surfaces, road types, signed cycle routes) goes to stderr.

    Data © OpenStreetMap contributors (ODbL 1.0).
    """
    fmt = output_format(output, fmt)
    G = load_graph(data)
    with domain_errors():
        day = date.date() if date else (datetime.now(UTC).date() if closures else None)
        options = {
            "profile": _profile(profile, profile_file),
            "speed_kmh": speed,
            "date": day,
            **_areas(avoid, closures),
        }
        stops = [resolve_place(G, text) for text in (origin, *via, destination)]
        planned = _plan(G, stops, options, alternatives)
    labels = [p.name for p in stops]
    for i, found in enumerate(planned):
        target = output if i == 0 or output is None else output.with_stem(f"{output.stem}-alt{i}")
        found_cues = route_cues(found, G, names=labels) if cues else ()
        _write(_render(found, stops, fmt, cue_waypoints(found_cues, lang)), target)
        if i:
            click.echo(f"\nalternative {i}:", err=True)
        for line in route_summary(found, labels):
            click.echo(line, err=True)
        if explain:
            for line in explain_lines(found):
                click.echo(line, err=True)
        for cue in found_cues:
            click.echo(cue_line(cue, lang), err=True)
        if target is not None and str(target) != "-":
            click.echo(f"wrote {FORMAT_NAMES[fmt]} to {target}", err=True)
    if alternatives and len(planned) <= alternatives:
        click.echo(f"note: only {len(planned) - 1} alternative(s) differ enough from the best route", err=True)


def _write(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        msg = f"cannot write {str(output)!r}: {exc.strerror or exc}"
        raise click.ClickException(msg) from exc
