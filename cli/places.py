"""``cremona-bike places``: list the names the planner can resolve."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.options import data_option
from cli.options import load_graph
from gis_data.places import search_places

if TYPE_CHECKING:
    from pathlib import Path


@click.command(short_help="List resolvable place names.")
@click.argument("query", required=False)
@data_option
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Most places listed.",
)
def places(query: str | None, data: Path | None, limit: int) -> None:
    """List places whose name contains QUERY (all places without one).

    One tab-separated line per place: name, kind, latitude, longitude. Towns
    and comuni come first, then stations, OSM places and streets. Exits with
    status 1 when nothing matches.
    """
    G = load_graph(data)
    found = search_places(G, query, limit=limit)
    if not found:
        msg = f"no place name contains {query!r}"
        raise click.ClickException(msg)
    for place in found:
        click.echo(f"{place.name}\t{place.kind}\t{place.lat:.6f}\t{place.lon:.6f}")
