"""Take the screenshots for docs/screenshots/: the planner in Italian and English, and the indicators dashboard.

The planner shows a tour through POIs, with the POI layer; the staff's indicators dashboard shows the counts of
real itineraries planned, downloaded and printed just before.

Run: ``.venv/bin/python scripts/planner_screenshots.py [OUT_DIR]``. The app runs on a loopback port with the
embedded data and a throwaway database; Chromium (``/usr/bin/chromium``) stays offline, so the map shows the
local road layer instead of tiles, as at a kiosk without internet.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import sync_playwright
from shapely import LineString
from werkzeug.serving import make_server

from gis_data.staff_store import create_account
from routing.cycle_routes import match_track
from web import create_app
from web import indicators
from web.graph import get_graph
from web.plans import get_store

if TYPE_CHECKING:
    import networkx as nx
    from playwright.sync_api import Browser

ARGS = ["--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
PLAN = (
    "kind=tour&from=45.1433,10.0180&via=poi:museum-museo-del-violino&via=poi:music-teatro-ponchielli"
    "&to=45.1334,10.0246&depart=2026-06-09T10:00&profile=touring"
)
POPUP_POI = "museum-museo-archeologico-san-lorenzo"
STATION, PIAZZA = "45.1433,10.0180", "45.1334,10.0246"
EV8_WEST, EV8_EAST = "45.1453,9.9854", "45.1423,10.0138"  # on EuroVelo 8 across Cremona
#: The EuroVelo 8 reference line (no stated licence: used here and in the tests, never shipped), beside the clone.
EV8_LINE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "eurovelo8-po-cremona" / "ev8_cremona_window.geojson"
)
#: Real requests whose counts the dashboard shows: (path, times asked).
USAGE = (
    (f"/api/itinerary?kind=tour&from={STATION}&via=poi:museum-museo-del-violino&to={PIAZZA}", 5),
    (f"/api/itinerary?kind=tour&from={STATION}&via=poi:music-teatro-ponchielli&via=poi:luthier-nolli-violins", 3),
    (f"/api/route?from={EV8_WEST}&via=poi:museum-museo-civico-ala-ponzone&to={EV8_EAST}", 4),
    (f"/api/route?from={EV8_WEST}&to={EV8_EAST}", 2),
    (f"/api/route?from={STATION}&via=poi:food_shop-spaccio-sperlari&to={PIAZZA}&infopoint=crema", 2),
    (f"/api/route.gpx?from={EV8_WEST}&via=poi:museum-museo-civico-ala-ponzone&to={EV8_EAST}", 3),
    (f"/api/itinerary.gpx?kind=tour&from={STATION}&via=poi:museum-museo-del-violino&to={PIAZZA}", 2),
    (f"/api/itinerary.pdf?kind=tour&from={STATION}&via=poi:museum-museo-del-violino&to={PIAZZA}&infopoint=cremona", 2),
    (f"/api/itinerary.pdf?kind=tour&from={STATION}&via=poi:lodging-bb-il-violino&to={PIAZZA}&infopoint=soncino", 1),
)


def main(out: Path) -> None:
    """Serve the app and save one screenshot per language into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/plans.sqlite"})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            for lang in ("it", "en"):
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                page.context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
                page.goto(f"{url}/?{PLAN}&lang={lang}")
                page.wait_for_function("cremonaPlanner.result() && cremonaPlanner.result().doc")
                page.wait_for_selector(f'path[data-poi="{POPUP_POI}"]', state="attached")
                page.wait_for_selector("path.offline-roads", state="attached")
                # Scroll the side panel (not the page) to the summary and its distance profile.
                page.evaluate(
                    "(() => { const panel = document.querySelector('.panel');"
                    " const top = document.getElementById('summary').getBoundingClientRect().top;"
                    " panel.scrollTop += top - panel.getBoundingClientRect().top - 8; })()"
                )
                page.dispatch_event(f'path[data-poi="{POPUP_POI}"]', "click")  # opens its popup, as a tap would
                time.sleep(0.5)
                path = out / f"planner-{lang}.png"
                page.screenshot(path=str(path))
                print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
                page.close()
            dashboard(browser, out, tmp)
            browser.close()
        server.shutdown()


def with_ev8(G: nx.MultiDiGraph[int]) -> nx.MultiDiGraph[int]:
    """Return the graph with the EuroVelo 8 stretch across Cremona matched onto it (as tests/test_indicators.py)."""
    doc = json.loads(EV8_LINE.read_text(encoding="utf-8"))
    inside = next(f for f in doc["features"] if f["properties"].get("part") == "inside_province")
    track = LineString([c[:2] for c in inside["geometry"]["coordinates"][109:151]])
    return match_track(G, track, name="EuroVelo 8", ref="EV8", network="icn")[0]


def dashboard(browser: Browser, out: Path, tmp: str) -> None:
    """Make the :data:`USAGE` requests on a second app, then photograph its indicators page as a signed-in editor.

    When the shared EuroVelo 8 reference line is at hand (not redistributable, so not shipped) it is matched onto
    the city graph first, as ``cremona-bike routes match`` does, so that plans along it count a named cycle route.
    """
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/usage.sqlite"})
    with app.app_context():
        if EV8_LINE.is_file():
            app.extensions["cremona_bike.graph"].graph = with_ev8(get_graph())
        create_account(
            get_store(), "desk", "screenshot pass phrase", role="editor", organisation="Infopoint Crema", actor="docs"
        )
    client = app.test_client()
    for query, times in USAGE:
        for _ in range(times):
            status = client.get(query).status_code
            if status != 200:
                msg = f"{query} answered {status}"
                raise RuntimeError(msg)
    indicators.flush(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    page = browser.new_page(viewport={"width": 1280, "height": 2000})
    today = dt.date.today()  # show the last six months: the counts are all of this one, the others are empty
    since = f"{today.year - (today.month <= 5)}-{(today.month - 6) % 12 + 1:02d}"
    page.goto(f"{url}/staff/sign-in?lang=en&next=/indicators?since={since}")
    page.fill("#username", "desk")
    page.fill("#password", "screenshot pass phrase")
    page.click("button[type=submit]")
    page.wait_for_selector("#per-month-chart")  # the charts are drawn on load (no wait_for_function: the CSP bans eval)
    if not page.evaluate("Object.keys(window.cremonaIndicators.charts).length"):
        msg = "The indicators page drew no chart"
        raise RuntimeError(msg)
    height = page.evaluate("document.querySelector('.staff').scrollHeight + document.querySelector('.staff').offsetTop")
    page.set_viewport_size({"width": 1280, "height": int(height) + 40})
    path = out / "indicators-dashboard.png"
    page.screenshot(path=str(path))
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    page.close()
    server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
