"""The repository of leads and their activities: the one module that writes ``leads`` and
``activities``.

``lib.leads`` decides what changes (the next step that is never missing, who may) and writes
the history; these functions are the statements, run inside its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal

from lib.db import Connection


def insert_lead(
    db: Connection, *, person_id: int, title: str, owner_id: int, step_key: str,
    amount: Decimal | None, created_at: datetime, created_by: int | None, next_type: str,
    next_due_date: date, next_due_time: time | None, next_duration_min: int | None,
    next_note: str | None,
) -> int:
    """A new lead to do with its next step; returns its id."""
    return db.execute(
        "INSERT INTO leads (person_id, title, owner_id, step_key, status, amount, created_at,"
        " created_by, next_type, next_due_date, next_due_time, next_duration_min, next_note)"
        " VALUES (?, ?, ?, ?, 'todo', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [person_id, title, owner_id, step_key, amount, created_at, created_by, next_type,
         next_due_date, next_due_time, next_duration_min, next_note],
    ).fetchone()[0]


def insert_activity(
    db: Connection, *, lead_id: int, person_id: int, kind: str, outcome: str | None,
    body: str | None, happened_at: datetime, user_id: int | None,
) -> int:
    """A call, e-mail, meeting or note on a lead; returns its id."""
    return db.execute(
        "INSERT INTO activities (lead_id, person_id, kind, outcome, body, happened_at, user_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [lead_id, person_id, kind, outcome, body, happened_at, user_id],
    ).fetchone()[0]


def set_next_step(
    db: Connection, lead_id: int, *, next_type: str, next_due_date: date,
    next_due_time: time | None, next_duration_min: int | None, next_note: str | None,
) -> None:
    """Replace a lead's next step (the schema refuses one on a closed lead)."""
    db.execute(
        "UPDATE leads SET next_type = ?, next_due_date = ?, next_due_time = ?,"
        " next_duration_min = ?, next_note = ? WHERE id = ?",
        [next_type, next_due_date, next_due_time, next_duration_min, next_note, lead_id],
    )


def set_step(db: Connection, lead_id: int, step_key: str) -> None:
    """Move a lead to another pipeline step."""
    db.execute("UPDATE leads SET step_key = ? WHERE id = ?", [step_key, lead_id])


def update(db: Connection, lead_id: int, columns: Mapping[str, object]) -> None:
    """Set ``columns`` (names of leads' columns, chosen by the caller, never by a user) of
    one lead; ``columns`` must not be empty."""
    db.execute(
        f"UPDATE leads SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
        [*columns.values(), lead_id],
    )


def hand_over_open(db: Connection, owner: int, heir: int) -> None:
    """Give every open lead of ``owner`` to ``heir``."""
    db.execute("UPDATE leads SET owner_id = ? WHERE owner_id = ? AND status IN ('todo', 'standby')",
               [heir, owner])


def delete_activities_for_people(db: Connection, people: str) -> int:
    """Drop the activities of the people of relation ``people`` (column id) and of their
    leads, as an erasure must; returns how many went. Run it before their leads are deleted."""
    return int(db.execute(
        f"DELETE FROM activities WHERE person_id IN (SELECT id FROM {people})"
        f" OR lead_id IN (SELECT id FROM leads WHERE person_id IN (SELECT id FROM {people}))"
    ).fetchone()[0])


def delete_for_people(db: Connection, people: str) -> int:
    """Drop the leads of the people of relation ``people`` (column id); returns how many."""
    return int(db.execute(
        f"DELETE FROM leads WHERE person_id IN (SELECT id FROM {people})").fetchone()[0])


def date_activities_by_history(db: Connection) -> None:
    """The demo's timeline: each activity at the last history entry of its lead."""
    db.execute("UPDATE activities SET happened_at = (SELECT max(h.happened_at) FROM history h"
               " WHERE h.lead_id = activities.lead_id)")


def date_leads_by_history(db: Connection) -> None:
    """The demo's timeline: each lead created at its conversion's entry, closed (if it is) at
    its last entry."""
    db.execute("UPDATE leads SET created_at = (SELECT min(h.happened_at) FROM history h"
               " WHERE h.lead_id = leads.id AND h.kind = 'convert'),"
               " closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE (SELECT max(h.happened_at)"
               " FROM history h WHERE h.lead_id = leads.id) END")
