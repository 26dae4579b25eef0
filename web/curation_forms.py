"""The content editor's forms: which fields each kind has, how posted values are read and checked, and diffs.

No Flask request here: the views (:mod:`web.curation`) pass the posted form in.
The checks themselves are those of the imports (:mod:`poi.content`,
:mod:`poi.content_closures`); this module only picks the right one per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from flask_babel import lazy_gettext as _l

from poi.categories import CATEGORIES
from poi.content import EVENT_FORM_FIELDS
from poi.content import POI_FORM_FIELDS
from poi.content import Checked
from poi.content import check_event
from poi.content import check_poi
from poi.content import form_text
from poi.content_closures import CLOSURE_FORM_FIELDS
from poi.content_closures import MAX_GEOMETRY_CHARS
from poi.content_closures import check_closure
from poi.content_closures import closure_form_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from flask_babel.speaklater import LazyString

#: Longest text read from one field (a pasted closure geometry may be longer).
MAX_FIELD_CHARS = 2000
#: Fields shown as several lines.
LONG_FIELDS = frozenset({"description_it", "description_en", "notes", "opening_hours_text", "geometry"})
NUMBER_FIELDS = frozenset({"lat", "lon", "radius_m"})

KIND_LABELS: dict[str, LazyString] = {
    "poi": _l("Points of interest"),
    "event": _l("Events"),
    "closure": _l("Closures"),
}
FIELD_LABELS: dict[str, LazyString] = {
    "name": _l("Name"),
    "category": _l("Category"),
    "lat": _l("Latitude"),
    "lon": _l("Longitude"),
    "address": _l("Address"),
    "comune": _l("Comune"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "website": _l("Website"),
    "opening_hours": _l("Opening hours (OSM syntax)"),
    "opening_hours_text": _l("Opening hours (as published)"),
    "description_it": _l("Description (Italian)"),
    "description_en": _l("Description (English)"),
    "bike_friendly": _l("Bike friendly (yes/no)"),
    "source": _l("Source"),
    "source_url": _l("Source URL"),
    "licence": _l("Licence"),
    "attribution": _l("Attribution"),
    "last_checked": _l("Last checked (YYYY-MM-DD)"),
    "notes": _l("Notes"),
    "venue": _l("Venue"),
    "start_date": _l("First day (YYYY-MM-DD)"),
    "end_date": _l("Last day (YYYY-MM-DD)"),
    "usual_period": _l("Usual period (when undated)"),
    "organiser": _l("Organiser"),
    "start": _l("From (YYYY-MM-DD, or MM-DD every year)"),
    "end": _l("To (YYYY-MM-DD, or MM-DD every year)"),
    "reason": _l("Reason"),
    "radius_m": _l("Radius (m)"),
    "geometry": _l("Or a GeoJSON polygon or line"),
}
FIELD_HELP: dict[str, LazyString] = {
    "opening_hours": _l("For example Tu-Sa 09:00-12:30,15:00-19:00; PH off"),
    "geometry": _l("Leave empty to close a circle around the latitude and longitude."),
}


def form_fields(kind: str) -> tuple[str, ...]:
    """Return the fields of a kind's form, in order.

    Examples
    --------
    >>> form_fields("closure")[:3]
    ('name', 'start', 'end')
    """
    return {"poi": POI_FORM_FIELDS, "event": EVENT_FORM_FIELDS, "closure": CLOSURE_FORM_FIELDS}[kind]


def posted_values(kind: str, form: Mapping[str, str]) -> dict[str, str]:
    """Return a kind's fields from a posted form, stripped and cut to a sane length.

    Examples
    --------
    >>> posted_values("closure", {"name": " Moso ", "other": "x"})["name"]
    'Moso'
    """
    longest = {"geometry": MAX_GEOMETRY_CHARS}
    return {key: str(form.get(key, "")).strip()[: longest.get(key, MAX_FIELD_CHARS)] for key in form_fields(kind)}


def check_values(
    kind: str,
    values: Mapping[str, str],
    *,
    item_id: str,
    organisation: str,
    previous: Mapping[str, Any] | None = None,
) -> Checked:
    """Check a kind's form values with the rules of its imports.

    ``organisation`` is the default source; ``previous`` the document being edited (see :func:`poi.content.check_poi`).
    """
    if kind == "poi":
        return check_poi(values, item_id=item_id, source=organisation, previous=previous)
    if kind == "event":
        return check_event(values, item_id=item_id, source=organisation)
    return check_closure(values, item_id=item_id)


def document_values(kind: str, document: Mapping[str, Any] | None) -> dict[str, str]:
    """Return a stored document as the text of its form (empty fields for no document)."""
    if document is None:
        return dict.fromkeys(form_fields(kind), "")
    if kind == "closure":
        return closure_form_text(document)
    return form_text(document, form_fields(kind))


def document_name(kind: str, document: Mapping[str, Any]) -> str:
    """Return the name a document gives its item (a closure keeps it in its properties).

    Examples
    --------
    >>> document_name("closure", {"properties": {"name": "Moso"}}), document_name("poi", {"name": "Museo"})
    ('Moso', 'Museo')
    """
    values = document.get("properties") or {} if kind == "closure" else document
    return str(values.get("name") or "")


def id_prefix(kind: str, values: Mapping[str, str]) -> str:
    """Return the prefix of a new item's id: a POI's category (as the data sets do), else the kind.

    Examples
    --------
    >>> id_prefix("poi", {"category": "luthier"}), id_prefix("poi", {"category": "??"}), id_prefix("event", {})
    ('luthier', 'poi', 'event')
    """
    if kind == "poi":
        category = values.get("category", "")
        return category if category in CATEGORIES else "poi"
    return kind


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One field of the preview: its published and draft text, and whether it changes."""

    field: str
    published: str
    draft: str

    @property
    def changed(self) -> bool:
        """Tell whether publishing the draft changes this field."""
        return self.published != self.draft


def diff_rows(kind: str, published: Mapping[str, Any] | None, draft: Mapping[str, Any] | None) -> list[DiffRow]:
    """Return the form fields of a kind with their published and draft text.

    Examples
    --------
    >>> rows = diff_rows("closure", None, {"geometry": None, "properties": {"name": "Moso"}})
    >>> [(r.field, r.published, r.draft) for r in rows if r.changed]
    [('name', '', 'Moso')]
    """
    before, after = document_values(kind, published), document_values(kind, draft)
    return [DiffRow(key, before.get(key, ""), after.get(key, "")) for key in form_fields(kind)]
