"""Printable itinerary sheets as PDF, rendered by :mod:`web.sheets` when it is installed.

The sheet layout (cue sheet, maps, QR codes) lives in ``web/sheets.py``; this
module only finds its renderer, :data:`RENDERER`, called as
``renderer(itinerary, G, pois, lang=..., base_url=..., plan_id=..., events=...)`` and
returning the PDF bytes. Without it (or without WeasyPrint), ``/api/itinerary.pdf``
answers 501 instead of failing.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from web.content import public_events
from web.errors import UnavailableError
from web.graph import get_graph
from web.pois import get_pois

if TYPE_CHECKING:
    from routing.itinerary_plan import Itinerary

logger = logging.getLogger(__name__)

SHEETS_MODULE = "web.sheets"
#: The function of :data:`SHEETS_MODULE` that renders an itinerary to PDF.
RENDERER = "sheet_pdf"


def itinerary_pdf(itinerary: Itinerary, *, lang: str, base_url: str, plan_id: str | None = None) -> bytes:
    """Return the printable sheet of an itinerary as PDF bytes.

    Parameters
    ----------
    itinerary
        The planned itinerary.
    lang
        ``"it"`` or ``"en"``.
    base_url
        The planner's address, for the sheet's QR codes.
    plan_id
        The saved plan's id, when the sheet prints a saved plan.

    Returns
    -------
    bytes
        The PDF document.

    Raises
    ------
    UnavailableError
        If the sheet renderer is not installed (or cannot be imported).
    """
    try:
        sheets = importlib.import_module(SHEETS_MODULE)
    except ImportError as exc:
        logger.warning("No printable sheets: %s", exc)
        msg = "Printable sheets are not available on this server"
        raise UnavailableError(msg) from exc
    render = getattr(sheets, RENDERER, None)
    if render is None:
        msg = f"Printable sheets are not available on this server ({SHEETS_MODULE}.{RENDERER} is missing)"
        raise UnavailableError(msg)
    try:
        pois = get_pois()
        events = public_events(pois)
        return bytes(render(itinerary, get_graph(), pois, lang=lang, base_url=base_url, plan_id=plan_id, events=events))
    except (ImportError, OSError) as exc:  # WeasyPrint or its system libraries missing
        logger.warning("Cannot render a sheet: %s", exc)
        msg = "Printable sheets are not available on this server (the PDF renderer is not installed)"
        raise UnavailableError(msg) from exc
