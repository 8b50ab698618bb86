"""The PostgreSQL engine: connecting from a ``postgresql://`` URL and its schema ledger.

The ledger is the one DuckDB keeps (``schema_migrations``, one row per version); the SQL of
each version is the engine's own, in ``lib/migrations/postgres/``, named like its DuckDB twin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations" / "postgres"


def is_url(setting: str) -> bool:
    """Whether a ``--db`` / ``LEADLADDER_DB`` setting names a PostgreSQL database."""
    return setting.startswith(("postgresql://", "postgres://"))


def connect(url: str) -> psycopg.Connection:
    """A connection that keeps timestamps in UTC, as every table stores them."""
    conn = psycopg.connect(url, autocommit=True)
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every ``NNNN_name.sql`` of this engine, in order."""
    found = []
    for file in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        version, name = file.stem.split("_", 1)
        found.append((int(version), name, file.read_text(encoding="utf-8")))
    return found


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply each pending version and its ledger row in one transaction; return what ran.

    An advisory lock makes two app servers starting at once take turns instead of both
    applying the same version."""
    conn.execute("SELECT pg_advisory_lock(hashtext('leadladder migrations'))")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                     " applied_at TIMESTAMP NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        ran = []
        for version, name, sql in migrations():
            if version in done:
                continue
            with conn.transaction():
                conn.execute(sql)
                conn.execute("INSERT INTO schema_migrations (version, name, applied_at)"
                             " VALUES (%s, %s, %s)",
                             [version, name, datetime.now(UTC).replace(tzinfo=None)])
            ran.append(version)
        return ran
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext('leadladder migrations'))")
