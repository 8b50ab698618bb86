"""Many reps at once on one app process: 1, 10, 20 and 50 browser sessions (Chromium,
loopback only) open the to-do, the prospecting list (and tick a criterion there) and the
pipeline at the same moment, as many times as ``--rounds`` says. Not a test.

    .venv/bin/python -m bench.load_bench [--sessions 1 10 20 50] [--rounds 2]

Printed per number of sessions: the median and p95 time from asking for a page to the page
ready on screen (and for a tick, from the key press to the saved tick's rerun done), each next
to the single session's median in the same run, and where the time goes: the app process's CPU
seconds per page or tick, the rate it sustained and its share of one core. Streamlit runs
every session's script in one Python process, so its script runs share one interpreter lock:
near 100 % of one core, the process is the bottleneck; far below it, the time goes elsewhere
(here: the browsers, which share the machine's cores with the app).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.browser import login_session
from lib import db, demo
from lib.login_routes import COOKIE
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, start_app

REPS = ("anna.schmidt@leadladder.example", "ben.okafor@leadladder.example")
ROW_HEIGHT, STATUS_X, TO_REACHED = 35, 36 + 48, 6  # the grid's geometry (see the e2e tests)
READY = {
    "todo": '.st-key-todo_table [data-testid^="glide-cell-"]',
    "prospecting": '[data-testid="stDataFrame"]',
    "pipeline": ".st-key-pipeline_step_negotiation",
}
IDLE = '[data-test-script-state="notRunning"]'
RUNNING = '[data-test-script-state="running"]'
TIMEOUT_MS = 600_000


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ready(page: Any, selector: str) -> None:
    await page.locator(selector).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    await page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT_MS)


async def open_page(page: Any, url: str, path: str, times: dict[str, list[float]]) -> None:
    began = time.perf_counter()
    await page.goto(f"{url}/{path}", timeout=TIMEOUT_MS)
    await ready(page, READY[path])
    times["page"].append(time.perf_counter() - began)


async def tick(page: Any, row: int, times: dict[str, list[float]]) -> None:
    """Tick "reached" of ``row`` with the keyboard, as a rep does, and wait for the save."""
    grid = page.get_by_test_id("stDataFrame").first
    box = await grid.bounding_box()
    await page.mouse.click(box["x"] + STATUS_X, box["y"] + ROW_HEIGHT * (row + 1.5))
    await page.wait_for_timeout(200)
    for _ in range(TO_REACHED):
        await page.keyboard.press("ArrowRight")
    began = time.perf_counter()
    await page.keyboard.press("Space")
    try:  # the save's rerun; a quick one may be over before it is seen running
        await page.wait_for_selector(RUNNING, state="attached", timeout=3_000)
    except PlaywrightTimeout:
        pass
    await page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT_MS)
    times["tick"].append(time.perf_counter() - began)


async def rep(page: Any, url: str, number: int, rounds: int, times: dict[str, list[float]]
              ) -> None:
    for round_ in range(rounds):
        await open_page(page, url, "todo", times)
        await open_page(page, url, "prospecting", times)
        await tick(page, (number + round_) % 8, times)
        await open_page(page, url, "pipeline", times)


async def phase(browser: Any, app: Any, tokens: list[str], rounds: int) -> dict[str, Any]:
    """All sessions at once; their contexts are made (and logged in) before the clock starts."""
    pages = []
    for token in tokens:
        context = await browser.new_context(viewport={"width": 1600, "height": 1200},
                                            locale="en-US")
        await context.add_cookies([{"name": COOKIE, "value": token, "url": app.url,
                                    "httpOnly": True, "sameSite": "Strict"}])
        pages.append(await context.new_page())
    times: dict[str, list[float]] = {"page": [], "tick": []}
    cpu, began = cpu_seconds(app.process.pid), time.perf_counter()
    await asyncio.gather(*(rep(page, app.url, i, rounds, times) for i, page in enumerate(pages)))
    wall, used = time.perf_counter() - began, cpu_seconds(app.process.pid) - cpu
    for page in pages:
        await page.context.close()
    return {"times": times, "wall": wall, "cpu": used}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


async def measure(database: Path, sessions: list[int], rounds: int) -> list[tuple[int, dict]]:
    from playwright.async_api import async_playwright

    tokens = [login_session(database, REPS[i % 2]) for i in range(max(sessions) * 2)]
    app = start_app(database)
    results = []
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium_path(),
                                                       args=CHROMIUM_ARGS)
            await phase(browser, app, tokens[:1], 1)  # warm-up: caches, plans, scripts
            for count in sessions:
                results.append((count, await phase(browser, app, tokens[:count], rounds)))
            await browser.close()
    finally:
        app.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 20, 50])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sessions = sorted({1, *args.sessions})
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "load.duckdb"
        conn = db.connect(database)
        demo.load(conn.cursor())
        conn.close()
        results = asyncio.run(measure(database, sessions, args.rounds))
    single = {kind: statistics.median(results[0][1]["times"][kind]) for kind in ("page", "tick")}
    print(f"DuckDB, one app process, {os.cpu_count()} cores shared with Chromium; each session "
          f"{args.rounds}× (to-do, prospecting + a tick, pipeline)")
    print(f"  {'sessions':>8}{'page median':>13}{'p95':>10}{'× one':>7}{'tick median':>13}"
          f"{'p95':>10}{'× one':>7}{'app CPU/run':>13}{'runs/s':>8}{'app CPU':>9}")
    for count, result in results:
        page, ticks = result["times"]["page"], result["times"]["tick"]
        runs = len(page) + len(ticks)
        print(f"  {count:>8}{statistics.median(page):>11.2f} s{p95(page):>8.2f} s"
              f"{statistics.median(page) / single['page']:>6.1f}×"
              f"{statistics.median(ticks):>11.2f} s{p95(ticks):>8.2f} s"
              f"{statistics.median(ticks) / single['tick']:>6.1f}×"
              f"{result['cpu'] / runs * 1000:>10.0f} ms{runs / result['wall']:>8.1f}"
              f"{result['cpu'] / result['wall']:>8.0%}")


if __name__ == "__main__":
    main()
