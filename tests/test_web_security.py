from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from web import create_app

if TYPE_CHECKING:
    from pathlib import Path

    from flask.testing import FlaskClient


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    app = create_app({"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{tmp_path / 'plans.sqlite'}"})
    return app.test_client()


@pytest.mark.parametrize("path", ["/", "/api/places?q=Crema", "/api/openapi.json", "/api/route?from=x"])
def test_security_headers_on_every_answer(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "connect-src 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_page_needs_no_host_outside_the_policy(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "cdn.jsdelivr" not in html
    assert "code.jquery.com" not in html
    assert "cdnjs" not in html


def test_cross_site_save_is_refused(client: FlaskClient) -> None:
    body = {"from": "Via Palestro", "to": "Stazione di Cremona"}
    evil = client.post("/api/plans", json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert "evil.example" in evil.get_json()["error"]
    form = client.post("/api/plans", data=body, headers={"Origin": "http://localhost"})
    assert form.status_code == 415
    assert "application/json" in form.get_json()["error"]


def test_same_site_json_is_not_blocked_by_the_check(client: FlaskClient) -> None:
    resp = client.post("/api/plans", json={"bogus": 1}, headers={"Origin": "http://localhost"})
    assert resp.status_code not in {403, 415}


def test_popup_texts_are_escaped(client: FlaskClient) -> None:
    resp = client.get("/", query_string={"from": "<script>alert(1)</script>", "to": "Crema"})
    html = resp.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
