"""The rows of a GPX report: one finding each, with its level, location and source line.

The importer (:mod:`gis_data.gpx_import`) notes what it had to guess and the
validator (:mod:`gis_data.gpx_validate`) what is wrong; both collect their
rows in :class:`Findings`, which lists the first few of each kind and counts
the rest, so a track with a million repeated points gives a short report.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Literal

Level = Literal["error", "warning", "info"]
#: Findings of one kind listed one by one before they are only counted.
FINDINGS_PER_KIND = 20


@dataclass(frozen=True, slots=True)
class GPXIssue:
    """One finding about a GPX document: how bad, where (and on which line), and what.

    Examples
    --------
    >>> str(GPXIssue("warning", "trk[1]/trkseg[2]", "empty segment", 43))
    'warning trk[1]/trkseg[2] (line 43): empty segment'
    """

    level: Level
    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        line = f" (line {self.line})" if self.line else ""
        return f"{self.level} {self.location or 'gpx'}{line}: {self.message}"


@dataclass(slots=True)
class Findings:
    """Collects issues, listing the first few of each kind and counting the rest.

    Examples
    --------
    >>> findings = Findings()
    >>> for n in range(FINDINGS_PER_KIND + 3):
    ...     findings.add("duplicate", GPXIssue("warning", f"wpt[{n + 1}]", "repeats the previous point"))
    >>> rows = findings.result()
    >>> len(rows), str(rows[-1])
    (21, "info gpx: 3 more issue(s) like 'duplicate'")
    """

    issues: list[GPXIssue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, issue: GPXIssue) -> None:
        """Record ``issue`` under ``kind``."""
        seen = self.counts.get(kind, 0)
        self.counts[kind] = seen + 1
        if seen < FINDINGS_PER_KIND:
            self.issues.append(issue)

    def result(self) -> tuple[GPXIssue, ...]:
        """Return the issues, with one summary row per kind that overflowed."""
        extra = [
            GPXIssue("info", "gpx", f"{n - FINDINGS_PER_KIND} more issue(s) like '{kind}'")
            for kind, n in self.counts.items()
            if n > FINDINGS_PER_KIND
        ]
        return (*self.issues, *extra)
