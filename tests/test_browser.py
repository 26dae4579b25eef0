"""One real-browser test: Debian's Chromium, driven by Playwright, plans a route offline."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest
from werkzeug.serving import make_server

from web import create_app

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page
    from playwright.sync_api import Request
    from playwright.sync_api import Response
    from playwright.sync_api import Route as BrowserRoute

CHROMIUM = Path("/usr/bin/chromium")
# Resolve no host name but the loopback one: the browser itself stays offline too.
OFFLINE_ARGS = ["--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": OFFLINE_ARGS}


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    # The default OpenStreetMap tile layer stays on: its requests are blocked below, as
    # they fail without internet, and the route must render all the same.
    server = make_server("127.0.0.1", 0, create_app({"TESTING": True}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_planner_draws_route_in_browser_offline(page: Page, live_url: str) -> None:
    blocked: list[str] = []
    failed: list[str] = []
    bad_status: list[str] = []
    page_errors: list[str] = []

    def only_local(route: BrowserRoute) -> None:
        if route.request.url.startswith(f"{live_url}/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def on_failed(request: Request) -> None:
        if request.url.startswith(live_url):
            failed.append(request.url)

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            bad_status.append(f"{response.status} {response.url}")

    page.context.route("**/*", only_local)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))

    page.goto(f"{live_url}/")
    page.wait_for_selector("path.network-extent", state="attached")
    page.fill("#from", "Via Palestro")
    page.fill("#to", "Stazione di Cremona")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_selector("path.route-line", state="attached")

    assert page.locator("path.route-line").count() == 1
    assert page.locator(".leaflet-marker-pane .awesome-marker").count() == 2
    assert page.evaluate("L.version") == "1.9.3"
    assert page.evaluate("typeof jQuery") == "function"
    assert (page.text_content("#distance") or "").endswith(" km")
    assert "/api/route.gpx?" in (page.get_attribute("#gpx-link", "href") or "")
    assert page_errors == []
    assert failed == []
    assert bad_status == []
    assert all("tile.openstreetmap.org" in url for url in blocked), blocked
