"""Timing pages of the real app (`streamlit run serve.py`) in Chromium, for the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.e2e.conftest import CHROMIUM_ARGS, RunningApp, chromium_path, start_app


def login_session(database: Path, email: str | None = None) -> str:
    """A login session (its cookie token) for the user with ``email``, else the database's
    first admin, else its first manager, else its first user: the benchmarks time pages, not
    the login form."""
    from lib import auth, db

    conn = db.connect(database)
    try:
        cur = conn.cursor()
        user_id = cur.execute(
            "SELECT id FROM users WHERE active AND (? IS NULL OR email = ?)"
            " ORDER BY role <> 'admin', role <> 'manager', id LIMIT 1",
            [email, email]).fetchone()[0]
        return auth.start_session(cur, user_id, client="bench")
    finally:
        conn.close()


@contextmanager
def app_in_browser(database: Path, *, logged_in: bool = True, email: str | None = None
                   ) -> Iterator[tuple[RunningApp, Any]]:
    """The app on `database` and a Chromium page to drive it, logged in (the session cookie
    set; as ``email``, else as ``login_session`` picks) unless told otherwise; both stopped
    afterwards. ``page.context.browser`` opens pages for other users (``page_as``, with a
    ``login_session`` made before the app holds the file)."""
    from playwright.sync_api import sync_playwright

    token = login_session(database, email) if logged_in else None
    app = start_app(database)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_ARGS)
            yield app, page_as(browser, app, token)
            browser.close()
    finally:
        app.stop()


def page_as(browser: Any, app: RunningApp, token: str | None, locale: str = "en-US") -> Any:
    """A page in a context of its own, with the login session ``token`` (None: logged out),
    in a browser set to ``locale``."""
    from lib.login_routes import COOKIE

    context = browser.new_context(viewport={"width": 1600, "height": 1400}, locale=locale)
    if token:
        context.add_cookies([{"name": COOKIE, "value": token, "url": app.url,
                              "httpOnly": True, "sameSite": "Strict"}])
    page = context.new_page()
    page.set_default_timeout(120_000)
    return page


def open_times(page: Any, url: str, ready: Callable[[Any], None], runs: int) -> dict[str, float]:
    """Open `url` runs + 1 times; a render ends when `ready(page)` returns and the script has
    finished. The first opening (cold caches) is reported apart from the median of the rest."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        page.goto(url)
        ready(page)
        page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")
        times.append((time.perf_counter() - start) * 1000)
    return {"first_ms": times[0], "median_ms": statistics.median(times[1:])}


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc (Linux only)")
