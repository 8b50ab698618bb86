"""Who may do what, and who may see whom: the role model as data and the one visibility rule.

Every read of people, rows, leads, activities, history or numbers takes a ``Viewer`` and filters
through ``people_clause`` / ``leads_clause`` (SQL) or ``may_see_person`` / ``may_see_lead``
(one record); every write checks ``require`` and the same rule. The command line without
``--as`` reads with ``FULL_ACCESS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lib.errors import UserError

if TYPE_CHECKING:
    from lib.db import Connection
    from lib.users import User

ROLES = ("admin", "manager", "rep", "ops")
VISIBILITIES = ("all", "team", "own")

# What each role may do. Checked in lib/ by ``require``, never by comparing role names.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({
        "manage_people", "manage_settings", "edit_qualification", "privacy", "read_audit",
        "import", "undo_import", "work_rows", "work_leads", "see_amounts", "assign",
        "see_numbers", "own_rows",
    }),
    "manager": frozenset({
        "see_people", "import", "undo_import", "work_rows", "work_leads", "see_amounts",
        "assign", "see_numbers", "own_rows",
    }),
    "rep": frozenset({"work_rows", "work_leads", "see_amounts", "own_rows"}),
    "ops": frozenset({"import", "undo_import", "see_rows_only"}),
}
# Granted to managers only while the admin's setting ``managers_edit_qualification`` is on.
MANAGER_OPTIONAL = frozenset({"edit_qualification"})


class NotAllowed(UserError):
    """The logged-in user's role or visibility does not allow this; nothing was changed."""


@dataclass(frozen=True)
class Viewer:
    """The person a read or write is done for, with what decides what they see.

    ``user_id`` None is the command line without ``--as``: full access, writes recorded as
    "command line".
    """

    user_id: int | None
    role: str
    team_id: int | None
    visibility: str
    managers_edit_qualification: bool = False

    @property
    def sees_everything(self) -> bool:
        return self.user_id is None or self.role == "admin" or self.visibility == "all"

    def may(self, permission: str) -> bool:
        if self.user_id is None:
            return True
        if permission in MANAGER_OPTIONAL and self.role == "manager":
            return self.managers_edit_qualification
        return permission in PERMISSIONS.get(self.role, frozenset())


FULL_ACCESS = Viewer(user_id=None, role="admin", team_id=None, visibility="all")


def viewer_for(db: Connection, user: User) -> Viewer:
    """The Viewer for a logged-in user: their role and team, and the account's visibility."""
    from lib import settings

    return Viewer(
        user_id=user.id, role=user.role, team_id=user.team_id,
        visibility=str(settings.get(db, "visibility")),
        managers_edit_qualification=bool(settings.get(db, "managers_edit_qualification")),
    )


def viewer_of(db: Connection, user_id: int | None) -> Viewer:
    """The Viewer of the user a write is recorded for: ``FULL_ACCESS`` for None (the command
    line without ``--as``); an unknown or deactivated user may do nothing."""
    from lib import users

    if user_id is None:
        return FULL_ACCESS
    user = users.get(db, user_id)
    if user is None or not user.active:
        raise NotAllowed("That user is not active any more; nothing was changed.")
    return viewer_for(db, user)


def require_user(db: Connection, user_id: int | None, permission: str, what: str) -> None:
    """``require`` for the user a write is recorded for (``by=``)."""
    require(viewer_of(db, user_id), permission, what)


def require(viewer: Viewer, permission: str, what: str) -> None:
    """Refuse ``what`` (said to the user) unless the viewer's role grants ``permission``."""
    if not viewer.may(permission):
        raise NotAllowed(f"Your role ({viewer.role}) may not {what}.")


def _scope(viewer: Viewer) -> str:
    """'all', 'team' or 'own': how far this viewer's sight reaches."""
    if viewer.sees_everything:
        return "all"
    if viewer.role == "manager" or viewer.visibility == "team":
        return "team" if viewer.team_id is not None else "own"
    return "own"


def _owner_clause(viewer: Viewer, owner: str) -> tuple[str, list[object]]:
    if _scope(viewer) == "team":
        return (f"{owner} IN (SELECT id FROM users WHERE team_id = ?)", [viewer.team_id])
    return (f"{owner} = ?", [viewer.user_id])


def _shared_lists(viewer: Viewer) -> tuple[str, list[object]]:
    return ("SELECT id FROM lists WHERE team_id IS NULL OR team_id = ?", [viewer.team_id])


def people_clause(viewer: Viewer, person: str = "p") -> tuple[str, list[object]]:
    """SQL condition on the people table aliased ``person``: the people this viewer may see.

    Owned by someone in sight, or unowned and on a list shared with the viewer's team.
    """
    if _scope(viewer) == "all":
        return ("TRUE", [])
    owner_sql, owner_params = _owner_clause(viewer, f"{person}.owner_id")
    lists_sql, lists_params = _shared_lists(viewer)
    return (
        f"({owner_sql} OR ({person}.owner_id IS NULL AND {person}.id IN ("
        f"SELECT person_id FROM list_rows WHERE list_id IN ({lists_sql}))))",
        [*owner_params, *lists_params],
    )


def leads_clause(viewer: Viewer, lead: str = "l") -> tuple[str, list[object]]:
    """SQL condition on the leads table aliased ``lead``: the leads this viewer may see."""
    if _scope(viewer) == "all":
        return ("TRUE", [])
    return _owner_clause(viewer, f"{lead}.owner_id")


def lists_clause(viewer: Viewer, list_: str = "l") -> tuple[str, list[object]]:
    """SQL condition on the lists table aliased ``list_``: the lists this viewer may open."""
    if _scope(viewer) == "all":
        return ("TRUE", [])
    return (f"({list_}.team_id IS NULL OR {list_}.team_id = ?)", [viewer.team_id])
