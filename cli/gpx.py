"""``cremona-bike gpx``: GPX tooling for tour operators.

``info``, ``validate``, ``convert`` and ``snap`` live here; the editing
commands are in :mod:`cli.gpx_edit` and ``batch`` in :mod:`cli.gpx_batch`.
Every command reads a file or stdin (``-``) and writes a file or stdout, so
they pipe; see :mod:`cli.gpx_io`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING
from typing import cast

import click

from cli.gpx_batch import batch
from cli.gpx_edit import crop
from cli.gpx_edit import merge
from cli.gpx_edit import reverse
from cli.gpx_edit import simplify
from cli.gpx_edit import split
from cli.gpx_io import STDIO
from cli.gpx_io import gpx_errors
from cli.gpx_io import read_bytes
from cli.gpx_io import read_document
from cli.gpx_io import source_argument
from cli.gpx_io import write_document
from cli.gpx_io import write_options
from cli.options import data_option
from cli.options import load_graph
from gis_data.gpx import route_to_gpx
from gis_data.gpx_column_stats import column_stats
from gis_data.gpx_columns import read_track_columns
from gis_data.gpx_edit import fill_times
from gis_data.gpx_edit import strip_gpx
from gis_data.gpx_export import PARTS
from gis_data.gpx_export import PRESETS
from gis_data.gpx_export import apply_preset
from gis_data.gpx_export import export_gpx
from gis_data.gpx_formats import format_of_path
from gis_data.gpx_formats import load_document
from gis_data.gpx_formats import sniff_format
from gis_data.gpx_model import iter_track_points
from gis_data.gpx_model import latlons
from gis_data.gpx_stats import gpx_stats
from gis_data.gpx_validate import validate_gpx
from routing.snap_track import snap_track

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from gis_data.gpx_export import Part
    from gis_data.gpx_stats import GPXStats

logger = logging.getLogger(__name__)


@click.group(short_help="GPX tools: info, validate, edit, convert, snap, batch.")
def gpx() -> None:
    """Inspect, check, edit and convert GPX tracks (also GeoJSON and KML).

    Each command reads a file or - (stdin) and writes -o FILE or stdout, so
    commands can be piped.
    """


def _clock(seconds: float | None) -> str:
    """Format seconds as ``h:mm``, or ``-``.

    Examples
    --------
    >>> _clock(3 * 3600 + 43 * 60 + 1), _clock(None)
    ('3:43', '-')
    """
    if seconds is None:
        return "-"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}:{minutes:02d}"


def stats_lines(name: str, version: str | None, stats: GPXStats, hysteresis_m: float) -> list[str]:
    """Return the human summary of a document's figures."""
    lines = [
        f"{name}: GPX {version}" if version else name,
        f"tracks: {stats.tracks} ({stats.segments} segments, {stats.track_points} points); "
        f"routes: {stats.routes} ({stats.route_points} points); waypoints: {stats.waypoints}",
        f"distance: {stats.distance_m / 1000:.2f} km",
    ]
    if stats.start_time is not None and stats.end_time is not None:
        lines.append(
            f"time: {stats.start_time.isoformat()} → {stats.end_time.isoformat()}; "
            f"elapsed {_clock(stats.elapsed_s)}, moving {_clock(stats.moving_s)}"
        )
    if stats.ascent_m is not None and stats.descent_m is not None:
        lines.append(
            f"elevation: {stats.min_elevation_m:.0f}–{stats.max_elevation_m:.0f} m; "
            f"climb +{stats.ascent_m:.0f} m, descent -{stats.descent_m:.0f} m "
            f"(hysteresis {hysteresis_m:g} m)"
        )
    if stats.bbox is not None:
        lines.append("bbox (S,W,N,E): " + ",".join(f"{v:.6f}" for v in stats.bbox))
    return lines


@gpx.command(short_help="Show distance, time, climbing and extent.")
@source_argument
@click.option(
    "--hysteresis",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    metavar="M",
    help="Elevation change, in metres, before a climb counts.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def info(source: Path, hysteresis: float, as_json: bool) -> None:
    """Show the figures of SOURCE (GPX, GeoJSON or KML; - for stdin)."""
    with gpx_errors():
        version, stats = _figures(source, hysteresis)
    if as_json:
        figures = {"source": str(source), "version": version, **asdict(stats)}
        click.echo(json.dumps(figures, default=str, ensure_ascii=False))
        return
    for line in stats_lines(str(source), version, stats, hysteresis):
        click.echo(line)


def _figures(source: Path, hysteresis: float) -> tuple[str | None, GPXStats]:
    """Return the version and figures of SOURCE, reading a GPX file's tracks as columns (fast, small)."""
    data, name = read_bytes(source)
    fmt = (format_of_path(source) if source != STDIO else None) or sniff_format(data)
    if fmt == "gpx":
        columns = read_track_columns(data, name=name)
        if not columns.local_times:  # else the zones of the start and end times need the objects
            return columns.skeleton.version, column_stats(columns, hysteresis_m=hysteresis)
    doc = load_document(data, name=name, fmt=fmt)
    return doc.version, gpx_stats(doc, hysteresis_m=hysteresis)


@gpx.command(short_help="Check against the GPX 1.1 schema and for implausible data.")
@source_argument
@click.option(
    "--schema",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="XML Schema to use [default: the GPX 1.1 schema shipped].",
)
@click.option(
    "--max-speed",
    type=click.FloatRange(min=0, min_open=True),
    default=100.0,
    show_default=True,
    metavar="KMH",
    help="Report faster steps between points.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_context
def validate(ctx: click.Context, source: Path, schema: Path | None, max_speed: float, strict: bool) -> None:
    """Validate SOURCE: one line per issue; exit status 1 if there is an error."""
    with gpx_errors():
        data, name = read_bytes(source)
        issues = validate_gpx(data, name=name, schema_path=schema, max_speed_kmh=max_speed)
    for issue in issues:
        click.echo(str(issue))
    errors = sum(1 for i in issues if i.level == "error")
    warnings = sum(1 for i in issues if i.level == "warning")
    click.echo(f"{name}: {errors} error(s), {warnings} warning(s)", err=True)
    if errors or (strict and warnings):
        ctx.exit(1)


@gpx.command(short_help="Convert between GPX, GeoJSON and KML; choose what to export.")
@source_argument
@click.option(
    "--part",
    "parts",
    multiple=True,
    type=click.Choice(PARTS),
    help="Export only these parts: trk, rte, wpt (repeatable) [default: as is].",
)
@click.option(
    "--preset",
    type=click.Choice(list(PRESETS)),
    default=None,
    help="Export for a device: " + "; ".join(f"{p.name} ({p.description})" for p in PRESETS.values()),
)
@click.option(
    "--max-track-points",
    type=click.IntRange(min=2),
    default=None,
    metavar="N",
    help="Simplify the tracks to at most N points in all.",
)
@click.option(
    "--max-route-points",
    type=click.IntRange(min=2),
    default=None,
    metavar="N",
    help="Simplify each route to at most N points.",
)
@click.option(
    "--strip",
    "strip",
    multiple=True,
    type=click.Choice(["times", "extensions", "waypoints"]),
    help="Leave out times, extensions or waypoints (repeatable).",
)
@click.option(
    "--fill-times",
    "fill_speed",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="KMH",
    help="Give the track points times riding at KMH.",
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="Time at the first point for --fill-times (UTC unless an offset is given).",
)
@write_options
def convert(
    source: Path,
    parts: Sequence[str],
    preset: str | None,
    max_track_points: int | None,
    max_route_points: int | None,
    strip: Sequence[str],
    fill_speed: float | None,
    start: datetime | None,
    output: Path,
    fmt: str | None,
    gpx_version: str,
) -> None:
    """Convert SOURCE to --to / the -o extension, optionally choosing what to export."""
    caps = max_track_points is not None or max_route_points is not None
    if preset and (parts or caps):
        raise click.UsageError("--preset already sets the parts and point caps")
    with gpx_errors():
        doc = read_document(source)
        if strip:
            doc = strip_gpx(
                doc, times="times" in strip, extensions="extensions" in strip, waypoints="waypoints" in strip
            )
        if fill_speed is not None:
            when = start.replace(tzinfo=UTC) if start and start.tzinfo is None else start
            doc = fill_times(doc, speed_kmh=fill_speed, start=when)
        if preset:
            doc = apply_preset(doc, PRESETS[preset])
        elif parts or caps:
            chosen = cast("Sequence[Part]", parts or PARTS)
            doc = export_gpx(doc, parts=chosen, max_track_points=max_track_points, max_route_points=max_route_points)
        write_document(doc, output, fmt, gpx_version)


@gpx.command(short_help="Snap a foreign track onto the bicycle network.")
@source_argument
@data_option
@click.option(
    "--spacing",
    type=click.FloatRange(min=10),
    default=500.0,
    show_default=True,
    metavar="M",
    help="Take a via point every M metres along the track.",
)
@click.option(
    "--profile",
    default="shortest",
    show_default=True,
    metavar="NAME",
    help="Routing profile of the legs between via points.",
)
@write_options
def snap(
    source: Path,
    data: Path | None,
    spacing: float,
    profile: str,
    output: Path,
    fmt: str | None,
    gpx_version: str,
) -> None:
    """Re-plan the track of SOURCE on the network, as a route with editable via points.

    The summary on stderr says how far the route strays from the track.
    """
    with gpx_errors():
        doc = read_document(source)
        points = latlons(iter_track_points(doc)) or latlons(p for r in doc.routes for p in r.points)
        G = load_graph(data)
        snapped = snap_track(G, points, spacing_m=spacing, profile=profile)
        vias = snapped.via_points
        labels = ["start", *(f"via {n}" for n in range(1, len(vias) - 1)), "end"]
        name = doc.name or (doc.tracks[0].name if doc.tracks else None) or str(source)
        result = route_to_gpx(
            snapped.route.latlon(),
            list(zip(labels, vias, strict=True)),
            name=f"{name} (snapped)",
            description=f"snapped every {spacing:g} m from {source}",
        )
        write_document(result, output, fmt, gpx_version)
    click.echo(
        f"{len(points)} track points → {snapped.route.length_m / 1000:.2f} km route through "
        f"{len(vias)} via points ({len(snapped.skipped)} samples skipped); deviation from "
        f"the track: max {snapped.max_deviation_m:.0f} m, mean {snapped.mean_deviation_m:.1f} m",
        err=True,
    )


for _command in (split, merge, simplify, reverse, crop, batch):
    gpx.add_command(_command)
