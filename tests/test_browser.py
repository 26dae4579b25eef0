"""The planner in a real browser: Debian's Chromium driven by Playwright, offline.

One live server per module (plus a second one on the same database, for the
restart). Every request that leaves 127.0.0.1 is aborted, and Chromium resolves
no other host, so the map tiles fail as at a kiosk without internet and the page
falls back to the road layer drawn from the local data.
"""

from __future__ import annotations

import math
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest
from werkzeug.serving import make_server

from gis_data.gpx import validate_gpx_schema
from tests.conftest import GPX_SCHEMA
from web import create_app
from web.plans import close_store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask import Flask
    from playwright.sync_api import Browser
    from playwright.sync_api import Page
    from playwright.sync_api import Request
    from playwright.sync_api import Response
    from playwright.sync_api import Route as BrowserRoute

CHROMIUM = Path("/usr/bin/chromium")
# Resolve no host name but the loopback one: the browser itself stays offline too.
OFFLINE_ARGS = ["--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
PIAZZA = (45.1334, 10.0246)
STATION = (45.1433, 10.0180)
MUSEUM = "museum-museo-del-violino"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": OFFLINE_ARGS}


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve an app on a free loopback port until the block ends (then close its database)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        close_store(app)


def planner_app(database_url: str) -> Flask:
    # The default OpenStreetMap tile layer stays on: its requests are blocked, as
    # they fail without internet, and the page must make sense all the same.
    return create_app({"TESTING": True, "DATABASE_URL": database_url})


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('plans') / 'plans.sqlite'}"


@pytest.fixture(scope="module")
def live_url(database_url: str) -> Iterator[str]:
    with serving(planner_app(database_url)) as url:
        yield url


class Watch:
    """What a page did wrong: script errors, failed or refused local requests, and what was blocked."""

    def __init__(self, page: Page, live_url: str) -> None:
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.bad_status: list[str] = []
        self.errors: list[str] = []

        def only_local(route: BrowserRoute) -> None:
            if route.request.url.startswith("http://127.0.0.1:"):
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        def on_failed(request: Request) -> None:
            if request.url.startswith("http://127.0.0.1:"):
                self.failed.append(request.url)

        def on_response(response: Response) -> None:
            if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                self.bad_status.append(f"{response.status} {response.url}")

        page.context.route("**/*", only_local)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.set_default_timeout(TIMEOUT_MS)

    def check(self) -> None:
        assert self.errors == []
        assert self.failed == []
        assert self.bad_status == []
        assert all("tile.openstreetmap.org" in url for url in self.blocked), self.blocked


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Let Playwright's own helpers (``wait_for_function``) evaluate code despite the page's CSP.

    The page itself is checked under its real Content-Security-Policy in
    :func:`test_page_works_under_its_content_security_policy`.
    """
    return {**browser_context_args, "bypass_csp": True}


def test_page_works_under_its_content_security_policy(browser: Browser, live_url: str) -> None:
    context = browser.new_context()  # no bypass: the policy applies
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1:") else r.abort())
    page.goto(f"{live_url}/?from=Via+Palestro&to=Stazione+di+Cremona")
    page.wait_for_selector("path.route-line", state="attached", timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    context.close()
    assert violations == []
    assert errors == []


@pytest.fixture
def watch(page: Page, live_url: str) -> Iterator[Watch]:
    watched = Watch(page, live_url)
    yield watched
    watched.check()


def click_map(page: Page, latlon: tuple[float, float]) -> None:
    """Click the map where a point is (Leaflet converts the position for us)."""
    x, y = page.evaluate(
        "([lat, lon]) => { const p = cremonaPlanner.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        list(latlon),
    )
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def route_result(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("cremonaPlanner.result()")
    return result


def wait_for_route(page: Page, stops: int) -> None:
    """Wait until the page shows a route planned through that many stops."""
    page.wait_for_function(
        f"cremonaPlanner.result() && cremonaPlanner.result().props.stops.length === {stops}"
        " && document.getElementById('planner').getAttribute('aria-busy') === 'false'"
    )
    page.wait_for_selector("path.route-line", state="attached")


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the distance between two (lat, lon) points (equirectangular; fine at city scale)."""
    x = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    y = math.radians(b[0] - a[0])
    return 6_371_000 * math.hypot(x, y)


def test_click_start_and_end_draws_the_route_offline(page: Page, live_url: str, watch: Watch) -> None:
    page.goto(f"{live_url}/?lang=en")
    page.wait_for_selector("path.network-extent", state="attached")
    for toggle in page.locator("input[name=poi-category]").all():
        toggle.uncheck()  # a click on a POI opens its popup: keep the clicks for the map
    click_map(page, PIAZZA)
    page.wait_for_selector(".stop-marker")
    click_map(page, STATION)
    wait_for_route(page, 2)
    assert page.locator("path.route-line").count() == 1
    assert page.locator(".stop-marker").count() == 2
    assert re.fullmatch(r"\d+\.\d km", page.text_content("#distance") or "")
    assert page.locator(".profile-chart rect").count() > 3  # the distance profile
    assert page.locator(".segments-table tbody tr").count() >= 1  # why this way, segment by segment
    assert "from=45.13" in page.url
    assert "to=45.14" in page.url  # the address is the plan
    # No tiles without internet: the local road network is drawn instead.
    page.wait_for_selector("path.offline-roads", state="attached")
    assert "local road network" in (page.text_content("#map-notice") or "")
    assert page.evaluate("L.version") == "1.9.3"


def test_add_a_poi_and_the_route_goes_through_it(page: Page, live_url: str, watch: Watch) -> None:
    page.goto(f"{live_url}/?lang=en&from={PIAZZA[0]},{PIAZZA[1]}&to={STATION[0]},{STATION[1]}")
    wait_for_route(page, 2)
    before = route_result(page)["props"]["length_m"]
    page.uncheck("input[name=poi-category][value=music_venue]")  # its auditorium shares the museum's building
    page.locator(f'path[data-poi="{MUSEUM}"]').click()
    popup = page.locator(".leaflet-popup-content")
    assert "Museo del Violino" in (popup.text_content() or "")
    assert "Tu-Su 10:00-18:00" in (popup.text_content() or "")
    popup.get_by_role("button", name="Add to the itinerary").click()
    wait_for_route(page, 3)
    props = route_result(page)["props"]
    assert [s["query"] for s in props["stops"]][1] == f"poi:{MUSEUM}"
    museum = props["stops"][1]
    line = [(lat, lon) for lon, lat in route_result(page)["geometry"]["coordinates"]]
    assert min(metres((museum["lat"], museum["lon"]), p) for p in line) < 100
    assert props["length_m"] > before
    assert "Museo del Violino" in (page.text_content("#stops-list") or "")
    assert "via=poi%3Amuseum-museo-del-violino" in page.url


def test_switch_to_english(page: Page, live_url: str, watch: Watch) -> None:
    page.context.set_extra_http_headers({"Accept-Language": "it-IT,it;q=0.9"})
    page.goto(f"{live_url}/?from={PIAZZA[0]},{PIAZZA[1]}&to={STATION[0]},{STATION[1]}")
    wait_for_route(page, 2)
    assert page.get_attribute("html", "lang") == "it"
    assert page.text_content("#plan-button") == "Calcola il percorso"
    assert "Distanza" in (page.text_content("#why") or "")
    page.click("a.lang-link[data-lang=en]")
    page.wait_for_url(re.compile(r"lang=en"))
    wait_for_route(page, 2)
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#plan-button") == "Plan route"
    assert "Distance" in (page.text_content("#why") or "")  # the script's texts too
    assert page.locator(".stop-role").first.text_content() == "Start"
    assert f"from={PIAZZA[0]}" in page.url  # the plan stays


def test_save_and_reload_after_a_restart(page: Page, live_url: str, watch: Watch, database_url: str) -> None:
    page.goto(
        f"{live_url}/?lang=en&profile=family&from={STATION[0]},{STATION[1]}&via=poi:{MUSEUM}&to={PIAZZA[0]},{PIAZZA[1]}"
    )
    wait_for_route(page, 3)
    saved = route_result(page)["props"]
    page.click("#save-button")
    link = page.locator("#saved-link")
    link.wait_for(state="visible")
    href = link.get_attribute("href") or ""
    assert re.fullmatch(r"/plan/[A-Za-z0-9_-]{12}", href)

    with serving(planner_app(database_url)) as restarted:  # a new app process on the same database
        page.goto(f"{restarted}{href}")
        wait_for_route(page, 3)
        again = route_result(page)["props"]
        assert again["length_m"] == saved["length_m"]
        assert again["profile"] == "family"
        assert [s["query"] for s in again["stops"]] == [s["query"] for s in saved["stops"]]
        assert page.locator("#saved-id code").text_content() == href.rsplit("/", 1)[1]


def test_download_gpx_is_valid(page: Page, live_url: str, watch: Watch, tmp_path: Path) -> None:
    page.goto(f"{live_url}/?lang=en&from={PIAZZA[0]},{PIAZZA[1]}&via=poi:{MUSEUM}&to={STATION[0]},{STATION[1]}")
    wait_for_route(page, 3)
    page.check("#gpx-parts input[value=rte]")
    with page.expect_download() as info:
        page.click("#gpx-link")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".gpx"
    xml = path.read_bytes()
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    assert b"<rte>" in xml
    assert b"<trk>" in xml
    assert b"Museo del Violino" in xml
