"""Lists and their rows (``lists``, ``list_rows``): which person is on which list, since when.

Set-based writes take the name of a relation the caller registered or staged (a staging view
such as ``import_stage_…_rows``, a registered frame) and stay one statement.
"""

from __future__ import annotations

from datetime import datetime

from lib.db import Connection, changed_rows, scalar


def insert_list(db: Connection, name: str, source: str | None, at: datetime,
                by: int | None) -> int:
    """A new list; the caller made sure no list has this name. Returns its id."""
    return int(scalar(
        db, "INSERT INTO lists (name, source, created_at, created_by) VALUES (?, ?, ?, ?)"
        " RETURNING id", [name, source, at, by]))


def add_staged_rows(db: Connection, staged_rows: str, list_id: int, import_id: int | None,
                    at: datetime, by: int | None) -> None:
    """One membership per added or known row of a staged file (existing memberships stay).

    ``staged_rows`` names a relation with person_id, row_number, extras and outcome."""
    db.execute(f"INSERT INTO list_rows (list_id, person_id, import_id, row_number, extras,"
               f" added_at, added_by) SELECT ?, person_id, ?, row_number, extras, ?, ?"
               f" FROM {staged_rows} WHERE outcome IN ('added', 'known') ON CONFLICT DO NOTHING",
               [list_id, import_id, at, by])


def remove_rows_of_import(db: Connection, import_id: int, people: str) -> None:
    """Take the people of relation ``people`` (column person_id) off the list an import
    linked them to: an undo."""
    db.execute(f"DELETE FROM list_rows WHERE import_id = ? AND person_id IN"
               f" (SELECT person_id FROM {people})", [import_id])


def delete_memberships_of(db: Connection, people: str) -> int:
    """Every list membership of the people in relation ``people`` (column id): an erasure.
    Returns how many went."""
    return changed_rows(db, f"DELETE FROM list_rows WHERE person_id IN (SELECT id FROM {people})",
                        [])


def backdate_import(db: Connection, import_id: int, when: datetime) -> None:
    """Make the rows an import added, and its list if it is younger, dated ``when`` (the demo
    tells a story over weeks)."""
    db.execute("UPDATE list_rows SET added_at = ? WHERE import_id = ?", [when, import_id])
    db.execute("UPDATE lists SET created_at = ? WHERE id = (SELECT list_id FROM imports"
               " WHERE id = ?) AND created_at > ?", [when, import_id, when])
