"""The audit log: who did what, when, to what, how many rows. The app only ever inserts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from lib import i18n
from lib.db import Connection, utcnow
from lib.i18n import N_, _
from lib.store import audit as audit_store

if TYPE_CHECKING:
    from lib.importing import ImportResult, UndoResult

ACTIONS = {
    "login": N_("Logged in"),
    "login_failed": N_("Failed login"),
    "password_change_failed": N_("Failed password change"),
    "logout": N_("Logged out"),
    "logout_everywhere": N_("Logged out everywhere"),
    "user_added": N_("User added"),
    "role_changed": N_("Role changed"),
    "team_changed": N_("Team changed"),
    "team_created": N_("Team created"),
    "team_renamed": N_("Team renamed"),
    "user_deactivated": N_("User deactivated"),
    "user_reactivated": N_("User reactivated"),
    "work_handed_over": N_("Work handed over"),
    "link_issued": N_("Set-password link issued"),
    "password_set": N_("Password set"),
    "settings_changed": N_("Setting changed"),
    "import": N_("Import"),
    "import_undone": N_("Import undone"),
    "export": N_("Export"),
    "download": N_("Download"),
    "privacy_export": N_("Subject access export"),
    "privacy_erase": N_("Person erased"),
    "privacy_purge": N_("Retention purge"),
    "do_not_contact": N_("Do not contact set"),
    "do_not_contact_cleared": N_("Do not contact lifted"),
}


def record(db: Connection, action: str, *, user_id: int | None, target: str | None = None,
           detail: str | None = None, row_count: int | None = None) -> None:
    """Append one entry (inside the caller's transaction, when there is one)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    audit_store.append(db, utcnow(), user_id, action, target, detail, row_count)


def imported(db: Connection, result: ImportResult, *, by: int | None, file_name: str) -> None:
    """An import (from the browser or the command line) in the audit log."""
    if not result.already_imported:
        record(db, "import", user_id=by, target=f"{result.list} (import #{result.import_id})",
               detail=f"{file_name}: {result.counts.added} new, "
                      f"{result.counts.already_known} known, {result.counts.rejected} rejected",
               row_count=result.counts.rows_in_file)


def undone(db: Connection, result: UndoResult, *, by: int | None) -> None:
    with i18n.using("en"):  # stored like every audit detail: in English, whoever undid it
        detail = result.message
    record(db, "import_undone", user_id=by, target=f"import #{result.import_id}",
           detail=detail, row_count=result.removed_people + result.removed_from_list)


def recent(db: Connection, *, limit: int = 500, action: str | None = None) -> pd.DataFrame:
    """The newest entries first, with the user's name ("command line" for changes without
    one, "anonymous" for failed logins, in the reader's language)."""
    return db.execute(
        "SELECT a.happened_at AS \"when\", coalesce(u.name, CASE WHEN a.action ="
        " 'login_failed' THEN ? ELSE ? END) AS who,"
        " a.action, a.target, a.detail, a.row_count AS \"rows\""
        " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
        " WHERE ? IS NULL OR a.action = ?"
        " ORDER BY a.id DESC LIMIT ?",
        [_("anonymous"), _("command line"), action, action, limit],
    ).df()
