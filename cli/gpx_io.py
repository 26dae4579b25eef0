"""Input, output and error handling shared by the ``cremona-bike gpx`` subcommands.

Every subcommand reads a file or stdin (``-``) in GPX, GeoJSON or KML, and
writes a file or stdout (``-``), so commands pipe::

    cremona-bike gpx crop --bbox 45.0,9.9,45.2,10.2 ride.gpx |
        cremona-bike gpx simplify --max-points 500 - -o ride-small.gpx

The output format follows ``--to``, else the output file's extension, else
GPX. Bad input ends with one ``Error: ...`` line and exit status 1.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from typing import cast

import click

from cli.options import domain_errors
from cli.options import one_line
from gis_data.gpx_formats import FORMATS
from gis_data.gpx_formats import dump_document
from gis_data.gpx_formats import format_of_path
from gis_data.gpx_formats import load_document
from gis_data.gpx_formats import sniff_format
from gis_data.safe_xml import read_source

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator
    from typing import Any

    import gpxpy.gpx

    from gis_data.gpx_formats import Format

logger = logging.getLogger(__name__)

STDIO = Path("-")

source_argument = click.argument("source", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))

output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=STDIO,
    show_default=True,
    help="Write to FILE (.gpx, .geojson/.json or .kml); - is stdout.",
)

to_option = click.option(
    "--to",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: from the -o extension, else gpx].",
)

gpx_version_option = click.option(
    "--gpx-version",
    type=click.Choice(["1.1", "1.0"]),
    default="1.1",
    show_default=True,
    help="GPX version written.",
)


def write_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-o``, ``--to`` and ``--gpx-version`` to a command."""
    return output_option(to_option(gpx_version_option(command)))


@contextmanager
def gpx_errors() -> Iterator[None]:
    """Turn input errors, bad parameters and unwritable files into one-line errors."""
    with domain_errors():
        try:
            yield
        except (ValueError, OSError) as exc:
            raise click.ClickException(one_line(exc)) from exc


def read_bytes(source: Path) -> tuple[bytes, str]:
    """Read a file or stdin (``-``) within the size limit; return the data and its name."""
    if source == STDIO:
        with click.open_file("-", "rb") as stream:
            return read_source(stream, name="<stdin>"), "<stdin>"
    return read_source(source), str(source)


def read_document(source: Path) -> gpxpy.gpx.GPX:
    """Read a GPX, GeoJSON or KML file or stdin into a GPX document."""
    data, name = read_bytes(source)
    fmt = format_of_path(source) if source != STDIO else None
    return load_document(data, name=name, fmt=fmt or sniff_format(data))


def output_format(output: Path, fmt: str | None) -> Format:
    """Return the format to write: ``--to``, else the extension of ``-o``, else GPX.

    Examples
    --------
    >>> output_format(Path("ride.kml"), None), output_format(STDIO, None)
    ('kml', 'gpx')
    >>> output_format(Path("ride.gpx"), "geojson")
    'geojson'
    """
    if fmt is not None:
        return cast("Format", fmt)
    if output != STDIO:
        return format_of_path(output) or "gpx"
    return "gpx"


def write_document(gpx: gpxpy.gpx.GPX, output: Path, fmt: str | None = None, gpx_version: str = "1.1") -> None:
    """Write a document to a file or stdout (``-``) in the chosen format."""
    data = dump_document(gpx, output_format(output, fmt), version=gpx_version)
    if output == STDIO:
        click.echo(data, nl=False)
    else:
        output.write_bytes(data)
        logger.info("wrote %s (%d bytes)", output, len(data))


def parse_floats(text: str, count: int, what: str) -> list[float]:
    """Parse ``count`` comma-separated numbers, or fail as a usage error.

    Examples
    --------
    >>> parse_floats("45.0, 9.9,45.2,10.2", 4, "--bbox")
    [45.0, 9.9, 45.2, 10.2]
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != count:
        msg = f"{what} needs {count} comma-separated numbers, got {text!r}"
        raise click.BadParameter(msg)
    return values
