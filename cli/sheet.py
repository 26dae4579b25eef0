"""``cremona-bike sheet``: print an itinerary as an A4 PDF sheet, in Italian or English.

The sheet is made from a saved itinerary (the ``itinerary.json`` written by
``cremona-bike itinerary``): its request is planned again on the current data,
as ``itinerary replan`` does, to get the geometry, the cues and the days, and
:mod:`web.sheets` renders it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.itinerary import MAX_ITINERARY_BYTES
from cli.itinerary import plan_with_pois
from cli.options import data_option
from cli.options import load_graph
from cli.options import one_line
from cli.poi import all_pois
from gis_data.errors import DataNotFoundError
from gis_data.untrusted import read_json
from routing.cue_text import LANGUAGES
from routing.errors import ItineraryFormatError
from routing.errors import LanguageError
from routing.itinerary_doc import request_from_document
from web.errors import InfopointNotFoundError
from web.sheet_content import DEFAULT_BASE_URL
from web.sheet_content import DEFAULT_INFOPOINT
from web.sheets import sheet_pdf
from web.trip_events import DEFAULT_WITHIN_M
from web.trip_events import MAX_WITHIN_M

if TYPE_CHECKING:
    from routing.itinerary_doc import ItineraryRequest

logger = logging.getLogger(__name__)


def read_request(document: Path) -> ItineraryRequest:
    """Read the request of a saved itinerary, with errors for the user.

    Raises
    ------
    click.ClickException
        If the file is too large, not JSON or not an itinerary this program reads.
    """
    try:
        return request_from_document(read_json(document, max_bytes=MAX_ITINERARY_BYTES))
    except (ValueError, ItineraryFormatError, DataNotFoundError) as exc:
        msg = f"cannot read {str(document)!r}: {one_line(exc)}"
        raise click.ClickException(msg) from exc


@click.command(short_help="Print an itinerary as an A4 PDF sheet.")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PDF file to write.",
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="it", show_default=True, help="Language of the sheet.")
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    metavar="URL",
    help="The web planner the QR codes link to.",
)
@click.option(
    "--plan-id",
    default=None,
    metavar="ID",
    help="Id of the plan saved in the web planner: the QR codes then link to BASE/plan/ID.",
)
@click.option(
    "--infopoint",
    default=DEFAULT_INFOPOINT,
    show_default=True,
    metavar="ID",
    help="Id of the issuing Infopoint (see: cremona-bike poi list --category infopoint).",
)
@click.option(
    "--events-within",
    type=click.FloatRange(0, MAX_WITHIN_M),
    default=DEFAULT_WITHIN_M,
    show_default=True,
    metavar="M",
    help="List the events on the trip's days within M metres of the route (dated itineraries only).",
)
@data_option
def sheet(
    document: Path,
    output: Path,
    lang: str,
    base_url: str,
    plan_id: str | None,
    infopoint: str,
    events_within: float,
    data: Path | None,
) -> None:
    """Print DOCUMENT (an itinerary.json) as an A4 PDF sheet for the Infopoint desk.

    The itinerary is planned again on the current data; the sheet has the
    summary, an overview map, the stops with times and opening hours, the
    warnings, the events along the way on the trip's days, turn-by-turn
    directions, a page per day for multi-day trips and QR codes to the plan
    and its GPX.

    Map data © OpenStreetMap contributors (ODbL 1.0).
    """
    request = read_request(document)
    source = data or (Path(request.data) if request.data else None)
    G = load_graph(source)
    pois = all_pois(source)
    started = time.perf_counter()
    planned = plan_with_pois(G, pois, request)
    try:
        pdf = sheet_pdf(
            planned,
            G,
            pois,
            lang=lang,
            base_url=base_url,
            infopoint=infopoint,
            plan_id=plan_id,
            events_within_m=events_within,
        )
    except (LanguageError, InfopointNotFoundError) as exc:
        raise click.ClickException(one_line(exc)) from exc
    try:
        output.write_bytes(pdf)
    except OSError as exc:
        msg = f"cannot write {str(output)!r}: {exc.strerror or exc}"
        raise click.ClickException(msg) from exc
    seconds = time.perf_counter() - started
    click.echo(f"wrote {output} ({len(pdf) // 1024} KB, {lang}) in {seconds:.1f} s", err=True)
