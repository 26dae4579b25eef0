"""``cremona-bike offer``: the offer (POIs, events, closures, cycle routes) as open data with its licences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from cli.options import data_option
from cli.options import one_line
from cli.poi import all_pois
from gis_data.closures import read_closures
from gis_data.errors import InvalidDataError
from gis_data.poi_sources import write_text_atomic
from gis_data.route_registry import read_route_registry
from poi.events_data import all_events
from poi.offer import offer_files
from poi.offer import offer_zip


@click.group(short_help="The offer as open data: export.")
def offer() -> None:
    """Publish the planner's offer (POIs, events, closures, named cycle routes) as open data."""


@offer.command(short_help="Write the offer's open-data files (CSV, GeoJSON, iCalendar) to a folder.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--closures",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="GeoJSON of the closures to publish (properties name, start, end, reason, source).",
)
@click.option("--zip", "as_zip", is_flag=True, help="Also write FOLDER/cremona-bike-offer.zip with every file.")
@data_option
def export(folder: Path, closures: Path | None, as_zip: bool, data: Path | None) -> None:
    """Write the offer's open-data files to FOLDER.

    The files: pois.csv/.geojson, events.csv/.geojson/.ics, closures.geojson,
    cycle-routes.csv, datapackage.json, README.md and ATTRIBUTION.txt. Every
    record keeps its source, licence and attribution; the compilation is ODbL
    1.0 (© OpenStreetMap contributors).
    """
    pois = all_pois(data)
    placed = pois[pois.geometry.notna() & ~pois.geometry.is_empty]
    try:
        closed = read_closures(closures) if closures else []
        routes = read_route_registry()
    except InvalidDataError as exc:
        raise click.ClickException(one_line(exc)) from exc
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    files = offer_files(placed, all_events(pois), closed, routes, created=created)
    try:
        for f in files:
            write_text_atomic(folder / f.name, f.text)
            (folder / f.name).chmod(0o644)  # open data: readable by all, not private like a temporary file
        if as_zip:
            (folder / "cremona-bike-offer.zip").write_bytes(offer_zip(files))
    except OSError as exc:
        msg = f"cannot write to {str(folder)!r}: {exc.strerror or exc}"
        raise click.ClickException(msg) from exc
    for f in files:
        count = f"{f.records} record(s)" if f.records is not None else ""
        click.echo(f"{f.name:18} {count:16} {', '.join(f.licences)}")
    click.echo(f"wrote {len(files)} file(s) to {folder}", err=True)
