"""``cremona-bike gpx batch``: export a folder of tracks for devices, with a CSV summary."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.gpx_io import gpx_errors
from gis_data.gpx_batch import DEFAULT_TEMPLATE
from gis_data.gpx_batch import batch_export
from gis_data.gpx_batch import write_summary_csv
from gis_data.gpx_export import PRESETS

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)


def _preset_help() -> str:
    return "; ".join(f"{p.name}: {p.description}" for p in PRESETS.values())


@click.command(short_help="Export every track of a folder for GPS devices.")
@click.argument("in_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-p",
    "--preset",
    "presets",
    multiple=True,
    type=click.Choice(list(PRESETS)),
    help=f"Device preset (repeatable) [default: all]. {_preset_help()}.",
)
@click.option(
    "--template",
    default=DEFAULT_TEMPLATE,
    show_default=True,
    help="Output file name: {stem} (input name), {preset}, {n} (input number).",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV summary of what was written [default: OUT_DIR/summary.csv].",
)
@click.option(
    "--gpx-version",
    type=click.Choice(["1.1", "1.0"]),
    default="1.1",
    show_default=True,
    help="GPX version written.",
)
@click.pass_context
def batch(
    ctx: click.Context,
    in_dir: Path,
    out_dir: Path,
    presets: Sequence[str],
    template: str,
    summary: Path | None,
    gpx_version: str,
) -> None:
    """Read every GPX, KML and GeoJSON file of IN_DIR and write it per preset into OUT_DIR.

    A file that cannot be read or exported is reported and the others are
    still written; the exit status is then 1.
    """
    with gpx_errors():
        rows = batch_export(
            in_dir,
            out_dir,
            presets=presets or list(PRESETS),
            template=template,
            version=gpx_version,
        )
        target = summary or out_dir / "summary.csv"
        write_summary_csv(rows, target)
    written = sum(1 for r in rows if r.status == "written")
    reported: set[tuple[str, str]] = set()
    for row in rows:
        if row.status != "written" and (row.status, row.message) not in reported:
            reported.add((row.status, row.message))
            where = "" if row.message.startswith(row.source) else f"{row.source} ({row.preset}): "
            click.echo(f"{row.status}: {where}{row.message}", err=True)
    failed = {r.source for r in rows if r.status == "error"}
    click.echo(f"{written} file(s) written, {len(failed)} input(s) failed; summary: {target}", err=True)
    if failed:
        ctx.exit(1)
