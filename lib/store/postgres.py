"""The PostgreSQL engine: connecting from a ``postgresql://`` URL and its schema ledger.

The ledger is the one DuckDB keeps (``schema_migrations``, one row per version); the SQL of
each version is the engine's own, in ``lib/migrations/postgres/``, named like its DuckDB twin.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg.types.string import StrDumper, TextLoader
from psycopg_pool import ConnectionPool

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations" / "postgres"


def is_url(setting: str) -> bool:
    """Whether a ``--db`` / ``LEADLADDER_DB`` setting names a PostgreSQL database."""
    return setting.startswith(("postgresql://", "postgres://"))


def connect(url: str) -> psycopg.Connection:
    """A connection that keeps timestamps in UTC, as every table stores them."""
    conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    _configure(conn)
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
    """A statement's rows, read the way lib reads DuckDB's results.

    The rows are fetched at once: the pooled connection goes back to the pool after the
    statement, so nothing may stay unread on it."""

    def __init__(self, cursor: psycopg.Cursor):
        self.names = [c.name for c in cursor.description or []]
        self._types = [c.type_code for c in cursor.description or []]
        self.description = [(c.name, c.type_code) for c in cursor.description or []]
        # A write without RETURNING gives how many rows it changed, as DuckDB does.
        self.rows = cursor.fetchall() if cursor.description else [(cursor.rowcount,)]
        self._next = 0

    def fetchone(self) -> tuple | None:
        if self._next >= len(self.rows):
            return None
        self._next += 1
        return self.rows[self._next - 1]

    def fetchall(self) -> list[tuple]:
        rest, self._next = self.rows[self._next:], len(self.rows)
        return rest

    def df(self) -> pd.DataFrame:
        rows = self.fetchall()
        if rows or not self.names:
            frame = pd.DataFrame(rows, columns=self.names or None)
            for name, oid in zip(self.names, self._types, strict=True):
                if oid in _DATED:  # datetime64 columns, as DuckDB's frames have them
                    frame[name] = pd.to_datetime(frame[name])
            return frame
        # No rows: the columns still get their types, so that an empty frame registered
        # again compares and inserts like a full one.
        return pd.DataFrame({name: pd.Series(dtype=_EMPTY_DTYPES.get(oid, "object"))
                             for name, oid in zip(self.names, self._types, strict=True)})

    fetchdf = df

    def fetchnumpy(self) -> dict[str, np.ndarray]:
        frame = self.df()
        return {name: frame[name].to_numpy() for name in frame.columns}


_DATED = {1082, 1114}  # date, timestamp (without time zone, as every table stores them)
# Column types (PostgreSQL type oids) of an empty result's frame.
_EMPTY_DTYPES = {16: "bool", 20: "int64", 21: "int64", 23: "int64", 700: "float64",
                 701: "float64", 1700: "float64"}

_PINNING = ("BEGIN", "START")
_ENDING = ("COMMIT", "ROLLBACK", "END", "ABORT")


class Connection:
    """lib's statements (``?`` parameters, plain ``BEGIN``/``COMMIT``, registered frames) on
    a pool of PostgreSQL connections: the same repository SQL runs on both engines where it
    is standard.

    One handle serves one session or thread, like a DuckDB cursor. Outside a transaction each
    statement borrows a pooled connection for its own duration; ``BEGIN`` keeps one until
    ``COMMIT`` or ``ROLLBACK``, and so does a registered frame (a temporary table) until it is
    unregistered, so a hundred idle browser sessions hold no connection at all."""

    def __init__(self, pool: ConnectionPool, *, owns_pool: bool = False):
        self.pool = pool
        self._owns_pool = owns_pool
        self._held: psycopg.Connection | None = None
        self._in_transaction = False
        self._registered: set[str] = set()
        self._pins: set[str] = set()

    def pin(self, name: str) -> None:
        """Keep this handle on one pooled connection until ``release(name)``: what lives in
        that connection's session (an import's temporary staging tables) must survive the
        statements, transactions and reruns between."""
        if self._held is None:
            self._held = self.pool.getconn()
        self._pins.add(name)

    @property
    def pinned(self) -> frozenset[str]:
        """The names of the pins this handle holds."""
        return frozenset(self._pins)

    def release(self, name: str) -> None:
        """Let go of the pin ``name``; the connection goes back when nothing else holds it."""
        self._pins.discard(name)
        self._release_if_idle()

    def copy_into(self, table: str, frame: pd.DataFrame | pa.Table) -> None:
        """Append a frame's rows to an existing table (the columns in the table's order),
        one ``COPY … FROM STDIN`` in CSV; the table's own column types read the values."""
        data = _csv(frame)
        with self._connection() as conn, conn.cursor().copy(
                f'COPY {table} FROM STDIN WITH (FORMAT csv)') as copy:
            copy.write(data)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        if self._held is not None:
            yield self._held
        else:
            with self.pool.connection() as conn:
                yield conn

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
                ) -> Result:
        keyword = sql.lstrip()[:8].upper()
        if keyword.startswith(_PINNING):
            self._in_transaction = True
        if self._held is None and (self._in_transaction or self._registered or self._pins):
            self._held = self.pool.getconn()
        try:
            if self._held is not None:
                return self._run(self._held, sql, params)
            with self.pool.connection() as conn:
                return self._run(conn, sql, params)
        finally:
            if keyword.startswith(_ENDING):
                self._in_transaction = False
            self._release_if_idle()

    def register(self, name: str, frame: pd.DataFrame | pa.Table) -> None:
        """A frame as a temporary table ``name``, copied in at once (``COPY … FROM STDIN``
        in CSV), as DuckDB's ``register`` exposes a frame to SQL."""
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(
            frame, preserve_index=False)
        if self._held is None:
            self._held = self.pool.getconn()
        self._registered.add(name)
        columns = ", ".join(f'"{field.name}" {_sql_type(field.type)}' for field in table.schema)
        self._held.execute(f'CREATE TEMPORARY TABLE "{name}" ({columns})')
        with self._held.cursor().copy(f'COPY "{name}" FROM STDIN WITH (FORMAT csv)') as copy:
            copy.write(_csv(table))

    def unregister(self, name: str) -> None:
        try:
            if self._held is not None and name in self._registered:
                self._held.execute(f'DROP TABLE IF EXISTS "{name}"')
        except psycopg.errors.InFailedSqlTransaction:
            pass  # the rollback that follows drops it with the rest of the transaction
        finally:
            self._registered.discard(name)
            self._release_if_idle()

    def cursor(self) -> Connection:
        """Another handle on the same pool, for another session or thread."""
        return Connection(self.pool)

    def complete(self) -> None:
        """DuckDB needs unread results finished before some calls; these are always read."""

    def close(self) -> None:
        if self._held is not None and self._pins:
            self._held.execute("DISCARD TEMP")  # a pinned stage must not reach the next user
        self._in_transaction = False
        self._registered.clear()
        self._pins.clear()
        self._release_if_idle()
        if self._owns_pool:
            self.pool.close()

    @staticmethod
    def _run(conn: psycopg.Connection, sql: str,
             params: Sequence[Any] | Mapping[str, Any] | None) -> Result:
        if params is None:
            return Result(conn.execute(sql))
        if isinstance(params, Mapping):
            return Result(conn.execute(_placeholders(sql, named=True), dict(params)))
        return Result(conn.execute(_placeholders(sql), list(params)))

    def _release_if_idle(self) -> None:
        if (self._held is not None and not self._in_transaction and not self._registered
                and not self._pins):
            held, self._held = self._held, None
            self.pool.putconn(held)


def open_pool(url: str, size: int | None = None) -> ConnectionPool:
    """The process's pool: ``LEADLADDER_PG_POOL`` connections at most (default 10)."""
    return ConnectionPool(
        url, min_size=1, max_size=size or int(os.environ.get("LEADLADDER_PG_POOL", "10")),
        kwargs={"autocommit": True, "cursor_factory": psycopg.ClientCursor},
        configure=_configure, open=True, name="leadladder")


def open_database(url: str) -> Connection:
    """The engine behind a ``postgresql://`` setting, its schema brought up to date."""
    with connect(url) as conn:
        migrate(conn)
    return Connection(open_pool(url), owns_pool=True)


def _configure(conn: psycopg.Connection) -> None:
    """UTC timestamps; a list of strings bound as ``text[]`` (``unnest(?)`` needs the type),
    while a single string stays an untyped literal that PostgreSQL types from its use; JSON
    columns read as text."""
    conn.adapters.register_dumper(str, StrDumper)
    for json_type in ("json", "jsonb"):  # JSON reads as its text, as DuckDB gives it
        conn.adapters.register_loader(json_type, TextLoader)
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET jit = off")


def _csv(frame: pd.DataFrame | pa.Table) -> bytes:
    """A frame as headerless CSV, the way ``COPY … (FORMAT csv)`` reads it: a missing value
    is an empty field, an empty text a quoted one."""
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(
        frame, preserve_index=False)
    data = io.BytesIO()
    pacsv.write_csv(table, data, pacsv.WriteOptions(include_header=False))
    return data.getvalue()


def _sql_type(kind: pa.DataType) -> str:
    """The column type a registered frame's column gets."""
    if pa.types.is_boolean(kind):
        return "BOOLEAN"
    if pa.types.is_integer(kind):
        return "BIGINT"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "DOUBLE PRECISION"
    if pa.types.is_timestamp(kind):
        return "TIMESTAMP"
    if pa.types.is_date(kind):
        return "DATE"
    return "TEXT"


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
