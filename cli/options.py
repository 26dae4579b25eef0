"""Options, parameter types and error handling shared by the subcommands.

Modelled on ``rasterio.rio.options``: subcommands import the decorators from
here, and wrap their calls into the library with :func:`domain_errors` so a
bad input ends with one ``Error: ...`` line on stderr and exit status 1,
never a traceback. Usage errors keep click's exit status 2.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.errors import DownloadError
from gis_data.errors import InvalidDataError
from gis_data.errors import InvalidGPXError
from gis_data.errors import PlaceNotFoundError
from gis_data.network import load_network
from gis_data.places import parse_latlon
from routing.errors import InvalidPointError
from routing.errors import NoRouteError
from routing.errors import PointOffNetworkError
from routing.errors import ProfileError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Sequence

    import networkx as nx

logger = logging.getLogger(__name__)

#: Library errors that mean "bad input", shown as one line with exit status 1.
DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    PlaceNotFoundError,
    PointOffNetworkError,
    InvalidPointError,
    NoRouteError,
    ProfileError,
    DataNotFoundError,
    InvalidDataError,
    InvalidGPXError,
    DownloadError,
)

data_option = click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CREMONA_BIKE_DATA",
    default=None,
    show_envvar=True,
    help=(
        "Bicycle network to use: an .osm.pbf/.osm/.osm.bz2 extract, a nodes + edges "
        ".geojson or a prepared .cbgraph. Default: the embedded Cremona city graph."
    ),
)


class PlaceType(click.ParamType[str]):
    """A place name or ``LAT,LON``; coordinates out of range are a usage error.

    Names are only checked against the graph later, once it is loaded.
    """

    name = "place"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Return the text, after checking that coordinates, if it is any, are in range."""
        text = str(value)
        try:
            parse_latlon(text)
        except PlaceNotFoundError as exc:
            self.fail(one_line(exc), param, ctx)
        return text


PLACE = PlaceType()


#: Longest error message shown, in characters: a hostile value can be megabytes long.
MAX_MESSAGE_CHARS = 500
#: Most problem lines listed for one rejected file; the rest are counted.
MAX_PROBLEM_LINES = 20


def one_line(exc: BaseException, limit: int = MAX_MESSAGE_CHARS) -> str:
    r"""Return an exception's message on a single, printable line of at most ``limit`` characters.

    Control characters (which could drive the terminal) are shown escaped.

    Examples
    --------
    >>> one_line(ValueError("bad\n  value"))
    'bad value'
    >>> one_line(ValueError("name \x1b[31mred"))
    'name \\x1b[31mred'
    >>> one_line(ValueError("x" * 600), limit=10)
    'xxxxxxxxx…'
    """
    text = " ".join(str(exc).split())
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo_lines(lines: Sequence[str], *, limit: int = MAX_PROBLEM_LINES) -> None:
    """Print lines on stderr, at most ``limit`` of them and then how many were left out."""
    for line in lines[:limit]:
        click.echo(one_line(ValueError(line)), err=True)
    if len(lines) > limit:
        click.echo(f"... and {len(lines) - limit} more line(s)", err=True)


def off_network_message(exc: PointOffNetworkError, label: str | None = None) -> str:
    """Describe a point too far from the network: where it is and how far, in km.

    Examples
    --------
    >>> err = PointOffNetworkError("far", (45.58, 9.5), 52_300.0)
    >>> off_network_message(err, "Treviglio")
    "'Treviglio' (45.58000, 9.50000) is 52.30 km from the bicycle network (limit 1 km)"
    """
    lat, lon = exc.point
    # A name is worth repeating; coordinates typed by the user are shown once, normalised.
    named = label is not None and parse_latlon(label) is None
    where = f"{label!r} ({lat:.5f}, {lon:.5f})" if named else f"Point ({lat:.5f}, {lon:.5f})"
    limit_km = settings.snap_limit_m / 1000
    km = exc.distance_m / 1000
    return f"{where} is {km:.2f} km from the bicycle network (limit {limit_km:g} km)"


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn the library's input errors into ``click.ClickException`` (exit status 1)."""
    try:
        yield
    except PointOffNetworkError as exc:
        raise click.ClickException(off_network_message(exc)) from exc
    except DOMAIN_ERRORS as exc:
        raise click.ClickException(one_line(exc)) from exc


def load_graph(data: Path | None) -> nx.MultiDiGraph[int]:
    """Load the bicycle graph of ``--data`` (or the default), with errors for the user."""
    with domain_errors():
        return load_network(data)
