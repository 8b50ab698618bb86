"""Speed of the manager's numbers: 1M people, 100k leads, 2M history entries, 1M activities.

    .venv/bin/python -m bench.metrics_bench [--people 1000000] [--runs 7] [--keep PATH]

Not a test. Targets: every metric query ≤ 300 ms (median), the funnel page's full render
≤ 1.5 s, the app process's peak memory ≤ 1 GB. Each query is printed next to its floor: a bare
DuckDB scan of the same tables and columns, with no logic at all. The page is rendered by
AppTest in a child process (the app process) on the same database file; that process reports
its render times and its peak resident memory. Each query is measured for three viewers side by
side: a manager under visibility ``all``, the same manager under ``team`` (their team of two),
and a rep under ``own`` — the cost of the visibility rule.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import browser
from bench.timing import median_ms
from lib import access, charts, db, metrics, schedule

ROOT = Path(__file__).resolve().parent.parent
REPS = 20
LISTS = 100
SOURCES = ("trade fair", "webinar", "purchased list", "website", "partner")
TARGET_MS, PAGE_TARGET_MS, MEMORY_TARGET_MB = 300, 1500, 1024


# --- the data ------------------------------------------------------------------------------
# Every number derives from the row number i through arithmetic (no randomness), so two runs
# build the same database. h = i·7919 mod 1000 spreads the ladder evenly over every list.

def ladder(column: str) -> str:
    """A row's rung number h in 0…999: below 400 prospect, below 150 lead, below 100 converted,
    below 20 won; 380…479 died."""
    return f"(({column} * 7919) % 1000)"


def fill(cur: db.Connection, people: int, history_rows: int, activities: int) -> None:
    """Users, weekly lists, people on the ladder, ticks, leads, history and activities."""
    steps = [
        ("teams", "INSERT INTO teams (id, name) VALUES (1, 'North'), (2, 'South')"),
        ("users", """INSERT INTO users (name, email, role, team_id)
            SELECT 'Rep ' || i, 'rep' || i || '@bench.example', 'rep', 1 + i % 2
            FROM range(1, $reps + 1) t(i)
            UNION ALL SELECT 'Manager', 'manager@bench.example', 'manager', 2"""),
        ("lists", """INSERT INTO lists (id, name, source, created_at, team_id)
            SELECT i, 'KW' || i || ' list', $sources[1 + i % 5],
                $start + to_weeks(CAST(i AS INTEGER)), 1 + i % 2
            FROM range(1, $lists + 1) t(i)"""),
        ("people", f"""INSERT INTO people (id, company, first_name, last_name, email, source,
                status, owner_id, dead_reason, died_at, created_at, updated_at)
            SELECT i, 'Company ' || i, 'First', 'Last ' || i, 'p' || i || '@bench.example',
                CASE WHEN i % 10 = 0 THEN 'website' END,
                CASE WHEN {ladder('i')} BETWEEN 380 AND 479 THEN 'dead'
                    WHEN {ladder('i')} < 150 THEN 'lead'
                    WHEN {ladder('i')} < 380 THEN 'prospect' ELSE 'suspect' END,
                CASE WHEN {ladder('i')} < 480 THEN 1 + i % $reps END,
                CASE WHEN {ladder('i')} BETWEEN 380 AND 479
                    THEN ['no budget', 'no need', 'unreachable', 'not interested'][1 + i % 4] END,
                CASE WHEN {ladder('i')} BETWEEN 380 AND 479 THEN c + INTERVAL 9 DAY END, c, c
            FROM (SELECT i, $start + to_weeks(CAST((i - 1) // $per_list + 1 AS INTEGER))
                      + to_seconds(CAST(i % 604800 AS BIGINT)) AS c
                  FROM range(1, $people + 1) t(i))"""),
        ("list_rows", """INSERT INTO list_rows (list_id, person_id, row_number, added_at)
            SELECT (id - 1) // $per_list + 1, id, id, created_at FROM people"""),
        ("ticks", f"""INSERT INTO ticks (person_id, criterion_key, ticked_by, ticked_at)
            SELECT id, ['reached', 'asked_info', 'website', 'social', 'brand'][1 + id % 5],
                owner_id, created_at + INTERVAL 2 DAY FROM people WHERE {ladder('id')} < 400
            UNION ALL SELECT id, k, owner_id, created_at + INTERVAL 5 DAY
            FROM people, (VALUES ('interest'), ('budget')) v(k)
            WHERE {ladder('id')} < 150"""),
        ("leads", f"""INSERT INTO leads (person_id, title, owner_id, step_key, status,
                standby_until, amount, probability, created_at, closed_at, close_reason,
                next_type, next_due_date, next_due_time)
            SELECT id, company, owner_id, ['new', 'contacted', 'meeting', 'proposal',
                    'negotiation'][1 + id % 5], s,
                CASE WHEN s = 'standby' THEN current_date + CAST(1 + id % 20 AS INTEGER) END,
                (id % 50) * 1000, (id % 11) * 10, created_at + INTERVAL 6 DAY,
                CASE WHEN s IN ('won', 'lost') THEN created_at + INTERVAL 30 DAY END,
                CASE WHEN s = 'lost' THEN 'no budget' END,
                CASE WHEN s IN ('todo', 'standby')
                    THEN ['call', 'email', 'meeting', 'task'][1 + id % 4] END,
                CASE WHEN s = 'todo' THEN current_date + CAST(id % 90 - 45 AS INTEGER)
                    WHEN s = 'standby' THEN current_date + CAST(21 + id % 20 AS INTEGER) END,
                CASE WHEN s IN ('todo', 'standby') AND id % 3 > 0
                    THEN make_time(CAST(8 + id % 10 AS BIGINT), 30, 0) END
            FROM (SELECT *, CASE WHEN {ladder('id')} < 20 THEN 'won'
                    WHEN {ladder('id')} < 30 THEN 'lost'
                    WHEN {ladder('id')} >= 90 THEN 'standby' ELSE 'todo' END AS s
                  FROM people WHERE {ladder('id')} < 100)"""),
        ("history", f"""INSERT INTO history (happened_at, user_id, person_id, lead_id, kind, field,
                old_value, new_value)
            SELECT t.ticked_at, t.ticked_by, t.person_id, NULL, 'tick', t.criterion_key, 'false',
                'true' FROM ticks t
            UNION ALL SELECT created_at + INTERVAL 2 DAY, owner_id, id, NULL, 'status', 'status',
                'suspect', 'prospect' FROM people WHERE {ladder('id')} < 400
            UNION ALL SELECT created_at + INTERVAL 5 DAY, owner_id, id, NULL, 'status', 'status',
                'prospect', 'lead' FROM people WHERE {ladder('id')} < 150
            UNION ALL SELECT died_at, owner_id, id, NULL, 'status', 'status',
                CASE WHEN {ladder('id')} < 400 THEN 'prospect' ELSE 'suspect' END,
                'dead' FROM people WHERE dead_reason IS NOT NULL
            UNION ALL SELECT died_at, owner_id, id, NULL, 'cancel', 'dead_reason', NULL,
                dead_reason FROM people WHERE dead_reason IS NOT NULL
            UNION ALL SELECT created_at, owner_id, person_id, id, 'convert', NULL, NULL, title
                FROM leads
            UNION ALL SELECT closed_at, owner_id, person_id, id, 'lead_status', 'status', 'todo',
                status FROM leads WHERE closed_at IS NOT NULL"""),
        ("history filler", """INSERT INTO history (happened_at, user_id, person_id, kind, field,
                old_value, new_value)
            SELECT $start + to_days(CAST(i % 700 AS INTEGER)), 1 + i % $reps, 1 + i % $people,
                'edit', 'city', 'Berlin', 'Bonn'
            FROM range(greatest(0, $history - (SELECT count(*) FROM history))) t(i)"""),
        ("activities", """INSERT INTO activities (lead_id, person_id, kind, outcome, body,
                happened_at, user_id)
            SELECT l.id, l.person_id, 'call', 'no_answer', 'tried',
                least(now()::TIMESTAMP, l.created_at + to_days(CAST(i // $leads AS INTEGER) * 3)),
                l.owner_id
            FROM range($activities) t(i) JOIN leads l ON l.id = 1 + i % $leads"""),
    ]
    params = {"reps": REPS, "lists": LISTS, "sources": list(SOURCES), "people": people,
              "per_list": -(-people // LISTS), "history": history_rows,
              "activities": activities, "start": db.utcnow() - timedelta(weeks=LISTS + 1)}
    for name, sql in steps:
        if name == "activities":
            params["leads"] = db.scalar(cur, "SELECT count(*) FROM leads")
        schedule.query(cur, sql, params)


def sizes(cur: db.Connection) -> dict[str, int]:
    tables = ("people", "list_rows", "ticks", "leads", "history", "activities")
    return {t: db.scalar(cur, f"SELECT count(*) FROM {t}") for t in tables}


# --- timing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One metric call, and the tables and columns a bare scan must read to be its floor."""

    name: str
    call: Callable[[], object]
    reads: dict[str, tuple[str, ...]]


FUNNEL_READS = {"people": ("id", "created_at"),
                "history": ("person_id", "kind", "new_value", "happened_at"),
                "leads": ("person_id", "created_at")}
LEAD_READS = {"leads": ("owner_id", "status", "standby_until", "next_due_date",
                        "next_due_time")}
LAST_ACTION_READS = {**LEAD_READS, "activities": ("lead_id", "happened_at"),
                     "history": ("lead_id", "kind", "happened_at")}


def floor_sql(reads: dict[str, tuple[str, ...]]) -> str:
    """Read every named column of every table once, with no logic: a hash of each value (a
    bare max() could be answered from the column statistics without reading)."""
    scans = [f"(SELECT {', '.join(f'sum(hash({c}))' for c in columns)} FROM {table})"
             for table, columns in reads.items()]
    return "SELECT * FROM " + ", ".join(f"{scan} AS s{i}" for i, scan in enumerate(scans))


def measured(cur: db.Connection, viewer: access.Viewer) -> list[Measured]:
    """Every metric query the two pages and the CLI make, with the page's filters."""
    now = db.utcnow()
    today = schedule.local_today(now, schedule.app_zone(cur))
    period = metrics.preset("Last 90 days", today)
    page = metrics.FunnelFilter(events=period)
    one_list = metrics.FunnelFilter(list_ids=(LISTS // 2,), events=period)
    lists = {**FUNNEL_READS, "list_rows": ("list_id", "person_id"), "lists": ("id", "name")}
    return [
        Measured("funnel + headline (page, 90 days)", lambda: metrics.summary(cur, page,
                                                                              viewer=viewer),
                 FUNNEL_READS),
        Measured("funnel, all time (CLI)", lambda: metrics.funnel(cur, metrics.FunnelFilter(),
                                                                  viewer=viewer),
                 FUNNEL_READS),
        Measured("funnel + headline, one list", lambda: metrics.summary(cur, one_list,
                                                                        viewer=viewer), lists),
        Measured("funnel + headline, one owner", lambda: metrics.summary(
            cur, metrics.FunnelFilter(owner_ids=(3,), events=period), viewer=viewer),
            {**FUNNEL_READS, "leads": ("id", "person_id", "created_at", "owner_id")}),
        Measured("funnel + headline, one source", lambda: metrics.summary(
            cur, metrics.FunnelFilter(sources=("webinar",), events=period),
                viewer=viewer),
            {**lists, "lists": ("id", "source"), "people": ("id", "created_at", "source")}),
        Measured("people behind 'lead' (50)", lambda: metrics.stage_people(
            cur, page, "lead", limit=50,
                viewer=viewer), {**FUNNEL_READS, "leads": ("id", "person_id",
                                                                      "created_at", "owner_id")}),
        Measured("cohorts per list", lambda: metrics.cohorts(cur, page, "list",
                                                             viewer=viewer), lists),
        Measured("cohorts per import week", lambda: metrics.cohorts(cur, page, "week",
                                                                    viewer=viewer),
                 FUNNEL_READS),
        Measured("drop-off", lambda: metrics.drop_off(cur, page, viewer=viewer),
                 {**lists, "people": ("id", "created_at", "dead_reason", "died_at")}),
        Measured("criteria insight", lambda: metrics.criteria_insight(cur, page,
                                                                      viewer=viewer),
                 {**FUNNEL_READS, "ticks": ("person_id", "criterion_key")}),
        Measured("filter choices", lambda: (metrics.list_choices(cur, viewer=viewer),
                                            metrics.source_choices(cur, viewer=viewer),
                                            metrics.owner_choices(cur, viewer=viewer)),
                 {"people": ("source", "owner_id"), "leads": ("owner_id",)}),
        Measured("overdue per rep", lambda: metrics.overdue_per_rep(cur, now,
                                                                    viewer=viewer), LEAD_READS),
        Measured("overdue by age", lambda: metrics.overdue_by_age(cur, now,
                                                                  viewer=viewer), LEAD_READS),
        Measured("overdue leads (first 200)", lambda: metrics.overdue_leads(cur, now,
                                                                            viewer=viewer),
                 LAST_ACTION_READS),
        Measured("stale leads (14 days, first 200)", lambda: metrics.stale_leads(cur, now, 14,
                                                                                 viewer=viewer),
                 LAST_ACTION_READS),
        Measured("standby coming back", lambda: metrics.standby_returning(cur, now,
                                                                          viewer=viewer),
                 LEAD_READS),
    ]


def viewers(cur: db.Connection) -> list[access.Viewer]:
    """The manager (team 2) under visibility all, then under team; rep 1 (team 2) under own."""
    manager = db.scalar(cur, "SELECT id FROM users WHERE role = 'manager'")
    return [access.Viewer(user_id=manager, role="manager", team_id=2, visibility="all"),
            access.Viewer(user_id=manager, role="manager", team_id=2, visibility="team"),
            access.Viewer(user_id=1, role="rep", team_id=2, visibility="own")]


# --- the pages: lib calls + figures in process, then the real app in a browser ------------


def page_calls(cur: db.Connection, viewer: access.Viewer) -> dict[str, Callable[[], object]]:
    """What each page asks lib/ for on one render (a stage picked), figures included."""
    now = db.utcnow()
    period = metrics.preset("Last 90 days", schedule.local_today(now, schedule.app_zone(cur)))
    f = metrics.FunnelFilter(events=period)

    def funnel_page() -> None:
        metrics.list_choices(cur, viewer=viewer)
        metrics.source_choices(cur, viewer=viewer)
        metrics.owner_choices(cur, viewer=viewer)
        shown = metrics.summary(cur, f, viewer=viewer)
        metrics.stage_people(cur, f, "lead", limit=50, viewer=viewer)
        figures = [charts.funnel(shown.funnel),
                   charts.cohort_heatmap(metrics.cohorts(cur, f, "list",
                                                         viewer=viewer).head(20))]
        dead = metrics.drop_off(cur, f, viewer=viewer)
        figures += [charts.drop_off(dead, "stage"), charts.drop_off(dead, "reason"),
                    charts.criteria(metrics.criteria_insight(cur, f, viewer=viewer))]
        [figure.to_json() for figure in figures]  # what st.plotly_chart sends

    def overdue_page() -> None:
        metrics.overdue_per_rep(cur, now, viewer=viewer)
        charts.overdue_by_age(metrics.overdue_by_age(cur, now, viewer=viewer)).to_json()
        metrics.overdue_leads(cur, now, viewer=viewer)
        metrics.stale_leads(cur, now, 14, viewer=viewer)
        metrics.standby_returning(cur, now, viewer=viewer)

    return {"funnel": funnel_page, "overdue": overdue_page}


LAST_SECTION = {"funnel": "Criteria that predict leads", "overdue": "Back from standby this week"}


def render_in_browser(path: Path, runs: int) -> dict[str, dict[str, float]]:
    """Start the real app (``streamlit run serve.py``) on the database and open each page in
    Chromium ``runs`` + 1 times; a render ends when the script has finished and the page's
    last section is on screen. Also the app process's peak resident memory (VmHWM)."""
    shown: dict[str, dict[str, float]] = {}
    with browser.app_in_browser(path) as (app, page):
        for name, last in LAST_SECTION.items():
            shown[name] = browser.open_times(
                page, f"{app.url}/{name}", lambda p, text=last: p.get_by_text(text).wait_for(),
                runs)
        shown["rerun"] = {"median_ms": _reruns(page, app.url, runs)}
        shown["memory"] = {"peak_mb": browser.peak_rss_mb(app.process.pid)}
    return shown


def _reruns(page: Any, url: str, runs: int) -> float:
    """Switch the cohort rows between lists and import weeks: each click reruns the whole
    funnel page (nothing is cached); it ends when the script has finished and the heatmap
    shows the new rows."""
    page.goto(f"{url}/funnel")
    page.get_by_text(LAST_SECTION["funnel"]).wait_for()
    times = []
    for i in range(runs):
        weeks = i % 2 == 0
        start = time.perf_counter()
        page.get_by_text("Import weeks" if weeks else "Lists", exact=True).last.click()
        page.wait_for_selector('[data-test-script-state="running"]', state="attached")
        page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached")
        heatmap = page.get_by_test_id("stPlotlyChart").nth(1)
        heatmap.get_by_text("-W" if weeks else " list", exact=False).first.wait_for()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def verdict(took: float, target: float, unit: str = "ms") -> str:
    return f"target ≤ {target:,.0f} {unit}  {'ok' if took <= target else 'OVER'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", help="build the database at this path and keep it")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.keep or Path(folder) / "bench.duckdb")
        conn = db.connect(path)
        cur = conn.cursor()
        start = time.perf_counter()
        fill(cur, args.people, 2 * args.people, args.people)
        built = time.perf_counter() - start
        print(", ".join(f"{n:,} {t}" for t, n in sizes(cur).items())
              + f" (built in {built:.1f} s); median of {args.runs} runs, "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        views = viewers(cur)
        print(f"  {'query':<36} {'all':>10} {'team':>10} {'own':>10}   {'floor (bare scan)':>10}")
        for n, item in enumerate(measured(cur, access.FULL_ACCESS)):
            floor = floor_sql(item.reads)
            took = [median_ms(measured(cur, v)[n].call, args.runs) for v in views]
            bare = median_ms(lambda sql=floor: cur.execute(sql).fetchall(), args.runs)
            print(f"  {item.name:<36} " + " ".join(f"{t:7.1f} ms" for t in took)
                  + f"   {bare:7.1f} ms   {verdict(max(took), TARGET_MS)}")
        for name in page_calls(cur, access.FULL_ACCESS):
            took = [median_ms(page_calls(cur, v)[name], args.runs) for v in views]
            print(f"  {name + ' page: lib calls + figures':<36} "
                  + " ".join(f"{t:7.1f} ms" for t in took)
                  + (f"   {'':>10}{verdict(max(took), PAGE_TARGET_MS)}" if name == "funnel"
                     else ""))
        conn.close()
        if args.no_browser:
            return
        shown = render_in_browser(path, args.runs)
        for name in LAST_SECTION:
            print(f"  {name + ' page opened in Chromium':<36} {shown[name]['median_ms']:7.1f} ms"
                  f"   first {shown[name]['first_ms']:,.0f} ms (the real app, page load included)")
        rerun = shown["rerun"]["median_ms"]
        print(f"  {'funnel page rerun in Chromium':<36} {rerun:7.1f} ms   {'':>10}"
              f"{verdict(rerun, PAGE_TARGET_MS)} (click → every query, chart and table redrawn)")
        peak = shown["memory"]["peak_mb"]
        print(f"  {'app process peak memory (VmHWM)':<36} {peak:7.0f} MB   {'':>10}"
              f"{verdict(peak, MEMORY_TARGET_MB, 'MB')}")


if __name__ == "__main__":
    main()
