"""Speed of the to-do and pipeline queries: 100k open leads, 1M activities (not a test).

    .venv/bin/python -m bench.leads_bench [--leads 100000] [--activities 1000000] [--runs 9]

Targets (median): the to-do page's queries ≤ 150 ms, the pipeline page's ≤ 300 ms. Each is
printed next to a floor measured in the same run: a bare DuckDB scan that reads the same
tables (the last action per lead, and the open leads as a DataFrame) with no logic at all.
Each page is measured for rep 1 (of team 1, one of two) under each visibility, all / team /
own, side by side: the cost of the visibility rule.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench.timing import median_ms
from lib import access, db, leads, schedule

REPS = 20
SHOWN = 50  # rows per to-do group / cards per pipeline step that a page asks for
TARGETS_MS = {"to-do page (one rep)": 150, "to-do page (one rep, every row)": 150,
              "to-do page (whole team)": 150, "pipeline page (everyone)": 300,
              "pipeline page (one rep)": 300}


def fill(cur: db.Connection, n_leads: int, n_activities: int) -> None:
    """Reps, people, open leads due from 30 days ago to 60 days ahead, activities, history."""
    cur.execute("INSERT INTO teams (id, name) VALUES (1, 'North'), (2, 'South')")
    cur.execute(
        "INSERT INTO users (name, email, role, team_id) SELECT 'Rep ' || i,"
        " 'rep' || i || '@bench.example', 'rep', 1 + i % 2 FROM range(?) t(i)", [REPS])
    cur.execute(
        "INSERT INTO people (company, first_name, last_name, email, status, created_at, updated_at)"
        " SELECT 'Company ' || i, 'First', 'Last ' || i, 'p' || i || '@bench.example', 'lead',"
        " now(), now() FROM range(?) t(i)", [n_leads])
    cur.execute(
        """INSERT INTO leads (person_id, title, owner_id, step_key, status, standby_until, amount,
               probability, created_at, next_type, next_due_date, next_due_time)
           SELECT p.id, p.company, 1 + p.id % $reps,
               ['new', 'contacted', 'meeting', 'proposal', 'negotiation'][1 + p.id % 5],
               CASE WHEN p.id % 10 = 0 THEN 'standby' ELSE 'todo' END,
               CASE WHEN p.id % 10 = 0 THEN current_date + 5 END,
               (p.id % 50) * 1000, (p.id % 11) * 10, now() - INTERVAL 90 DAY,
               ['call', 'email', 'meeting', 'task'][1 + p.id % 4],
               current_date + CAST(p.id % 90 - 30 AS INTEGER),
               CASE WHEN p.id % 3 = 0 THEN NULL
                   ELSE make_time(CAST(8 + p.id % 10 AS BIGINT), 30, 0) END
           FROM people p""", {"reps": REPS})
    cur.execute(
        "INSERT INTO activities (lead_id, person_id, kind, outcome, body, happened_at, user_id)"
        " SELECT 1 + i % $n, 1 + i % $n, 'call', 'no_answer', 'tried', now() - to_days("
        " CAST(i % 80 AS INTEGER)), 1 + i % $reps FROM range($a) t(i)",
        {"n": n_leads, "a": n_activities, "reps": REPS})
    cur.execute(
        "INSERT INTO history (happened_at, user_id, person_id, lead_id, kind, field, new_value)"
        " SELECT now() - INTERVAL 90 DAY, owner_id, person_id, id, k.kind, k.field, 'x'"
        " FROM leads, (VALUES ('convert', NULL), ('next_step', 'next_step'),"
        " ('lead_step', 'step_key')) k(kind, field)")


def pages(cur: db.Connection, viewer: access.Viewer) -> dict[str, Callable[[], object]]:
    """What each page asks for on one render, for ``viewer``."""
    now = db.utcnow()

    def todo_page(user_id: int | None, shown: int | None = SHOWN) -> None:
        leads.todo(cur, user_id=user_id, now=now, limit_per_group=shown, viewer=viewer)
        leads.todo_counts(cur, user_id=user_id, now=now, viewer=viewer)
        schedule.overdue_per_rep(cur, now, viewer=viewer)

    def pipeline_page(owner_id: int | None) -> None:
        leads.pipeline(cur, owner_id=owner_id, now=now, limit_per_step=SHOWN, viewer=viewer)
        leads.pipeline_totals(cur, owner_id=owner_id, viewer=viewer)

    return {
        "to-do page (one rep)": lambda: todo_page(1),
        "to-do page (one rep, every row)": lambda: todo_page(1, None),
        "to-do page (whole team)": lambda: todo_page(None),
        "pipeline page (everyone)": lambda: pipeline_page(None),
        "pipeline page (one rep)": lambda: pipeline_page(1),
    }


def floors(cur: db.Connection) -> dict[str, Callable[[], object]]:
    return {
        "floor: last action per lead (scan + group)": lambda: cur.execute(
            "SELECT lead_id, max(happened_at) FROM activities GROUP BY lead_id").fetchall(),
        "floor: open leads → DataFrame": lambda: cur.execute(
            "SELECT * FROM leads WHERE status IN ('todo', 'standby')").df(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    conn = db.connect(":memory:")
    cur = conn.cursor()
    start = time.perf_counter()
    fill(cur, args.leads, args.activities)
    print(f"{args.leads:,} open leads, {args.activities:,} activities, {REPS} reps "
          f"(filled in {time.perf_counter() - start:.1f} s); median of {args.runs} runs")
    for name, fn in floors(cur).items():
        print(f"  {name:<48} {median_ms(fn, args.runs):7.1f} ms")
    viewers = {v: access.Viewer(user_id=1, role="rep", team_id=1, visibility=v)
               for v in ("all", "team", "own")}
    for name in pages(cur, access.FULL_ACCESS):
        took = {v: median_ms(pages(cur, viewer)[name], args.runs)
                for v, viewer in viewers.items()}
        target = TARGETS_MS[name]
        verdict = "ok" if max(took.values()) <= target else "OVER"
        shown = "   ".join(f"{v} {ms:7.1f} ms" for v, ms in took.items())
        print(f"  {name:<36} {shown}   target ≤ {target} ms  {verdict}")
    conn.close()


if __name__ == "__main__":
    main()
