"""The PostgreSQL engine: connecting from a ``postgresql://`` URL and its schema ledger.

The ledger is the one DuckDB keeps (``schema_migrations``, one row per version); the SQL of
each version is the engine's own, in ``lib/migrations/postgres/``, named like its DuckDB twin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations" / "postgres"


def is_url(setting: str) -> bool:
    """Whether a ``--db`` / ``LEADLADDER_DB`` setting names a PostgreSQL database."""
    return setting.startswith(("postgresql://", "postgres://"))


def connect(url: str) -> psycopg.Connection:
    """A connection that keeps timestamps in UTC, as every table stores them."""
    conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
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


class Result:
    """A statement's rows, read the way lib reads DuckDB's results."""

    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor

    def fetchone(self) -> tuple | None:
        """A write without RETURNING gives how many rows it changed, as DuckDB does."""
        return self._cursor.fetchone() if self._cursor.description else (self._cursor.rowcount,)

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall() if self._cursor.description else [self.fetchone()]

    def df(self) -> pd.DataFrame:
        names = [c.name for c in self._cursor.description or []]
        return pd.DataFrame(self.fetchall(), columns=names)

    fetchdf = df


class Connection:
    """lib's statements (``?`` parameters, plain ``BEGIN``/``COMMIT``) on a PostgreSQL
    connection: the same repository SQL runs on both engines where it is standard."""

    def __init__(self, conn: psycopg.Connection):
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
                ) -> Result:
        if params is None:
            return Result(self.raw.execute(sql))
        if isinstance(params, Mapping):
            return Result(self.raw.execute(_placeholders(sql, named=True), dict(params)))
        return Result(self.raw.execute(_placeholders(sql), list(params)))

    def cursor(self) -> Connection:
        return self

    def complete(self) -> None:
        """DuckDB needs unread results finished before some calls; psycopg does not."""

    def close(self) -> None:
        self.raw.close()


def _placeholders(sql: str, *, named: bool = False) -> str:
    """DuckDB's ``?`` (or ``$name`` with ``named``) outside quotes becomes psycopg's ``%s``
    (``%(name)s``); a literal ``%`` is doubled."""
    out, quote, i = [], None, 0
    while i < len(sql):
        char = sql[i]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "?" and not named:
            char = "%s"
        elif char == "$" and named and (name := _NAME.match(sql, i + 1)):
            char, i = f"%({name.group()})s", name.end() - 1
        out.append("%%" if char == "%" else char)
        i += 1
    return "".join(out)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
