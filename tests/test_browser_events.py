"""The planner's "What's on along your trip" panel in a real browser (Debian's Chromium, offline).

Uses the live-server helpers of :mod:`tests.test_browser`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

import pytest

from tests.conftest import empty_user_stores
from tests.test_browser import CHROMIUM
from tests.test_browser import OFFLINE_ARGS
from tests.test_browser import Watch
from tests.test_browser import planner_app
from tests.test_browser import serving

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page

MUSEUM = "museum-museo-del-violino"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": OFFLINE_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Let Playwright's ``wait_for_function`` evaluate code despite the page's CSP (as in tests.test_browser)."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("events-browser")
    # the curated calendar only
    with empty_user_stores(folder), serving(planner_app(f"sqlite:///{folder / 'plans.sqlite'}")) as url:
        yield url


def test_panel_lists_the_events_on_the_day_of_the_trip(page: Page, live_url: str) -> None:
    watch = Watch(page, live_url)
    page.goto(f"{live_url}/?lang=en&from=Stazione+di+Cremona&via=poi:{MUSEUM}&to=Stazione+di+Cremona")
    page.wait_for_selector("path.route-line", state="attached")
    status = page.locator("#events-status")
    assert "Choose the date of the trip" in (status.text_content() or "")  # a route has no departure
    page.fill("#events-date", "2026-11-21")  # fires "change"
    item = page.locator("#events-list li[data-event=event-festa-del-torrone-2026]")
    item.wait_for()
    text = item.text_content() or ""
    assert "Festa del Torrone 2026" in text
    assert "from the route" in text
    assert "Centro storico, Cremona" in text
    assert item.locator("a").get_attribute("href") == "https://festadeltorrone.com"
    assert "Events near the route on" in (status.text_content() or "")
    assert "13 November every year" in (page.text_content("#events-recurring") or "")
    page.wait_for_selector("path.event-marker[data-event=event-festa-del-torrone-2026]", state="attached")
    page.fill("#events-date", "2026-12-01")  # after the festival
    page.wait_for_function("document.querySelectorAll('#events-list li').length === 0")
    page.wait_for_function("document.getElementById('events-status').textContent.indexOf('No known events') === 0")
    assert page.locator("path.event-marker").count() == 0
    watch.check()


def test_a_two_day_tour_gives_each_stop_its_day(page: Page, live_url: str) -> None:
    """Every day sets off at the departure's hour: the stops table names the day of each time."""
    watch = Watch(page, live_url)
    page.goto(
        f"{live_url}/?lang=en&kind=tour&from=45.1433,10.0180&via=poi:{MUSEUM}&via=Via+Palestro&to=45.1334,10.0246"
        "&depart=2026-06-09T10:00&days=2"
    )
    page.wait_for_selector("#itinerary table.stops-table tbody tr")
    page.wait_for_selector("#itinerary table.days-table tbody tr")
    rows = page.locator("#itinerary .stops-table tbody tr").all()
    cells = [row.locator("td").nth(3).text_content() or "" for row in rows]
    days = page.locator("#itinerary .days-table tbody tr").count()
    assert days == 2
    assert cells[0] == "Day 1, 10:00"
    assert cells[-1].startswith(f"Day {days}, ")  # the arrival, on the last day, in the morning
    assert cells[-1] < f"Day {days}, 12:00"
    watch.check()
