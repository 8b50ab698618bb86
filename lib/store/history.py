"""The history's repository: the one module that writes the ``history`` table.

Entries are appended in the caller's transaction, in the same unit as the change they tell of;
which kinds exist and how a value is written down is ``lib.history``'s concern. Bulk entries
(an import's fills, a hand-over, the statuses a rule change moved) stay one INSERT … SELECT.
"""

from __future__ import annotations

from datetime import datetime

from lib.db import Connection

# The people of an import's stage that existed before: an empty field they got from the file.
_IMPORT_FILLS = """
    INSERT INTO history (happened_at, user_id, person_id, import_id, kind, field, new_value)
    SELECT ?, ?, person_id, ?, 'import_fill', field, fill FROM {stage}_merge
    WHERE stored IS NULL AND was_known
"""

# Values that differ from what the person keeps (another spelling of the same e-mail or
# phone number, i.e. the same key, is not another value).
_IMPORT_KEPT = """
    INSERT INTO history (happened_at, user_id, person_id, import_id, kind, field, old_value,
                         new_value, note)
    SELECT ?, ?, l.person_id, ?, 'import_kept', l.field, coalesce(m.stored, m.fill), l.value,
           'row ' || min(l.row_number) || ' of the import had another value'
    FROM {stage}_long l JOIN {stage}_merge m ON m.person_id = l.person_id AND m.field = l.field
    WHERE l.value <> coalesce(m.stored, m.fill)
      AND (l.key IS NULL OR l.key IS DISTINCT FROM coalesce(m.stored_key, m.fill_key))
    GROUP BY l.person_id, l.field, coalesce(m.stored, m.fill), l.value
"""


def record(
    db: Connection, *, happened_at: datetime, user_id: int | None, person_id: int | None,
    lead_id: int | None, import_id: int | None, kind: str, field: str | None,
    old_value: str | None, new_value: str | None, note: str | None,
) -> None:
    """Append one entry; the caller has checked the kind and written the values as text."""
    db.execute(
        "INSERT INTO history (happened_at, user_id, person_id, lead_id, import_id, kind, field,"
        " old_value, new_value, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [happened_at, user_id, person_id, lead_id, import_id, kind, field, old_value, new_value,
         note],
    )


def record_import_fills(db: Connection, stage: str, *, at: datetime, by: int | None,
                        import_id: int | None) -> None:
    """One 'import_fill' entry per field an import filled on a person who existed before.
    ``{stage}_merge`` is the merge table of ``lib.merging`` (stored, fill, was_known)."""
    db.execute(_IMPORT_FILLS.format(stage=stage), [at, by, import_id])


def record_import_kept(db: Connection, stage: str, *, at: datetime, by: int | None,
                       import_id: int | None) -> None:
    """One 'import_kept' entry per value of the file that was not taken (first row named).
    Needs ``{stage}_long`` and ``{stage}_merge`` of ``lib.merging``."""
    db.execute(_IMPORT_KEPT.format(stage=stage), [at, by, import_id])


def record_status_changes(db: Connection, changes: str, *, at: datetime, by: int | None,
                          note: str | None) -> None:
    """One 'status' entry per row of ``changes`` (person_id, old_status, status); call it
    before the statuses are stored."""
    db.execute(
        "INSERT INTO history (happened_at, user_id, person_id, kind, field, old_value,"
        " new_value, note) SELECT ?, ?, person_id, 'status', 'status', old_status, status, ?"
        f" FROM {changes}",
        [at, by, note],
    )


def record_lead_hand_over(db: Connection, *, at: datetime, by: int | None, owner: int,
                          heir: int, note: str) -> None:
    """One 'lead_edit' entry per open lead of ``owner`` going to ``heir``; call it before the
    leads change hands."""
    db.execute(
        "INSERT INTO history (happened_at, user_id, person_id, lead_id, kind, field, old_value,"
        " new_value, note) SELECT ?, ?, person_id, id, 'lead_edit', 'owner_id', ?, ?, ?"
        " FROM leads WHERE owner_id = ? AND status IN ('todo', 'standby')",
        [at, by, str(owner), str(heir), note, owner])


def record_owner_hand_over(db: Connection, *, at: datetime, by: int | None, owner: int,
                           heir: int, note: str) -> None:
    """One 'owner' entry per row ``owner`` owns going to ``heir``; call it before the rows
    change hands."""
    db.execute(
        "INSERT INTO history (happened_at, user_id, person_id, kind, field, old_value,"
        " new_value, note) SELECT ?, ?, id, 'owner', 'owner_id', ?, ?, ? FROM people"
        " WHERE owner_id = ?", [at, by, str(owner), str(heir), note, owner])


def delete_for_created_people(db: Connection, import_id: int, people: str) -> None:
    """Drop an import's entries about the people it created, when the import is undone.
    ``people`` names a relation with person_id and created (the undo's people)."""
    db.execute(f"DELETE FROM history WHERE import_id = ? AND person_id IN"
               f" (SELECT person_id FROM {people} WHERE created)", [import_id])


def delete_for_people(db: Connection, people: str) -> int:
    """Drop every entry about the people of relation ``people`` (column id) and their leads,
    as an erasure must; returns how many went. Run it before their leads are deleted."""
    return int(db.execute(
        f"DELETE FROM history WHERE person_id IN (SELECT id FROM {people})"
        f" OR lead_id IN (SELECT id FROM leads WHERE person_id IN (SELECT id FROM {people}))"
    ).fetchone()[0])


def erase_values(db: Connection, values: list[str]) -> None:
    """Replace every old or new value equal (case-blind) to one of ``values`` by '(erased)':
    the entry stays, the erased person's data goes."""
    for column in ("old_value", "new_value"):
        db.execute(f"UPDATE history SET {column} = '(erased)'"
                   f" WHERE lower({column}) IN (SELECT unnest(?::VARCHAR[]))", [values])


def spread_after_first_seen(db: Connection, *, latest: datetime) -> None:
    """The demo's timeline: move every entry not made by an import to six-hour steps after
    its person's first list, in the original order, never after ``latest``."""
    db.execute(
        """
        UPDATE history SET happened_at = least(t.moment, ?) FROM (
            SELECT h.id, first_seen.at + INTERVAL '3 hours'
                   + INTERVAL '6 hours' * row_number() OVER (PARTITION BY h.person_id
                                                             ORDER BY h.id) AS moment
            FROM history h JOIN (SELECT person_id, min(added_at) AS at FROM list_rows
                                 GROUP BY person_id) first_seen
              ON first_seen.person_id = h.person_id
            WHERE h.import_id IS NULL
        ) t WHERE history.id = t.id
        """, [latest])


def backdate_import(db: Connection, import_id: int, when: datetime) -> None:
    """Date every entry of an import ``when`` (the demo's imports happened weeks ago)."""
    db.execute("UPDATE history SET happened_at = ? WHERE import_id = ?", [when, import_id])
