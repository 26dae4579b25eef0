"""Privacy-safe usage indicators: monthly counts of what visitors plan, download and print.

The tourism observatory's numbers live in the ``usage_counts`` table (migration
``0002``): one row per ``(month, event, dimension, value)`` with a ``count``.

Events
    ``itinerary`` (a route or itinerary planned), ``gpx`` (a GPX file
    downloaded), ``sheet`` (a printable sheet PDF made).
Dimensions
    ``total`` (value ``""``: every event once), ``route`` (a named cycle route
    the plan rides on), ``category`` (a POI category of its stops), ``comune``
    (the comune of its start and of each stop) and ``infopoint`` (the
    Infopoint desk that printed or planned it).

Privacy
-------
Nothing personal is stored, by construction: no IP address, no user agent, no
cookie or account name, no coordinates, no timestamp finer than the month (UTC),
and no text a visitor typed. Every value comes from a closed set the server
owns: the names of the cycle-route registry or of the graph's route relations,
the POI category ids, the ISTAT comuni of the province and the four Infopoints.
A row is a count of many visits, never one visit.

Writes are UPSERTs that add to the stored count, so any number of processes can
add their counts to one database at once (SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from gis_data.errors import InvalidDataError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping

logger = logging.getLogger(__name__)

#: What is counted, in the order the dashboard shows them.
EVENTS = ("itinerary", "gpx", "sheet")
#: How an event is broken down; ``total`` has the value ``""``.
DIMENSIONS = ("total", "route", "category", "comune", "infopoint")
#: Longest value the table holds.
MAX_VALUE_LENGTH = 200
#: The columns of the CSV export, in order.
CSV_COLUMNS = ("month", "event", "dimension", "value", "count")
MONTH_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

metadata = sa.MetaData()

#: The table the migration creates; the code reads and writes it through this description.
usage_counts = sa.Table(
    "usage_counts",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("event", sa.String(16), primary_key=True),
    sa.Column("dimension", sa.String(16), primary_key=True),
    sa.Column("value", sa.String(MAX_VALUE_LENGTH), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)


@dataclass(frozen=True, slots=True, order=True)
class UsageKey:
    """One counter: a month, an event and one value of one dimension."""

    month: str
    event: str
    dimension: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class UsageCount:
    """A stored counter and its count."""

    month: str
    event: str
    dimension: str
    value: str
    count: int


def month_of(when: dt.datetime) -> str:
    """Return the ``YYYY-MM`` month of a time, in UTC (naive times are taken as UTC).

    Examples
    --------
    >>> month_of(dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2))))
    '2026-06'
    >>> month_of(dt.datetime(2026, 1, 2))
    '2026-01'
    """
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return f"{when.year:04d}-{when.month:02d}"


def check_month(text: str, name: str = "month") -> str:
    """Return a ``YYYY-MM`` month unchanged, or raise naming the bad value.

    Raises
    ------
    InvalidDataError
        If the text is not a month such as ``2026-06``.

    Examples
    --------
    >>> check_month("2026-06")
    '2026-06'
    >>> check_month("2026-13")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidDataError: month '2026-13' is not a month like 2026-06 (YYYY-MM)
    """
    if not MONTH_PATTERN.fullmatch(text):
        msg = f"{name} {text!r} is not a month like 2026-06 (YYYY-MM)"
        raise InvalidDataError(msg)
    return text


def check_key(key: UsageKey) -> UsageKey:
    """Return a counter key unchanged, or raise naming what is not allowed in it.

    Raises
    ------
    InvalidDataError
        If the month is malformed, the event or dimension unknown, the value too
        long, or a ``total`` has a value.

    Examples
    --------
    >>> check_key(UsageKey("2026-06", "gpx", "comune", "Crema")).value
    'Crema'
    """
    check_month(key.month)
    if key.event not in EVENTS:
        msg = f"Unknown usage event {key.event!r}; known: {', '.join(EVENTS)}"
        raise InvalidDataError(msg)
    if key.dimension not in DIMENSIONS:
        msg = f"Unknown usage dimension {key.dimension!r}; known: {', '.join(DIMENSIONS)}"
        raise InvalidDataError(msg)
    if (key.dimension == "total") != (key.value == ""):
        msg = f"Dimension {key.dimension!r} cannot have the value {key.value!r} (only 'total' has none)"
        raise InvalidDataError(msg)
    if len(key.value) > MAX_VALUE_LENGTH:
        msg = f"Usage value {key.value[:40]!r}... is longer than {MAX_VALUE_LENGTH} characters"
        raise InvalidDataError(msg)
    return key


def increment(engine: sa.Engine, counts: Mapping[UsageKey, int]) -> int:
    """Add counts to the stored counters in one transaction.

    Parameters
    ----------
    engine
        The database, with its schema up to date
        (:func:`gis_data.plan_store.upgrade_database`).
    counts
        How much to add to each counter; counts of 0 are skipped.

    Returns
    -------
    int
        How many counters were written.

    Raises
    ------
    InvalidDataError
        If a key is not allowed (:func:`check_key`), a count is negative, or the
        database is neither SQLite nor PostgreSQL.
    """
    rows = []
    for key in sorted(counts):  # one lock order for every writer: concurrent PostgreSQL upserts never deadlock
        amount = int(counts[key])
        if amount < 0:
            msg = f"Cannot add a negative count {amount} to {key}"
            raise InvalidDataError(msg)
        if amount:
            check_key(key)
            rows.append(
                {
                    "month": key.month,
                    "event": key.event,
                    "dimension": key.dimension,
                    "value": key.value,
                    "count": amount,
                }
            )
    if not rows:
        return 0
    dialect = engine.dialect.name
    if dialect == "sqlite":
        insert: sqlite.Insert | postgresql.Insert = sqlite.insert(usage_counts)
    elif dialect == "postgresql":
        insert = postgresql.insert(usage_counts)
    else:
        msg = f"Usage counts need SQLite or PostgreSQL, not {dialect!r}"
        raise InvalidDataError(msg)
    upsert = insert.on_conflict_do_update(
        index_elements=[c for c in usage_counts.primary_key.columns],
        set_={"count": usage_counts.c.count + insert.excluded["count"]},
    )
    with engine.begin() as connection:
        connection.execute(upsert, rows)
    logger.debug("Added usage counts to %d counters", len(rows))
    return len(rows)


def read_counts(
    engine: sa.Engine, *, since_month: str | None = None, until_month: str | None = None
) -> list[UsageCount]:
    """Read the stored counters, optionally of a range of months (both ends included).

    Parameters
    ----------
    engine
        The database.
    since_month, until_month
        ``YYYY-MM`` bounds; ``None`` leaves that end open.

    Returns
    -------
    list of UsageCount
        Sorted by month, event, dimension, then by count (largest first) and value.

    Raises
    ------
    InvalidDataError
        If a bound is not a month.
    """
    t = usage_counts
    query = sa.select(t.c.month, t.c.event, t.c.dimension, t.c.value, t.c.count)
    if since_month is not None:
        query = query.where(t.c.month >= check_month(since_month, "since_month"))
    if until_month is not None:
        query = query.where(t.c.month <= check_month(until_month, "until_month"))
    query = query.order_by(t.c.month, t.c.event, t.c.dimension, t.c.count.desc(), t.c.value)
    with engine.connect() as connection:
        return [
            UsageCount(month, event, dim, value, int(n)) for month, event, dim, value, n in connection.execute(query)
        ]


def to_csv(counts: Iterable[UsageCount]) -> str:
    """Return counters as CSV text: a header ``month,event,dimension,value,count``, then one row each.

    Examples
    --------
    >>> print(to_csv([UsageCount("2026-06", "gpx", "comune", "Crema", 3)]), end="")
    month,event,dimension,value,count
    2026-06,gpx,comune,Crema,3
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows((c.month, c.event, c.dimension, c.value, c.count) for c in counts)
    return out.getvalue()
