"""Storage: open the DuckDB file, apply numbered migrations, run writes as retried transactions.

Everything else in lib/ receives a cursor (``Connection``) and never opens the database itself,
so the same functions serve the app (a cursor per session), the command line and the tests.
The SQL stays close to the standard so that the schema can move to PostgreSQL.
"""

from __future__ import annotations

import functools
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa

from lib.errors import DatabaseLocked, StorageBusy
from lib.i18n import _
from lib.store import postgres

Connection = duckdb.DuckDBPyConnection

# Arrow memory goes back to the operating system as soon as it is freed: the app process
# reads a big file now and then and must not keep that peak for the rest of its life.
pa.set_memory_pool(pa.system_memory_pool())

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "leadladder.duckdb"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
WRITE_RETRIES = 10  # 8 writers on one row need ~8 (tests/test_concurrency.py)

# PostgreSQL ends a transaction that lost a race with one of these; it is safe to run again.
RETRIED_ON_SERVER = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)
ENGINE_ERRORS = (duckdb.Error, psycopg.Error)

P = ParamSpec("P")
R = TypeVar("R")

_open_transactions: set[int] = set()
_open_transactions_lock = threading.Lock()


def database_setting(explicit: str | os.PathLike[str] | None = None) -> str:
    """The database: an explicit ``--db``, else $LEADLADDER_DB, else data/leadladder.duckdb;
    a file path (DuckDB) or a ``postgresql://`` URL."""
    return str(explicit or os.environ.get("LEADLADDER_DB") or DEFAULT_PATH)


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The DuckDB file of the setting (for a PostgreSQL URL there is none)."""
    setting = database_setting(explicit)
    if postgres.is_url(setting):
        raise ValueError("a PostgreSQL database has no file")
    return Path(setting)


def is_shared(setting: str) -> bool:
    """Whether the setting names a server database that other processes open too."""
    return postgres.is_url(setting)


def engine(db: Connection) -> str:
    """Which engine a handle talks to, 'duckdb' or 'postgresql': for the few statements whose
    SQL differs, kept beside the module that runs them."""
    return "postgresql" if isinstance(db, postgres.Connection) else "duckdb"


def rewritten(sql: str, old: str, new: str) -> str:
    """An engine's variant of a statement: ``old`` replaced by ``new``, refused when the
    statement no longer says ``old`` (so that a changed statement cannot lose its twin)."""
    if old not in sql:
        raise ValueError(f"the statement no longer contains {old!r}")
    return sql.replace(old, new)


def connect(path: str | os.PathLike[str] = ":memory:") -> Connection:
    """Open (and create) the database and bring its schema up to date.

    Call once per process; hand each session or thread its own ``conn.cursor()``. A
    ``postgresql://`` URL opens a pool on that server instead (``lib/store/postgres.py``).
    """
    target = str(path)
    if postgres.is_url(target):
        return postgres.open_database(target)  # type: ignore[return-value]
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(target, config={
            "autoinstall_known_extensions": False,
            # A weekly import writes tens of MB; checkpointing inside its commit doubles the
            # wait for the user, so let the write-ahead log grow further between checkpoints.
            "checkpoint_threshold": "256MB",
            # DuckDB spills big joins to disk beyond this, so a million-row import stays
            # within the memory of a small server.
            "memory_limit": os.environ.get("LEADLADDER_DUCKDB_MEMORY", "768MB"),
        })
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLocked(
                _("{file} is in use by another process (probably the running app); "
                  "stop it first or pass --db with another file").format(file=target)
            ) from exc
        raise
    if target != ":memory:":
        remove_leftover_spills(conn)
    migrate(conn)
    return conn


def remove_leftover_spills(conn: Connection) -> list[Path]:
    """Delete what a crashed process spilled into ``<db>.tmp/`` (hundreds of MB after a kill
    during a big import). Holding the file means no other process uses that directory; files
    this process's own DuckDB instance uses are kept. Returns what was removed."""
    folder = Path(conn.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    if not folder.is_dir():
        return []
    in_use = {Path(path).resolve()
              for (path,) in conn.execute("SELECT path FROM duckdb_temporary_files()").fetchall()}
    ours = f"duckdb_temp_{os.getpid()}_"  # this process's instance (its owner file, its spills)
    removed = []
    for leftover in folder.iterdir():
        if (leftover.is_file() and leftover.resolve() not in in_use
                and not leftover.name.startswith(ours)):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    if not any(folder.iterdir()):
        folder.rmdir()
    return removed


def utcnow() -> datetime:
    """Now, as the naive UTC timestamp every table stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every file ``NNNN_name.sql`` under lib/migrations, in order."""
    found = []
    for file in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        version, name = file.stem.split("_", 1)
        found.append((int(version), name, file.read_text(encoding="utf-8")))
    return found


def applied_versions(conn: Connection) -> set[int]:
    """Versions recorded in the ledger (creating the ledger on a new database)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(conn: Connection) -> list[int]:
    """Apply each pending migration and its ledger row in one transaction; return what ran."""
    done = applied_versions(conn)
    ran = []
    for version, name, sql in migrations():
        if version in done:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(sql)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, name, utcnow()],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        ran.append(version)
    return ran


def transaction(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn(db, ...)`` as one transaction, retried when DuckDB reports a write conflict
    (PostgreSQL: a serialization failure or a deadlock).

    A nested call joins the caller's transaction, so a multi-step write stays one unit.
    Any other error rolls everything back and propagates unchanged.
    """

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        db: Connection = args[0]  # type: ignore[assignment]
        key = id(db)
        with _open_transactions_lock:
            nested = key in _open_transactions
        if nested:
            return fn(*args, **kwargs)
        conflict: Exception | None = None
        for attempt in range(WRITE_RETRIES):
            db.execute("BEGIN TRANSACTION")
            with _open_transactions_lock:
                _open_transactions.add(key)
            try:
                result = fn(*args, **kwargs)
                db.execute("COMMIT")
                return result
            except (duckdb.TransactionException, *RETRIED_ON_SERVER) as exc:
                _rollback_quietly(db)
                if isinstance(exc, duckdb.Error) and "conflict" not in str(exc).lower():
                    raise
                conflict = exc
                time.sleep(0.005 * 2**attempt * (1 + random.random()))
            except BaseException:
                _rollback_quietly(db)
                raise
            finally:
                with _open_transactions_lock:
                    _open_transactions.discard(key)
        raise StorageBusy(
            _("The database stayed busy with other changes; nothing was saved, please try again.")
        ) from conflict

    return run


def take_guard(db: Connection, name: str) -> None:
    """Inside a ``transaction``: be the only transaction doing ``name`` until this one ends.

    Snapshot isolation lets two transactions both see "nothing there yet" and both insert; a
    second one updating the same guard row gets a write conflict instead, and ``transaction``
    retries it after the first committed, when it sees the first one's rows.
    """
    if not changed_rows(db, "UPDATE write_guards SET taken_at = ? WHERE name = ?",
                        [utcnow(), name]):
        raise ValueError(f"unknown write guard {name!r}")


def _rollback_quietly(db: Connection) -> None:
    """Roll back if a transaction is still open (a failed COMMIT has already ended it)."""
    try:
        db.execute("ROLLBACK")
    except ENGINE_ERRORS:
        pass


@contextmanager
def registered(db: Connection, name: str, frame: pd.DataFrame | pa.Table) -> Iterator[str]:
    """Expose a DataFrame to SQL as `name` for the duration of the block."""
    db.complete()  # DuckDB refuses to register while an earlier result is still unread
    db.register(name, frame)
    try:
        yield name
    finally:
        try:
            db.unregister(name)
        except ENGINE_ERRORS:
            pass  # the failed transaction's rollback drops the view anyway


def insert_frame(db: Connection, table: str, frame: pd.DataFrame | pa.Table) -> None:
    """Append a frame's rows to a table of this handle (the frame's columns in the table's
    order): DuckDB reads the registered frame, PostgreSQL takes one COPY."""
    if engine(db) == "postgresql":
        db.copy_into(table, frame)  # type: ignore[attr-defined]
        return
    with registered(db, "inserted_frame", frame):
        db.execute(f"INSERT INTO {table} SELECT * FROM inserted_frame")


def scalar(db: Connection, sql: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
    """The first column of the first row, or None."""
    row = db.execute(sql, params or []).fetchone()
    return row[0] if row else None


def changed_rows(db: Connection, sql: str, params: list[Any] | dict[str, Any]) -> int:
    """Run an UPDATE/DELETE/INSERT and return how many rows it touched."""
    return int(db.execute(sql, params).fetchone()[0])
