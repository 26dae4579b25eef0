"""Check registry records, CSV or GeoJSON, and build their POIs, naming every problem's place.

Checks: the required columns, the row's width, the id (letters, digits and
``. _ : -``, unique in the file), the category (an id, alias or label), both or
neither of ``lat``/``lon`` and in range, ``opening_hours`` in OSM syntax, dates
as ``YYYY[-MM[-DD]]``, yes/no flags and e-mail addresses. Records that do not
give their source, licence, attribution or check date get the file's
:class:`Provenance`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Any

from poi.categories import parse_category
from poi.errors import InvalidPoiError
from poi.errors import UnknownCategoryError
from poi.model import FIELDS
from poi.model import Poi
from poi.model import check_date
from poi.model import check_latlon
from poi.model import check_opening_hours
from poi.model import parse_flag

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from collections.abc import Sequence

    from gis_data.poi_sources import CsvTable
    from gis_data.poi_sources import SourceRecord

REQUIRED: tuple[str, ...] = ("id", "name", "category")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a registry file: where it is and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Source, licence and check date for records of a file that do not give their own."""

    source: str
    licence: str = "not stated"
    attribution: str = ""
    last_checked: str = ""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What reading a registry found, and what importing it did."""

    file: str
    pois: tuple[Poi, ...]
    problems: tuple[Problem, ...]
    ignored_columns: tuple[str, ...] = ()
    geocoded: tuple[str, ...] = ()
    unplaced: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Tell whether the file has no problem."""
        return not self.problems

    def lines(self) -> list[str]:
        """Return the report as lines of text, problems first."""
        out = [f"{self.file}: {problem}" for problem in self.problems]
        if self.ignored_columns:
            out.append(f"{self.file}: ignored columns: {', '.join(self.ignored_columns)}")
        if self.problems:
            out.append(f"{self.file}: {len(self.problems)} problem(s); nothing imported")
            return out
        out.append(
            f"{self.file}: {len(self.pois)} record(s): {len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.geocoded)} placed on their street, "
            f"{len(self.unplaced)} without coordinates"
        )
        out += [f"  without coordinates: {poi_id}" for poi_id in self.unplaced]
        return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _coordinates(values: Mapping[str, Any], problems: list[str]) -> tuple[float, float] | None:
    lat_text, lon_text = _text(values.get("lat")), _text(values.get("lon"))
    if not lat_text and not lon_text:
        return None
    if not lat_text or not lon_text:
        problems.append("give both lat and lon, or neither")
        return None
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        problems.append(f"coordinates lat={lat_text!r} lon={lon_text!r} are not numbers")
        return None
    try:
        return check_latlon(lat, lon)
    except InvalidPoiError as exc:
        problems.append(str(exc))
        return None


def parse_record(values: Mapping[str, Any], defaults: Provenance) -> tuple[Poi | None, list[str]]:
    """Check one record's values and build its POI.

    Returns
    -------
    tuple
        The POI (``None`` if there is any problem) and the list of problems.

    Examples
    --------
    >>> p, problems = parse_record({"id": "x", "name": "X", "category": "museum"}, Provenance("t"))
    >>> p.category, p.source, problems
    ('museum', 't', [])
    >>> problems = parse_record({"id": "x y", "name": "", "lat": "95"}, Provenance("t"))[1]
    >>> for problem in problems:
    ...     print(problem)
    bad id 'x y' (letters, digits and . _ : - only)
    unknown category ''
    give both lat and lon, or neither
    """
    problems: list[str] = []
    poi_id = _text(values.get("id"))
    if not _ID.match(poi_id):
        problems.append(f"bad id {poi_id!r} (letters, digits and . _ : - only)")
    name = _text(values.get("name"))  # may be empty: many OSM taps and racks have none
    category = "other"
    try:
        category = parse_category(_text(values.get("category")))
    except UnknownCategoryError:
        problems.append(f"unknown category {_text(values.get('category'))!r}")
    where = _coordinates(values, problems)
    checked: dict[str, Any] = {}
    for key, check in (
        ("opening_hours", check_opening_hours),
        ("last_checked", check_date),
        ("bike_friendly", parse_flag),
    ):
        raw = values.get(key)
        try:
            checked[key] = raw if isinstance(raw, bool) else check(_text(raw))
        except InvalidPoiError as exc:
            problems.append(str(exc))
    email = _text(values.get("email"))
    if email and "@" not in email:
        problems.append(f"email {email!r} has no @")
    if problems:
        return None, problems
    fields: dict[str, Any] = {k: _text(values.get(k)) for k in FIELDS}
    precision = fields["precision"] if fields["precision"] in {"point", "street"} else "point"
    fields.update(
        checked,
        id=poi_id,
        name=name,
        category=category,
        lat=None if where is None else where[0],
        lon=None if where is None else where[1],
        precision="none" if where is None else precision,
    )
    poi = Poi(**fields)
    return _with_defaults(poi, defaults), []


def _with_defaults(poi: Poi, defaults: Provenance) -> Poi:
    return replace(
        poi,
        source=poi.source or defaults.source,
        licence=poi.licence or defaults.licence,
        attribution=poi.attribution or defaults.attribution or defaults.source,
        last_checked=poi.last_checked or defaults.last_checked,
    )


def _collect(
    items: Iterable[tuple[str, Mapping[str, Any], list[str]]], defaults: Provenance
) -> tuple[list[Poi], list[Problem]]:
    pois: list[Poi] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    for where, values, early in items:
        poi, found = parse_record(values, defaults)
        found = early + found
        poi_id = _text(values.get("id"))
        if poi_id in first_seen:
            found.append(f"duplicate id {poi_id!r} (first on {first_seen[poi_id]})")
        elif poi_id:
            first_seen[poi_id] = where
        problems += [Problem(where, message) for message in found]
        if poi is not None and not found:
            pois.append(poi)
    return pois, problems


def parse_table(table: CsvTable, defaults: Provenance, *, file: str = "") -> ImportReport:
    """Check a CSV registry and build its POIs, naming the line of every problem."""
    header = table.header
    problems = [Problem("line 1", f"missing column {c!r}") for c in REQUIRED if c not in header]
    problems += [Problem("line 1", f"column {c!r} appears twice") for c in set(header) if header.count(c) > 1]
    ignored = tuple(c for c in header if c not in FIELDS)
    if problems:
        return ImportReport(file, (), tuple(problems), ignored)

    def items() -> Iterable[tuple[str, Mapping[str, Any], list[str]]]:
        for line, row in table.rows:
            early = []
            if len(row) < len(header):
                missing = ", ".join(repr(c) for c in header[len(row) :])
                early.append(f"{len(row)} fields, expected {len(header)}: missing {missing}")
            elif len(row) > len(header):
                early.append(f"{len(row)} fields, expected {len(header)}: extra values")
            yield f"line {line}", dict(zip(header, row, strict=False)), early

    pois, found = _collect(items(), defaults)
    return ImportReport(file, tuple(pois), tuple(found), ignored)


def parse_features(records: Sequence[SourceRecord], defaults: Provenance, *, file: str = "") -> ImportReport:
    """Check a GeoJSON registry and build its POIs, naming the feature of every problem."""

    def items() -> Iterable[tuple[str, Mapping[str, Any], list[str]]]:
        for rec in records:
            values = dict(rec.properties)
            geom, early = rec.geometry, []
            if geom is not None and geom.get("type") != "Point":
                early.append(f"geometry is a {geom.get('type')}, expected a Point or null")
            elif geom is not None:
                found = geom.get("coordinates")
                coords = list(found) if isinstance(found, list | tuple) else []
                if len(coords) < 2:
                    early.append("Point without coordinates")
                else:
                    values["lon"], values["lat"] = coords[0], coords[1]
            yield rec.where, values, early

    pois, found = _collect(items(), defaults)
    return ImportReport(file, tuple(pois), tuple(found))
