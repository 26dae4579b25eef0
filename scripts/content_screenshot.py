"""Take the content editor's screenshots for docs/screenshots/: a real luthier's record being edited, then its preview.

An editor of the Infopoint Cremona signs in, opens the record of a luthier of the embedded curated data and
writes its Italian description from the record's own facts: ``staff-content-edit.png`` is the form with its
map; after saving, ``staff-content-preview.png`` is the draft against what visitors see, with the Publish button.

Run: ``.venv/bin/python scripts/content_screenshot.py [OUT_DIR]`` (``make screenshots`` does). The app runs on a
loopback port with the embedded data and a throwaway database; Chromium stays offline, so the map shows the
local road layer instead of tiles.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from gis_data.staff_store import create_account
from web import create_app
from web.plans import get_store

ARGS = ["--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
POI = "luthier-davide-sora"
USER, PASSWORD = "desk.cremona", "screenshot pass phrase"
DESCRIPTION = "Laboratorio di liuteria di Davide Sora in via Decia 22, a Cremona."


def full_page(page: Page, path: Path) -> None:
    """Save the whole staff page (it scrolls inside its own box) at the viewport's width."""
    height = page.evaluate("document.querySelector('.staff').scrollHeight + document.querySelector('.staff').offsetTop")
    page.set_viewport_size({"width": 1280, "height": int(height) + 40})
    page.screenshot(path=str(path))
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


def main(out: Path) -> None:
    """Serve the app, edit the Infopoint's record as its staff and save the two screenshots into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/plans.sqlite"})
        with app.app_context():
            create_account(get_store(), USER, PASSWORD, role="editor", organisation="Infopoint Cremona", actor="docs")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
            page.goto(f"{url}/staff/sign-in?lang=en&next=/staff/content/poi/{POI}/edit")
            page.fill("#username", USER)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("#content-form")
            page.fill("#f-description_it", DESCRIPTION)
            page.wait_for_selector("#content-map .content-marker", state="attached")
            page.wait_for_selector("#content-map path.content-roads", state="attached")  # the road layer
            page.wait_for_load_state("networkidle")
            full_page(page, out / "staff-content-edit.png")
            page.click("button.content-save")
            page.wait_for_selector("tr.changed")
            full_page(page, out / "staff-content-preview.png")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
