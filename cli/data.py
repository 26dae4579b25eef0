"""``cremona-bike data``: prepare and describe the bicycle network."""

from __future__ import annotations

import time
from pathlib import Path

import click

from cli.options import data_option
from cli.options import domain_errors
from cli.options import load_graph
from gis_data import settings
from gis_data.download import download_osm
from gis_data.download import province_polygon
from gis_data.network import PREPARED_SUFFIX
from gis_data.network import prepared_path
from gis_data.network import resolve_source


@click.group(short_help="Prepare or describe the bicycle network.")
def data() -> None:
    """Prepare or describe the bicycle network."""


@data.command(short_help="Build and cache the prepared graph.")
@data_option
def prepare(data: Path | None) -> None:
    """Build the prepared graph of the data source once, or check the cached one.

    Later commands, and the web server, then load it in milliseconds.
    """
    with domain_errors():
        source = resolve_source(data)
    cache = source if source.suffix == PREPARED_SUFFIX else prepared_path(source)
    before = _mtime_ns(cache)
    started = time.perf_counter()
    G = load_graph(source)
    elapsed = time.perf_counter() - started
    # An untouched cache file means the prepared graph was reused, not rebuilt.
    action = "loaded" if before is not None and _mtime_ns(cache) == before else "built"
    click.echo(
        f"{G.graph.get('name', source.name)}: {G.number_of_nodes()} nodes, "
        f"{G.number_of_edges()} edges; {action} in {elapsed:.2f} s"
    )
    click.echo(f"prepared graph: {cache}")


@data.command(short_help="Describe the bicycle network.")
@data_option
def info(data: Path | None) -> None:
    """Print the graph's name, source, size and number of bicycle route relations."""
    G = load_graph(data)
    click.echo(f"name: {G.graph.get('name', '')}")
    click.echo(f"source: {G.graph.get('source', '')}")
    click.echo(f"nodes: {G.number_of_nodes()}")
    click.echo(f"edges: {G.number_of_edges()}")
    click.echo(f"bicycle route relations: {len(G.graph.get('routes', {}))}")


def _mtime_ns(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None


@data.command(short_help="Download the province from Overpass and prepare it.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the OSM XML [default: <cache folder>/provincia-cremona.osm].",
)
@click.option(
    "--url",
    default=None,
    metavar="URL",
    help="Overpass API base URL [default: osmnx.settings.overpass_url].",
)
@click.option(
    "--margin",
    type=click.FloatRange(0, 20_000),
    default=2000.0,
    show_default=True,
    metavar="M",
    help="Metres added around the province boundary.",
)
def fetch(output: Path | None, url: str | None, margin: float) -> None:
    """Download the province of Cremona's bicycle network, cycle routes and POIs.

    Needs internet. The file appears only once complete; the prepared graph is
    built right after, so `--data FILE` is ready to use.
    """
    target = output or Path(settings.cache_folder) / "provincia-cremona.osm"

    def progress(received: int) -> None:
        click.echo(f"\rreceived {received / 1e6:7.1f} MB", err=True, nl=False)

    with domain_errors():
        download_osm(target, polygon=province_polygon(margin_m=margin), url=url, progress=progress)
    click.echo("", err=True)
    started = time.perf_counter()
    G = load_graph(target)
    click.echo(
        f"{target}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, "
        f"{len(G.graph.get('routes', {}))} bicycle routes; prepared in {time.perf_counter() - started:.1f} s"
    )
    click.echo(f"use it with: --data {target} (or CREMONA_BIKE_DATA={target})")
