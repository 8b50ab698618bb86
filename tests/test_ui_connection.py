"""Two overlapping script runs of one session (a fast click starts a new run while the old one is
still inside a query) never use the session's cursor at the same time."""

from __future__ import annotations

import threading

import pytest

from lib import db, ui

SLOW_QUERY = "SELECT count(*) FROM range(60000000) t(i) WHERE i % 7 = 3"


@pytest.fixture
def one_session(db_path, monkeypatch):
    """ui.connection() outside a server: every thread sees the same (bare) session state, as
    the threads of one browser session do."""
    import streamlit as st

    monkeypatch.setenv("LEADLADDER_DB", str(db_path))
    for key in ("db_session", "db_path"):
        st.session_state.pop(key, None)
    yield st.session_state
    for key in ("db_session", "db_path"):
        st.session_state.pop(key, None)
    ui._database.clear()


def test_a_second_run_waits_for_the_first_instead_of_crashing(one_session):
    mid_query, errors, order = threading.Event(), [], []

    def run(name: str, sql: str, started: threading.Event | None = None) -> None:
        try:
            conn = ui.connection()
            if started is not None:
                started.set()
            conn.execute(sql).fetchall()
            order.append(name)
        except Exception as exc:  # noqa: BLE001 - the test reports whatever broke
            errors.append(exc)

    first = threading.Thread(target=run, args=("first", SLOW_QUERY, mid_query))
    first.start()
    assert mid_query.wait(30)
    second = threading.Thread(target=run, args=("second", "SELECT count(*) FROM people"))
    second.start()
    first.join(120)
    second.join(120)
    assert errors == []
    assert order == ["first", "second"]


def test_the_session_keeps_one_cursor_so_a_preview_survives_the_next_run(one_session):
    seen = []

    def run(sql: str) -> None:
        seen.append(ui.connection().execute(sql).fetchall())

    for sql in ("CREATE TEMP TABLE import_stage_x AS SELECT 42 AS answer",
                "SELECT answer FROM import_stage_x"):
        thread = threading.Thread(target=run, args=(sql,))
        thread.start()
        thread.join(30)
    assert seen[1] == [(42,)]


def test_the_same_run_gets_its_cursor_again_without_waiting(one_session):
    assert ui.connection() is ui.connection()
    assert isinstance(ui.connection(), db.Connection)
