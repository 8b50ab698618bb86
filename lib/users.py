"""Users (until login exists): whoever the sidebar says the app is acting as."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from lib.db import Connection, transaction
from lib.errors import InvalidInput

ROLES = ("rep", "manager", "ops", "admin")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str
    role: str

    @property
    def sees_team(self) -> bool:
        """Managers and admins may look at every rep's work."""
        return self.role in ("manager", "admin")

    @property
    def label(self) -> str:
        """How the app names who it is acting as: "Anna Schmidt (rep)"."""
        return f"{self.name} ({self.role})"


def all_users(db: Connection) -> list[User]:
    """Active users, by name."""
    rows = db.execute(
        "SELECT id, name, email, role FROM users WHERE active ORDER BY name"
    ).fetchall()
    return [User(*row) for row in rows]


def get(db: Connection, user_id: int) -> User | None:
    row = db.execute("SELECT id, name, email, role FROM users WHERE id = ?", [user_id]).fetchone()
    return User(*row) if row else None


def by_email(db: Connection, email: str) -> User | None:
    row = db.execute(
        "SELECT id, name, email, role FROM users WHERE lower(email) = lower(?)", [email.strip()]
    ).fetchone()
    return User(*row) if row else None


@transaction
def add(db: Connection, name: str, email: str, role: str) -> User:
    """Create a user; the e-mail must be valid and unused."""
    if not name.strip():
        raise InvalidInput("a name is required", column="name")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", column="role")
    try:
        normalised = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(str(exc), column="e-mail") from None
    if by_email(db, normalised):
        raise InvalidInput(f"{normalised} already has a user", column="e-mail")
    user_id = db.execute(
        "INSERT INTO users (name, email, role) VALUES (?, ?, ?) RETURNING id",
        [name.strip(), normalised, role],
    ).fetchone()[0]
    return User(user_id, name.strip(), normalised, role)


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
