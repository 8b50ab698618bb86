"""The repository of ``ticks``: which criteria of a person are ticked, by whom, since when.

SQL only: the caller checks who may tick, keeps the status in step and writes the history,
all inside its own transaction.
"""

from __future__ import annotations

from datetime import datetime

from lib.db import Connection


def tick(db: Connection, person_id: int, criterion_key: str, by: int | None,
         at: datetime) -> None:
    """Store a tick; the caller knows the person has none of this criterion yet."""
    db.execute(
        "INSERT INTO ticks (person_id, criterion_key, ticked_by, ticked_at) VALUES (?, ?, ?, ?)",
        [person_id, criterion_key, by, at],
    )


def untick(db: Connection, person_id: int, criterion_key: str) -> None:
    """Remove a person's tick of one criterion."""
    db.execute("DELETE FROM ticks WHERE person_id = ? AND criterion_key = ?",
               [person_id, criterion_key])


def delete_for_people(db: Connection, people: str) -> int:
    """Remove every tick of the people in the relation named ``people`` (column ``id``);
    returns how many went. ``people`` is a table or registered frame, never user text."""
    return int(db.execute(
        f"DELETE FROM ticks WHERE person_id IN (SELECT id FROM {people})").fetchone()[0])


def date_by_history(db: Connection) -> None:
    """Give every tick the moment of the latest "tick" history entry of its person and
    criterion (the demo moves its history back over weeks and the ticks follow)."""
    db.execute("UPDATE ticks SET ticked_at = (SELECT max(h.happened_at) FROM history h"
               " WHERE h.person_id = ticks.person_id AND h.kind = 'tick'"
               " AND h.field = ticks.criterion_key)")
