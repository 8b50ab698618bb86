"""Passwords: argon2id hashes (argon2-cffi) and the rules a new password must meet."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lib.errors import InvalidInput
from lib.i18n import _, pgettext

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes any length; a cap keeps a pasted novel from costing seconds
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common_passwords.txt"

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong
    password and the time does not tell whether an account exists."""
    return _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords and words, lower-case."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip()
                     and not line.startswith("#"))


def check(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password that is short, common, or made of the account's own name or e-mail."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(_("the password needs at least {count} characters").format(
            count=MIN_LENGTH), column=pgettext("field", "password"))
    if len(password) > MAX_LENGTH:
        raise InvalidInput(_("the password may have at most {count} characters").format(
            count=MAX_LENGTH), column=pgettext("field", "password"))
    lowered = password.lower()
    core = re.sub(r"[^a-zäöüß]", "", lowered)
    own = {part for part in re.split(r"[^a-z0-9äöüß]+", f"{email} {name}".lower())
           if len(part) >= 3}
    if (lowered in common_passwords() or core in common_passwords() or core in own
            or len(set(lowered)) < 4):
        raise InvalidInput(_("this password is too easy to guess (a common password, a common "
                             "word with digits, or your own name): choose another"),
                           column=pgettext("field", "password"))
