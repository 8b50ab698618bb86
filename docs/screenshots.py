"""The README's screenshots of German pages: the demo in Chromium set to German (de-DE), the
to-do of a rep and the funnel of a manager. Run: `uv run python docs/screenshots.py`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.browser import login_session, page_as  # noqa: E402
from lib import db, demo  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, start_app, wait_for_app  # noqa: E402

SHOTS = {"todo": ("anna.schmidt@leadladder.example", "docs/todo-de.png"),
         "funnel": ("clara.weber@leadladder.example", "docs/funnel-de.png")}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "demo.duckdb"
        conn = db.connect(database)
        demo.load(conn.cursor())
        conn.close()
        tokens = {path: login_session(database, email) for path, (email, _) in SHOTS.items()}
        app = start_app(database)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                     args=CHROMIUM_ARGS)
                for path, (_, target) in SHOTS.items():
                    page = page_as(browser, app, tokens[path], locale="de-DE")
                    page.set_viewport_size({"width": 1400, "height": 900})
                    page.goto(f"{app.url}/{path}")
                    page.get_by_test_id("stMain").wait_for()
                    wait_for_app(page)
                    page.wait_for_timeout(1500)  # charts finish drawing
                    page.screenshot(path=str(ROOT / target))
                    print(f"wrote {target}")
                browser.close()
        finally:
            app.stop()


if __name__ == "__main__":
    main()
