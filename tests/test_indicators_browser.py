"""The indicators dashboard in a real browser (Chromium, offline): a staff member signs in and sees the charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gis_data.staff_store import create_account
from tests.test_browser import TIMEOUT_MS
from tests.test_browser import Watch
from tests.test_browser import browser_type_launch_args  # noqa: F401 - Debian's Chromium, offline
from tests.test_browser import serving
from web import create_app
from web import indicators
from web.plans import get_store

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

PLANS = (
    "/api/itinerary?kind=tour&from=45.1433,10.0180&via=poi:museum-museo-del-violino&to=45.1334,10.0246",
    "/api/route.gpx?from=45.1433,10.0180&to=45.1334,10.0246&infopoint=crema",
)
PASSWORD = "a long staff pass phrase"


def test_dashboard_draws_its_charts(page: Page, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'plans.sqlite'}"})
    client = app.test_client()
    for query in PLANS:
        assert client.get(query).status_code == 200
    indicators.flush(app)
    with app.app_context():
        create_account(get_store(), "desk", PASSWORD, role="editor", organisation="Infopoint Crema", actor="test")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    with serving(app) as url:
        watch = Watch(page, url)
        page.goto(f"{url}/indicators?lang=en")  # sent to the sign-in page first
        page.fill("#username", "desk")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/indicators?lang=en", timeout=TIMEOUT_MS)
        page.wait_for_function("window.cremonaIndicators !== undefined")
        drawn = page.evaluate(
            "Object.entries(window.cremonaIndicators.charts).map(([id, c]) =>"
            " [id, c.data.datasets.map(d => d.data.reduce((a, b) => a + b, 0)), c.canvas.clientHeight])"
        )
        assert page.evaluate("typeof Chart") == "function"
        assert page.evaluate("Chart.version") == "4.6.1"
        cells = page.locator("#per-month-table tbody td.num").all_inner_texts()
        watch.check()
    assert console == []
    by_id = {chart_id: (sums, height) for chart_id, sums, height in drawn}
    assert set(by_id) == {"per-month-chart", "category-chart", "comune-chart", "infopoint-chart"}
    assert by_id["per-month-chart"][0] == [1, 1, 0]  # one itinerary, one GPX, no sheet
    assert by_id["comune-chart"][0] == [1, 1, 0]
    assert by_id["infopoint-chart"][0] == [0, 1, 0]
    assert all(height > 50 for _, height in by_id.values())
    assert cells == ["1", "1", "0"]  # the table under the chart holds the same numbers
    assert page.locator("canvas").count() == 4
