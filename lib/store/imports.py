"""Imports, their row outcomes and the remembered column mappings (``imports``,
``import_rows``, ``saved_mappings``): what each file did, kept so that it can be reported,
undone and scrubbed.

Set-based writes take the name of a relation the caller staged or registered and stay one
statement.
"""

from __future__ import annotations

from datetime import datetime

from lib.db import Connection, scalar


def insert_import(db: Connection, *, list_id: int, file_name: str, file_sha256: str,
                  file_bytes: bytes, read_options: str, mapping: str, by: int | None,
                  at: datetime, via: str | None, counts: dict[str, int]) -> int:
    """The record of one committed file with the report's numbers (``counts``: column →
    number, the columns of ``importing.Counts``). Returns its id."""
    columns = ", ".join(counts)
    return int(scalar(
        db,
        f"INSERT INTO imports (list_id, file_name, file_sha256, file_bytes, read_options,"
        f" mapping, imported_by, imported_at, via, {columns})"
        f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {', '.join('?' * len(counts))}) RETURNING id",
        [list_id, file_name, file_sha256, file_bytes, read_options, mapping, by, at, via,
         *counts.values()],
    ))


def insert_staged_outcomes(db: Connection, import_id: int, staged_rows: str) -> None:
    """What happened to every row of the file (relation ``staged_rows``: row_number,
    person_id, outcome, issue), for the report, the undo and erasure."""
    db.execute(f"INSERT INTO import_rows (import_id, row_number, person_id, outcome, issue)"
               f" SELECT ?, row_number, person_id, outcome, issue FROM {staged_rows}",
               [import_id])


def mark_undone(db: Connection, import_id: int, at: datetime, by: int | None) -> None:
    """Note that an import was taken back (its record and file stay)."""
    db.execute("UPDATE imports SET undone_at = ?, undone_by = ? WHERE id = ?",
               [at, by, import_id])


def replace_file(db: Connection, import_id: int, file_bytes: bytes, read_options: str) -> None:
    """Store a rewritten file (an erasure blanked rows of it) with the options that read it."""
    db.execute("UPDATE imports SET file_bytes = ?, read_options = ? WHERE id = ?",
               [file_bytes, read_options, import_id])


def mark_rows_erased(db: Connection, people: str) -> None:
    """The rows of the people in relation ``people`` (column id) say 'erased' and name
    nobody any more."""
    db.execute(f"UPDATE import_rows SET person_id = NULL, outcome = 'erased', issue = NULL"
               f" WHERE person_id IN (SELECT id FROM {people})")


def backdate(db: Connection, import_id: int, when: datetime) -> None:
    """Date an import ``when`` (the demo tells a story over weeks)."""
    db.execute("UPDATE imports SET imported_at = ? WHERE id = ?", [when, import_id])


def save_mapping(db: Connection, header_key: str, pairs: str, at: datetime,
                 by: int | None) -> None:
    """Remember the mapping (JSON pairs) for files with this header, replacing an older one."""
    db.execute("DELETE FROM saved_mappings WHERE header_key = ?", [header_key])
    db.execute(
        "INSERT INTO saved_mappings (header_key, mapping, saved_at, saved_by) VALUES (?, ?, ?, ?)",
        [header_key, pairs, at, by],
    )
