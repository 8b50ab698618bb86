"""Two reps on the same row: one database file, one connection, a cursor per thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb
import pytest

from lib import access, db, rows
from lib import qualification as q
from tests import factories

Worker = Callable[[db.Connection], object]


def in_threads(conn: db.Connection, workers: list[Worker]) -> list[object]:
    """Run each worker on its own thread with its own cursor; re-raise the first error."""
    results: list[object] = [None] * len(workers)
    errors: list[BaseException] = []

    def run(index: int, worker: Worker) -> None:
        cursor = conn.cursor()
        try:
            results[index] = worker(cursor)
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)
        finally:
            cursor.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def shared(db_path):
    """The app's situation: one process-wide connection on a database file."""
    conn = db.connect(db_path)
    yield conn
    conn.close()


def test_two_reps_keep_both_changes_and_a_stale_edit_is_refused(shared):
    setup = shared.cursor()
    anna, ben = factories.user(setup, "Anna"), factories.user(setup, "Ben")
    list_id = factories.new_list(setup)
    pid = factories.person(setup, list_id, city="Köln", job_title="Buyer")
    loaded = threading.Barrier(2)

    def rep(user: int, field: str, value: str, criterion: str) -> Worker:
        def work(cursor: db.Connection) -> list[rows.ChangeOutcome]:
            frame, _ = rows.rows_page(cursor, rows.RowFilter(list_id=list_id),
                                      viewer=access.viewer_of(cursor, user))
            seen = frame.iloc[0]
            loaded.wait()  # both have loaded the same row before either saves
            return rows.apply_changes(cursor, [
                rows.CellChange(pid, field, seen[field], value),
                rows.CellChange(pid, rows.tick_column(criterion),
                                bool(seen[rows.tick_column(criterion)]), True),
            ], by=user)
        return work

    outcomes = in_threads(shared, [rep(anna, "city", "Bonn", "interest"),
                                   rep(ben, "job_title", "CTO", "budget")])
    assert [o.result for batch in outcomes for o in batch] == ["saved"] * 4
    assert factories.stored(setup, pid, "city", "job_title", "status") == ("Bonn", "CTO", "lead")

    stale = in_threads(shared, [lambda cursor: rows.apply_changes(
        cursor, [rows.CellChange(pid, "city", "Köln", "Aachen")], by=ben)])[0]
    assert stale[0].result == "conflict"
    assert stale[0].fresh_value == "Bonn"
    assert "Anna changed it to 'Bonn'" in stale[0].message
    assert factories.stored(setup, pid, "city") == ("Bonn",)


@pytest.mark.parametrize("round_", range(3))
def test_eight_reps_ticking_one_row_at_once_all_land(shared, round_):
    setup = shared.cursor()
    pid = factories.person(setup)
    keys = [c.key for c in q.criteria(setup)][1:9]  # three prospect and five lead criteria
    start = threading.Barrier(len(keys))

    def ticker(key: str) -> Worker:
        def work(cursor: db.Connection) -> q.StatusInfo:
            start.wait()
            return q.set_tick(cursor, pid, key, True, expected=False, by=None)
        return work

    in_threads(shared, [ticker(k) for k in keys])
    ticked = {r[0] for r in setup.execute(
        "SELECT criterion_key FROM ticks WHERE person_id = ?", [pid]).fetchall()}
    assert ticked == set(keys)
    assert factories.stored(setup, pid, "status") == ("lead",)
    kinds = [k for k, *_ in factories.history_kinds(setup, pid)]
    assert kinds.count("tick") == len(keys)
    statuses = [(o, n) for k, _, o, n in factories.history_kinds(setup, pid) if k == "status"]
    assert statuses[0][0] == "suspect" and statuses[-1][1] == "lead"
    assert all(a[1] == b[0] for a, b in zip(statuses, statuses[1:], strict=False))


def test_touching_a_row_changed_since_the_snapshot_conflicts_instead_of_undoing_it(shared):
    """The conflict is what makes @transaction retry. DuckDB 2.0.1's UPDATE … RETURNING raised
    none and wrote back the whole row as the older snapshot saw it (Anna's edit undone)."""
    anna, ben = shared.cursor(), shared.cursor()
    pid = factories.person(anna, city="Köln")
    ben.execute("BEGIN TRANSACTION")
    assert factories.stored(ben, pid, "city") == ("Köln",)  # Ben's snapshot starts here
    rows.edit_field(anna, pid, "city", old="Köln", new="Bonn", by=None)
    with pytest.raises(duckdb.TransactionException, match="Conflict"):
        q.touch(ben, pid)
    ben.execute("ROLLBACK")
    assert factories.stored(anna, pid, "city") == ("Bonn",)
