"""Italian and English: language choice, translated page and script texts, catalogs in step."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from web import create_app
from web.i18n import JS_MESSAGES

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

CATALOG = Path(__file__).parents[1] / "web" / "translations" / "it" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    # A database of its own: never the instance folder's, which `make run` fills.
    database = tmp_path_factory.mktemp("web") / "plans.sqlite"
    return create_app({"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{database}"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def page_language(html: str) -> str:
    found = re.search(r'<html lang="(\w+)">', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("", "it"),
        ("en-GB,en;q=0.9", "en"),
        ("it-IT,it;q=0.9,en;q=0.5", "it"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),
        ("fr-FR", "it"),
    ],
)
def test_language_from_the_browser(client: FlaskClient, accept: str, lang: str) -> None:
    html = client.get("/", headers={"Accept-Language": accept} if accept else {}).get_data(as_text=True)
    assert page_language(html) == lang


def test_page_texts_in_each_language(client: FlaskClient) -> None:
    italian = client.get("/", query_string={"lang": "it"}).get_data(as_text=True)
    english = client.get("/", query_string={"lang": "en"}).get_data(as_text=True)
    assert "Calcola il percorso" in italian
    assert "Punti di interesse" in italian
    assert "Plan route" in english
    assert "Points of interest" in english
    assert "Plan route" not in italian
    assert "Museo" in italian  # POI category labels follow the language too
    assert '>\n          <span class="swatch poi-museum" aria-hidden="true"></span> Museum' in english


def test_switch_is_remembered_in_a_cookie(client: FlaskClient) -> None:
    resp = client.get("/", query_string={"lang": "en"}, headers={"Accept-Language": "it"})
    assert page_language(resp.get_data(as_text=True)) == "en"
    assert "lang=en" in resp.headers["Set-Cookie"]
    later = client.get("/", headers={"Accept-Language": "it"})
    assert page_language(later.get_data(as_text=True)) == "en"
    assert "Set-Cookie" not in later.headers


def test_language_links_keep_the_plan(client: FlaskClient) -> None:
    html = client.get("/", query_string=[("from", "A"), ("via", "B"), ("via", "C"), ("lang", "it")]).get_data(
        as_text=True
    )
    link = re.search(r'data-lang="en"[^>]*href="([^"]+)"', html)
    assert link is not None
    assert link.group(1) == "/?from=A&amp;via=B&amp;via=C&amp;lang=en"


def test_script_texts_are_translated(client: FlaskClient) -> None:
    messages: dict[str, Any] = {}
    for lang, start in (("it", "Partenza"), ("en", "Start")):
        html = client.get("/", query_string={"lang": lang}).get_data(as_text=True)
        found = re.search(r'<script type="application/json" id="planner-messages">(.*?)</script>', html, re.S)
        assert found is not None
        messages = json.loads(found.group(1))
        assert set(messages) == {*JS_MESSAGES, "values"}
        assert messages["start"] == start
    assert messages["values"]["surface"]["asphalt"] == "asphalt"
    assert messages["values"]["infrastructure"]["none"] == "no cycle facility"


def test_catalog_is_complete_and_compiled() -> None:
    with (CATALOG / "messages.po").open("rb") as f:
        po = read_po(f)
    untranslated = [m.id for m in po if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    template = Path(__file__).parents[1] / "web" / "translations" / "messages.pot"
    with template.open("rb") as f:
        pot = read_po(f)
    assert {m.id for m in pot if m.id} == {m.id for m in po if m.id}, "run the pybabel update (web/i18n.py)"
    with (CATALOG / "messages.mo").open("rb") as f:
        mo = read_mo(io.BytesIO(f.read()))
    compiled = {m.id: m.string for m in mo if m.id}
    assert compiled == {m.id: m.string for m in po if m.id}, "run `pybabel compile -d web/translations`"


def test_template_lists_every_text_of_the_code() -> None:
    web = Path(__file__).parents[1] / "web"
    with (web / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(web, method_map, options_map, keywords=keywords)
    }
    with (web / "translations" / "messages.pot").open("rb") as f:
        listed = {m.id for m in read_po(f) if m.id}
    assert found == listed, "run the pybabel extract (web/i18n.py)"
