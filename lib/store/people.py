"""The repository of ``people``: the one module that inserts, changes and deletes person rows.

SQL only: the callers (rows, qualification, leads, importing, merging, privacy, users, demo)
check who may, decide the values, write the history and hold the transaction. Names of
relations and columns passed in are the caller's own (staging tables, registered frames,
known field names), never user text; values are always bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import pandas as pd

from lib.db import Connection, registered

# --- one person ----------------------------------------------------------------------------


def touch(db: Connection, person_id: int, at: datetime) -> None:
    """Mark the person as changed. Written first in a transaction, it makes two writers of
    the same person conflict (and one retry) instead of both acting on what they saw."""
    db.execute("UPDATE people SET updated_at = ? WHERE id = ?", [at, person_id])


def set_status(db: Connection, person_id: int, status: str) -> None:
    """Store the status the rule gave one person (the caller records the change)."""
    db.execute("UPDATE people SET status = ? WHERE id = ?", [status, person_id])


def set_owner(db: Connection, person_id: int, owner_id: int | None, at: datetime) -> None:
    """Give the person an owner, whoever owned them before."""
    db.execute("UPDATE people SET owner_id = ?, updated_at = ? WHERE id = ?",
               [owner_id, at, person_id])


def set_owner_if(db: Connection, person_id: int, owner_id: int | None,
                 expected_owner_id: int | None, at: datetime) -> int:
    """Give the person an owner if their owner is still ``expected_owner_id`` (compare and
    set); returns 1 when it was, 0 when someone changed it (or the person is gone)."""
    return int(db.execute(
        "UPDATE people SET owner_id = ?, updated_at = ? WHERE id = ?"
        " AND owner_id IS NOT DISTINCT FROM ?",
        [owner_id, at, person_id, expected_owner_id],
    ).fetchone()[0])


def take_if_unowned(db: Connection, person_id: int, owner_id: int, at: datetime) -> int:
    """Give the person an owner only if they have none; returns 1 when taken, else 0."""
    return int(db.execute(
        "UPDATE people SET owner_id = ?, updated_at = ? WHERE id = ? AND owner_id IS NULL",
        [owner_id, at, person_id],
    ).fetchone()[0])


def set_fields_if(db: Connection, person_id: int, field_name: str, old: str | None,
                  values: Mapping[str, object]) -> int:
    """Write ``values`` (column → value) if ``field_name`` still holds ``old`` (an empty text
    equals None); returns 1 when written, 0 when it was changed meanwhile. The columns are
    the caller's known field names."""
    return int(db.execute(
        f"UPDATE people SET {', '.join(f'{column} = ?' for column in values)}"
        f" WHERE id = ? AND COALESCE({field_name}, '') = COALESCE(?, '')",
        [*values.values(), person_id, old],
    ).fetchone()[0])


def mark_dead(db: Connection, person_id: int, reason: str, note: str | None,
              at: datetime) -> None:
    """Make the row dead for ``reason``; its ticks stay, so a revive can restore it."""
    db.execute(
        "UPDATE people SET status = 'dead', dead_reason = ?, dead_note = ?, died_at = ?,"
        " updated_at = ? WHERE id = ?",
        [reason, note, at, at, person_id],
    )


def revive(db: Connection, person_id: int, status: str, at: datetime) -> None:
    """Bring a dead row back with the status its ticks give."""
    db.execute(
        "UPDATE people SET status = ?, dead_reason = NULL, dead_note = NULL, died_at = NULL,"
        " updated_at = ? WHERE id = ?",
        [status, at, person_id],
    )


# --- many people at once -------------------------------------------------------------------


def set_statuses(db: Connection, changes: str) -> int:
    """Store the statuses of the relation named ``changes`` (person_id, status) in one
    statement; returns how many people changed."""
    return int(db.execute(
        f"UPDATE people SET status = c.status FROM {changes} c WHERE people.id = c.person_id"
    ).fetchone()[0])


def hand_over(db: Connection, old_owner_id: int, new_owner_id: int, at: datetime) -> None:
    """Every person ``old_owner_id`` owns goes to ``new_owner_id``."""
    db.execute("UPDATE people SET owner_id = ?, updated_at = ? WHERE owner_id = ?",
               [new_owner_id, at, old_owner_id])


def insert_added(db: Connection, rows: str, columns: Sequence[str], at: datetime,
                 by: int | None, import_id: int | None) -> None:
    """Create the people of the staged ``rows`` whose outcome is 'added', one statement:
    ``person_id`` becomes the id, ``columns`` are copied as they are."""
    names = ", ".join(columns)
    db.execute(f"INSERT INTO people (id, {names}, created_at, updated_at, created_by,"
               f" import_id) SELECT person_id, {names}, ?, ?, ?, ? FROM {rows}"
               f" WHERE outcome = 'added'", [at, at, by, import_id])


def fill_empty(db: Connection, merge: str, field: str, checked: bool, at: datetime) -> None:
    """Fill ``field`` from the relation named ``merge`` (person_id, field, stored, fill,
    fill_key, fill_valid) where the person still has none; ``checked`` fields (e-mail and
    phones) take their key and validity along. Nothing set is overwritten."""
    extra = f", {field}_key = m.fill_key, {field}_valid = m.fill_valid" if checked else ""
    db.execute(f"UPDATE people SET {field} = m.fill{extra}, updated_at = ? FROM {merge} m"
               f" WHERE m.field = '{field}' AND m.stored IS NULL AND people.id = m.person_id"
               f" AND people.{field} IS NULL", [at])


def set_name_keys(db: Connection, keys: pd.DataFrame) -> None:
    """Store recomputed matching keys: ``keys`` has id, name_key and company_key."""
    with registered(db, "refreshed", keys[["id", "name_key", "company_key"]]):
        db.execute("UPDATE people SET name_key = r.name_key, company_key = r.company_key"
                   " FROM refreshed r WHERE people.id = r.id")


def delete_created(db: Connection, undone: str) -> None:
    """Delete the people of the relation named ``undone`` (person_id, created) it marks as
    created (by the import being undone)."""
    db.execute(f"DELETE FROM people WHERE id IN (SELECT person_id FROM {undone} WHERE created)")


def forget_duplicates_of(db: Connection, people: str) -> None:
    """Nobody stays marked a possible duplicate of the people in the relation ``people``
    (column ``id``), who are about to be erased."""
    db.execute("UPDATE people SET possible_duplicate_of = NULL, possible_duplicate_score = NULL"
               f" WHERE possible_duplicate_of IN (SELECT id FROM {people})")


def delete_people(db: Connection, people: str) -> int:
    """Delete the people in the relation ``people`` (column ``id``); returns how many went.
    The caller removed their records first."""
    return int(db.execute(
        f"DELETE FROM people WHERE id IN (SELECT id FROM {people})").fetchone()[0])


# --- the demo ------------------------------------------------------------------------------


def date_deaths_by_history(db: Connection) -> None:
    """Every dead row died when its latest "cancel" history entry says (the demo moves its
    history back over weeks and the rows follow)."""
    db.execute("UPDATE people SET died_at = (SELECT max(h.happened_at) FROM history h"
               " WHERE h.person_id = people.id AND h.kind = 'cancel') WHERE died_at IS NOT NULL")


def backdate_import(db: Connection, import_id: int, at: datetime) -> None:
    """The people an import created look created (and last changed) ``at``."""
    db.execute("UPDATE people SET created_at = ?, updated_at = ? WHERE import_id = ?",
               [at, at, import_id])
