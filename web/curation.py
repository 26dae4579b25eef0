"""The content editor (the ``curation`` blueprint, under ``/staff/content``): POIs, events and closures.

Routes (``<kind>`` is ``poi``, ``event`` or ``closure``)
--------------------------------------------------------
``GET /staff/content/<kind>``
    The items staff edited, by state (draft, published, withdrawn), searchable
    by name; with a search, also the public records (embedded data) to edit.
``GET|POST /staff/content/<kind>/new``
    A new item: the form, checked as the imports check files; saved as a draft.
``GET /staff/content/<kind>/<item_id>``
    The item: the draft against what visitors see now, field by field, the
    Publish / Withdraw / Discard buttons and its history from the audit trail.
``GET|POST /staff/content/<kind>/<item_id>/edit``
    Edit the item's draft; an embedded record not edited before starts from itself.
``POST /staff/content/<kind>/<item_id>/publish|withdraw|discard``
    Change what visitors see (CSRF-protected forms, like every form).

Both roles may draft and publish: the Infopoints and Pro Loco answer for their
own content, every change is in the audit trail with its values before and
after, and a publication can be undone by the next one or withdrawn. Only
administrators manage accounts (:mod:`web.staff_admin`). Forms carry the
item's revision, so an edit made on a stale copy is refused (409) instead of
silently overwriting a colleague's work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from gis_data.content_actions import discard_draft
from gis_data.content_actions import publish
from gis_data.content_actions import save_draft
from gis_data.content_actions import withdraw
from gis_data.content_store import KINDS
from gis_data.content_store import STATUSES
from gis_data.content_store import ContentItem
from gis_data.content_store import find_item
from gis_data.content_store import list_items
from gis_data.errors import ContentNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.errors import StaleContentError
from gis_data.staff_store import list_audit
from poi.categories import CATEGORIES
from poi.categories import category_label
from poi.content import new_item_id
from web.auth import current_staff
from web.auth import staff_required
from web.content import refresh
from web.curation_forms import FIELD_HELP
from web.curation_forms import FIELD_LABELS
from web.curation_forms import KIND_LABELS
from web.curation_forms import LONG_FIELDS
from web.curation_forms import NUMBER_FIELDS
from web.curation_forms import check_values
from web.curation_forms import diff_rows
from web.curation_forms import document_name
from web.curation_forms import document_values
from web.curation_forms import form_fields
from web.curation_forms import id_prefix
from web.curation_forms import posted_values
from web.curation_public import public_document
from web.curation_public import public_ids
from web.curation_public import public_matches
from web.i18n import current_language
from web.plans import get_store
from web.staff_pages import audit_changes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from werkzeug.wrappers import Response as BaseResponse

bp = Blueprint("curation", __name__, url_prefix="/staff/content")

#: Longest search text.
MAX_QUERY = 100
#: Most rows of an item's history.
HISTORY_ROWS = 50


def _staff_name() -> tuple[str, str]:
    staff = current_staff()
    assert staff is not None  # the views are guarded by staff_required
    return staff.username, staff.organisation


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


def _revision(form: Mapping[str, str]) -> int | None:
    text = form.get("revision", "")
    return int(text) if text.isdigit() else None


def _load(kind: str, item_id: str) -> tuple[ContentItem | None, dict[str, Any] | None]:
    """Return the stored item and the public record of the embedded data; 404 when neither exists."""
    try:
        stored = find_item(get_store(), _kind(kind), item_id)
    except ContentNotFoundError:
        abort(404)
    base = public_document(kind, item_id)
    if stored is None and base is None:
        abort(404)
    return stored, base


def _form_page(
    kind: str, values: Mapping[str, str], *, item: ContentItem | None, item_id: str | None, problems: tuple[str, ...]
) -> str:
    """Render the form; a posted form keeps the revision it was made from."""
    revision = request.form.get("revision", "") if request.method == "POST" else (item.revision if item else "")
    categories = [(c, category_label(c, lang=current_language())) for c in CATEGORIES]
    return render_template(
        "staff/content_edit.html",
        kind=kind,
        kind_label=KIND_LABELS[kind],
        fields=form_fields(kind),
        labels=FIELD_LABELS,
        help=FIELD_HELP,
        long_fields=LONG_FIELDS,
        number_fields=NUMBER_FIELDS,
        values=values,
        item=item,
        item_id=item_id,
        revision=revision,
        problems=problems,
        categories=categories,
    )


@bp.get("/")
@staff_required("editor")
def index() -> BaseResponse:
    """Open the list of points of interest."""
    return redirect(url_for("curation.items", kind="poi"))


@bp.get("/<kind>")
@staff_required("editor")
def items(kind: str) -> str:
    """List the items staff edited (by state, matching ``q``) and, with ``q``, the public records."""
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    stored = list_items(get_store(), _kind(kind), query=query, status=status)
    known = {i.item_id for i in stored}
    public = public_matches(kind, query) if query and not status else []
    return render_template(
        "staff/content_list.html",
        kind=kind,
        kinds=KIND_LABELS,
        stored=stored,
        public=[p for p in public if p[0] not in known],
        query=query,
        status=status,
    )


@bp.route("/<kind>/new", methods=["GET", "POST"])
@staff_required("editor")
def new(kind: str) -> BaseResponse | str | tuple[str, int]:
    """Show an empty form, or check it and save the new item as a draft."""
    if request.method == "GET":
        return _form_page(_kind(kind), document_values(kind, None), item=None, item_id=None, problems=())
    values = posted_values(_kind(kind), request.form)
    actor, organisation = _staff_name()
    taken = public_ids(kind) | {i.item_id for i in list_items(get_store(), kind)}
    item_id = new_item_id(id_prefix(kind, values), values.get("name", ""), taken)
    checked = check_values(kind, values, item_id=item_id, organisation=organisation)
    if checked.document is None:
        return _form_page(kind, values, item=None, item_id=None, problems=checked.problems), 400
    return _save(kind, item_id, values, checked.document, actor=actor, item=None)


def _save(
    kind: str,
    item_id: str,
    values: Mapping[str, str],
    document: dict[str, Any],
    *,
    actor: str,
    item: ContentItem | None,
    base: dict[str, Any] | None = None,
) -> BaseResponse | tuple[str, int]:
    try:
        save_draft(
            get_store(),
            kind,
            item_id,
            document,
            name=document_name(kind, document),
            actor=actor,
            revision=_revision(request.form),  # the one the form was made from: a stale copy is refused
            current=base,
        )
    except (StaleContentError, InvalidDataError) as exc:
        status = 409 if isinstance(exc, StaleContentError) else 400
        return _form_page(kind, values, item=item, item_id=item_id, problems=(str(exc),)), status
    flash(_("Draft saved. Check it below, then publish it."), "info")
    return redirect(url_for("curation.item", kind=kind, item_id=item_id), code=303)


@bp.get("/<kind>/<item_id>")
@staff_required("editor")
def item(kind: str, item_id: str) -> str:
    """Show an item: its draft against what visitors see, the actions, and its history."""
    stored, base = _load(kind, item_id)
    public = stored.published if stored is not None and stored.published is not None else base
    draft = stored.draft if stored is not None else None
    history = list_audit(get_store(), target_kind=kind, target_id=item_id, limit=HISTORY_ROWS)
    name = document_name(kind, draft or public or {}) or item_id
    return render_template(
        "staff/content_item.html",
        kind=kind,
        kind_label=KIND_LABELS[kind],
        item_id=item_id,
        name=name,
        stored=stored,
        # What visitors see: an embedded record never published by staff is public all the same.
        status="withdrawn" if stored is not None and stored.withdrawn else "published" if public else "draft",
        rows=diff_rows(kind, public, draft if draft is not None else public),
        has_draft=draft is not None,
        labels=FIELD_LABELS,
        history=[(entry, audit_changes(entry)) for entry in history],
    )


@bp.route("/<kind>/<item_id>/edit", methods=["GET", "POST"])
@staff_required("editor")
def edit(kind: str, item_id: str) -> BaseResponse | str | tuple[str, int]:
    """Show the item's form (its draft, else what visitors see), or check it and save the draft."""
    stored, base = _load(kind, item_id)
    if request.method == "GET":
        start = stored.current if stored is not None and stored.current is not None else base
        return _form_page(kind, document_values(kind, start), item=stored, item_id=item_id, problems=())
    values = posted_values(kind, request.form)
    actor, organisation = _staff_name()
    previous = stored.current if stored is not None and stored.current is not None else base
    checked = check_values(kind, values, item_id=item_id, organisation=organisation, previous=previous)
    if checked.document is None:
        return _form_page(kind, values, item=stored, item_id=item_id, problems=checked.problems), 400
    return _save(kind, item_id, values, checked.document, actor=actor, item=stored, base=base)


def _act(kind: str, item_id: str, done: str, action: Any) -> BaseResponse:
    """Run a publish/withdraw/discard, then go back to the item (or the list) with a message."""
    try:
        action()
    except (ContentNotFoundError, StaleContentError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("curation.item", kind=kind, item_id=item_id), code=303)
    refresh()  # this worker shows the change at once; the others within CONTENT_CHECK_S
    flash(done, "info")
    try:
        find = find_item(get_store(), kind, item_id) or public_document(kind, item_id)
    except ContentNotFoundError:
        find = None
    target = url_for("curation.item", kind=kind, item_id=item_id) if find else url_for("curation.items", kind=kind)
    return redirect(target, code=303)


@bp.post("/<kind>/<item_id>/publish")
@staff_required("editor")
def publish_item(kind: str, item_id: str) -> BaseResponse:
    """Publish the item's draft (or publish a withdrawn item again)."""
    _stored, base = _load(kind, item_id)
    actor, _organisation = _staff_name()
    revision = _revision(request.form)
    return _act(
        kind,
        item_id,
        _("Published: visitors see it now."),
        lambda: publish(get_store(), kind, item_id, actor=actor, revision=revision, current=base),
    )


@bp.post("/<kind>/<item_id>/withdraw")
@staff_required("editor")
def withdraw_item(kind: str, item_id: str) -> BaseResponse:
    """Take the item off the public map and API."""
    _stored, base = _load(kind, item_id)
    actor, _organisation = _staff_name()
    revision = _revision(request.form)
    name = document_name(kind, base or {})
    return _act(
        kind,
        item_id,
        _("Withdrawn: visitors no longer see it."),
        lambda: withdraw(get_store(), kind, item_id, actor=actor, revision=revision, current=base, name=name),
    )


@bp.post("/<kind>/<item_id>/discard")
@staff_required("editor")
def discard_item(kind: str, item_id: str) -> BaseResponse:
    """Drop the item's unpublished draft."""
    _load(kind, item_id)
    actor, _organisation = _staff_name()
    revision = _revision(request.form)
    return _act(
        kind,
        item_id,
        _("Draft discarded."),
        lambda: discard_draft(get_store(), kind, item_id, actor=actor, revision=revision),
    )
