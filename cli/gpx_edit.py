"""``cremona-bike gpx split|merge|simplify|reverse|crop``: edit tracks on the command line."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from typing import cast

import click

from cli.gpx_io import STDIO
from cli.gpx_io import gpx_errors
from cli.gpx_io import output_format
from cli.gpx_io import parse_floats
from cli.gpx_io import read_bytes
from cli.gpx_io import read_document
from cli.gpx_io import source_argument
from cli.gpx_io import write_document
from cli.gpx_io import write_options
from gis_data.gpx_batch import output_name
from gis_data.gpx_edit import MERGE_MODES
from gis_data.gpx_edit import bbox_area
from gis_data.gpx_edit import crop_gpx
from gis_data.gpx_edit import merge_gpx
from gis_data.gpx_edit import reverse_gpx
from gis_data.gpx_formats import dump_document
from gis_data.gpx_geojson import parse_area
from gis_data.gpx_model import route_point_count
from gis_data.gpx_model import track_point_count
from gis_data.gpx_simplify import max_deviation_m
from gis_data.gpx_simplify import simplify_gpx
from gis_data.gpx_simplify import simplify_to_points
from gis_data.gpx_split import split_at_distances
from gis_data.gpx_split import split_at_time_gaps
from gis_data.gpx_split import split_at_waypoints
from gis_data.gpx_split import split_into_days

if TYPE_CHECKING:
    from collections.abc import Sequence

    import gpxpy.gpx

    from gis_data.gpx_edit import MergeMode

logger = logging.getLogger(__name__)


def _points(gpx: gpxpy.gpx.GPX) -> int:
    return track_point_count(gpx) + route_point_count(gpx)


@click.command(short_help="Split a track at km, at waypoints, into days or at time gaps.")
@source_argument
@click.option(
    "--at-km",
    type=click.FloatRange(min=0, min_open=True),
    multiple=True,
    metavar="KM",
    help="Split at this distance from the start (repeatable).",
)
@click.option(
    "--at-waypoint",
    multiple=True,
    metavar="NAME",
    help="Split at the track point nearest this waypoint (repeatable).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Split into N stages of about equal distance.",
)
@click.option(
    "--time-gap",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="MIN",
    help="Split where more than MIN minutes pass between points.",
)
@click.option(
    "-d",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one file per piece into DIR (else one document, a track per piece, to -o).",
)
@click.option(
    "--template",
    default="{stem}-{n:02d}.gpx",
    show_default=True,
    help="File name of each piece in --output-dir: {stem}, {n}.",
)
@write_options
def split(
    source: Path,
    at_km: Sequence[float],
    at_waypoint: Sequence[str],
    days: int | None,
    time_gap: float | None,
    output_dir: Path | None,
    template: str,
    output: Path,
    fmt: str | None,
    gpx_version: str,
) -> None:
    """Split the track of SOURCE (a file, or - for stdin) into pieces.

    Pieces cut at a place share the point where they meet; pieces cut at a
    time gap do not.
    """
    chosen = [bool(at_km), bool(at_waypoint), days is not None, time_gap is not None]
    if sum(chosen) != 1:
        msg = "choose one of --at-km, --at-waypoint, --days or --time-gap"
        raise click.UsageError(msg)
    with gpx_errors():
        gpx = read_document(source)
        if at_km:
            pieces = split_at_distances(gpx, [km * 1000 for km in at_km])
        elif at_waypoint:
            pieces = split_at_waypoints(gpx, at_waypoint)
        elif days is not None:
            pieces = split_into_days(gpx, days)
        else:
            pieces = split_at_time_gaps(gpx, (time_gap or 0) * 60)
        if output_dir is None:
            write_document(merge_gpx(pieces, how="tracks"), output, fmt, gpx_version)
        else:
            output_dir.mkdir(parents=True, exist_ok=True)
            stem = "stdin" if source == STDIO else source.stem
            for n, piece in enumerate(pieces, start=1):
                target = output_dir / output_name(template, stem=stem, preset="", n=n)
                data = dump_document(piece, output_format(target, fmt), version=gpx_version)
                target.write_bytes(data)
                click.echo(str(target))
    click.echo(f"{len(pieces)} pieces: " + ", ".join(str(_points(p)) for p in pieces) + " points", err=True)


@click.command(short_help="Merge documents as tracks, segments or one line.")
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--as",
    "how",
    type=click.Choice(MERGE_MODES),
    default="tracks",
    show_default=True,
    help="Keep each track, make one track of all segments, or one line.",
)
@write_options
def merge(sources: Sequence[Path], how: str, output: Path, fmt: str | None, gpx_version: str) -> None:
    """Merge SOURCES (files, or - once for stdin) in order into one document."""
    if sum(1 for s in sources if s == STDIO) > 1:
        raise click.UsageError("stdin (-) can be read only once")
    with gpx_errors():
        docs = [read_document(s) for s in sources]
        write_document(merge_gpx(docs, how=cast("MergeMode", how)), output, fmt, gpx_version)


@click.command(short_help="Simplify to a tolerance in metres or to a number of points.")
@source_argument
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=None,
    metavar="M",
    help="Drop points closer than M metres to the simplified line.",
)
@click.option(
    "--max-points",
    type=click.IntRange(min=2),
    default=None,
    metavar="N",
    help="Keep at most N points in all, as faithfully as can be.",
)
@write_options
def simplify(
    source: Path,
    tolerance: float | None,
    max_points: int | None,
    output: Path,
    fmt: str | None,
    gpx_version: str,
) -> None:
    """Simplify the tracks and routes of SOURCE (Douglas-Peucker, in metres)."""
    if (tolerance is None) == (max_points is None):
        raise click.UsageError("choose one of --tolerance or --max-points")
    with gpx_errors():
        gpx = read_document(source)
        result = simplify_gpx(gpx, tolerance) if tolerance is not None else simplify_to_points(gpx, max_points or 2)
        write_document(result, output, fmt, gpx_version)
        deviation = max_deviation_m(gpx, result)
    click.echo(f"{_points(gpx)} → {_points(result)} points, max deviation {deviation:.1f} m", err=True)


@click.command(short_help="Reverse the direction of travel.")
@source_argument
@write_options
def reverse(source: Path, output: Path, fmt: str | None, gpx_version: str) -> None:
    """Reverse SOURCE: tracks, routes and stops in the other order, times mirrored."""
    with gpx_errors():
        write_document(reverse_gpx(read_document(source)), output, fmt, gpx_version)


@click.command(short_help="Keep only what lies in a bounding box or polygon.")
@source_argument
@click.option("--bbox", default=None, metavar="S,W,N,E", help="Latitude/longitude box: south,west,north,east.")
@click.option(
    "--polygon",
    type=click.Path(dir_okay=False, allow_dash=False, path_type=Path),
    default=None,
    help="GeoJSON file whose polygons are the area to keep.",
)
@write_options
def crop(
    source: Path,
    bbox: str | None,
    polygon: Path | None,
    output: Path,
    fmt: str | None,
    gpx_version: str,
) -> None:
    """Crop SOURCE to an area; a track leaving it and coming back becomes several segments."""
    if (bbox is None) == (polygon is None):
        raise click.UsageError("choose one of --bbox or --polygon")
    with gpx_errors():
        if bbox is not None:
            south, west, north, east = parse_floats(bbox, 4, "--bbox")
            area = bbox_area(south, west, north, east)
        else:
            data, name = read_bytes(polygon or STDIO)
            area = parse_area(data, name=name)
        gpx = read_document(source)
        result = crop_gpx(gpx, area)
        write_document(result, output, fmt, gpx_version)
    click.echo(f"{_points(gpx)} → {_points(result)} points kept", err=True)
