"""The indicators dashboard's numbers: stored counters arranged per month and per value.

Pure functions over :class:`gis_data.usage_store.UsageCount` rows; the page
(:mod:`web.indicators`) draws them as charts and as tables with the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gis_data.usage_store import EVENTS

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence

    from gis_data.usage_store import UsageCount

#: The dimensions broken down on the dashboard (``total`` is the per-month chart).
BREAKDOWNS = ("route", "category", "comune", "infopoint")
#: Most values shown per breakdown (the CSV export has them all).
TOP = 15


@dataclass(frozen=True, slots=True)
class Row:
    """One value of a breakdown and its count per event."""

    value: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """Return the sum over the events."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class Summary:
    """The dashboard's numbers: events per month, and the top values of each breakdown."""

    months: tuple[str, ...]
    per_month: tuple[Row, ...]
    breakdowns: dict[str, tuple[Row, ...]]
    events: tuple[str, ...] = EVENTS

    @property
    def empty(self) -> bool:
        """Tell whether nothing was counted in the months shown."""
        return not any(r.total for r in self.per_month)


def month_range(first: str, last: str) -> list[str]:
    """Return every ``YYYY-MM`` month from ``first`` to ``last``, both included.

    Examples
    --------
    >>> month_range("2025-11", "2026-02")
    ['2025-11', '2025-12', '2026-01', '2026-02']
    >>> month_range("2026-03", "2026-01")
    []
    """
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def per_month(counts: Iterable[UsageCount], months: Sequence[str]) -> tuple[Row, ...]:
    """Return one row per month with the ``total`` count of each event (0 when none).

    Examples
    --------
    >>> from gis_data.usage_store import UsageCount
    >>> per_month([UsageCount("2026-06", "gpx", "total", "", 4)], ["2026-05", "2026-06"])
    (Row(value='2026-05', counts=(0, 0, 0)), Row(value='2026-06', counts=(0, 4, 0)))
    """
    table: dict[tuple[str, str], int] = defaultdict(int)
    for c in counts:
        if c.dimension == "total":
            table[c.month, c.event] += c.count
    return tuple(Row(m, tuple(table[m, e] for e in EVENTS)) for m in months)


def breakdown(counts: Iterable[UsageCount], dimension: str, *, limit: int = TOP) -> tuple[Row, ...]:
    """Return the values of a dimension with their counts per event, summed over the months, largest first.

    Examples
    --------
    >>> from gis_data.usage_store import UsageCount
    >>> rows = [UsageCount("2026-05", "itinerary", "comune", "Crema", 2),
    ...         UsageCount("2026-06", "sheet", "comune", "Crema", 1),
    ...         UsageCount("2026-06", "itinerary", "comune", "Cremona", 5)]
    >>> [(r.value, r.counts) for r in breakdown(rows, "comune")]
    [('Cremona', (5, 0, 0)), ('Crema', (2, 0, 1))]
    """
    table: dict[str, list[int]] = defaultdict(lambda: [0] * len(EVENTS))
    for c in counts:
        if c.dimension == dimension and c.event in EVENTS:
            table[c.value][EVENTS.index(c.event)] += c.count
    rows = [Row(value, tuple(n)) for value, n in table.items()]
    rows.sort(key=lambda r: (-r.total, r.value))
    return tuple(rows[:limit])


def summarize(counts: Sequence[UsageCount], *, since: str | None = None, until: str | None = None) -> Summary:
    """Arrange counters for the dashboard over the months asked, or those that have counts.

    Parameters
    ----------
    counts
        Counters, e.g. from :func:`gis_data.usage_store.read_counts`.
    since, until
        The first and last month shown; by default the first and last with counts.

    Returns
    -------
    Summary
        Every month of the range (also those without counts) and each breakdown's top values.
    """
    stored = sorted({c.month for c in counts})
    first = since or (stored[0] if stored else until)
    last = until or (stored[-1] if stored else since)
    months = month_range(first, last) if first and last else []
    return Summary(
        months=tuple(months),
        per_month=per_month(counts, months),
        breakdowns={d: breakdown(counts, d) for d in BREAKDOWNS},
    )
