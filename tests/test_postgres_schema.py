"""The PostgreSQL schema: one ledger with DuckDB's, the same tables and columns, the seeded
criteria and steps, and what only PostgreSQL enforces (foreign keys, one open lead per person).

On a real server (the ``postgres_url`` fixture starts one; CI requires it).
"""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from lib import db
from lib.store import postgres

POSTGRES_ONLY = {12}  # keys and indexes: DuckDB has no use for them (see the file)
TYPES = {"character varying": "VARCHAR", "text": "VARCHAR", "bytea": "BLOB", "jsonb": "VARCHAR",
         "timestamp without time zone": "TIMESTAMP", "time without time zone": "TIME",
         "numeric": "DECIMAL", "double precision": "DOUBLE"}
COLUMNS_SQL = ("SELECT table_name, column_name, upper(data_type), is_nullable"
               " FROM information_schema.columns WHERE table_schema = {schema}"
               " AND table_name <> 'schema_migrations'"
               " ORDER BY table_name, ordinal_position")


@pytest.fixture
def pg(postgres_url: str):
    conn = postgres.connect(postgres_url)
    postgres.migrate(conn)
    yield conn
    conn.close()


def columns_of_duckdb() -> list[tuple[str, str, str, str]]:
    conn = db.connect()
    found = conn.execute(COLUMNS_SQL.format(schema="'main'")).fetchall()
    conn.close()
    return [(t, c, kind.split("(")[0], nullable) for t, c, kind, nullable in found]


def columns_of_postgres(pg: psycopg.Connection) -> list[tuple[str, str, str, str]]:
    found = pg.execute(COLUMNS_SQL.format(schema="'public'")).fetchall()
    return [(t, c, TYPES.get(kind.lower(), kind), nullable) for t, c, kind, nullable in found]


def test_one_ledger_every_duckdb_version_has_its_postgres_twin():
    duck = {version: name for version, name, _ in db.migrations()}
    pg = {version: name for version, name, _ in postgres.migrations()}
    assert {v: pg[v] for v in duck} == duck
    assert set(pg) - set(duck) == POSTGRES_ONLY


def test_both_engines_have_the_same_tables_columns_types_and_nullability(pg):
    assert columns_of_postgres(pg) == columns_of_duckdb()


def test_the_seeded_criteria_and_pipeline_steps_are_the_same(pg):
    duck = db.connect()
    for sql in ("SELECT * FROM criteria ORDER BY key", "SELECT * FROM pipeline_steps ORDER BY key",
                "SELECT * FROM write_guards ORDER BY name"):
        assert pg.execute(sql).fetchall() == duck.execute(sql).fetchall(), sql
    duck.close()


def test_migrating_again_runs_nothing_and_two_servers_starting_at_once_take_turns(postgres_url):
    ran: list[list[int]] = []

    def start() -> None:
        with postgres.connect(postgres_url) as conn:
            ran.append(postgres.migrate(conn))

    servers = [threading.Thread(target=start) for _ in range(2)]
    for server in servers:
        server.start()
    for server in servers:
        server.join()
    assert sorted(ran, key=len) == [[], [v for v, _, _ in postgres.migrations()]]
    with postgres.connect(postgres_url) as conn:
        assert postgres.migrate(conn) == []
        assert conn.execute("SELECT count(*), count(DISTINCT version) FROM schema_migrations"
                            ).fetchone() == (10, 10)


def test_a_failing_version_leaves_the_database_as_the_version_before_it(
        postgres_url, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "0001_good.sql").write_text("CREATE TABLE kept (id INTEGER);")
    (tmp_path / "0002_bad.sql").write_text(
        "CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);")
    monkeypatch.setattr(postgres, "MIGRATIONS_DIR", tmp_path)
    with postgres.connect(postgres_url) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            postgres.migrate(conn)
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
        assert tables == {"kept", "schema_migrations"}
        assert conn.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]


def person(pg: psycopg.Connection, name: str) -> int:
    return pg.execute("INSERT INTO people (last_name, created_at, updated_at)"
                      " VALUES (%s, now(), now()) RETURNING id", [name]).fetchone()[0]


def test_foreign_keys_refuse_a_tick_of_nobody_and_go_with_an_erased_person(pg):
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        pg.execute("INSERT INTO ticks (person_id, criterion_key, ticked_at)"
                   " VALUES (999, 'reached', now())")
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        pg.execute("INSERT INTO ticks (person_id, criterion_key, ticked_at)"
                   " VALUES (%s, 'no_such_criterion', now())", [person(pg, "Auer")])
    brandt = person(pg, "Brandt")
    pg.execute("INSERT INTO ticks (person_id, criterion_key, ticked_at)"
               " VALUES (%s, 'reached', now())", [brandt])
    pg.execute("DELETE FROM people WHERE id = %s", [brandt])
    assert pg.execute("SELECT count(*) FROM ticks WHERE person_id = %s", [brandt]
                      ).fetchone() == (0,)


def test_a_person_has_at_most_one_open_lead_however_many_closed(pg):
    anna = pg.execute("INSERT INTO users (name, email, role) VALUES ('Anna', 'a@x.example',"
                      " 'rep') RETURNING id").fetchone()[0]
    auer, brandt = person(pg, "Auer"), person(pg, "Brandt")

    def lead(who: int, status: str) -> None:
        is_open = status in ("todo", "standby")
        pg.execute(
            "INSERT INTO leads (person_id, title, owner_id, step_key, status, standby_until,"
            " created_at, closed_at, close_reason, next_type, next_due_date)"
            " VALUES (%s, 'Deal', %s, 'new', %s, %s, now(), %s, %s, %s, %s)",
            [who, anna, status, "2027-01-01" if status == "standby" else None,
             None if is_open else "2026-12-01", None if status == "won" else
             (None if is_open else "no budget"), "call" if is_open else None,
             "2026-12-10" if is_open else None])

    lead(auer, "won")
    lead(auer, "lost")
    lead(auer, "todo")
    with pytest.raises(psycopg.errors.UniqueViolation):
        lead(auer, "standby")
    lead(brandt, "standby")
    assert pg.execute("SELECT person_id, status FROM leads WHERE status IN ('todo', 'standby')"
                      " ORDER BY person_id").fetchall() == [(auer, "todo"), (brandt, "standby")]


def test_lib_statements_get_psycopg_placeholders_outside_quotes_only():
    assert postgres._placeholders("SELECT ?, '?%', x % 2 FROM t WHERE a = ? AND b = '?'") == (
        "SELECT %s, '?%%', x %% 2 FROM t WHERE a = %s AND b = '?'")
    assert postgres._placeholders("SELECT $ids, '$no', $a_b", named=True) == (
        "SELECT %(ids)s, '$no', %(a_b)s")


def test_a_write_tells_how_many_rows_it_changed_on_both_engines(any_db):
    assert any_db.execute("UPDATE criteria SET active = ? WHERE stage = ?",
                          [False, "lead"]).fetchone() == (5,)
    assert any_db.execute("SELECT key FROM criteria WHERE NOT active AND key LIKE ? ORDER BY key",
                          ["%e%"]).fetchall() == [("budget",), ("details",), ("interest",),
                                                  ("needs",)]
