"""Take the planner screenshots for docs/screenshots/: a tour through POIs, with the POI layer, in Italian and English.

Run: ``.venv/bin/python scripts/planner_screenshots.py [OUT_DIR]``. The app runs on a loopback port with the
embedded data and a throwaway database; Chromium (``/usr/bin/chromium``) stays offline, so the map shows the
local road layer instead of tiles, as at a kiosk without internet.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from web import create_app

ARGS = ["--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
PLAN = (
    "kind=tour&from=45.1433,10.0180&via=poi:museum-museo-del-violino&via=poi:music-teatro-ponchielli"
    "&to=45.1334,10.0246&depart=2026-06-09T10:00&profile=touring"
)
POPUP_POI = "museum-museo-archeologico-san-lorenzo"


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
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
