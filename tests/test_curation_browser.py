"""The content editor in a real browser (Debian's Chromium, offline): sign in, edit, publish, see it on the map.

Uses the live-server helpers of :mod:`tests.test_browser`; the server is one
app with the default content delay, so what it shows after publishing comes
from its own refresh, as for the worker a member of staff is using.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from gis_data import staff_store
from gis_data.plan_store import connect
from gis_data.plan_store import upgrade_database
from tests.test_browser import Watch
from tests.test_browser import browser_context_args  # noqa: F401  (fixture: Playwright helpers despite the CSP)
from tests.test_browser import browser_type_launch_args  # noqa: F401  (fixture: Debian's Chromium, offline)
from tests.test_browser import planner_app
from tests.test_browser import serving
from tests.test_curation import EDITOR
from tests.test_curation import EDITOR_PASSWORD
from tests.test_curation import QUICK
from tests.test_curation import SORA
from tests.test_curation import add_staff

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Page

HOURS = "Mo-Fr 09:30-12:30,15:00-19:00; Sa 10:00-12:00"


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    engine = connect(url)
    upgrade_database(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff_store, "hasher", QUICK)
        add_staff(engine)
        engine.dispose()
        with serving(planner_app(url)) as live:
            yield live


def test_sign_in_edit_a_luthier_publish_and_see_it_on_the_public_map(page: Page, live_url: str) -> None:
    watch = Watch(page, live_url)
    page.goto(f"{live_url}/staff/content/poi?lang=en")
    assert "/staff/sign-in" in page.url
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/content/poi?lang=en")

    page.get_by_role("searchbox", name="Name").fill("Sora")
    page.get_by_role("button", name="Search").click()
    page.locator(f'tr[data-item="{SORA}"] a').click()
    page.wait_for_url(f"**/staff/content/poi/{SORA}")
    assert page.locator("[data-status]").get_attribute("data-status") == "published"
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Opening hours (OSM syntax)").fill(HOURS)
    page.wait_for_selector("#content-map .content-marker", state="attached")  # the map shows the luthier
    page.wait_for_selector("#content-map path.content-roads", state="attached")  # on the roads, as tiles fail offline
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(f"**/staff/content/poi/{SORA}")
    changed = page.locator("tr.changed")
    assert changed.count() == 1
    assert HOURS in changed.inner_text()

    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector(".staff-message")
    assert "visitors see it now" in page.locator(".staff-message").inner_text()
    assert page.locator('tr[data-action="publish"]').count() == 1

    page.goto(f"{live_url}/?lang=en")
    marker = page.locator(f'path[data-poi="{SORA}"]')
    marker.wait_for(state="attached")
    marker.dispatch_event("click")  # opens its popup, as a tap would
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Davide Sora" in popup.inner_text()
    assert HOURS in popup.inner_text()
    watch.check()
