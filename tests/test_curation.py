"""Content curated by staff: the store (draft, publish, withdraw, audit), the checks, the editor and the public side.

The web tests sign in through the real sign-in form with its CSRF token, on
one app per module (the graph loads once) and its own SQLite database; items
are distinct per test, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from gis_data import content_actions
from gis_data import staff_store
from gis_data.audit import audit_log
from gis_data.content_actions import discard_draft
from gis_data.content_actions import publish
from gis_data.content_actions import save_draft
from gis_data.content_actions import withdraw
from gis_data.content_store import content_stamp
from gis_data.content_store import find_item
from gis_data.content_store import list_items
from gis_data.content_store import published_content
from gis_data.errors import ContentNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.errors import StaleContentError
from gis_data.plan_store import connect
from gis_data.plan_store import upgrade_database
from gis_data.staff_store import list_audit
from poi.content import check_event
from poi.content import check_poi
from poi.content_closures import check_closure
from web import create_app
from web.content import EXTENSION as CONTENT
from web.content import public_events
from web.plans import close_store
from web.plans import get_store
from web.pois import get_pois

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from flask import Flask
    from flask.testing import FlaskClient

EDITOR, EDITOR_PASSWORD = "bruno", "violino e torrone 1"
ADMIN, ADMIN_PASSWORD = "anna", "correct horse battery"
#: A real luthier of the embedded curated POIs.
SORA = "luthier-davide-sora"
PIAZZA = "45.1334,10.0246"
STATION = "45.1433,10.0180"
QUICK = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
POI = {"name": "Bottega Test", "category": "luthier", "lat": "45.1336", "lon": "10.0241", "comune": "Cremona"}


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = connect(f"sqlite:///{tmp_path / 'plans.sqlite'}")
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    database = tmp_path_factory.mktemp("curation") / "plans.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff_store, "hasher", QUICK)
        app = create_app(
            {"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{database}", "CONTENT_CHECK_S": 0}
        )
        with app.app_context():
            add_staff(get_store())
        yield app
    close_store(app)


def add_staff(engine: sa.Engine) -> None:
    """Create the admin ``anna`` (Infopoint Cremona) and the editor ``bruno`` (Pro Loco Soncino)."""
    staff_store.create_account(engine, ADMIN, ADMIN_PASSWORD, role="admin", organisation="Infopoint Cremona", actor="t")
    staff_store.create_account(
        engine, EDITOR, EDITOR_PASSWORD, role="editor", organisation="Pro Loco Soncino", actor="t"
    )


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, username: str = EDITOR, password: str = EDITOR_PASSWORD) -> None:
    """Sign in through the sign-in form."""
    token = csrf_token(client.get("/staff/sign-in").text)
    answer = client.post("/staff/sign-in", data={"username": username, "password": password, "csrf_token": token})
    assert answer.status_code == 302, answer.text


def form_values(html: str) -> dict[str, str]:
    """Return the values of a page's text inputs, selects and text areas (as a browser would post them)."""
    values = dict(re.findall(r'<input id="f-[a-z_]+" name="([a-z_]+)" value="([^"]*)"', html))
    values.update(re.findall(r'<textarea id="f-[a-z_]+" name="([a-z_]+)"[^>]*>([^<]*)</textarea>', html))
    for name, options in re.findall(r'<select id="f-[a-z_]+" name="([a-z_]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        values[name] = chosen.group(1) if chosen else ""
    values["csrf_token"] = csrf_token(html)
    values["revision"] = re.search(r'name="revision" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]
    return {k: v.replace("&amp;", "&").replace("&#39;", "'").replace("&#34;", '"') for k, v in values.items()}


def edit(client: FlaskClient, kind: str, item_id: str, changes: dict[str, str], *, status: int = 303) -> str:
    """Open an item's form, change some fields and save it; return the answer's page or redirect target."""
    values = {**form_values(client.get(f"/staff/content/{kind}/{item_id}/edit").text), **changes}
    answer = client.post(f"/staff/content/{kind}/{item_id}/edit", data=values)
    assert answer.status_code == status, answer.text
    return answer.location if status == 303 else answer.text


def create(client: FlaskClient, kind: str, values: dict[str, str], *, status: int = 303) -> str:
    """Fill the new-item form and post it; return where it went (or the page shown again)."""
    page = client.get(f"/staff/content/{kind}/new").text
    answer = client.post(f"/staff/content/{kind}/new", data={**values, "csrf_token": csrf_token(page), "revision": ""})
    assert answer.status_code == status, answer.text
    return answer.location if status == 303 else answer.text


def act(client: FlaskClient, kind: str, item_id: str, action: str) -> None:
    """Press an item page's Publish / Withdraw / Discard button."""
    page = client.get(f"/staff/content/{kind}/{item_id}").text
    revision = re.search(r'name="revision" value="([^"]*)"', page)
    data = {"csrf_token": csrf_token(page), "revision": revision.group(1) if revision else ""}
    answer = client.post(f"/staff/content/{kind}/{item_id}/{action}", data=data)
    assert answer.status_code == 303, answer.text


def public_poi(client: FlaskClient, poi_id: str, category: str) -> dict[str, Any] | None:
    """Return a POI's properties as the public map's layer gets them, or ``None``."""
    doc = client.get("/api/pois", query_string={"category": category, "limit": 5000}).json
    assert doc is not None
    found = [f["properties"] for f in doc["features"] if f["properties"]["id"] == poi_id]
    return found[0] if found else None


@pytest.fixture
def editor(app: Flask) -> FlaskClient:
    client = app.test_client()
    sign_in(client)
    return client


# --- the store ---------------------------------------------------------------------------------


def test_draft_publish_withdraw_and_publish_again_each_audited(engine: sa.Engine) -> None:
    doc = {"id": "x", "name": "Bottega"}
    item = save_draft(engine, "poi", "x", doc, name="Bottega", actor="bruno", revision=None)
    assert (item.status, item.revision, item.draft, item.published) == ("draft", 1, doc, None)
    assert published_content(engine, "poi").documents == {}
    item = publish(engine, "poi", "x", actor="anna", revision=1)
    assert (item.status, item.draft, item.published, item.published_by) == ("published", None, doc, "anna")
    assert published_content(engine, "poi").documents == {"x": doc}
    changed = {**doc, "name": "Bottega 2"}
    save_draft(engine, "poi", "x", changed, name="Bottega 2", actor="bruno", revision=2)
    assert published_content(engine, "poi").documents == {"x": doc}  # a draft changes nothing public
    item = withdraw(engine, "poi", "x", actor="bruno", revision=3)
    assert item.status == "withdrawn"
    assert published_content(engine, "poi") == published_content(engine, "poi").__class__({}, frozenset({"x"}))
    item = publish(engine, "poi", "x", actor="bruno")
    assert (item.status, item.published) == ("published", changed)
    trail = list_audit(engine, target_kind="poi", target_id="x")
    assert [(e.action, e.actor) for e in reversed(trail)] == [
        ("draft", "bruno"),
        ("publish", "anna"),
        ("draft", "bruno"),
        ("withdraw", "bruno"),
        ("publish", "bruno"),
    ]
    first_publish, withdrawal, last_publish = trail[3], trail[1], trail[0]
    assert (first_publish.before, first_publish.after) == (None, doc)
    assert (withdrawal.before, withdrawal.after) == (doc, None)
    assert (last_publish.before, last_publish.after) == (None, changed)
    assert trail[2].before == doc  # the second draft started from the published document
    assert trail[2].after == changed


def test_a_stale_copy_is_refused_and_nothing_is_written(engine: sa.Engine) -> None:
    save_draft(engine, "event", "e", {"name": "A"}, name="A", actor="anna", revision=None)
    save_draft(engine, "event", "e", {"name": "B"}, name="B", actor="anna", revision=1)
    with pytest.raises(StaleContentError, match="changed by anna meanwhile"):
        save_draft(engine, "event", "e", {"name": "C"}, name="C", actor="bruno", revision=1)
    with pytest.raises(StaleContentError, match="already exists"):
        save_draft(engine, "event", "e", {"name": "D"}, name="D", actor="bruno", revision=None)
    item = find_item(engine, "event", "e")
    assert item is not None
    assert (item.draft, item.revision) == ({"name": "B"}, 2)
    assert len(list_audit(engine, target_kind="event", target_id="e")) == 2


def test_two_editors_creating_one_item_at_once(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    save_draft(engine, "poi", "x", {"name": "A"}, name="A", actor="anna", revision=None)
    # bruno's request read the item as absent just before anna's insert committed
    monkeypatch.setattr(content_actions, "_claim", lambda *_args: None)
    with pytest.raises(StaleContentError, match="created by someone else meanwhile"):
        save_draft(engine, "poi", "x", {"name": "B"}, name="B", actor="bruno", revision=None)
    assert [e.actor for e in list_audit(engine)] == ["anna"]


def test_refused_actions_leave_no_audit_row(engine: sa.Engine) -> None:
    with pytest.raises(ContentNotFoundError, match="No poi 'nobody'"):
        publish(engine, "poi", "nobody", actor="anna")
    with pytest.raises(ContentNotFoundError, match="not published"):
        withdraw(engine, "poi", "nobody", actor="anna", revision=None)
    with pytest.raises(InvalidDataError, match="more than"):
        save_draft(engine, "poi", "big", {"text": "x" * 300_000}, name="big", actor="anna", revision=None)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one() == 0
    assert content_stamp(engine) == (0, 0)


def test_withdraw_an_embedded_record_and_discard_drafts(engine: sa.Engine) -> None:
    record = {"id": SORA, "name": "Davide Sora"}
    item = withdraw(engine, "poi", SORA, actor="anna", revision=None, current=record, name="Davide Sora")
    assert (item.status, item.published) == ("withdrawn", record)
    assert published_content(engine, "poi").withdrawn == {SORA}
    assert list_audit(engine, target_id=SORA)[0].before == record
    with pytest.raises(ContentNotFoundError, match="withdrawn already"):
        withdraw(engine, "poi", SORA, actor="anna", revision=item.revision)
    # A draft never published goes altogether; a published item only loses its draft.
    save_draft(engine, "closure", "c", {"n": 1}, name="c", actor="anna", revision=None)
    assert discard_draft(engine, "closure", "c", actor="anna") is None
    save_draft(engine, "poi", SORA, {**record, "name": "Sora"}, name="Sora", actor="anna", revision=item.revision)
    kept = discard_draft(engine, "poi", SORA, actor="anna")
    assert kept is not None
    assert (kept.draft, kept.status) == (None, "withdrawn")
    assert [i.item_id for i in list_items(engine, "poi", query="SORA")] == [SORA]
    assert list_items(engine, "poi", status="published") == []


def test_the_stamp_changes_with_every_write(engine: sa.Engine) -> None:
    stamps = [content_stamp(engine)]
    save_draft(engine, "poi", "x", {}, name="x", actor="a", revision=None)
    stamps.append(content_stamp(engine))
    publish(engine, "poi", "x", actor="a")
    stamps.append(content_stamp(engine))
    save_draft(engine, "poi", "y", {}, name="y", actor="a", revision=None)
    stamps.append(content_stamp(engine))
    discard_draft(engine, "poi", "y", actor="a")
    stamps.append(content_stamp(engine))
    assert len(set(stamps[:-1])) == 4
    assert stamps[-1] == stamps[2]  # the discarded draft was never public


# --- the checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lat": "95"}, "latitude 95.0 is out of range"),
        ({"lat": "45.4642", "lon": "9.19"}, "lat/lon 45.4642, 9.19 is outside the province of Cremona"),
        ({"lon": ""}, "give both lat and lon, or neither"),
        ({"lat": "quarantacinque"}, "coordinates lat='quarantacinque' lon='10.0241' are not numbers"),
        ({"category": "spaceport"}, "unknown category 'spaceport'"),
        ({"opening_hours": "9-5 weekdays"}, "opening_hours '9-5 weekdays' is not in OSM opening_hours syntax"),
        ({"email": "info.example.org"}, "email 'info.example.org' has no @"),
        ({"last_checked": "2026-02-30"}, "date '2026-02-30' does not exist"),
        ({"bike_friendly": "maybe"}, "flag 'maybe' is not yes or no"),
    ],
)
def test_bad_poi_values_are_named(changes: dict[str, str], message: str) -> None:
    checked = check_poi({**POI, **changes}, item_id="luthier-x", source="Pro Loco Soncino")
    assert checked.document is None
    assert len(checked.problems) == 1
    assert message in checked.problems[0]


def test_a_good_poi_gets_the_editors_organisation_and_todays_check() -> None:
    doc = check_poi(POI, item_id="luthier-x", source="Pro Loco Soncino").document
    assert doc is not None
    assert (doc["source"], doc["licence"], doc["precision"], doc["lat"]) == (
        "Pro Loco Soncino",
        "not stated",
        "point",
        45.1336,
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["last_checked"])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": "Fiera", "comune": "Crema", "start_date": "2026-09-31"}, "start_date '2026-09-31' is not a date"),
        (
            {"name": "Fiera", "comune": "Crema", "start_date": "2026-09-10", "end_date": "2026-09-01"},
            "end_date 2026-09-01 is before start_date 2026-09-10",
        ),
        ({"name": "Fiera", "comune": ""}, "missing 'comune'"),
    ],
)
def test_bad_event_values_are_named(values: dict[str, str], message: str) -> None:
    checked = check_event(values, item_id="event-fiera", source="Pro Loco Crema")
    assert checked.document is None
    assert message in checked.problems[0]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lat": "45.1334", "lon": "10.0246", "radius_m": "0"}, "a closed point needs a 'buffer_m' radius above 0"),
        ({"lat": "45.1334", "lon": "10.0246", "start": "13-01", "end": "13-02"}, "bad date '13-01'"),
        ({"lat": "45.1334", "lon": "10.0246", "start": "06-01"}, "give both 'start' and 'end', or neither"),
        ({"lat": "45.1334", "lon": "10.0246", "radius_m": "lots"}, "got 'lots'"),
        ({"lat": "45.4642", "lon": "9.19"}, "closure point 45.4642, 9.19 is outside the province of Cremona"),
        ({"geometry": '{"type": "Polygon", "coordinates": [[[10, 45]'}, "'geometry' is not valid JSON"),
        ({"geometry": '{"type": "Point", "coordinates": [10.02, 45.13]}', "radius_m": "0"}, "radius above 0"),
        ({}, "give lat, lon and radius_m, or paste a GeoJSON geometry"),
    ],
)
def test_bad_closure_values_are_named(values: dict[str, str], message: str) -> None:
    checked = check_closure({"name": "Piazza", **values}, item_id="closure-piazza")
    assert checked.document is None
    assert message in checked.problems[0]


def test_a_pasted_polygon_is_a_closure() -> None:
    ring = [[10.02, 45.13], [10.03, 45.13], [10.03, 45.14], [10.02, 45.13]]
    values = {"name": "Cantiere", "geometry": f'{{"type": "Polygon", "coordinates": [{ring}]}}'}
    doc = check_closure(values, item_id="closure-cantiere").document
    assert doc is not None
    assert doc["geometry"] == {"type": "Polygon", "coordinates": [ring]}
    assert doc["properties"]["buffer_m"] == 25.0


# --- the editor: access, CSRF, forms -------------------------------------------------------------


def staff_content_routes(app: Flask) -> list[tuple[str, str]]:
    """Return (method, URL) of every route of the content editor, with real values in the URL."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff/content"):
            continue
        url = rule.rule.replace("<kind>", "poi").replace("<item_id>", SORA)
        found += [(method, url) for method in sorted(rule.methods or ()) if method in {"GET", "POST"}]
    return found


def test_anonymous_visitors_are_sent_to_sign_in_from_every_editor_route(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/staff/sign-in").text)  # a real token: only the sign-in is missing
    routes = staff_content_routes(app)
    assert len(routes) == 10
    for method, url in routes:
        answer = client.open(url, method=method, data={"csrf_token": token, **POI} if method == "POST" else None)
        assert answer.status_code == 302, (method, url)
        assert answer.location.startswith("/staff/sign-in"), (method, url)
    with app.app_context():
        assert find_item(get_store(), "poi", SORA) is None


def test_a_form_without_its_csrf_token_is_refused(app: Flask, editor: FlaskClient) -> None:
    values = form_values(editor.get("/staff/content/poi/new").text)
    answer = editor.post("/staff/content/poi/new", data={**values, **POI, "csrf_token": ""})
    assert answer.status_code == 400
    answer = editor.post(f"/staff/content/poi/{SORA}/withdraw", data={"revision": ""})
    assert answer.status_code == 400
    with app.app_context():
        assert list_items(get_store(), "poi", query="Bottega Test") == []
        assert find_item(get_store(), "poi", SORA) is None


def test_bad_values_show_the_form_again_naming_them(editor: FlaskClient) -> None:
    page = create(editor, "poi", {**POI, "name": "Bottega Errata", "opening_hours": "sempre aperto"}, status=400)
    assert "opening_hours &#39;sempre aperto&#39; is not in OSM opening_hours syntax" in page
    assert 'value="Bottega Errata"' in page  # what was typed stays
    page = create(
        editor,
        "closure",
        {"name": "Chiusura", "lat": "45.13", "lon": "10.02", "start": "2026-13-01", "end": "2026-13-02"},
        status=400,
    )
    assert "bad date &#39;2026-13-01&#39;" in page
    assert "Traceback" not in page


def test_unknown_kinds_and_ids_are_404(editor: FlaskClient) -> None:
    assert editor.get("/staff/content/spaceport").status_code == 404
    assert editor.get("/staff/content/poi/no-such-poi").status_code == 404
    assert editor.get("/staff/content/poi/bad%20id").status_code == 404


# --- publishing reaches the public side ----------------------------------------------------------


def test_an_editor_edits_a_real_luthier_and_publishes_it_to_the_map(app: Flask, editor: FlaskClient) -> None:
    before = public_poi(editor, SORA, "luthier")
    assert before is not None
    assert "opening_hours" not in before
    listed = editor.get("/staff/content/poi", query_string={"q": "sora"}).text
    assert f'data-item="{SORA}"' in listed
    target = edit(editor, "poi", SORA, {"opening_hours": "Mo-Fr 09:00-12:30,15:00-19:00"})
    assert target == f"/staff/content/poi/{SORA}"
    preview = editor.get(target).text
    assert 'data-field="opening_hours" class="changed"' in preview
    assert public_poi(editor, SORA, "luthier") == before  # a draft is not public
    act(editor, "poi", SORA, "publish")
    after = public_poi(editor, SORA, "luthier")
    assert after is not None
    assert after["opening_hours"] == "Mo-Fr 09:00-12:30,15:00-19:00"
    assert after["name"] == before["name"]
    history = editor.get(target).text
    assert re.findall(r'data-action="(\w+)"', history) == ["publish", "draft"]
    with app.app_context():
        published, drafted = list_audit(get_store(), target_kind="poi", target_id=SORA)
    for entry in (published, drafted):  # before: the embedded record visitors saw; after: the edit
        assert entry.actor == EDITOR
        assert entry.before is not None
        assert entry.after is not None
        changed = {k for k in entry.before.keys() | entry.after.keys() if entry.before.get(k) != entry.after.get(k)}
        assert changed == {"opening_hours"}
        assert (entry.before["name"], entry.after["opening_hours"]) == (before["name"], "Mo-Fr 09:00-12:30,15:00-19:00")


def test_a_new_poi_is_published_then_withdrawn(app: Flask, editor: FlaskClient) -> None:
    target = create(editor, "poi", {**POI, "name": "Bottega Nuova"})
    assert target == "/staff/content/poi/luthier-bottega-nuova"
    assert public_poi(editor, "luthier-bottega-nuova", "luthier") is None
    act(editor, "poi", "luthier-bottega-nuova", "publish")
    shown = public_poi(editor, "luthier-bottega-nuova", "luthier")
    assert shown is not None
    assert shown["source"] == "Pro Loco Soncino"
    act(editor, "poi", "luthier-bottega-nuova", "withdraw")
    assert public_poi(editor, "luthier-bottega-nuova", "luthier") is None
    assert 'data-status="withdrawn"' in editor.get(target).text


def test_an_embedded_poi_withdrawn_disappears_and_can_be_stopped_at_no_more(editor: FlaskClient) -> None:
    poi_id = "luthier-nolli-violins"
    assert public_poi(editor, poi_id, "luthier") is not None
    act(editor, "poi", poi_id, "withdraw")
    assert public_poi(editor, poi_id, "luthier") is None
    answer = editor.get("/api/route", query_string={"from": PIAZZA, "to": f"poi:{poi_id}"})
    assert answer.status_code == 404
    assert answer.json is not None
    assert poi_id in answer.json["error"]


def test_an_admin_may_publish_too(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, ADMIN, ADMIN_PASSWORD)
    create(client, "event", {"name": "Festa della Liuteria", "comune": "Cremona", "start_date": "2026-09-26"})
    act(client, "event", "event-festa-della-liuteria", "publish")
    with app.test_request_context():
        events = {e.id: e for e in public_events(get_pois())}
    assert events["event-festa-della-liuteria"].placement == "comune"  # placed at the town centre


def test_a_stale_edit_is_refused_with_409(app: Flask, editor: FlaskClient) -> None:
    create(editor, "poi", {**POI, "name": "Bottega Contesa"})
    item = "luthier-bottega-contesa"
    stale = form_values(editor.get(f"/staff/content/poi/{item}/edit").text)
    edit(editor, "poi", item, {"phone": "+39 0372 000001"})
    answer = editor.post(f"/staff/content/poi/{item}/edit", data={**stale, "phone": "+39 0372 000002"})
    assert answer.status_code == 409
    assert "was changed by bruno meanwhile" in answer.text
    with app.app_context():
        found = find_item(get_store(), "poi", item)
    assert found is not None
    assert found.draft is not None
    assert found.draft["phone"] == "+39 0372 000001"


def test_a_published_closure_changes_the_route_and_is_reported(app: Flask, editor: FlaskClient) -> None:
    args = {"from": PIAZZA, "to": STATION}
    first = editor.get("/api/route", query_string=args).json
    assert first is not None
    line = first["geometry"]["coordinates"]
    lon, lat = line[len(line) // 2][:2]
    values = {"name": "Cantiere di prova", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "radius_m": "20"}
    values |= {"reason": "lavori", "start": "01-01", "end": "12-31"}
    create(editor, "closure", values)
    act(editor, "closure", "closure-cantiere-di-prova", "publish")
    second = editor.get("/api/route", query_string=args).json
    assert second is not None
    assert second["geometry"]["coordinates"] != line
    assert "Avoided closure: Cantiere di prova (01-01 to 12-31): lavori" in second["properties"]["notes"]
    act(editor, "closure", "closure-cantiere-di-prova", "withdraw")
    third = editor.get("/api/route", query_string=args).json
    assert third is not None
    assert third["geometry"]["coordinates"] == line


def test_other_workers_see_a_publication_after_their_check_delay(app: Flask, editor: FlaskClient) -> None:
    other = create_app(
        {"TESTING": True, "TILES": None, "DATABASE_URL": app.config["DATABASE_URL"], "CONTENT_CHECK_S": 3600}
    )
    viewer = other.test_client()
    create(editor, "poi", {**POI, "name": "Bottega Lontana"})
    assert public_poi(viewer, "luthier-bottega-lontana", "luthier") is None  # first look: nothing published
    act(editor, "poi", "luthier-bottega-lontana", "publish")
    assert public_poi(viewer, "luthier-bottega-lontana", "luthier") is None  # within the delay: not checked
    other.extensions[CONTENT].checked_at = float("-inf")  # the delay has passed
    assert public_poi(viewer, "luthier-bottega-lontana", "luthier") is not None
    close_store(other)
