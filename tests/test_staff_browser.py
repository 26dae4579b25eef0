"""The staff area in a real browser (Debian's Chromium, offline, as in test_browser.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from gis_data.plan_store import connect
from gis_data.plan_store import upgrade_database
from gis_data.staff_store import create_account
from tests.test_browser import TIMEOUT_MS
from tests.test_browser import browser_type_launch_args  # noqa: F401  (fixture: Debian's Chromium, offline)
from tests.test_browser import planner_app
from tests.test_browser import serving

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

ADMIN = ("anna", "correct horse battery")
EDITOR = ("carla", "torrone di cremona")


@pytest.fixture
def staff_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    engine = connect(url)
    upgrade_database(engine)
    create_account(engine, ADMIN[0], ADMIN[1], role="admin", organisation="Infopoint Cremona", actor="cli:test")
    engine.dispose()
    with serving(planner_app(url)) as live:
        yield live


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_creates_an_editor_who_then_signs_in(page: Page, staff_url: str) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    bad: list[str] = []
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{staff_url}/staff/accounts?lang=en")
    assert "/staff/sign-in" in page.url
    sign_in(page, *ADMIN)
    page.wait_for_url(f"{staff_url}/staff/accounts?lang=en")
    assert "anna" in page.locator(".staff-who").inner_text()
    assert "Infopoint Cremona" in page.locator(".staff-who").inner_text()

    form = page.locator("form", has=page.get_by_role("button", name="Create account"))
    form.get_by_label("Username").fill(EDITOR[0])
    form.get_by_label("Role").select_option("editor")
    form.get_by_label("Organisation").fill("Pro Loco Soncino")
    form.get_by_label("Password", exact=True).fill(EDITOR[1])
    form.get_by_label("Password again").fill(EDITOR[1])
    form.get_by_role("button", name="Create account").click()
    page.wait_for_selector("tr[data-account=carla]")
    assert "Pro Loco Soncino" in page.locator("tr[data-account=carla]").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/sign-in")

    sign_in(page, *EDITOR)
    page.wait_for_url(f"{staff_url}/staff/")
    nav = page.get_by_role("navigation", name="Staff area")
    assert nav.get_by_role("link", name="Content").get_attribute("href") == "/staff/content"
    assert nav.get_by_role("link", name="Accounts").count() == 0
    assert "Pro Loco Soncino" in page.locator(".staff-who").inner_text()
    assert bad == []
