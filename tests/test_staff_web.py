"""The staff area of the web app: access control, CSRF, session cookies and the read-only audit trail."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from gis_data.audit import audit_log
from gis_data.errors import InvalidAccountError
from gis_data.staff_store import create_account
from gis_data.staff_store import find_account
from gis_data.staff_store import list_audit
from tests.test_staff import ADMIN_PASSWORD
from tests.test_staff import EDITOR_PASSWORD
from tests.test_staff import add_staff
from tests.test_staff import quick_hasher  # noqa: F401  (autouse fixture: quick Argon2id parameters)
from web import create_app
from web.auth import secret_key
from web.auth import staff_required
from web.plans import close_store
from web.plans import get_store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def make_app(tmp_path: Path, **config: Any) -> Flask:
    settings = {"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{tmp_path / 'plans.sqlite'}"}
    return create_app({**settings, "WTF_CSRF_ENABLED": True, **config})


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    with app.app_context():
        add_staff(get_store())
    yield app
    close_store(app)


@pytest.fixture
def engine(app: Flask) -> sa.Engine:
    with app.app_context():
        return get_store()


def english(app: Flask) -> FlaskClient:
    """Return a client whose browser asks for English pages."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def token(client: FlaskClient, path: str = "/staff/sign-in") -> str:
    found = TOKEN.search(client.get(path).get_data(as_text=True))
    assert found is not None
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str) -> TestResponse:
    form = {"username": username, "password": password, "csrf_token": token(client)}
    return client.post("/staff/sign-in", data=form)


def signed_in(app: Flask, username: str, password: str) -> FlaskClient:
    client = english(app)
    assert sign_in(client, username, password).status_code == 302
    return client


def staff_urls(app: Flask) -> list[tuple[str, str]]:
    """Return (method, url) of every staff page of the app, with 1 for each URL parameter."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff") and rule.endpoint != "staff.sign_in":
            url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, "1"))
            found += [(method, url) for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"})]
    return found


def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_page(app: Flask) -> None:
    client = english(app)
    urls = staff_urls(app)
    assert ("GET", "/staff/accounts") in urls
    assert ("GET", "/staff/audit") in urls
    for method, url in urls:
        resp = client.open(url, method=method, data={"csrf_token": token(client)})
        assert resp.status_code == 302, (method, url)
        assert resp.headers["Location"].startswith("/staff/sign-in"), (method, url)


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(app: Flask) -> None:
    client = english(app)
    asked = client.get("/staff/audit?limit=5")
    assert asked.headers["Location"] == "/staff/sign-in?next=/staff/audit?limit%3D5"
    form = {"username": "anna", "password": ADMIN_PASSWORD, "next": "/staff/audit?limit=5"}
    done = client.post("/staff/sign-in", data={**form, "csrf_token": token(client)})
    assert done.headers["Location"] == "/staff/audit?limit=5"
    other = english(app)
    evil = other.post("/staff/sign-in", data={**form, "next": "//evil.example/", "csrf_token": token(other)})
    assert evil.headers["Location"] == "/staff/"


def test_wrong_password_rerenders_the_form_with_401(app: Flask, engine: sa.Engine) -> None:
    client = english(app)
    resp = sign_in(client, "anna", "not the password")
    assert resp.status_code == 401
    html = resp.get_data(as_text=True)
    assert "staff-error" in html
    assert "not the password" not in html
    assert client.get("/staff/").status_code == 302
    assert list_audit(engine, limit=1)[0].action == "sign_in_failed"


def test_an_editor_cannot_administer_accounts(app: Flask, engine: sa.Engine) -> None:
    client = signed_in(app, "bruno", EDITOR_PASSWORD)
    csrf = token(client, "/staff/")
    anna = find_account(engine, "anna")
    assert anna is not None
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/audit").status_code == 200
    assert client.get("/staff/accounts").status_code == 403
    assert client.get(f"/staff/accounts/{anna.id}").status_code == 403
    posts = {
        "/staff/accounts": {"username": "mallory", "password": EDITOR_PASSWORD, "role": "admin"},
        f"/staff/accounts/{anna.id}": {"role": "editor", "organisation": "Infopoint Crema"},
        f"/staff/accounts/{anna.id}/status": {"active": "0"},
        f"/staff/accounts/{anna.id}/password": {"password": EDITOR_PASSWORD, "password_again": EDITOR_PASSWORD},
    }
    for url, form in posts.items():
        assert client.post(url, data={**form, "csrf_token": csrf}).status_code == 403, url
    assert find_account(engine, "anna") == anna
    assert find_account(engine, "mallory") is None
    assert 'data-nav="accounts"' not in client.get("/staff/").get_data(as_text=True)


def test_an_admin_manages_accounts_and_each_change_is_audited(app: Flask, engine: sa.Engine) -> None:
    client = signed_in(app, "anna", ADMIN_PASSWORD)
    csrf = token(client, "/staff/accounts")
    new = {"username": "Carla", "role": "editor", "organisation": "Infopoint Casalmaggiore"}
    passwords = {"password": "torrone di cremona", "password_again": "torrone di cremona"}
    created = client.post("/staff/accounts", data={**new, **passwords, "csrf_token": csrf})
    assert created.status_code == 302
    carla = find_account(engine, "carla")
    assert carla is not None
    assert 'data-account="carla"' in client.get("/staff/accounts").get_data(as_text=True)
    url = f"/staff/accounts/{carla.id}"
    assert (
        client.post(url, data={"role": "admin", "organisation": "Pro Loco Crema", "csrf_token": csrf}).status_code
        == 302
    )
    assert client.post(f"{url}/status", data={"active": "0", "csrf_token": csrf}).status_code == 302
    assert client.post(f"{url}/status", data={"active": "1", "csrf_token": csrf}).status_code == 302
    reset = {"password": "nuova password lunga", "password_again": "nuova password lunga", "csrf_token": csrf}
    assert client.post(f"{url}/password", data=reset).status_code == 302
    entries = list_audit(engine, target_kind="account", target_id="carla")
    assert [(e.actor, e.action) for e in entries] == [("anna", "update")] * 4 + [("anna", "create")]
    assert entries[0].after == {**(entries[1].after or {}), "password": "changed"}
    assert signed_in(app, "carla", "nuova password lunga").get("/staff/accounts").status_code == 200


@pytest.mark.parametrize(
    ("form", "named"),
    [
        ({"username": "a b"}, "Username &#39;a b&#39;"),
        ({"role": "root"}, "Role &#39;root&#39;"),
        ({"organisation": "Proloco Crema"}, "Organisation &#39;Proloco Crema&#39;"),
        ({"password_again": "something else entirely"}, "differ"),
        ({"username": "bruno"}, "&#39;bruno&#39; is already taken"),
    ],
)
def test_bad_account_forms_are_shown_again_with_400(app: Flask, form: dict[str, str], named: str) -> None:
    client = signed_in(app, "anna", ADMIN_PASSWORD)
    good = {"username": "carla", "role": "editor", "organisation": "Infopoint Crema"}
    passwords = {"password": "torrone di cremona", "password_again": "torrone di cremona"}
    resp = client.post("/staff/accounts", data={**good, **passwords, **form, "csrf_token": token(client, "/staff/")})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert named in html
    assert 'role="alert"' in html
    assert "torrone di cremona" not in html


def test_forms_without_the_csrf_token_are_refused(app: Flask, engine: sa.Engine) -> None:
    anonymous = english(app)
    refused = anonymous.post("/staff/sign-in", data={"username": "anna", "password": ADMIN_PASSWORD})
    assert refused.status_code == 400
    assert "The CSRF token is missing." in refused.get_data(as_text=True)
    assert anonymous.get("/staff/").status_code == 302  # not signed in
    client = signed_in(app, "anna", ADMIN_PASSWORD)
    form = {"username": "carla", "role": "editor", "organisation": "Infopoint Crema"}
    assert client.post("/staff/accounts", data=form).status_code == 400
    assert client.post("/staff/accounts", data={**form, "csrf_token": "forged"}).status_code == 400
    assert client.post("/staff/sign-out").status_code == 400
    assert find_account(engine, "carla") is None
    assert client.get("/staff/").status_code == 200  # still signed in
    api = anonymous.post("/api/plans", json={"from": "x"}, headers={"Origin": "http://localhost"})
    assert api.status_code != 400 or "CSRF" not in api.get_data(as_text=True)  # the API has its own defence


def test_session_cookie_flags(tmp_path: Path, app: Flask) -> None:
    for base_url, secure in [("http://127.0.0.1:5000", False), ("https://cremona.example", True)]:
        client = english(app)
        client.get("/staff/sign-in", base_url=base_url)
        cookie = client.get_cookie("session", domain=base_url.split("//")[1].split(":")[0])
        assert cookie is not None
        assert cookie.http_only
        assert cookie.same_site == "Lax"
        assert cookie.secure is secure
    forced = make_app(tmp_path, COOKIE_SECURE=True).test_client()
    header = forced.get("/staff/sign-in", base_url="http://127.0.0.1:5000").headers["Set-Cookie"]
    assert "Secure" in header
    assert "HttpOnly" in header


def test_the_staff_pages_speak_italian_by_default(app: Flask) -> None:
    html = app.test_client().get("/staff/sign-in").get_data(as_text=True)
    assert "Accesso del personale" in html
    assert "Nome utente" in html


def test_visitors_of_the_planner_get_no_session_cookie(app: Flask) -> None:
    client = english(app)
    assert client.get("/?lang=en").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get_cookie("session") is None


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_sign_in_starts_a_new_session_and_sign_out_ends_it(app: Flask, engine: sa.Engine) -> None:
    client = english(app)
    before = token(client)
    cookie = session_cookie(client)
    sign_in(client, "anna", ADMIN_PASSWORD)
    assert session_cookie(client) != cookie
    assert token(client, "/staff/") != before
    stolen = session_cookie(client)
    assert client.post("/staff/sign-out", data={"csrf_token": token(client, "/staff/")}).status_code == 302
    assert client.get("/staff/").status_code == 302
    assert [e.action for e in list_audit(engine, target_id="anna")[:2]] == ["sign_out", "sign_in"]
    other = english(app)
    other.set_cookie("session", stolen)
    assert other.get("/staff/").status_code == 200  # a signed cookie session: valid until it expires
    assert other.get("/staff/", headers={"User-Agent": "another browser"}).status_code == 302  # "strong" protection


def test_sessions_end_on_disable_password_reset_and_expiry(tmp_path: Path, app: Flask, engine: sa.Engine) -> None:
    admin = signed_in(app, "anna", ADMIN_PASSWORD)
    csrf = token(admin, "/staff/")
    bruno = find_account(engine, "bruno")
    assert bruno is not None
    editor = signed_in(app, "bruno", EDITOR_PASSWORD)
    admin.post(f"/staff/accounts/{bruno.id}/status", data={"active": "0", "csrf_token": csrf})
    assert editor.get("/staff/").status_code == 302
    admin.post(f"/staff/accounts/{bruno.id}/status", data={"active": "1", "csrf_token": csrf})
    editor = signed_in(app, "bruno", EDITOR_PASSWORD)
    reset = {"password": "nuova password lunga", "password_again": "nuova password lunga", "csrf_token": csrf}
    admin.post(f"/staff/accounts/{bruno.id}/password", data=reset)
    assert editor.get("/staff/").status_code == 302
    anna = find_account(engine, "anna")
    assert anna is not None
    admin.post(f"/staff/accounts/{anna.id}/password", data=reset)
    assert admin.get("/staff/").status_code == 200  # one's own new password keeps one's own session
    expired = make_app(tmp_path, STAFF_SESSION_HOURS=0)
    assert signed_in(expired, "anna", "nuova password lunga").get("/staff/").status_code == 302
    close_store(expired)


@pytest.mark.parametrize("method", UNSAFE)
def test_the_audit_trail_cannot_be_changed_through_the_web(app: Flask, method: str) -> None:
    client = signed_in(app, "anna", ADMIN_PASSWORD)
    resp = client.open("/staff/audit", method=method, data={"csrf_token": token(client, "/staff/")})
    assert resp.status_code == 405


def test_the_audit_page_shows_changes(app: Flask) -> None:
    client = signed_in(app, "bruno", EDITOR_PASSWORD)
    html = client.get("/staff/audit?target_kind=account&target_id=bruno").get_data(as_text=True)
    assert html.count("data-audit-id") == 2  # bruno's creation and sign-in
    assert "Pro Loco Soncino" in html
    assert "$argon2" not in html


def audit_writes_outside_record_audit(app: Flask, requests: list[tuple[str, str]]) -> list[str]:
    """Send requests; return the SQL that wrote to audit_log other than through record_audit's insert."""
    wrong: list[str] = []

    def check(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not re.search(r"\b(insert\s+into|update|delete\s+from)\s+\"?audit_log\b", statement, re.IGNORECASE):
            return
        stack = traceback.extract_stack()
        via_record = any(f.name == "record_audit" and f.filename.endswith("audit.py") for f in stack)
        if not (via_record and statement.lstrip().upper().startswith("INSERT")):
            wrong.append(statement)

    with app.app_context():
        engine = get_store()
    sa.event.listen(engine, "before_cursor_execute", check)
    try:
        for method, url in requests:
            client = signed_in(app, "anna", ADMIN_PASSWORD)  # anew each time: a request may end the session
            client.open(url, method=method, data={})
    finally:
        sa.event.remove(engine, "before_cursor_execute", check)
    return wrong


def test_no_endpoint_writes_the_audit_trail_but_through_record_audit(tmp_path: Path) -> None:
    # Without CSRF and with errors as 500 answers, every view runs as far as junk input lets it.
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        add_staff(get_store())
    requests = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, "1"))
        requests += [(method, url) for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"} | set(UNSAFE))]
    assert len(requests) > 40
    assert audit_writes_outside_record_audit(app, requests) == []
    with app.app_context():
        assert {e.action for e in list_audit(get_store(), limit=1000)} >= {"sign_in", "sign_out", "create"}
    close_store(app)


def test_the_source_has_one_writer_of_the_audit_trail() -> None:
    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"(insert|update|delete)\(\s*audit_log|(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+audit_log", re.I)
    writers = []
    for package in ("gis_data", "routing", "poi", "web", "cli"):
        for path in sorted((root / package).rglob("*.py")):
            writers += [f"{path.relative_to(root)}: {m.group(0)}" for m in pattern.finditer(path.read_text())]
    assert writers == ["gis_data/audit.py: insert(audit_log"]


def test_the_secret_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = Flask("web", instance_path=str(tmp_path / "instance"))
    second = Flask("web", instance_path=str(tmp_path / "instance"))
    key = secret_key(first)
    assert len(key) == 64
    assert secret_key(second) == key
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert list((tmp_path / "instance").iterdir()) == [tmp_path / "instance" / "secret_key"]
    second.config["SECRET_KEY"] = "configured"
    assert secret_key(second) == "configured"


def test_a_disabled_account_cannot_sign_in_through_the_form(app: Flask, engine: sa.Engine) -> None:
    with app.app_context():
        create_account(engine, "dora", EDITOR_PASSWORD, role="editor", organisation="Infopoint Soncino", actor="anna")
    admin = signed_in(app, "anna", ADMIN_PASSWORD)
    dora = find_account(engine, "dora")
    assert dora is not None
    admin.post(f"/staff/accounts/{dora.id}/status", data={"active": "0", "csrf_token": token(admin, "/staff/")})
    assert sign_in(english(app), "dora", EDITOR_PASSWORD).status_code == 401


def test_the_audit_write_check_catches_a_rogue_view(tmp_path: Path) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    with app.app_context():
        add_staff(get_store())

    def rogue() -> str:
        with get_store().begin() as connection:
            connection.execute(sa.delete(audit_log))
        return "gone"

    app.add_url_rule("/rogue", view_func=rogue, methods=["POST"])
    assert audit_writes_outside_record_audit(app, [("POST", "/rogue")]) == ["DELETE FROM audit_log"]
    close_store(app)


def test_staff_required_answers_json_under_api(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.add_url_rule("/api/staff-probe", "probe", staff_required("editor")(lambda: {"ok": True}))
    app.add_url_rule("/api/admin-probe", "admin_probe", staff_required("admin")(lambda: {"ok": True}))
    with app.app_context():
        add_staff(get_store())
    anonymous = english(app).get("/api/staff-probe")
    assert anonymous.status_code == 401
    assert anonymous.get_json() == {"error": "Sign in as staff first"}
    editor = signed_in(app, "bruno", EDITOR_PASSWORD)
    assert editor.get("/api/staff-probe").get_json() == {"ok": True}
    assert editor.get("/api/admin-probe").status_code == 403
    assert "error" in editor.get("/api/admin-probe").get_json()
    with pytest.raises(InvalidAccountError, match="'root'"):
        staff_required("root")
    close_store(app)
