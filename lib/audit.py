"""The audit log: who did what, when, to what, how many rows. The app only ever inserts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from lib.db import Connection, utcnow

if TYPE_CHECKING:
    from lib.importing import ImportResult, UndoResult

ACTIONS = {
    "login": "Logged in",
    "login_failed": "Failed login",
    "password_change_failed": "Failed password change",
    "logout": "Logged out",
    "logout_everywhere": "Logged out everywhere",
    "user_added": "User added",
    "role_changed": "Role changed",
    "team_changed": "Team changed",
    "team_created": "Team created",
    "team_renamed": "Team renamed",
    "user_deactivated": "User deactivated",
    "user_reactivated": "User reactivated",
    "work_handed_over": "Work handed over",
    "link_issued": "Set-password link issued",
    "password_set": "Password set",
    "settings_changed": "Setting changed",
    "import": "Import",
    "import_undone": "Import undone",
    "export": "Export",
    "download": "Download",
    "privacy_export": "Subject access export",
    "privacy_erase": "Person erased",
    "privacy_purge": "Retention purge",
    "do_not_contact": "Do not contact set",
    "do_not_contact_cleared": "Do not contact lifted",
}


def record(db: Connection, action: str, *, user_id: int | None, target: str | None = None,
           detail: str | None = None, row_count: int | None = None) -> None:
    """Append one entry (inside the caller's transaction, when there is one)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    db.execute(
        "INSERT INTO audit_log (happened_at, user_id, action, target, detail, row_count)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [utcnow(), user_id, action, target, detail, row_count],
    )


def imported(db: Connection, result: ImportResult, *, by: int | None, file_name: str) -> None:
    """An import (from the browser or the command line) in the audit log."""
    if not result.already_imported:
        record(db, "import", user_id=by, target=f"{result.list} (import #{result.import_id})",
               detail=f"{file_name}: {result.counts.added} new, "
                      f"{result.counts.already_known} known, {result.counts.rejected} rejected",
               row_count=result.counts.rows_in_file)


def undone(db: Connection, result: UndoResult, *, by: int | None) -> None:
    record(db, "import_undone", user_id=by, target=f"import #{result.import_id}",
           detail=result.message, row_count=result.removed_people + result.removed_from_list)


def recent(db: Connection, *, limit: int = 500, action: str | None = None) -> pd.DataFrame:
    """The newest entries first, with the user's name ("command line" for changes without
    one, "anonymous" for failed logins)."""
    return db.execute(
        "SELECT a.happened_at AS \"when\", coalesce(u.name, CASE WHEN a.action ="
        " 'login_failed' THEN 'anonymous' ELSE 'command line' END) AS who,"
        " a.action, a.target, a.detail, a.row_count AS \"rows\""
        " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
        " WHERE ? IS NULL OR a.action = ?"
        " ORDER BY a.id DESC LIMIT ?",
        [action, action, limit],
    ).df()
