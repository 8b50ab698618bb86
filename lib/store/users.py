"""Writes of the accounts: users, teams, one-time links, login sessions and failed logins.

Tokens arrive here already hashed; no plain token or password is ever written.
"""

from __future__ import annotations

from datetime import datetime

from lib.db import Connection


def insert_user(db: Connection, *, name: str, email: str, role: str, team_id: int | None,
                language: str | None, password_hash: str | None) -> int:
    """A new user (the e-mail already checked unique); returns its id."""
    return db.execute(
        "INSERT INTO users (name, email, role, team_id, language, password_hash)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [name, email, role, team_id, language, password_hash]).fetchone()[0]


def set_role(db: Connection, user_id: int, role: str) -> None:
    db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])


def set_team(db: Connection, user_id: int, team_id: int | None) -> None:
    db.execute("UPDATE users SET team_id = ? WHERE id = ?", [team_id, user_id])


def set_language(db: Connection, user_id: int, language: str | None) -> None:
    db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])


def set_password_hash(db: Connection, user_id: int, password_hash: str) -> None:
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])


def set_active(db: Connection, user_id: int, active: bool) -> None:
    """Deactivating also drops the calendar feed token: a former user's feed stops at once."""
    if active:
        db.execute("UPDATE users SET active = true WHERE id = ?", [user_id])
    else:
        db.execute("UPDATE users SET active = false, calendar_token = NULL,"
                   " calendar_token_hash = NULL WHERE id = ?", [user_id])


def set_calendar_token(db: Connection, user_id: int, token_hash: str | None) -> bool:
    """Replace (or with None drop) an active user's feed token; False when there is no such
    active user."""
    if token_hash is None:
        db.execute("UPDATE users SET calendar_token_hash = NULL, calendar_token = NULL"
                   " WHERE id = ?", [user_id])
        return True
    return bool(db.execute(
        "UPDATE users SET calendar_token_hash = ?, calendar_token = NULL WHERE id = ? AND active"
        " RETURNING 1", [token_hash, user_id]).fetchall())


def insert_team(db: Connection, name: str) -> int:
    return db.execute("INSERT INTO teams (name) VALUES (?) RETURNING id", [name]).fetchone()[0]


def rename_team(db: Connection, team_id: int, name: str) -> None:
    db.execute("UPDATE teams SET name = ? WHERE id = ?", [name, team_id])


def insert_session(db: Connection, token_hash: str, user_id: int, now: datetime,
                   client: str | None) -> None:
    db.execute(
        "INSERT INTO login_sessions (token_hash, user_id, created_at, last_seen_at, client)"
        " VALUES (?, ?, ?, ?, ?)", [token_hash, user_id, now, now, client])


def touch_session(db: Connection, token_hash: str, now: datetime) -> None:
    db.execute("UPDATE login_sessions SET last_seen_at = ? WHERE token_hash = ?",
               [now, token_hash])


def end_session(db: Connection, token_hash: str, now: datetime) -> int | None:
    """End one open session; the user it belonged to, or None when it was not open."""
    row = db.execute(
        "UPDATE login_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL"
        " RETURNING user_id", [now, token_hash]).fetchone()
    return row[0] if row else None


def end_sessions(db: Connection, user_id: int, now: datetime, *,
                 keep_hash: str | None = None) -> int:
    """End a user's open sessions but the one hashed ``keep_hash``; how many ended."""
    return len(db.execute(
        "UPDATE login_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL"
        " AND token_hash IS DISTINCT FROM ? RETURNING 1", [now, user_id, keep_hash]).fetchall())


def insert_link(db: Connection, token_hash: str, user_id: int, purpose: str, *,
                now: datetime, by: int | None, expires_at: datetime) -> None:
    db.execute(
        "INSERT INTO user_links (token_hash, user_id, purpose, created_at, created_by,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        [token_hash, user_id, purpose, now, by, expires_at])


def spend_links(db: Connection, user_id: int, now: datetime) -> None:
    """Every unused link of the user stops working (a newer one, or the user left)."""
    db.execute("UPDATE user_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
               [now, user_id])


def spend_link(db: Connection, token_hash: str, now: datetime) -> None:
    db.execute("UPDATE user_links SET used_at = ? WHERE token_hash = ?", [now, token_hash])


def insert_login_failure(db: Connection, now: datetime, email_key: str,
                         client: str | None) -> None:
    db.execute("INSERT INTO login_failures (happened_at, email_key, client) VALUES (?, ?, ?)",
               [now, email_key, client])


def clear_login_failures(db: Connection, email_key: str) -> None:
    db.execute("DELETE FROM login_failures WHERE email_key = ?", [email_key])
