"""Privacy records (``privacy_key``, ``suppressions``, ``do_not_contact``): the installation's
HMAC key, the keyed hashes that keep erased people out of later imports, and the channels a
person must not be contacted on.

The key is never returned by a write here; callers read it back within their transaction.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from lib.db import Connection, changed_rows, registered


def insert_key(db: Connection, secret: bytes, at: datetime) -> None:
    """Store the installation's key unless one is there already (the first one stays)."""
    db.execute("INSERT INTO privacy_key (id, secret, created_at) VALUES (1, ?, ?)"
               " ON CONFLICT DO NOTHING", [secret, at])


def insert_suppressions(db: Connection, entries: pd.DataFrame, reason: str, at: datetime,
                        by: int | None) -> None:
    """Suppression entries (``entries``: channel, hash); a hash already listed stays as it was."""
    with registered(db, "new_suppressions", entries):
        db.execute("INSERT INTO suppressions (channel, hash, reason, created_at, created_by)"
                   " SELECT channel, hash, ?, ?, ? FROM new_suppressions"
                   " ON CONFLICT DO NOTHING", [reason, at, by])


def flag_staged_rows(db: Connection, staged_rows: str, import_id: int | None, at: datetime,
                     by: int | None) -> None:
    """Do-not-contact columns of a file: the person asked (an earlier flag stays as it was).

    ``staged_rows`` names a relation with person_id, outcome, dnc_email and dnc_phone."""
    db.execute(f"""
        INSERT INTO do_not_contact (person_id, channel, source, noted_at, noted_by, import_id)
        SELECT person_id, channel, 'asked', ?, ?, ? FROM (
            SELECT person_id, 'email' AS channel FROM {staged_rows}
            WHERE dnc_email AND outcome IN ('added', 'known', 'duplicate_in_file')
            UNION SELECT person_id, 'phone' FROM {staged_rows}
            WHERE dnc_phone AND outcome IN ('added', 'known', 'duplicate_in_file')) AS asked
        ON CONFLICT DO NOTHING
    """, [at, by, import_id])


def set_flag(db: Connection, person_id: int, channel: str, source: str, at: datetime,
             by: int | None) -> None:
    """Flag a channel of a person, replacing an earlier flag of it (no longer the file's)."""
    db.execute("INSERT INTO do_not_contact (person_id, channel, source, noted_at, noted_by)"
               " VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, channel) DO UPDATE SET"
               " source = excluded.source, noted_at = excluded.noted_at,"
               " noted_by = excluded.noted_by, import_id = NULL",
               [person_id, channel, source, at, by])


def clear_flag(db: Connection, person_id: int, channel: str) -> int:
    """Lift a person's flag of a channel; returns 1 if there was one, else 0."""
    return changed_rows(db, "DELETE FROM do_not_contact WHERE person_id = ? AND channel = ?",
                        [person_id, channel])


def delete_flags_of(db: Connection, people: str) -> int:
    """Every flag of the people in relation ``people`` (column id): an erasure. Returns how
    many went."""
    return changed_rows(
        db, f"DELETE FROM do_not_contact WHERE person_id IN (SELECT id FROM {people})", [])
