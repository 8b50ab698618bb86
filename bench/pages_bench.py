"""How fast each page of the real app is ready in Chromium, next to a trivial Streamlit page
served the same way in the same run (the floor). Not a test.

    .venv/bin/python -m bench.pages_bench [--leads 75] [--runs 5]

The database is the demo plus open leads for the acting rep (Anna) until she has ``--leads``
of them, spread over every to-do section. Each round opens the floor and then every page once
(a full page load: new session, scripts from the browser cache), so a busy machine slows all
of them alike; a page is ready when its last part is on screen, the script has finished and
the browser has painted. Each round also moves to every page from another one by the sidebar,
as a rep does all day (scripts loaded, same session), next to the move from one trivial page to
another (bench/trivial_pages.py). Printed: median ready times, their ratios to the floors'
medians, DOM nodes and buttons. Targets (full loads): every page within 3× the floor, the
To-do within 2×.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import browser
from lib import access, db, demo, leads
from tests import lead_seed
from tests.e2e.conftest import start_app

# page → (URL path, what is on screen last when it is ready); the rep's pages are opened as
# Anna, the manager's as the team's manager
PAGES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "To-do": ("todo", lambda p: p.locator('.st-key-todo_table [data-testid^="glide-cell-"]')
              .first.wait_for(state="attached")),
    "Pipeline": ("pipeline", lambda p: p.locator(".st-key-pipeline_step_negotiation").wait_for()),
    "Prospecting": ("prospecting", lambda p: p.get_by_test_id("stDataFrame").first.wait_for()),
    "Funnel": ("funnel", lambda p: p.get_by_text("Criteria that predict leads").wait_for()),
    "Overdue": ("overdue", lambda p: p.get_by_text("Back from standby this week").wait_for()),
    "Lists": ("", lambda p: p.get_by_test_id("stDataFrame").first.wait_for()),
}
MANAGER_PAGES = ("Funnel", "Overdue")
MANAGER = lead_seed.CLARA
TARGETS = {"To-do": 2.0}
DEFAULT_TARGET = 3.0
# Due in (days) for the rep's extra leads: overdue, today, upcoming, later, in turn.
SPREAD = (-9, -4, -1, 0, 0, 2, 4, 6, 12, 25, 40)


def fill(path: Path, wanted: int) -> int:
    """The demo plus open leads of Anna's until she has ``wanted``; every 8th one parked."""
    conn = db.connect(path)
    cur = conn.cursor()
    demo.load(cur)
    anna = lead_seed.user_id(cur)
    have = leads.todo_counts(cur, user_id=anna, viewer=access.FULL_ACCESS)
    for i in range(max(0, wanted - sum(have.values()))):
        lead_id = lead_seed.lead(cur, f"Bench {i:03d} GmbH", days=SPREAD[i % len(SPREAD)],
                                 amount=1000 * (i % 9 + 1))
        if i % 8 == 7:
            back = lead_seed.local_today(cur) + timedelta(days=10)
            leads.standby(cur, lead_id, back, leads.NextStep("call", back), by=anna)
    total = sum(leads.todo_counts(cur, user_id=anna, viewer=access.FULL_ACCESS).values())
    conn.close()
    return total


def painted(page: Any) -> None:
    """Two animation frames: what the last script run sent is on screen."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def open_once(page: Any, url: str, ready: Callable[[Any], Any]) -> float:
    start = time.perf_counter()
    page.goto(url)
    ready(page)
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")
    painted(page)
    return (time.perf_counter() - start) * 1000


def navigate_once(page: Any, start: str, start_ready: Callable[[Any], Any], link: str,
                  ready: Callable[[Any], Any]) -> float:
    """Open ``start`` (not timed), then click the sidebar's ``link``: a rep moving on."""
    page.goto(start)
    start_ready(page)
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")
    painted(page)
    began = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    ready(page)
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")
    painted(page)
    return (time.perf_counter() - began) * 1000


def weight(page: Any) -> tuple[int, int]:
    """DOM nodes and buttons of the page on screen."""
    return page.evaluate("() => [document.getElementsByTagName('*').length,"
                         " document.getElementsByTagName('button').length]")


def measure(path: Path, runs: int) -> dict[str, dict[str, float]]:
    """Per page: full page loads (``median_ms``…) and moves from another page by the sidebar
    (``moved_ms``), each next to its floor measured in the same rounds."""
    floor_app = start_app(path.with_name("floor.duckdb"), "bench/trivial_page.py")
    moves_app = start_app(path.with_name("moves.duckdb"), "bench/trivial_pages.py")
    manager_login = browser.login_session(path, MANAGER)
    try:
        with browser.app_in_browser(path, email=lead_seed.ANNA) as (app, page):
            manager = browser.page_as(page.context.browser, app, manager_login)
            targets = {"floor": (f"{floor_app.url}/", lambda p: p.get_by_text("ready").wait_for()),
                       **{name: (f"{app.url}/{url}", ready)
                          for name, (url, ready) in PAGES.items()}}
            times: dict[str, list[float]] = {name: [] for name in targets}
            moved: dict[str, list[float]] = {name: [] for name in targets}
            shape: dict[str, tuple[int, int]] = {}
            for round_ in range(runs + 1):  # round 0 warms caches and is left out
                for name, (url, ready) in targets.items():
                    tab = manager if name in MANAGER_PAGES else page
                    took = open_once(tab, url, ready)
                    if not round_:
                        shape[name] = weight(tab)
                    move = move_to(tab, app.url, moves_app.url, name, ready)
                    if round_:
                        times[name].append(took)
                        moved[name].append(move)
    finally:
        floor_app.stop()
        moves_app.stop()
    return {name: {"median_ms": statistics.median(t), "min_ms": min(t), "max_ms": max(t),
                   "moved_ms": statistics.median(moved[name]),
                   "nodes": shape[name][0], "buttons": shape[name][1]}
            for name, t in times.items()}


def move_to(tab: Any, app_url: str, moves_url: str, name: str, ready: Callable[[Any], Any]
            ) -> float:
    """The time to reach page ``name`` from another one by the sidebar (the floor: from one
    trivial page to the other)."""
    if name == "floor":
        return navigate_once(tab, f"{moves_url}/", lambda p: p.get_by_text("ready one").wait_for(),
                             "Two", lambda p: p.get_by_text("ready two").wait_for())
    start = "To-do" if name == "Lists" else "Lists"
    if name in MANAGER_PAGES:
        start = "Overdue" if name == "Funnel" else "Funnel"
    start_url, start_ready = PAGES[start]
    return navigate_once(tab, f"{app_url}/{start_url}", start_ready, name, ready)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=75)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        total = fill(path, args.leads)
        print(f"demo + Anna's open leads: {total}; median of {args.runs} rounds (each: the "
              "floor, then every page, a full page load and a move by the sidebar in Chromium)")
        shown = measure(path, args.runs)
    floor, moved_floor = shown["floor"]["median_ms"], shown["floor"]["moved_ms"]
    print(f"  {'page':<14}{'full load':>10}{'range':>16}{'× floor':>9}{'moved':>9}{'× floor':>9}"
          f"{'nodes':>7}{'buttons':>9}   target (full load)")
    for name, s in shown.items():
        ratio = s["median_ms"] / floor
        target = "" if name == "floor" else TARGETS.get(name, DEFAULT_TARGET)
        verdict = "" if name == "floor" else ("ok" if ratio <= target else "OVER")
        print(f"  {name:<14}{s['median_ms']:>7.0f} ms {s['min_ms']:>6.0f}–{s['max_ms']:<6.0f}ms"
              f"{ratio:>8.2f}×{s['moved_ms']:>6.0f} ms{s['moved_ms'] / moved_floor:>8.2f}×"
              f"{s['nodes']:>7}{s['buttons']:>9}   "
              + (f"≤ {target}× {verdict}" if target else ""))


if __name__ == "__main__":
    main()
