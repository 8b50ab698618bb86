"""People who use leadladder: accounts (e-mail, name, role, team, language, active) and teams.

The e-mail is the login name, unique and compared without case. Users are never deleted: a
deactivated user cannot log in and keeps their name in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from lib import audit, passwords
from lib.access import ROLES
from lib.db import Connection, transaction
from lib.errors import InvalidInput

LANGUAGES = ("en", "de")
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
        """How the app names a user: "Anna Schmidt (rep)"."""
        return f"{self.name} ({self.role})"


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
        raise InvalidInput(str(exc), column="e-mail") from None


def _valid_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", column="role")
    return role


def _valid_language(language: str | None) -> str | None:
    if language not in (None, *LANGUAGES):
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)} or none",
                           column="language")
    return language


@transaction
def add(db: Connection, name: str, email: str, role: str, *, team_id: int | None = None,
        language: str | None = None, password: str | None = None,
        by: int | None = None) -> User:
    """Create a user; the e-mail must be valid and unused, a password (when given) strong."""
    name = name.strip()
    if not name:
        raise InvalidInput("a name is required", column="name")
    _valid_role(role)
    normalised = _valid_email(email)
    if by_email(db, normalised):
        raise InvalidInput(f"{normalised} already has a user", column="e-mail")
    if team_id is not None:
        team(db, team_id)
    if password is not None:
        passwords.check(password, email=normalised, name=name)
    user_id = db.execute(
        "INSERT INTO users (name, email, role, team_id, language, password_hash)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [name, normalised, role, team_id, _valid_language(language),
         passwords.hash_password(password) if password is not None else None],
    ).fetchone()[0]
    audit.record(db, "user_added", user_id=by, target=normalised, detail=f"role {role}")
    return User(user_id, name, normalised, role, team_id, language)


def _existing(db: Connection, user_id: int) -> User:
    user = get(db, user_id)
    if user is None:
        raise InvalidInput(f"there is no user #{user_id}", column="user")
    return user


@transaction
def set_role(db: Connection, user_id: int, role: str, *, by: int | None) -> User:
    """Change a user's role (recorded in the audit log)."""
    user = _existing(db, user_id)
    if _valid_role(role) != user.role:
        _refuse_removing_last_admin(db, user)
        db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])
        audit.record(db, "role_changed", user_id=by, target=user.email,
                     detail=f"{user.role} → {role}")
    return _existing(db, user_id)


def _refuse_removing_last_admin(db: Connection, user: User) -> None:
    if user.role == "admin" and user.active and db.execute(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active AND id <> ?",
            [user.id]).fetchone()[0] == 0:
        raise InvalidInput(f"{user.name} is the only active admin; make someone else admin "
                           "first", column="role")


@transaction
def set_team(db: Connection, user_id: int, team_id: int | None, *, by: int | None) -> User:
    """Move a user into a team, or out of every team (None)."""
    user = _existing(db, user_id)
    if team_id != user.team_id:
        names = team_names(db)
        if team_id is not None:
            team(db, team_id)
        db.execute("UPDATE users SET team_id = ? WHERE id = ?", [team_id, user_id])
        audit.record(db, "team_changed", user_id=by, target=user.email,
                     detail=f"{names.get(user.team_id, 'no team')} → "
                            f"{names.get(team_id, 'no team')}")
    return _existing(db, user_id)


@transaction
def set_language(db: Connection, user_id: int, language: str | None) -> User:
    """Store the interface language a user prefers (None: follow the browser)."""
    _existing(db, user_id)
    db.execute("UPDATE users SET language = ? WHERE id = ?",
               [_valid_language(language), user_id])
    return _existing(db, user_id)


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
    return {me.id: f"Me ({me.name})", **others, "team": "Whole team"}


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
        raise InvalidInput(f"there is no team #{team_id}", column="team")
    return Team(*row)


def team_by_name(db: Connection, name: str) -> Team | None:
    row = db.execute("SELECT id, name FROM teams WHERE lower(name) = lower(?)",
                     [name.strip()]).fetchone()
    return Team(*row) if row else None


def _team_name(db: Connection, name: str, *, other_than: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("a team needs a name", column="team")
    found = team_by_name(db, name)
    if found and found.id != other_than:
        raise InvalidInput(f"there is already a team called {found.name}", column="team")
    return name


@transaction
def create_team(db: Connection, name: str, *, by: int | None) -> Team:
    name = _team_name(db, name)
    team_id = db.execute("INSERT INTO teams (name) VALUES (?) RETURNING id", [name]).fetchone()[0]
    audit.record(db, "team_created", user_id=by, target=name)
    return Team(team_id, name)


@transaction
def rename_team(db: Connection, team_id: int, name: str, *, by: int | None) -> Team:
    old = team(db, team_id)
    name = _team_name(db, name, other_than=team_id)
    if name != old.name:
        db.execute("UPDATE teams SET name = ? WHERE id = ?", [name, team_id])
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
