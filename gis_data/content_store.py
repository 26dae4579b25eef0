"""Content curated by staff: POIs, events and closures as draft and published documents, every change audited.

An item is keyed by ``(kind, item_id)``, kind one of :data:`KINDS`. Its
``draft`` is the pending edit, its ``published`` document what visitors see;
``withdrawn`` takes a published item (or the embedded record of the same id)
off the public map without forgetting it. The documents are JSON objects the
store does not interpret: :mod:`poi.content` checks them before they are saved.

Every write runs in one transaction with its row of the audit trail
(:func:`gis_data.audit.record_audit`, ``before``/``after`` the documents), and
bumps the item's ``revision``: a write names the revision it was made from, and
is refused with :class:`~gis_data.errors.StaleContentError` if someone else
wrote in between (checked again by the ``UPDATE`` itself, so two workers
cannot both win). :func:`content_stamp` changes with every write, so a web
worker can tell cheaply whether the public content changed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gis_data.audit import as_utc
from gis_data.audit import record_audit
from gis_data.errors import ContentNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.errors import StaleContentError
from gis_data.plan_store import metadata

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("poi", "event", "closure")
STATUSES: tuple[str, ...] = ("draft", "published", "withdrawn")
#: What an item id looks like (the POI registry's rule, up to the column's 64 characters).
ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
#: Largest document, in bytes of JSON (a detailed closure polygon is well under this).
MAX_DOCUMENT_BYTES = 256 * 1024
MAX_NAME = 200

content_items = sa.Table(
    "content_items",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("item_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("draft", sa.Text, nullable=True),
    sa.Column("published", sa.Text, nullable=True),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("published_by", sa.String(64), nullable=True),
    sa.Index("ix_content_items_updated_at", "updated_at"),
)


@dataclass(frozen=True, slots=True)
class ContentItem:
    """One curated item: its pending draft, its published document and who did what when."""

    kind: str
    item_id: str
    name: str
    draft: dict[str, Any] | None
    published: dict[str, Any] | None
    withdrawn: bool
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    published_at: dt.datetime | None
    published_by: str | None

    @property
    def status(self) -> str:
        """Return ``"withdrawn"``, ``"published"`` or ``"draft"`` (never published)."""
        if self.withdrawn:
            return "withdrawn"
        return "published" if self.published is not None else "draft"

    @property
    def current(self) -> dict[str, Any] | None:
        """Return the document an editor starts from: the draft, else the published one."""
        return self.draft if self.draft is not None else self.published


@dataclass(frozen=True, slots=True)
class Published:
    """What visitors see of one kind: the published documents by id, and the ids withdrawn."""

    documents: dict[str, dict[str, Any]]
    withdrawn: frozenset[str]


def check_key(kind: str, item_id: str) -> None:
    """Check a kind and an item id.

    Raises
    ------
    ContentNotFoundError
        If the kind is unknown or the id malformed (no item can have it).

    Examples
    --------
    >>> check_key("poi", "luthier-davide-sora")
    >>> check_key("poi", "a b")
    Traceback (most recent call last):
    ...
    gis_data.errors.ContentNotFoundError: 'a b' is not an item id (letters, digits and . _ : - up to 64)
    """
    if kind not in KINDS:
        msg = f"Unknown content kind {kind!r}: use one of {', '.join(KINDS)}"
        raise ContentNotFoundError(msg)
    if not ITEM_ID.fullmatch(item_id):
        msg = f"{item_id!r} is not an item id (letters, digits and . _ : - up to 64)"
        raise ContentNotFoundError(msg)


def _load(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


def _item(row: sa.Row[Any]) -> ContentItem:
    return ContentItem(
        kind=row.kind,
        item_id=row.item_id,
        name=row.name,
        draft=_load(row.draft),
        published=_load(row.published),
        withdrawn=bool(row.withdrawn),
        revision=int(row.revision),
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by,
        published_at=as_utc(row.published_at) if row.published_at is not None else None,
        published_by=row.published_by,
    )


def item_key(kind: str, item_id: str) -> sa.ColumnElement[bool]:
    """Return the SQL condition that selects one item."""
    return sa.and_(content_items.c.kind == kind, content_items.c.item_id == item_id)


def read_item(connection: sa.Connection, kind: str, item_id: str) -> ContentItem | None:
    """Return a stored item, read on a connection (inside a caller's transaction), or ``None``."""
    row = connection.execute(sa.select(content_items).where(item_key(kind, item_id))).first()
    return _item(row) if row is not None else None


def find_item(engine: sa.Engine, kind: str, item_id: str) -> ContentItem | None:
    """Return a stored item, or ``None`` when staff never edited it.

    Raises
    ------
    ContentNotFoundError
        If the kind is unknown or the id malformed.
    """
    check_key(kind, item_id)
    with engine.connect() as connection:
        return read_item(connection, kind, item_id)


def list_items(
    engine: sa.Engine, kind: str, *, query: str = "", status: str = "", limit: int = 500
) -> list[ContentItem]:
    """Return the stored items of a kind, by name, optionally those whose name or id contains a text.

    Parameters
    ----------
    engine
        The database.
    kind
        One of :data:`KINDS`.
    query
        Text the name or id must contain (case-insensitive); empty keeps all.
    status
        ``"draft"``, ``"published"`` or ``"withdrawn"``; empty keeps all.
    limit
        Most items returned.
    """
    check_key(kind, "x")
    select = sa.select(content_items).where(content_items.c.kind == kind)
    if query.strip():
        pattern = "%" + query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        select = select.where(
            sa.or_(
                sa.func.lower(content_items.c.name).like(pattern, escape="\\"),
                sa.func.lower(content_items.c.item_id).like(pattern, escape="\\"),
            )
        )
    with engine.connect() as connection:
        rows = connection.execute(select.order_by(content_items.c.name, content_items.c.item_id)).all()
    items = [_item(row) for row in rows]
    return [i for i in items if not status or i.status == status][: max(1, limit)]


def published_content(engine: sa.Engine, kind: str) -> Published:
    """Return the published documents of a kind and the ids withdrawn from the public."""
    check_key(kind, "x")
    query = sa.select(content_items.c.item_id, content_items.c.published, content_items.c.withdrawn).where(
        content_items.c.kind == kind
    )
    documents: dict[str, dict[str, Any]] = {}
    withdrawn: set[str] = set()
    with engine.connect() as connection:
        for item_id, published, is_withdrawn in connection.execute(query):
            if is_withdrawn:
                withdrawn.add(item_id)
            elif published is not None:
                documents[item_id] = dict(json.loads(published))
    return Published(documents, frozenset(withdrawn))


def content_stamp(engine: sa.Engine) -> tuple[int, int]:
    """Return a value that changes with every write: (items, sum of their revisions); one cheap query."""
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(content_items.c.revision), 0))
    with engine.connect() as connection:
        count, total = connection.execute(query.select_from(content_items)).one()
    return int(count), int(total)


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
