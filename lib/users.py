"""People who use leadladder: accounts (e-mail, name, role, team, language, active) and teams.

The e-mail is the login name, unique and compared without case. Users are never deleted: a
deactivated user cannot log in and keeps their name in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from lib import access, audit, passwords
from lib.access import ROLES
from lib.db import Connection, transaction, utcnow
from lib.errors import InvalidInput
from lib.i18n import LANGUAGES as INTERFACE_LANGUAGES
from lib.i18n import N_, _, pgettext
from lib.store import history as history_store
from lib.store import leads as leads_store
from lib.store import people as people_store
from lib.store import users as users_store

LANGUAGES = tuple(INTERFACE_LANGUAGES)  # the languages lib/i18n.py has catalogs for
_COLUMNS = "id, name, email, role, team_id, language, active"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str
    role: str
    team_id: int | None = None
    language: str | None = None
    active: bool = True

    @property
    def sees_team(self) -> bool:
        """Managers and admins may look at every rep's work."""
        return self.role in ("manager", "admin")

    @property
    def label(self) -> str:
        """How the app names a user: "Anna Schmidt (rep)", the role in the reader's language."""
        return f"{self.name} ({_(access.ROLE_LABELS.get(self.role, self.role))})"


@dataclass(frozen=True)
class Team:
    id: int
    name: str


def all_users(db: Connection, *, include_inactive: bool = False) -> list[User]:
    """Users by name: the active ones, or everyone."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM users WHERE active OR ? ORDER BY name, id", [include_inactive]
    ).fetchall()
    return [User(*row) for row in rows]


def anyone(db: Connection) -> bool:
    """Whether the database has any user at all (active or not)."""
    return bool(db.execute("SELECT count(*) FROM users").fetchone()[0])


def get(db: Connection, user_id: int) -> User | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", [user_id]).fetchone()
    return User(*row) if row else None


def by_email(db: Connection, email: str) -> User | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM users WHERE lower(email) = lower(?)", [email.strip()]
    ).fetchone()
    return User(*row) if row else None


def exist(db: Connection) -> bool:
    """Whether any user exists (a database without users asks for the first admin)."""
    return db.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def first_admin(db: Connection) -> User | None:
    """The longest-standing active admin, else the first active user."""
    row = db.execute(
        f"SELECT {_COLUMNS} FROM users WHERE active ORDER BY role <> 'admin', id LIMIT 1"
    ).fetchone()
    return User(*row) if row else None


def _valid_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(str(exc), column=pgettext("field", "e-mail")) from None


def _valid_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(_("role must be one of {roles}").format(roles=", ".join(ROLES)),
                           column=pgettext("field", "role"))
    return role


def _valid_language(language: str | None) -> str | None:
    if language not in (None, *LANGUAGES):
        raise InvalidInput(_("language must be one of {languages} or none").format(
            languages=", ".join(LANGUAGES)), column=pgettext("field", "language"))
    return language


@transaction
def add(db: Connection, name: str, email: str, role: str, *, team_id: int | None = None,
        language: str | None = None, password: str | None = None,
        by: int | None = None) -> User:
    """Create a user; the e-mail must be valid and unused, a password (when given) strong."""
    access.require_user(db, by, "manage_people", N_("add people"))
    name = name.strip()
    if not name:
        raise InvalidInput(_("a name is required"), column=pgettext("field", "name"))
    _valid_role(role)
    normalised = _valid_email(email)
    if by_email(db, normalised):
        raise InvalidInput(_("{email} already has a user").format(email=normalised),
                           column=pgettext("field", "e-mail"))
    if team_id is not None:
        team(db, team_id)
    if password is not None:
        passwords.check(password, email=normalised, name=name)
    user_id = users_store.insert_user(
        db, name=name, email=normalised, role=role, team_id=team_id,
        language=_valid_language(language),
        password_hash=passwords.hash_password(password) if password is not None else None)
    audit.record(db, "user_added", user_id=by, target=normalised, detail=f"role {role}")
    return User(user_id, name, normalised, role, team_id, language)


def _existing(db: Connection, user_id: int) -> User:
    user = get(db, user_id)
    if user is None:
        raise InvalidInput(_("there is no user #{number}").format(number=user_id),
                           column=pgettext("field", "user"))
    return user


@transaction
def set_role(db: Connection, user_id: int, role: str, *, by: int | None) -> User:
    """Change a user's role (recorded in the audit log)."""
    access.require_user(db, by, "manage_people", N_("change roles"))
    user = _existing(db, user_id)
    if _valid_role(role) != user.role:
        _refuse_removing_last_admin(db, user)
        users_store.set_role(db, user_id, role)
        audit.record(db, "role_changed", user_id=by, target=user.email,
                     detail=f"{user.role} → {role}")
    return _existing(db, user_id)


def _refuse_removing_last_admin(db: Connection, user: User) -> None:
    if user.role == "admin" and user.active and db.execute(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active AND id <> ?",
            [user.id]).fetchone()[0] == 0:
        raise InvalidInput(_("{name} is the only active admin; make someone else admin "
                             "first").format(name=user.name), column=pgettext("field", "role"))


@transaction
def set_team(db: Connection, user_id: int, team_id: int | None, *, by: int | None) -> User:
    """Move a user into a team, or out of every team (None)."""
    access.require_user(db, by, "manage_people", N_("change teams"))
    user = _existing(db, user_id)
    if team_id != user.team_id:
        names = team_names(db)
        if team_id is not None:
            team(db, team_id)
        users_store.set_team(db, user_id, team_id)
        audit.record(db, "team_changed", user_id=by, target=user.email,
                     detail=f"{names.get(user.team_id, 'no team')} → "
                            f"{names.get(team_id, 'no team')}")
    return _existing(db, user_id)


@transaction
def set_language(db: Connection, user_id: int, language: str | None, *, by: int | None
                 ) -> User:
    """Store the interface language a user prefers (None: follow the browser); their own
    choice, or an admin's."""
    if by != user_id:
        access.require_user(db, by, "manage_people",
                            N_("change someone else's language"))
    _existing(db, user_id)
    users_store.set_language(db, user_id, _valid_language(language))
    return _existing(db, user_id)


@dataclass(frozen=True)
class Work:
    """What a user owns that someone must take over when they leave."""

    open_leads: int
    rows: int

    @property
    def any(self) -> bool:
        return bool(self.open_leads or self.rows)


def work_of(db: Connection, user_id: int) -> Work:
    leads, rows = db.execute(
        "SELECT (SELECT count(*) FROM leads WHERE owner_id = ? AND status IN ('todo', 'standby')),"
        " (SELECT count(*) FROM people WHERE owner_id = ?)", [user_id, user_id]).fetchone()
    return Work(int(leads), int(rows))


@transaction
def deactivate(db: Connection, user_id: int, *, hand_to: int | None, by: int | None) -> Work:
    """Stop a user: no login, no calendar feed, no open links; their open leads and owned rows
    go to ``hand_to`` (required when there are any), all in one transaction. Their name stays in
    the history. Returns what was handed over."""
    access.require_user(db, by, "manage_people", N_("deactivate people"))
    user = _existing(db, user_id)
    if not user.active:
        raise InvalidInput(_("{name} is already deactivated").format(name=user.name),
                           column=pgettext("field", "user"))
    if user_id == by:
        raise InvalidInput(_("you cannot deactivate yourself"), column=pgettext("field", "user"))
    _refuse_removing_last_admin(db, user)
    work = work_of(db, user_id)
    if work.any:
        _hand_over(db, user, hand_to, work, by)
    now = utcnow()
    users_store.set_active(db, user_id, False)
    users_store.end_sessions(db, user_id, now)
    users_store.spend_links(db, user_id, now)
    audit.record(db, "user_deactivated", user_id=by, target=user.email,
                 detail=f"open leads {work.open_leads}, rows {work.rows}")
    return work


def _hand_over(db: Connection, user: User, hand_to: int | None, work: Work,
               by: int | None) -> None:
    """Open leads and owned rows of ``user`` to ``hand_to``, each change in the history."""
    if hand_to is None:
        raise InvalidInput(_("{name} still has {leads} open leads and {rows} rows: choose who "
                             "takes them over").format(name=user.name, leads=work.open_leads,
                                                       rows=work.rows),
                           column=pgettext("field", "hand to"))
    heir = get(db, hand_to)
    if (heir is None or not heir.active or hand_to == user.id
            or "own_rows" not in access.PERMISSIONS.get(heir.role, frozenset())):
        raise InvalidInput(_("the leads and rows can only go to another active user who works "
                             "rows (a rep, a manager or an admin)"),
                           column=pgettext("field", "hand to"))
    now, note = utcnow(), f"{user.name} → {heir.name} (handed over)"
    history_store.record_lead_hand_over(db, at=now, by=by, owner=user.id, heir=heir.id,
                                        note=note)
    leads_store.hand_over_open(db, user.id, heir.id)
    history_store.record_owner_hand_over(db, at=now, by=by, owner=user.id, heir=heir.id,
                                         note=note)
    people_store.hand_over(db, user.id, heir.id, now)
    audit.record(db, "work_handed_over", user_id=by, target=user.email,
                 detail=f"to {heir.email}", row_count=work.open_leads + work.rows)


@transaction
def reactivate(db: Connection, user_id: int, *, by: int | None) -> User:
    """Let a deactivated user log in again (with their old password, or a new link)."""
    access.require_user(db, by, "manage_people", N_("reactivate people"))
    user = _existing(db, user_id)
    if not user.active:
        users_store.set_active(db, user_id, True)
        audit.record(db, "user_reactivated", user_id=by, target=user.email)
    return _existing(db, user_id)


def people_table(db: Connection, team_id: int | None = None) -> pd.DataFrame:
    """Everyone (or one team's members) for the People page: who, role, team, state, last
    login. Passwords and tokens never leave the database."""
    return db.execute(
        "SELECT u.id, u.name, u.email, u.role, t.name AS team, u.active,"
        " u.password_hash IS NOT NULL AS has_password, u.language,"
        " (SELECT max(created_at) FROM login_sessions s WHERE s.user_id = u.id) AS last_login"
        " FROM users u LEFT JOIN teams t ON t.id = u.team_id"
        " WHERE ? IS NULL OR u.team_id = ? ORDER BY u.active DESC, u.name, u.id",
        [team_id, team_id]).df()


def teams_table(db: Connection) -> pd.DataFrame:
    """Each team with its managers and how many active members it has."""
    return db.execute(
        "SELECT t.id, t.name AS team,"
        " count(u.id) FILTER (WHERE u.active) AS members,"
        " coalesce(string_agg(u.name, ', ' ORDER BY u.name) FILTER (WHERE u.active AND"
        " u.role = 'manager'), '') AS managers"
        " FROM teams t LEFT JOIN users u ON u.team_id = t.id GROUP BY t.id, t.name"
        " ORDER BY t.name").df()


def owner_names(db: Connection) -> dict[int, str]:
    """id → name of everyone who can own rows and leads, by name."""
    return dict(db.execute(
        "SELECT id, name FROM users WHERE active AND role IN ('rep', 'manager', 'admin')"
        " ORDER BY name"
    ).fetchall())


def owner_filter_choices(owners: dict[int, str], me: User) -> dict[int | str, str]:
    """Whose leads a page may show: "Me" first, then every other owner, then "Whole team"
    (the key "team")."""
    others = {i: name for i, name in owners.items() if i != me.id}
    return {me.id: _("Me ({name})").format(name=me.name), **others, "team": _("Whole team")}


# --- teams -------------------------------------------------------------------------------------


def teams(db: Connection) -> list[Team]:
    """Every team, by name."""
    return [Team(*row) for row in db.execute("SELECT id, name FROM teams ORDER BY name")
            .fetchall()]


def team_names(db: Connection) -> dict[int, str]:
    return {t.id: t.name for t in teams(db)}


def team(db: Connection, team_id: int) -> Team:
    row = db.execute("SELECT id, name FROM teams WHERE id = ?", [team_id]).fetchone()
    if row is None:
        raise InvalidInput(_("there is no team #{number}").format(number=team_id),
                           column=pgettext("field", "team"))
    return Team(*row)


def team_by_name(db: Connection, name: str) -> Team | None:
    row = db.execute("SELECT id, name FROM teams WHERE lower(name) = lower(?)",
                     [name.strip()]).fetchone()
    return Team(*row) if row else None


def _team_name(db: Connection, name: str, *, other_than: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(_("a team needs a name"), column=pgettext("field", "team"))
    found = team_by_name(db, name)
    if found and found.id != other_than:
        raise InvalidInput(_("there is already a team called {name}").format(name=found.name),
                           column=pgettext("field", "team"))
    return name


@transaction
def create_team(db: Connection, name: str, *, by: int | None) -> Team:
    access.require_user(db, by, "manage_people", N_("create teams"))
    name = _team_name(db, name)
    team_id = users_store.insert_team(db, name)
    audit.record(db, "team_created", user_id=by, target=name)
    return Team(team_id, name)


@transaction
def rename_team(db: Connection, team_id: int, name: str, *, by: int | None) -> Team:
    access.require_user(db, by, "manage_people", N_("rename teams"))
    old = team(db, team_id)
    name = _team_name(db, name, other_than=team_id)
    if name != old.name:
        users_store.rename_team(db, team_id, name)
        audit.record(db, "team_renamed", user_id=by, target=name, detail=f"was {old.name}")
    return Team(team_id, name)


def members(db: Connection, team_id: int, *, include_inactive: bool = False) -> list[User]:
    """A team's users, by name."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM users WHERE team_id = ? AND (active OR ?) ORDER BY name, id",
        [team_id, include_inactive]).fetchall()
    return [User(*row) for row in rows]


def managers(db: Connection, team_id: int) -> list[User]:
    """A team's managers: its active members with the role manager."""
    return [u for u in members(db, team_id) if u.role == "manager"]
