"""The ``cremona-bike`` command group: logging verbosity, version and subcommands."""

from __future__ import annotations

import logging
import sys

import click

from cli.data import data
from cli.events import events
from cli.gpx import gpx
from cli.indicators import indicators
from cli.itinerary import itinerary
from cli.offer import offer
from cli.places import places
from cli.poi import poi
from cli.route import route
from cli.routes import routes
from cli.sheet import sheet
from cli.staff import staff


def verbosity_level(verbosity: int) -> int:
    """Map ``-v`` minus ``-q`` counts to a logging level (rio's ``configure_logging``).

    Examples
    --------
    >>> [logging.getLevelName(verbosity_level(v)) for v in (-2, -1, 0, 1, 2, 3)]
    ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG', 'DEBUG']
    """
    return min(max(logging.WARNING - 10 * verbosity, logging.DEBUG), logging.CRITICAL)


def configure_logging(verbosity: int) -> None:
    """Send log records of the level chosen by ``-v``/``-q`` to stderr."""
    logging.basicConfig(
        stream=sys.stderr,
        level=verbosity_level(verbosity),
        format="%(levelname)s %(name)s: %(message)s",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Say more on stderr (repeat for debug).")
@click.option("-q", "--quiet", count=True, help="Say less on stderr (repeat for critical only).")
@click.version_option(package_name="cremona-bike", prog_name="cremona-bike")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: int) -> None:
    """Plan bicycle routes in the province of Cremona on OpenStreetMap data.

    Data © OpenStreetMap contributors (ODbL 1.0).
    """
    verbosity = verbose - quiet
    configure_logging(verbosity)
    ctx.obj = {"verbosity": verbosity}


cli.add_command(route)
cli.add_command(places)
cli.add_command(data)
cli.add_command(routes)
cli.add_command(poi)
cli.add_command(itinerary)
cli.add_command(events)
cli.add_command(gpx)
cli.add_command(sheet)
cli.add_command(offer)
cli.add_command(staff)
cli.add_command(indicators)
