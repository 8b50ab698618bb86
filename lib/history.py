"""The history: one entry per change, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from lib import access
from lib.db import Connection, utcnow
from lib.store import history as history_store

KINDS = (
    "edit",          # a contact field changed by hand
    "import_fill",   # an import filled a field that was empty
    "import_kept",   # an import brought another value; the stored one was kept
    "tick",
    "untick",
    "status",        # the computed status changed
    "owner",
    "cancel",
    "revive",
    "convert",
    "settings",      # a setting or a criterion changed
    "lead_step",
    "lead_status",
    "lead_edit",
    "next_step",
)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def record(
    db: Connection,
    kind: str,
    *,
    user_id: int | None,
    person_id: int | None = None,
    lead_id: int | None = None,
    import_id: int | None = None,
    field: str | None = None,
    old: object = None,
    new: object = None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one entry."""
    if kind not in KINDS:
        raise ValueError(f"unknown history kind {kind!r}")
    history_store.record(
        db, happened_at=at or utcnow(), user_id=user_id, person_id=person_id, lead_id=lead_id,
        import_id=import_id, kind=kind, field=field, old_value=_text(old), new_value=_text(new),
        note=note)


def for_person(db: Connection, person_id: int, *, viewer: access.Viewer) -> pd.DataFrame:
    """A person's whole history, newest first, with the user's name (NotAllowed for a person
    the viewer may not see)."""
    access.check_person(db, viewer, person_id)
    return db.execute(
        "SELECT h.happened_at, u.name AS who, h.kind, h.field, h.old_value, h.new_value, h.note,"
        " h.lead_id, h.import_id FROM history h LEFT JOIN users u ON u.id = h.user_id"
        " WHERE h.person_id = ? ORDER BY h.happened_at DESC, h.id DESC",
        [person_id],
    ).df()
