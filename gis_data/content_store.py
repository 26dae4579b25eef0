"""Content curated by staff: POIs, events and closures as draft and published documents, every change audited.

An item is keyed by ``(kind, item_id)``, kind one of :data:`KINDS`. Its
``draft`` is the pending edit, its ``published`` document what visitors see;
``withdrawn`` takes a published item (or the embedded record of the same id)
off the public map without forgetting it. The documents are JSON objects the
store does not interpret: :mod:`poi.content` checks them before they are saved.
This module holds the table, the item model and the reads; the writes are in
:mod:`gis_data.content_actions`.

Every write runs in one transaction with its row of the audit trail
(:func:`gis_data.audit.record_audit`, ``before``/``after`` the documents), and
bumps the item's ``revision``: a write names the revision it was made from, and
is refused with :class:`~gis_data.errors.StaleContentError` if someone else
wrote in between (checked again by the ``UPDATE`` itself, so two workers
cannot both win). :func:`content_stamp` changes with every write, so a web
worker can tell cheaply whether the public content changed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa

from gis_data.audit import as_utc
from gis_data.errors import ContentNotFoundError
from gis_data.plan_store import metadata

if TYPE_CHECKING:
    import datetime as dt

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
