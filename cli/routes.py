"""``cremona-bike routes``: the named cycle routes in the data, and official tracks matched onto it."""

from __future__ import annotations

import json
from pathlib import Path

import click
import gpxpy.gpx
from shapely import LineString
from shapely import MultiLineString
from shapely.geometry import mapping

from cli.options import data_option
from cli.options import domain_errors
from cli.options import load_graph
from gis_data import settings
from gis_data.gpx import gpx_to_xml
from gis_data.gpx_import import read_gpx
from gis_data.route_registry import read_route_registry
from routing.cycle_routes import check_registry
from routing.cycle_routes import cycle_route_geometry
from routing.cycle_routes import find_cycle_route
from routing.cycle_routes import list_cycle_routes
from routing.cycle_routes import match_track

OUTPUT = click.Path(dir_okay=False, allow_dash=True, path_type=Path)


@click.group(short_help="Named cycle routes: list, show, match.")
def routes() -> None:
    """Named cycle routes (OSM route=bicycle relations and matched official tracks)."""


@routes.command("list", short_help="List the named cycle routes in the data.")
@data_option
@click.option("--registry", is_flag=True, help="Compare with the province's registry of official figures.")
def list_(data: Path | None, registry: bool) -> None:
    """List name, network, ref, km in the data and source of every named cycle route."""
    G = load_graph(data)
    found = list_cycle_routes(G)
    click.echo(f"{'km':>8}  {'network':7} {'ref':8} {'relation':>10}  name (source)")
    for r in found:
        click.echo(f"{r.length_km:8.2f}  {r.network:7} {r.ref:8} {r.relation_id:>10}  {r.name} ({r.source})")
    if not found:
        click.echo("no named cycle routes in this data", err=True)
    if registry:
        click.echo("\nregistry of the province (official figures vs this data):")
        for check in check_registry(G, read_route_registry()):
            official = f"{check.official_km:g} km" if check.official_km else "no official km"
            status = f"{check.data_km:.1f} km in data" if check.found else "not in this data"
            click.echo(f"  {check.name}: {official}; {status}")


@routes.command(short_help="Write one named route as GeoJSON or GPX.")
@click.argument("name")
@data_option
@click.option("-o", "--output", type=OUTPUT, default=None, help="A .geojson or .gpx file [default: stdout].")
def show(name: str, data: Path | None, output: Path | None) -> None:
    """Write the ways of the route NAME (relation id, ref or part of the name)."""
    G = load_graph(data)
    with domain_errors():
        info = find_cycle_route(G, name)
    geometry = cycle_route_geometry(G, info.relation_id)
    if output is not None and output.suffix.lower() == ".gpx":
        doc = gpxpy.gpx.GPX()
        doc.name = info.name
        doc.copyright_author = "OpenStreetMap contributors"
        track = gpxpy.gpx.GPXTrack(name=info.name)
        for line in geometry.geoms:
            track.segments.append(
                gpxpy.gpx.GPXTrackSegment([gpxpy.gpx.GPXTrackPoint(y, x) for x, y, *_ in line.coords])
            )
        doc.tracks.append(track)
        text = gpx_to_xml(doc)
    else:
        feature = {
            "type": "Feature",
            "geometry": mapping(geometry),
            "properties": {
                "relation_id": info.relation_id,
                "name": info.name,
                "ref": info.ref,
                "network": info.network,
                "length_km": info.length_km,
                "attribution": settings.attribution,
            },
        }
        text = json.dumps(feature, ensure_ascii=False) + "\n"
    _write(text, output)
    click.echo(f"{info.name}: {info.length_km:.2f} km in {len(geometry.geoms)} piece(s)", err=True)


@routes.command(short_help="Match an official GPX track onto the network.")
@click.argument("track", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Name of the official route.")
@click.option("--tolerance", type=click.FloatRange(1, 200), default=25.0, show_default=True, metavar="M")
@data_option
def match(track: Path, name: str, tolerance: float, data: Path | None) -> None:
    """Match the official itinerary TRACK (GPX) onto the network and report the matched share and gaps."""
    with domain_errors():
        doc = read_gpx(track)
    G = load_graph(data)
    pieces = [[(p.longitude, p.latitude) for p in s.points] for t in doc.tracks for s in t.segments]
    pieces += [[(p.longitude, p.latitude) for p in r.points] for r in doc.routes]
    lines = [LineString(coords) for coords in pieces if len(coords) >= 2]
    if not lines:
        msg = f"{str(track)!r} has no track or route with at least two points"
        raise click.ClickException(msg)
    _, report = match_track(G, MultiLineString(lines), name=name, tolerance_m=tolerance)
    click.echo(f"{report.name}: track {report.track_km:.2f} km, matched {report.matched_share:.1%}")
    click.echo(f"matched edges: {report.matched_edges}")
    for start, end in report.gaps_km:
        click.echo(f"gap: km {start:.2f} to {end:.2f} ({(end - start) * 1000:.0f} m) not on the network")


def _write(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
