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
from lib.i18n import N_, _

if TYPE_CHECKING:
    from lib.db import Connection
    from lib.users import User

ROLES = ("admin", "manager", "rep", "ops")
ROLE_LABELS = {"admin": N_("admin"), "manager": N_("manager"), "rep": N_("rep"), "ops": N_("ops")}
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
        raise NotAllowed(_("That user is not active any more; nothing was changed."))
    return viewer_for(db, user)


def require_user(db: Connection, user_id: int | None, permission: str, what: str) -> None:
    """``require`` for the user a write is recorded for (``by=``)."""
    require(viewer_of(db, user_id), permission, what)


def require(viewer: Viewer, permission: str, what: str) -> None:
    """Refuse ``what`` (said to the user) unless the viewer's role grants ``permission``.

    ``what`` is marked ``N_`` by the caller and translated here, when it is said."""
    if not viewer.may(permission):
        raise NotAllowed(_("Your role ({role}) may not {what}.").format(
            role=_(ROLE_LABELS.get(viewer.role, viewer.role)), what=_(what)))


def _scope(viewer: Viewer) -> str:
    """'all', 'lists', 'team' or 'own': how far this viewer's sight reaches.

    ops work on lists, not on people: they see every row of the lists shared with them
    ('lists'), whoever owns it, and no rows of other lists.
    """
    if viewer.sees_everything:
        return "all"
    if viewer.may("see_rows_only"):
        return "lists"
    if viewer.role == "manager" or viewer.visibility == "team":
        return "team" if viewer.team_id is not None else "own"
    return "own"


def _owner_clause(viewer: Viewer, owner: str) -> tuple[str, list[object]]:
    if _scope(viewer) == "team":
        return (f"{owner} IN (SELECT id FROM users WHERE team_id = ?)", [viewer.team_id])
    return (f"{owner} = ?", [viewer.user_id])


_SHARED_LISTS = "SELECT id FROM lists WHERE team_id IS NULL OR team_id = ?"


def _person_has(table: str, condition: tuple[str, list[object]], person: str,
                one: int | None) -> tuple[str, list[object]]:
    """The person (``{person}.id``, or the one person ``one``) has a row in ``table`` (aliased
    ``x``) meeting ``condition``: a set-based IN for a table of people, a selective EXISTS
    for one person (an IN would build a hash of every row just to check one)."""
    sql, params = condition
    if one is None:
        return (f"{person}.id IN (SELECT x.person_id FROM {table} x WHERE {sql})", params)
    return (f"EXISTS (SELECT 1 FROM {table} x WHERE x.person_id = ? AND {sql})", [one, *params])


def _people_rule(viewer: Viewer, person: str, *, on_shared_list: bool = False,
                 one: int | None = None) -> tuple[str, list[object]]:
    scope = _scope(viewer)
    if scope == "all" or (scope == "lists" and on_shared_list):
        return ("TRUE", [])
    shared_sql, shared_params = ("TRUE", []) if on_shared_list else _person_has(
        "list_rows", (f"x.list_id IN ({_SHARED_LISTS})", [viewer.team_id]), person, one)
    if scope == "lists":
        return (shared_sql, shared_params)
    owner_sql, owner_params = _owner_clause(viewer, f"{person}.owner_id")
    lead_sql, lead_params = _person_has("leads", _owner_clause(viewer, "x.owner_id"), person,
                                        one)
    return (f"({owner_sql} OR ({person}.owner_id IS NULL AND {shared_sql}) OR {lead_sql})",
            [*owner_params, *shared_params, *lead_params])


def people_clause(viewer: Viewer, person: str = "p", *,
                  on_shared_list: bool = False) -> tuple[str, list[object]]:
    """SQL condition on the people table aliased ``person``: the people this viewer may see.

    Owned by someone in sight, or unowned and on a list shared with the viewer's team, or the
    person of a lead in sight (a lead handed to a rep brings its person along). ops: every
    row of the lists shared with them. ``on_shared_list``: the caller reads rows of one list
    it checked (``check_list``), so "on a shared list" holds and costs no look-up.
    """
    return _people_rule(viewer, person, on_shared_list=on_shared_list)


def _on_shared_lists(viewer: Viewer, person_id: str) -> tuple[str, list[object]]:
    """``person_id`` has a row on a list shared with the viewer's team or with everyone."""
    return (f"{person_id} IN (SELECT person_id FROM list_rows WHERE list_id IN ("
            f"{_SHARED_LISTS}))", [viewer.team_id])


def leads_clause(viewer: Viewer, lead: str = "l") -> tuple[str, list[object]]:
    """SQL condition on the leads table aliased ``lead``: the leads this viewer may see (owned
    by someone in sight; ops: the leads of the rows they see)."""
    scope = _scope(viewer)
    if scope == "all":
        return ("TRUE", [])
    if scope == "lists":
        return _on_shared_lists(viewer, f"{lead}.person_id")
    return _owner_clause(viewer, f"{lead}.owner_id")


def lists_clause(viewer: Viewer, list_: str = "l") -> tuple[str, list[object]]:
    """SQL condition on the lists table aliased ``list_``: the lists this viewer may open."""
    if _scope(viewer) == "all":
        return ("TRUE", [])
    return (f"({list_}.team_id IS NULL OR {list_}.team_id = ?)", [viewer.team_id])


def users_clause(viewer: Viewer, user: str = "u") -> tuple[str, list[object]]:
    """SQL condition on the users table aliased ``user``: whose work (owner filters, overdue
    per rep) this viewer may look at: everyone, their team, or themselves."""
    scope = _scope(viewer)
    if scope in ("all", "lists"):
        return ("TRUE", [])
    if scope == "team":
        return (f"{user}.team_id = ?", [viewer.team_id])
    return (f"{user}.id = ?", [viewer.user_id])


def amount_sql(viewer: Viewer, expression: str) -> str:
    """``expression`` (a lead's amount, or a sum of them) for viewers who may see amounts, else
    NULL: ops see rows and leads, never what a lead is worth."""
    return expression if viewer.may("see_amounts") else "NULL"


# --- one record ----------------------------------------------------------------------------


def may_see_person(db: Connection, viewer: Viewer, person_id: int) -> bool:
    """The rule of ``people_clause`` for one person (False when there is no such person)."""
    sql, params = _people_rule(viewer, "p", one=int(person_id))
    return bool(db.execute(f"SELECT count(*) FROM people p WHERE p.id = ? AND {sql}",
                           [int(person_id), *params]).fetchone()[0])


def may_see_lead(db: Connection, viewer: Viewer, lead_id: int) -> bool:
    """The rule of ``leads_clause`` for one lead (False when there is no such lead)."""
    if _scope(viewer) == "lists":
        person = db.execute("SELECT person_id FROM leads WHERE id = ?", [int(lead_id)]).fetchone()
        return person is not None and may_see_person(db, viewer, person[0])
    sql, params = leads_clause(viewer, "l")
    return bool(db.execute(f"SELECT count(*) FROM leads l WHERE l.id = ? AND {sql}",
                           [int(lead_id), *params]).fetchone()[0])


def may_open_list(db: Connection, viewer: Viewer, list_id: int) -> bool:
    """The rule of ``lists_clause`` for one list (False when there is no such list)."""
    sql, params = lists_clause(viewer, "l")
    return bool(db.execute(f"SELECT count(*) FROM lists l WHERE l.id = ? AND {sql}",
                           [int(list_id), *params]).fetchone()[0])


def check_person(db: Connection, viewer: Viewer, person_id: int) -> None:
    """Refuse a person (row) the viewer may not see: a guessed id is no way in.

    Nothing to check for a viewer who sees everything (a missing id is the caller's to report).
    """
    if _scope(viewer) != "all" and not may_see_person(db, viewer, person_id):
        raise NotAllowed(_("Row {number} is not one you may see or change.").format(
            number=int(person_id)))


def check_lead(db: Connection, viewer: Viewer, lead_id: int) -> None:
    """Refuse a lead the viewer may not see: a guessed id is no way in.

    Nothing to check for a viewer who sees everything (a missing id is the caller's to report).
    """
    if _scope(viewer) != "all" and not may_see_lead(db, viewer, lead_id):
        raise NotAllowed(_("Lead {number} is not one you may see or change.").format(
            number=int(lead_id)))


def check_list(db: Connection, viewer: Viewer, list_id: int) -> None:
    """Refuse a list the viewer may not open (nothing to check for one who sees everything)."""
    if _scope(viewer) != "all" and not may_open_list(db, viewer, list_id):
        raise NotAllowed(_("List {number} is not one you may open.").format(number=int(list_id)))


# --- who a write is done by ----------------------------------------------------------------


def writer(db: Connection, by: int | None, permission: str, what: str, *,
           person_id: int | None = None, lead_id: int | None = None) -> Viewer:
    """The check every write of a row or lead makes, for the user it is recorded under
    (``by``): their role grants ``permission`` and they may see the person or lead."""
    viewer = viewer_of(db, by)
    require(viewer, permission, what)
    if person_id is not None:
        check_person(db, viewer, person_id)
    if lead_id is not None:
        check_lead(db, viewer, lead_id)
    return viewer


def check_assign(db: Connection, viewer: Viewer, owner_id: int | None) -> None:
    """Taking a row or lead for oneself is work on it; giving it to someone else (or to
    nobody) is assigning: for roles that may, and only to someone whose work they see."""
    if owner_id is not None and owner_id == viewer.user_id:
        return
    require(viewer, "assign", N_("give rows or leads to someone else"))
    visible, params = users_clause(viewer, "u")
    if owner_id is not None and visible != "TRUE" and not db.execute(
            f"SELECT count(*) FROM users u WHERE u.id = ? AND {visible}",
            [int(owner_id), *params]).fetchone()[0]:
        raise NotAllowed(_("You may not give rows or leads to user {number}: they are outside "
                           "your team.").format(number=int(owner_id)))


def named(clause: tuple[str, list[object]], prefix: str = "v") -> tuple[str, dict[str, object]]:
    """A clause with ``?`` parameters as one with named ones ($v_0, $v_1 …), for queries that
    bind by name. The clauses of this module hold no literal question mark."""
    sql, params = clause
    parts = sql.split("?")
    text = parts[0] + "".join(f"${prefix}_{n}{part}" for n, part in enumerate(parts[1:]))
    return text, {f"{prefix}_{n}": value for n, value in enumerate(params)}
