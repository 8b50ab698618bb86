"""Test data written straight into the tables with SQL: users, lists, people, ticks.

Deliberately dumb (no validation, no history) so that a test controls exactly what is stored.
"""

from __future__ import annotations

import itertools
import json

from lib.db import Connection, utcnow

_serial = itertools.count(1)


def user(db: Connection, name: str | None = None, role: str = "rep") -> int:
    """A user; returns its id."""
    number = next(_serial)
    name = name or f"User {number}"
    return db.execute(
        "INSERT INTO users (name, email, role) VALUES (?, ?, ?) RETURNING id",
        [name, f"user{number}@example.com", role],
    ).fetchone()[0]


def new_list(db: Connection, name: str | None = None, source: str | None = None) -> int:
    """An empty prospecting list; returns its id."""
    return db.execute(
        "INSERT INTO lists (name, source, created_at) VALUES (?, ?, ?) RETURNING id",
        [name or f"List {next(_serial)}", source, utcnow()],
    ).fetchone()[0]


def person(
    db: Connection, list_id: int | None = None, *, extras: dict | None = None,
    row_number: int | None = None, **fields: object,
) -> int:
    """A person with the given columns (first/last name default to a unique name), optionally
    on a list with the given extra attributes; returns the person's id."""
    fields.setdefault("first_name", "Anna")
    fields.setdefault("last_name", f"Person {next(_serial)}")
    if fields.get("dead_reason") is not None:
        fields.setdefault("status", "dead")
    now = utcnow()
    columns = [*fields, "created_at", "updated_at"]
    person_id = db.execute(
        f"INSERT INTO people ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        " RETURNING id",
        [*fields.values(), now, now],
    ).fetchone()[0]
    if list_id is not None:
        add_to_list(db, list_id, person_id, extras=extras, row_number=row_number)
    return person_id


def add_to_list(
    db: Connection, list_id: int, person_id: int, *, extras: dict | None = None,
    row_number: int | None = None,
) -> None:
    db.execute(
        "INSERT INTO list_rows (list_id, person_id, row_number, extras, added_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [list_id, person_id, row_number, json.dumps(extras) if extras else None, utcnow()],
    )


def tick(db: Connection, person_id: int, *keys: str) -> None:
    """Tick criteria WITHOUT recomputing the status (tests recompute when they need to)."""
    for key in keys:
        db.execute(
            "INSERT INTO ticks (person_id, criterion_key, ticked_at) VALUES (?, ?, ?)",
            [person_id, key, utcnow()],
        )


def stored(db: Connection, person_id: int, *columns: str) -> tuple:
    """Columns of a person as stored (column names come from the test itself)."""
    return db.execute(
        f"SELECT {', '.join(columns)} FROM people WHERE id = ?", [person_id]
    ).fetchone()


def history_kinds(db: Connection, person_id: int) -> list[tuple]:
    """(kind, field, old_value, new_value) of a person's history, oldest first."""
    return db.execute(
        "SELECT kind, field, old_value, new_value FROM history WHERE person_id = ? ORDER BY id",
        [person_id],
    ).fetchall()
