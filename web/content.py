"""What staff published, as an app resource that follows the content store (see :mod:`gis_data.content_store`).

Each worker keeps a snapshot of the published POIs, events and closures. At
most every ``CONTENT_CHECK_S`` seconds a request asks the database for
:func:`~gis_data.content_store.content_stamp` (one aggregate query) and the
snapshot is read again only when the stamp changed; so, whatever the number
of gunicorn workers or machines, a publication reaches every visitor within
that delay, and the worker that published it at once (:func:`refresh`). If the
database cannot be reached, the last snapshot stays and the public pages keep
working on it.

Configuration keys
------------------
CONTENT_CHECK_S : float
    Seconds between two checks of the content store by one worker (default 5;
    0 checks on every request, for tests).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from gis_data.content_store import KINDS
from gis_data.content_store import content_stamp
from gis_data.content_store import published_content
from gis_data.errors import InvalidDataError
from poi.content import event_from_document
from poi.content import poi_from_document
from poi.content_closures import closure_from_document
from poi.events_data import all_events
from web.plans import get_store

if TYPE_CHECKING:
    import geopandas as gpd
    import sqlalchemy as sa
    from flask import Flask

    from gis_data.closures import Closure
    from poi.events import Event
    from poi.model import Poi

EXTENSION = "cremona_bike.content"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The published content at one stamp of the store."""

    stamp: tuple[int, int] | None
    pois: dict[str, Poi]
    events: dict[str, Event]
    closures: tuple[Closure, ...]
    withdrawn: dict[str, frozenset[str]]


EMPTY = Snapshot(None, {}, {}, (), {kind: frozenset() for kind in KINDS})


class _ContentSlot:
    __slots__ = ("checked_at", "lock", "snapshot")

    def __init__(self) -> None:
        self.snapshot = EMPTY
        self.checked_at = -math.inf
        self.lock = threading.Lock()


def _read(engine: sa.Engine, stamp: tuple[int, int]) -> Snapshot:
    """Read the published documents; one that no longer passes the checks is left out, with a warning."""
    pois, events, closures, withdrawn = {}, {}, [], {}
    for kind in KINDS:
        found = published_content(engine, kind)
        withdrawn[kind] = found.withdrawn
        for item_id, document in found.documents.items():
            if kind == "poi" and (poi := poi_from_document(document)) is not None:
                pois[item_id] = poi
            elif kind == "event" and (event := event_from_document(document)) is not None:
                events[item_id] = event
            elif kind == "closure" and (closure := closure_from_document(document)) is not None:
                closures.append(closure)
            else:
                current_app.logger.warning("Published %s %r does not pass the checks; left out", kind, item_id)
    return Snapshot(stamp, pois, events, tuple(closures), withdrawn)


def get_published() -> Snapshot:
    """Return the current app's published content, read again when the store changed."""
    slot: _ContentSlot = current_app.extensions[EXTENSION]
    delay = float(current_app.config["CONTENT_CHECK_S"])
    if time.monotonic() - slot.checked_at < delay:
        return slot.snapshot
    with slot.lock:
        if time.monotonic() - slot.checked_at < delay:
            return slot.snapshot
        try:
            engine = get_store()
            stamp = content_stamp(engine)
            if stamp != slot.snapshot.stamp:
                slot.snapshot = _read(engine, stamp)
                current_app.logger.info("Published content at stamp %s", stamp)
        except (SQLAlchemyError, InvalidDataError, OSError) as exc:
            current_app.logger.warning("Content store unavailable, serving the last published content: %s", exc)
        slot.checked_at = time.monotonic()
    return slot.snapshot


def refresh() -> None:
    """Make the next :func:`get_published` of this worker read the store (after a publication here)."""
    slot: _ContentSlot = current_app.extensions[EXTENSION]
    slot.checked_at = -math.inf


def public_events(pois: gpd.GeoDataFrame) -> list[Event]:
    """Return the events visitors see: the calendar and the store with what staff published, placed among ``pois``.

    Call it with :func:`web.pois.get_pois` (which follows this module's snapshot too).
    """
    published = get_published()
    return all_events(pois, published=published.events, withdrawn=published.withdrawn["event"])


def init_app(app: Flask) -> None:
    """Give an app its (not yet read) published content."""
    app.config.setdefault("CONTENT_CHECK_S", 5.0)
    app.extensions[EXTENSION] = _ContentSlot()
