"""Login to first page ready, in Chromium against the real app on the demo database.

From the click on "Log in" until the To-do page is on screen and its script has finished: the
login run, the cookie round trip through /auth/session and the page's own render. Printed next
to the floor measured in the same run: the same To-do page opened by a browser that is already
logged in (the cookie set). Run: `python -m bench.login_bench [--runs N]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import browser
from lib import db, demo

ANNA = "anna.schmidt@leadladder.example"


def todo_ready(page: Any) -> None:
    page.get_by_role("heading", name="To-do").wait_for()
    page.get_by_role("button", name="Log out").wait_for()
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")


def login_times(page: Any, url: str, runs: int) -> list[float]:
    """Log in through the form `runs` times (a fresh session each time, cookies cleared)."""
    password = next(u["password"] for u in demo.logins() if u["email"] == ANNA)
    times = []
    for _ in range(runs):
        page.context.clear_cookies()
        page.goto(f"{url}/todo")
        form = page.get_by_test_id("stForm")
        form.get_by_role("textbox", name="E-mail").fill(ANNA)
        form.get_by_role("textbox", name="Password", exact=True).fill(password)
        start = time.perf_counter()
        form.get_by_role("button", name="Log in").click()
        todo_ready(page)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.duckdb"
        conn = db.connect(path)
        demo.load(conn.cursor())
        conn.close()
        with browser.app_in_browser(path, logged_in=False) as (app, page):
            logins = login_times(page, app.url, args.runs + 1)
            floor = browser.open_times(page, f"{app.url}/todo", todo_ready, args.runs)
    print(f"{'login to first page ready (To-do, Chromium)':<48} median "
          f"{statistics.median(logins[1:]):8.1f} ms   first {logins[0]:,.0f} ms")
    print(f"{'floor: To-do opened already logged in':<48} median {floor['median_ms']:8.1f} ms"
          f"   first {floor['first_ms']:,.0f} ms")


if __name__ == "__main__":
    main()
