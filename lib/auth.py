"""Local login: passwords, throttling, login sessions, one-time set-password links.

Tokens (sessions, links) are random, at least 256 bits, and only their SHA-256 is stored: a
copy of the database does not let anyone log in. Failed logins are counted per account and per
client; after ``FAILURE_LIMIT`` within ``LOCKOUT`` both are refused for that long, with the same
message whether or not the e-mail has an account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from lib import audit, passwords, settings, users
from lib.db import Connection, take_guard, transaction, utcnow
from lib.errors import InvalidInput, UserError
from lib.i18n import N_, _, pgettext
from lib.store import users as users_store

FAILURE_LIMIT = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)  # even a session in daily use logs in again after this
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session
LINK_VALID = {"invite": timedelta(days=7), "reset": timedelta(hours=2)}
HANDOFF_SECONDS = 60

LOCKOUT_MINUTES = int(LOCKOUT.total_seconds() // 60)
# The refusals, in English (the message ids); ``_`` says them in the run's language.
WRONG = N_("The e-mail or the password is wrong (or the account is not active).")
_THROTTLED = N_("Too many failed logins for this account or from this computer: wait "
                "{minutes} minutes, then try again.")
THROTTLED = _THROTTLED.format(minutes=LOCKOUT_MINUTES)
ADMIN_EXISTS = N_("An admin already exists; log in.")
_CURRENT_WRONG = N_("The current password is wrong, or it was mistyped too often: after "
                    "{failures} failures the account is locked for {minutes} minutes.")
CURRENT_WRONG = _CURRENT_WRONG.format(failures=FAILURE_LIMIT, minutes=LOCKOUT_MINUTES)
LINK_UNUSABLE = N_("This link is not valid any more (used, expired or replaced by a newer one): "
                   "ask an admin for a new one.")


def throttled_message() -> str:
    return _(_THROTTLED).format(minutes=LOCKOUT_MINUTES)


def current_wrong_message() -> str:
    return _(_CURRENT_WRONG).format(failures=FAILURE_LIMIT, minutes=LOCKOUT_MINUTES)


class LoginRefused(UserError):
    """A login that did not succeed; the message never tells whether the e-mail exists."""


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_key(address: str | None) -> str | None:
    """The client a login comes from, as throttling counts it: its IP address, None on this
    machine (Streamlit reports loopback as no address)."""
    return None if address in (None, "", "127.0.0.1", "::1") else address


def email_key(email: str) -> str:
    return email.strip().lower()


# --- logging in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    user: users.User
    token: str  # the session token for the cookie; shown nowhere


def throttled(db: Connection, email: str, client: str | None, now: datetime | None = None
              ) -> bool:
    """Whether this account or this client had too many recent failures."""
    since = (now or utcnow()) - LOCKOUT
    account, by_client = db.execute(
        "SELECT count(*) FILTER (WHERE email_key = ?),"
        " count(*) FILTER (WHERE client IS NOT DISTINCT FROM ? AND ? IS NOT NULL)"
        " FROM login_failures WHERE happened_at > ?",
        [email_key(email), client, client, since]).fetchone()
    return account >= FAILURE_LIMIT or by_client >= FAILURE_LIMIT


def log_in(db: Connection, email: str, password: str, *, client: str | None) -> Login:
    """Check e-mail and password and start a login session; refuse with ``LoginRefused``."""
    key = email_key(email)
    if throttled(db, key, client):
        _failed(db, key, client, "throttled")
        raise LoginRefused(throttled_message())
    user = users.by_email(db, key) if key else None
    stored = _password_hash(db, user.id) if user and user.active else None
    if not passwords.verify(stored, password):
        _failed(db, key, client, "wrong password" if stored else "no such active account")
        raise LoginRefused(_(WRONG))
    return _logged_in(db, user, password, stored, client)


def _password_hash(db: Connection, user_id: int) -> str | None:
    return db.execute("SELECT password_hash FROM users WHERE id = ?", [user_id]).fetchone()[0]


@transaction
def _failed(db: Connection, key: str, client: str | None, why: str, *,
            action: str = "login_failed", by: int | None = None) -> None:
    """One more failure of the account and client (a refusal while throttled counts no more),
    in the audit log as ``action``."""
    if why != "throttled":
        users_store.insert_login_failure(db, utcnow(), key, client)
    audit.record(db, action, user_id=by, target=key[:200],
                 detail=f"{why}; client {client or 'local'}")


@transaction
def _logged_in(db: Connection, user: users.User, password: str, stored: str,
               client: str | None) -> Login:
    if passwords.needs_rehash(stored):
        users_store.set_password_hash(db, user.id, passwords.hash_password(password))
    users_store.clear_login_failures(db, email_key(user.email))
    return Login(user, start_session(db, user.id, client=client, how="password"))


@transaction
def start_session(db: Connection, user_id: int, *, client: str | None = None,
                  how: str = "password") -> str:
    """A new login session for an active user; returns its token (stored only hashed)."""
    user = users.get(db, user_id)
    if user is None or not user.active:
        raise LoginRefused(_(WRONG))
    token, now = new_token(), utcnow()
    users_store.insert_session(db, token_hash(token), user_id, now, client)
    audit.record(db, "login", user_id=user_id, target=user.email,
                 detail=f"{how}; client {client or 'local'}")
    return token


def session_user(db: Connection, token: str | None, now: datetime | None = None
                 ) -> users.User | None:
    """The active user a session token belongs to, if the session is still alive (not ended,
    used within the idle time, younger than ``SESSION_LIFETIME``). Marks it as used."""
    if not token:
        return None
    now = now or utcnow()
    idle = timedelta(minutes=int(settings.get(db, "session_idle_minutes")))
    row = db.execute(
        "SELECT s.user_id, s.last_seen_at FROM login_sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.ended_at IS NULL AND u.active"
        " AND s.last_seen_at > ? AND s.created_at > ?",
        [token_hash(token), now - idle, now - SESSION_LIFETIME]).fetchone()
    if row is None:
        return None
    user_id, last_seen = row
    if now - last_seen >= TOUCH_EVERY:
        _touch(db, token, now)
    return users.get(db, user_id)


@transaction
def _touch(db: Connection, token: str, now: datetime) -> None:
    users_store.touch_session(db, token_hash(token), now)


@transaction
def log_out(db: Connection, token: str) -> None:
    """End one login session (this browser)."""
    user_id = users_store.end_session(db, token_hash(token), utcnow())
    if user_id is not None:
        audit.record(db, "logout", user_id=user_id)


@transaction
def log_out_everywhere(db: Connection, user_id: int, *, by: int | None) -> int:
    """End every login session of a user; returns how many were open."""
    ended = _end_sessions(db, user_id)
    audit.record(db, "logout_everywhere", user_id=by, target=_email(db, user_id),
                 row_count=ended)
    return ended


def _end_sessions(db: Connection, user_id: int, keep: str | None = None) -> int:
    """End a user's open sessions, but the one of token ``keep``; returns how many ended."""
    return users_store.end_sessions(db, user_id, utcnow(),
                                    keep_hash=token_hash(keep) if keep else None)


def _email(db: Connection, user_id: int) -> str | None:
    user = users.get(db, user_id)
    return user.email if user else None


# --- first admin --------------------------------------------------------------------------------


@transaction
def create_first_admin(db: Connection, name: str, email: str, password: str, repeated: str,
                       *, client: str | None = None) -> Login:
    """The first user of an empty database, an admin, logged in at once.

    Two first-admin forms sent at once (two browsers on a new database) make one admin: the
    guard lets one transaction check and insert at a time, the other then finds the admin and
    writes nothing."""
    take_guard(db, "first_admin")
    if users.exist(db):
        raise UserError(_(ADMIN_EXISTS))
    if password != repeated:
        raise InvalidInput(_("the two passwords differ"), column=pgettext("field", "password"))
    user = users.add(db, name, email, "admin", password=password)
    return Login(user, start_session(db, user.id, client=client, how="first admin"))


# --- one-time links (invite, reset) -------------------------------------------------------------


@transaction
def issue_link(db: Connection, user_id: int, purpose: str, *, by: int | None,
               now: datetime | None = None) -> str:
    """A one-time set-password token for a user (an invitation or a reset), valid for
    ``LINK_VALID[purpose]``; older unused links of the user stop working."""
    if purpose not in LINK_VALID:
        raise ValueError(f"unknown link purpose {purpose!r}")
    user = users.get(db, user_id)
    if user is None or not user.active:
        raise InvalidInput(_("only an active user can get a set-password link"),
                           column=pgettext("field", "user"))
    now = now or utcnow()
    users_store.spend_links(db, user_id, now)
    token = new_token()
    users_store.insert_link(db, token_hash(token), user_id, purpose, now=now, by=by,
                            expires_at=now + LINK_VALID[purpose])
    audit.record(db, "link_issued", user_id=by, target=user.email, detail=purpose)
    return token


def link_user(db: Connection, token: str | None, now: datetime | None = None
              ) -> tuple[users.User, str] | None:
    """(user, purpose) of a usable link, or None (unknown, used, expired, user inactive)."""
    if not token:
        return None
    row = db.execute(
        "SELECT l.user_id, l.purpose FROM user_links l JOIN users u ON u.id = l.user_id"
        " WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ? AND u.active",
        [token_hash(token), now or utcnow()]).fetchone()
    if row is None:
        return None
    return users.get(db, row[0]), row[1]


@transaction
def use_link(db: Connection, token: str, password: str, repeated: str, *,
             client: str | None = None, now: datetime | None = None) -> Login:
    """Set the password through a one-time link: the link is spent, every other login session
    of the user ends, and this browser is logged in."""
    found = link_user(db, token, now)
    if found is None:
        raise UserError(_(LINK_UNUSABLE))
    user, purpose = found
    if password != repeated:
        raise InvalidInput(_("the two passwords differ"), column=pgettext("field", "password"))
    set_password(db, user.id, password)
    users_store.spend_link(db, token_hash(token), now or utcnow())
    _end_sessions(db, user.id)
    return Login(user, start_session(db, user.id, client=client, how=f"{purpose} link"))


def change_password(db: Connection, user_id: int, current: str, new: str, repeated: str, *,
                    keep: str | None = None, client: str | None = None) -> int:
    """A logged-in user's own change: the current password first; every other session ends
    (``keep`` is the token of the browser making the change). Returns how many ended.

    A wrong current password is a failed login of the account (the same count and lockout as
    the login form, so a borrowed session cannot guess it), is audited, and gets one answer
    however often it was tried."""
    user = users.get(db, user_id)
    if user is None:
        raise InvalidInput(_("there is no user #{number}").format(number=user_id),
                           column=pgettext("field", "user"))
    key = email_key(user.email)
    if throttled(db, key, client):
        _failed(db, key, client, "throttled", action="password_change_failed", by=user_id)
        raise LoginRefused(current_wrong_message())
    if not passwords.verify(_password_hash(db, user_id), current):
        _failed(db, key, client, "wrong current password", action="password_change_failed",
                by=user_id)
        raise LoginRefused(current_wrong_message())
    return _changed_password(db, user, new, repeated, keep)


@transaction
def _changed_password(db: Connection, user: users.User, new: str, repeated: str,
                      keep: str | None) -> int:
    if new != repeated:
        raise InvalidInput(_("the two new passwords differ"), column=pgettext("field", "password"))
    set_password(db, user.id, new)
    users_store.clear_login_failures(db, email_key(user.email))
    return _end_sessions(db, user.id, keep)


@transaction
def set_password(db: Connection, user_id: int, password: str) -> None:
    """Check and store a new password (hashed)."""
    user = users.get(db, user_id)
    if user is None:
        raise InvalidInput(_("there is no user #{number}").format(number=user_id),
                           column=pgettext("field", "user"))
    passwords.check(password, email=user.email, name=user.name)
    users_store.set_password_hash(db, user_id, passwords.hash_password(password))
    audit.record(db, "password_set", user_id=user_id, target=user.email)


# --- browser hand-off: from a logged-in Streamlit session to an HttpOnly cookie -----------------

_handoffs: dict[str, tuple[str, str | None, float]] = {}
_handoffs_lock = threading.Lock()


def make_handoff(session_token: str, client: str | None) -> str:
    """A one-time code, valid for ``HANDOFF_SECONDS`` from the same client, that the cookie
    route exchanges for the session token (which never appears in a URL)."""
    code = new_token()
    with _handoffs_lock:
        now = time.monotonic()
        for stale in [c for c, (*_ignored, t) in _handoffs.items() if t < now]:
            del _handoffs[stale]
        _handoffs[token_hash(code)] = (session_token, client, now + HANDOFF_SECONDS)
    return code


def take_handoff(code: str, client: str | None) -> str | None:
    """The session token for a hand-off code, once; None when unknown, late or elsewhere."""
    with _handoffs_lock:
        found = _handoffs.pop(token_hash(code), None)
    if found is None:
        return None
    session_token, issued_to, deadline = found
    if time.monotonic() > deadline or not hmac.compare_digest(issued_to or "", client or ""):
        return None
    return session_token
