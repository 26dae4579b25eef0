"""``cremona-bike poi``: points of interest: list, near a place, along a route, import, export.

The POIs are the embedded real data sets (or, with ``--data`` naming a raw OSM
extract, the POIs of its OSM tags) plus the curated store
(``gis_data.settings.poi_store``) filled by ``poi import``. Rows go to stdout,
tab-separated; ``-o FILE`` writes GPX waypoints, GeoJSON or CSV by extension;
summaries and source attributions go to stderr.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
import geopandas as gpd
import pandas as pd
from shapely import LineString

from cli.options import PLACE
from cli.options import data_option
from cli.options import domain_errors
from cli.options import echo_lines
from cli.options import load_graph
from cli.options import one_line
from gis_data.gpx import gpx_to_xml
from gis_data.gpx_import import read_gpx
from gis_data.places import resolve_place
from gis_data.poi_sources import write_text_atomic
from gis_data.readers import is_osm_file
from poi.categories import CATEGORIES
from poi.categories import OSM_RULES
from poi.categories import category_label
from poi.categories import parse_categories
from poi.embedded import default_pois
from poi.errors import ImportRejectedError
from poi.errors import InvalidPoiError
from poi.errors import UnknownCategoryError
from poi.export import attributions
from poi.export import geojson_text
from poi.export import pois_to_csv
from poi.export import pois_to_geojson
from poi.export import pois_to_gpx
from poi.model import CRS
from poi.osm import osm_extract_pois
from poi.registry import import_registry
from poi.registry import load_store
from poi.search import pois_along
from poi.search import pois_near
from poi.validate import Provenance

if TYPE_CHECKING:
    import gpxpy.gpx

logger = logging.getLogger(__name__)

#: Output formats by file extension.
FORMATS: dict[str, str] = {".gpx": "gpx", ".geojson": "geojson", ".json": "geojson", ".csv": "csv"}
OUTPUT = click.Path(dir_okay=False, path_type=Path)


def _categories(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> frozenset[str] | None:
    try:
        return parse_categories(value)
    except UnknownCategoryError as exc:
        raise click.BadParameter(one_line(exc), ctx, param) from exc


category_option = click.option(
    "-c",
    "--category",
    "categories",
    multiple=True,
    callback=_categories,
    metavar="CATEGORY",
    help="Keep only this category (repeat, or separate with commas; see 'poi categories').",
)
output_option = click.option(
    "-o",
    "--output",
    type=OUTPUT,
    default=None,
    help="Also write the POIs to FILE: .gpx (waypoints), .geojson/.json or .csv.",
)


def all_pois(data: Path | None) -> gpd.GeoDataFrame:
    """Return the POIs of ``--data`` (a raw extract's OSM tags, else the embedded sets) and the store."""
    with domain_errors():
        try:
            base = osm_extract_pois(Path(data)) if data is not None and is_osm_file(Path(data)) else default_pois()
            store = load_store()
        except InvalidPoiError as exc:
            raise click.ClickException(one_line(exc)) from exc
    # A stored record replaces the embedded one of the same id: the store is the newer word.
    frame = pd.concat([base[~base["id"].isin(store["id"])], store], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def render(pois: gpd.GeoDataFrame, fmt: str, *, name: str) -> str:
    """Return POIs as the text of one output format (``gpx``, ``geojson`` or ``csv``)."""
    if fmt == "gpx":
        return gpx_to_xml(pois_to_gpx(pois, name=name))
    if fmt == "geojson":
        return geojson_text(pois_to_geojson(pois))
    return pois_to_csv(pois)


def write_output(pois: gpd.GeoDataFrame, output: Path, *, name: str) -> None:
    """Write POIs to a file whose extension picks the format."""
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        msg = f"unknown extension of {str(output)!r}: use .gpx, .geojson, .json or .csv"
        raise click.BadParameter(msg, param_hint="'-o' / '--output'")
    try:
        write_text_atomic(output, render(pois, fmt, name=name))
    except OSError as exc:
        msg = f"cannot write {str(output)!r}: {exc.strerror or exc}"
        raise click.ClickException(msg) from exc
    click.echo(f"wrote {len(pois)} POIs to {output}", err=True)


def _echo_sources(pois: gpd.GeoDataFrame) -> None:
    for line in attributions(pois):
        click.echo(f"source: {line}", err=True)


def _label(row: pd.Series) -> str:
    return str(row["name"] or category_label(str(row["category"])))


@click.group(short_help="Points of interest: list, near, along a route, import, export.")
def poi() -> None:
    """Points of interest: luthiers, museums, food, Infopoints, water, bike services..."""


@poi.command(short_help="List the POI categories and their OSM tags.")
def categories() -> None:
    """List every category id with its English label and the OSM tags that give it."""
    for cat in CATEGORIES.values():
        tags = [" + ".join(f"{k}={v}" for k, v in rule.tags) for rule in OSM_RULES if rule.category == cat.id]
        click.echo(f"{cat.id}\t{cat.label_en}\t{'; '.join(tags) or '(curated only)'}")


@poi.command("list", short_help="Count the POIs per category and source.")
@data_option
@category_option
def list_(data: Path | None, categories: frozenset[str] | None) -> None:
    """Count the POIs per category (placed / total) and per source, with its licence."""
    pois = all_pois(data)
    if categories:
        pois = pois[pois["category"].isin(categories)]
    placed = pois.geometry.notna()
    click.echo(f"{'category':24}{'POIs':>7}{'placed':>8}")
    for cat, group in pois.groupby("category", sort=True):
        click.echo(f"{cat!s:24}{len(group):7d}{int(placed[group.index].sum()):8d}")
    click.echo(f"\n{'source':32}{'POIs':>7}  licence")
    for src, group in pois.groupby("source", sort=True):
        licence = str(group["licence"].iloc[0])
        click.echo(f"{src!s:32}{len(group):7d}  {licence}")
    click.echo(f"\ntotal: {len(pois)} POIs, {int(placed.sum())} placed, {int((~placed).sum())} without coordinates")
    _echo_sources(pois)


@poi.command(short_help="List the POIs near a place.")
@click.argument("place", type=PLACE)
@click.option(
    "--radius",
    type=click.FloatRange(min=0, min_open=True),
    default=500.0,
    show_default=True,
    metavar="METRES",
    help="Search radius.",
)
@category_option
@data_option
@output_option
def near(
    place: str,
    radius: float,
    categories: frozenset[str] | None,
    data: Path | None,
    output: Path | None,
) -> None:
    """List the POIs within --radius metres of PLACE ("LAT,LON" or a place name), nearest first."""
    G = load_graph(data)
    with domain_errors():
        where = resolve_place(G, place)
    found = pois_near(all_pois(data), where.latlon, radius_m=radius, categories=categories)
    click.echo("distance_m\tcategory\tname\tid")
    for _, row in found.iterrows():
        click.echo(f"{row['distance_m']:.0f}\t{row['category']}\t{_label(row)}\t{row['id']}")
    click.echo(f"{len(found)} POIs within {radius:g} m of {where.name}", err=True)
    _echo_sources(found)
    if output is not None:
        write_output(found, output, name=f"POIs near {where.name}")


def route_line(gpx: gpxpy.gpx.GPX) -> LineString:
    """Return the route of a GPX document as a lon/lat line: its tracks, else its routes."""
    points = [(p.longitude, p.latitude) for track in gpx.tracks for segment in track.segments for p in segment.points]
    if not points:
        points = [(p.longitude, p.latitude) for rte in gpx.routes for p in rte.points]
    if len(points) < 2:
        msg = "the GPX file has no track or route of two points or more"
        raise click.ClickException(msg)
    return LineString(points)


@poi.command(short_help="List the POIs along a route (a GPX file).")
@click.argument("route", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--buffer",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    metavar="METRES",
    help="Farthest a POI may lie from the route.",
)
@category_option
@data_option
@output_option
def along(
    route: Path,
    buffer: float,
    categories: frozenset[str] | None,
    data: Path | None,
    output: Path | None,
) -> None:
    """List the POIs within --buffer metres of the track in ROUTE, in riding order.

    Each row gives the km from the start of the route to the POI's nearest
    point on it, and how far off the route the POI is, in metres.
    """
    with domain_errors():
        line = route_line(read_gpx(route))
    found = pois_along(all_pois(data), line, buffer_m=buffer, categories=categories)
    click.echo("km\toff_route_m\tcategory\tname\tid")
    for _, row in found.iterrows():
        click.echo(f"{row['km']:.2f}\t{row['off_route_m']:.0f}\t{row['category']}\t{_label(row)}\t{row['id']}")
    click.echo(f"{len(found)} POIs within {buffer:g} m of {route.name}", err=True)
    _echo_sources(found)
    if output is not None:
        write_output(found, output, name=f"POIs along {route.stem}")


@poi.command("import", short_help="Import a registry (CSV or GeoJSON) into the POI store.")
@click.argument("registry", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", default=None, help="Source of records without one [default: file name].")
@click.option("--licence", default="not stated", show_default=True, help="Licence of records without one.")
@click.option(
    "--checked",
    default=None,
    metavar="DATE",
    help="Date the records were last checked, for those without one [default: today].",
)
@click.option("--dry-run", is_flag=True, help="Check and report only; leave the store as it is.")
@data_option
def import_(
    registry: Path,
    source: str | None,
    licence: str,
    checked: str | None,
    dry_run: bool,
    data: Path | None,
) -> None:
    """Check REGISTRY and add its POIs to the store, all or nothing.

    Every problem is reported with its line (CSV) or feature (GeoJSON), and a
    file with any problem changes nothing. Records without coordinates are
    placed on their street when the graph of --data has it inside their
    comune, otherwise kept without coordinates.
    """
    G = load_graph(data)
    defaults = Provenance(
        source=source or registry.name,
        licence=licence,
        attribution=source or registry.name,
        last_checked=checked or date.today().isoformat(),
    )
    try:
        with domain_errors():
            report = import_registry(registry, streets=G, defaults=defaults, dry_run=dry_run)
    except ImportRejectedError as exc:
        echo_lines(exc.report.lines())
        msg = f"{registry.name}: {len(exc.report.problems)} problem(s); the store is unchanged"
        raise click.ClickException(msg) from exc
    except InvalidPoiError as exc:
        raise click.ClickException(one_line(exc)) from exc
    for line in report.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: the store is unchanged")


@poi.command("export", short_help="Write the POI store (or every POI) to a file.")
@click.argument("output", type=OUTPUT)
@click.option("--all", "everything", is_flag=True, help="Export every POI, not only the store.")
@category_option
@data_option
def export(output: Path, everything: bool, categories: frozenset[str] | None, data: Path | None) -> None:
    """Write the curated POIs of the store to OUTPUT: .csv, .geojson/.json or .gpx.

    A CSV or GeoJSON export can be edited and imported again.
    """
    if everything:
        pois = all_pois(data)
    else:
        try:
            pois = load_store()
        except InvalidPoiError as exc:
            raise click.ClickException(one_line(exc)) from exc
    if categories:
        pois = pois[pois["category"].isin(categories)]
    write_output(pois, output, name="Points of interest")
    _echo_sources(pois)
