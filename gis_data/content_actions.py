"""Writes of the curated content: save a draft, publish, withdraw, discard, each with its audit row.

The table, the item model and the reads are in :mod:`gis_data.content_store`.
Every write runs in one transaction with its row of the audit trail
(:func:`gis_data.audit.record_audit`, ``before``/``after`` the documents) and
bumps the item's ``revision``; a write names the revision it was made from and
is refused with :class:`~gis_data.errors.StaleContentError` if someone else
wrote in between.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gis_data.audit import record_audit
from gis_data.content_store import MAX_DOCUMENT_BYTES
from gis_data.content_store import MAX_NAME
from gis_data.content_store import ContentItem
from gis_data.content_store import check_key
from gis_data.content_store import content_items
from gis_data.content_store import item_key
from gis_data.content_store import read_item
from gis_data.errors import ContentNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.errors import StaleContentError

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)


def _dump(document: Mapping[str, Any]) -> str:
    text = json.dumps(dict(document), ensure_ascii=False, sort_keys=True, allow_nan=False)
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        msg = f"The document is {len(text.encode())} bytes, more than the {MAX_DOCUMENT_BYTES} an item may have"
        raise InvalidDataError(msg)
    return text


def _claim(connection: sa.Connection, kind: str, item_id: str, revision: int | None) -> ContentItem | None:
    """Return the stored item after checking it is still at ``revision`` (``None``: it must not exist)."""
    item = read_item(connection, kind, item_id)
    found = None if item is None else item.revision
    if found != revision:
        if item is None:
            msg = f"The {kind} {item_id!r} was discarded meanwhile"
        elif revision is None:
            msg = f"The {kind} {item_id!r} already exists (last changed by {item.updated_by})"
        else:
            msg = f"The {kind} {item_id!r} was changed by {item.updated_by} meanwhile: reload it and edit again"
        raise StaleContentError(msg)
    return item


def _write(connection: sa.Connection, item: ContentItem | None, values: dict[str, Any]) -> None:
    """Insert or update a row; an update only applies if nobody wrote since it was read."""
    if item is None:
        try:
            connection.execute(sa.insert(content_items).values(revision=1, **values))
        except IntegrityError as exc:  # the whole transaction, audit row included, is rolled back
            msg = f"The {values['kind']} {values['item_id']!r} was created by someone else meanwhile: reload it"
            raise StaleContentError(msg) from exc
        return
    done = connection.execute(
        sa.update(content_items)
        .where(item_key(item.kind, item.item_id), content_items.c.revision == item.revision)
        .values(revision=item.revision + 1, **values)
    )
    if done.rowcount != 1:
        msg = f"The {item.kind} {item.item_id!r} was changed meanwhile: reload it and edit again"
        raise StaleContentError(msg)


def save_draft(
    engine: sa.Engine,
    kind: str,
    item_id: str,
    document: Mapping[str, Any],
    *,
    name: str,
    actor: str,
    revision: int | None,
    current: Mapping[str, Any] | None = None,
) -> ContentItem:
    """Save a checked document as the item's draft (creating the item if it is new).

    Parameters
    ----------
    engine
        The database.
    kind, item_id
        The item.
    document
        The JSON-ready document, already checked (see :mod:`poi.content`).
    name
        The item's name, for lists and searches.
    actor
        Username of the editor.
    revision
        The revision the edit started from; ``None`` for an item not stored yet.
    current
        What visitors see of an item not stored yet (a record of the embedded
        data), the audit trail's ``before`` of its first draft.

    Returns
    -------
    ContentItem
        The item as saved.

    Raises
    ------
    StaleContentError
        If the item changed since ``revision`` (or exists when ``None`` was given).
    InvalidDataError
        If the document is too large.
    """
    check_key(kind, item_id)
    text = _dump(document)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        item = _claim(connection, kind, item_id, revision)
        values: dict[str, Any] = {"name": name[:MAX_NAME], "draft": text, "updated_at": now, "updated_by": actor}
        if item is None:
            values.update(kind=kind, item_id=item_id, published=None, withdrawn=False, created_at=now)
        _write(connection, item, values)
        before = current if item is None else item.current
        record_audit(
            connection, actor=actor, action="draft", target_kind=kind, target_id=item_id, before=before, after=document
        )
        saved = read_item(connection, kind, item_id)
    assert saved is not None
    logger.info("%s saved a draft of %s %s", actor, kind, item_id)
    return saved


def _existing(connection: sa.Connection, kind: str, item_id: str, revision: int | None) -> ContentItem:
    item = _claim(connection, kind, item_id, revision) if revision is not None else read_item(connection, kind, item_id)
    if item is None:
        msg = f"No {kind} {item_id!r} has been edited by staff"
        raise ContentNotFoundError(msg)
    return item


def publish(
    engine: sa.Engine,
    kind: str,
    item_id: str,
    *,
    actor: str,
    revision: int | None = None,
    current: Mapping[str, Any] | None = None,
) -> ContentItem:
    """Publish the item's draft (or publish again the last published document of a withdrawn item).

    ``current`` is what visitors saw of an item staff never published (a
    record of the embedded data), for the audit trail's ``before``.

    Raises
    ------
    ContentNotFoundError
        If the item is not stored, or has nothing to publish.
    StaleContentError
        If ``revision`` is given and the item changed since.
    """
    check_key(kind, item_id)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        item = _existing(connection, kind, item_id, revision)
        document = item.current
        if document is None or (item.draft is None and not item.withdrawn):
            msg = f"The {kind} {item_id!r} has no draft to publish"
            raise ContentNotFoundError(msg)
        values = {
            "draft": None,
            "published": _dump(document),
            "withdrawn": False,
            "updated_at": now,
            "updated_by": actor,
            "published_at": now,
            "published_by": actor,
        }
        _write(connection, item, values)
        before = None if item.withdrawn else item.published if item.published is not None else current
        record_audit(
            connection,
            actor=actor,
            action="publish",
            target_kind=kind,
            target_id=item_id,
            before=before,
            after=document,
        )
        saved = read_item(connection, kind, item_id)
    assert saved is not None
    logger.info("%s published %s %s", actor, kind, item_id)
    return saved


def withdraw(
    engine: sa.Engine,
    kind: str,
    item_id: str,
    *,
    actor: str,
    revision: int | None,
    current: Mapping[str, Any] | None = None,
    name: str = "",
) -> ContentItem:
    """Take an item off the public map: a published one, or a record of the embedded data.

    Parameters
    ----------
    engine
        The database.
    kind, item_id
        The item.
    actor
        Username of the editor.
    revision
        The revision the editor saw; ``None`` for an item not stored yet.
    current
        The public record when staff never published the item (a record of the
        embedded data): kept as its last published document and in the audit trail.
    name
        The item's name, for an item not stored yet.

    Raises
    ------
    ContentNotFoundError
        If the item is already withdrawn, or has no public record (neither published nor ``current``).
    StaleContentError
        If the item changed since ``revision``.
    """
    check_key(kind, item_id)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        item = _claim(connection, kind, item_id, revision)
        if item is not None and item.withdrawn:
            msg = f"The {kind} {item_id!r} is withdrawn already"
            raise ContentNotFoundError(msg)
        public = item.published if item is not None and item.published is not None else current
        if public is None:
            msg = f"The {kind} {item_id!r} is not published, so it cannot be withdrawn"
            raise ContentNotFoundError(msg)
        values: dict[str, Any] = {"withdrawn": True, "published": _dump(public), "updated_at": now, "updated_by": actor}
        if item is None:
            values.update(kind=kind, item_id=item_id, name=name[:MAX_NAME] or item_id, draft=None, created_at=now)
        _write(connection, item, values)
        record_audit(
            connection, actor=actor, action="withdraw", target_kind=kind, target_id=item_id, before=public, after=None
        )
        saved = read_item(connection, kind, item_id)
    assert saved is not None
    logger.info("%s withdrew %s %s", actor, kind, item_id)
    return saved


def discard_draft(
    engine: sa.Engine, kind: str, item_id: str, *, actor: str, revision: int | None = None
) -> ContentItem | None:
    """Drop the item's pending draft; an item that was never published goes altogether.

    Returns
    -------
    ContentItem or None
        The item as it is now, ``None`` if it is gone.

    Raises
    ------
    ContentNotFoundError
        If the item is not stored or has no draft.
    StaleContentError
        If ``revision`` is given and the item changed since.
    """
    check_key(kind, item_id)
    with engine.begin() as connection:
        item = _existing(connection, kind, item_id, revision)
        if item.draft is None:
            msg = f"The {kind} {item_id!r} has no draft to discard"
            raise ContentNotFoundError(msg)
        if item.published is None:
            connection.execute(sa.delete(content_items).where(item_key(kind, item_id)))
        else:
            _write(connection, item, {"draft": None, "updated_at": dt.datetime.now(dt.UTC), "updated_by": actor})
        record_audit(
            connection,
            actor=actor,
            action="discard",
            target_kind=kind,
            target_id=item_id,
            before=item.draft,
            after=None,
        )
        saved = read_item(connection, kind, item_id)
    logger.info("%s discarded the draft of %s %s", actor, kind, item_id)
    return saved
