"""``cremona-bike indicators``: the tourism observatory's usage counts, as the web app's CSV export.

``cremona-bike indicators export`` writes ``month,event,dimension,value,count``
(the same CSV as ``/indicators.csv``) from the web app's database (the
``--database`` default, as for ``cremona-bike staff``) to stdout or ``-o FILE``.
The counts hold no personal data: see :mod:`gis_data.usage_store`.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.database import database_option
from cli.database import open_database
from cli.options import one_line
from gis_data.errors import InvalidDataError
from gis_data.poi_sources import write_text_atomic
from gis_data.usage_store import check_month
from gis_data.usage_store import read_counts
from gis_data.usage_store import to_csv


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check a ``YYYY-MM`` option."""
    if value is None:
        return None
    try:
        return check_month(value, f"--{param.name}")
    except InvalidDataError as exc:
        raise click.BadParameter(one_line(exc), ctx, param) from exc


@click.group(short_help="Usage indicators: export the monthly counts.")
def indicators() -> None:
    """Work with the tourism observatory's monthly usage counts (no personal data)."""


@indicators.command(short_help="Write the counts as CSV.")
@database_option
@click.option("--since", metavar="YYYY-MM", callback=_month, default=None, help="First month [default: all].")
@click.option("--until", metavar="YYYY-MM", callback=_month, default=None, help="Last month [default: all].")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE [default: stdout].",
)
def export(database: str | None, since: str | None, until: str | None, output: Path | None) -> None:
    """Write the usage counts (month,event,dimension,value,count) as CSV."""
    with open_database(database) as engine:
        text = to_csv(read_counts(engine, since_month=since, until_month=until))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        msg = f"Cannot write {str(output)!r}: {one_line(exc)}"
        raise click.ClickException(msg) from exc
    click.echo(f"Wrote {text.count(chr(10)) - 1} counters to {output}", err=True)
