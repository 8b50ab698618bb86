"""The audit log's one writer: entries are appended, never changed."""

from __future__ import annotations

from datetime import datetime

from lib.db import Connection


def append(db: Connection, happened_at: datetime, user_id: int | None, action: str,
           target: str | None, detail: str | None, row_count: int | None) -> None:
    db.execute(
        "INSERT INTO audit_log (happened_at, user_id, action, target, detail, row_count)"
        " VALUES (?, ?, ?, ?, ?, ?)", [happened_at, user_id, action, target, detail, row_count])
