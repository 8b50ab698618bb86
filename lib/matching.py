"""Who is who: match the rows of a file against each other and against the people already known.

The rule (issue 2): a row is the same person as an earlier one when the normalised e-mails are
equal, or, when either has no e-mail, when an E.164 phone (phone or mobile) or the
first name + last name + company key is equal. Never on company alone. Near matches
(similar name at the same company) are only flagged for review.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

import pandas as pd

from lib.db import Connection, registered

KEY_KINDS = {"email_key": "e", "phone_key": "p", "mobile_key": "p", "name_key": "n"}


def match(db: Connection, stage: str) -> None:
    """Set each staged row's outcome and person_ref (a known person's id, or -row_number for a
    new person), and what is known about a known person (status, open lead)."""
    db.execute(f"CREATE OR REPLACE TEMP TABLE {stage}_keys AS "
               + KEYS_SQL.format(stage=stage) + "SELECT * FROM k")
    known = db.execute(f"WITH k AS (SELECT * FROM {stage}_keys) {KNOWN_SQL}").df()
    shared = db.execute(f"WITH k AS (SELECT * FROM {stage}_keys) {SHARED_SQL}").df()
    db.execute(f"DROP TABLE {stage}_keys")
    with registered(db, "shared_rows", shared):
        rows = db.execute(f"SELECT row_number, {', '.join(KEY_COLUMNS)} FROM {stage}"
                          " WHERE row_number IN (SELECT row_number FROM shared_rows)"
                          " ORDER BY row_number").df()
    refs, outcomes = _resolve(rows, known)
    resolved = pd.DataFrame({"row_number": rows["row_number"], "ref": refs, "outcome": outcomes})
    _replace(db, f"{stage}_resolved", resolved)
    _replace(db, f"{stage}_known", known[["id", "status", "open_lead"]])


def _replace(db: Connection, table: str, frame: pd.DataFrame) -> None:
    """Put the newest results of matching into one of the stage's side tables."""
    db.execute(f"DELETE FROM {table}")
    with registered(db, "results", frame):
        db.execute(f"INSERT INTO {table} SELECT * FROM results")


# Every key of every active staged row, as (row_number, tag, value); phone and mobile
# share the tag "p" because either may match the other.
KEYS_SQL = """
    WITH f AS (SELECT * FROM {stage} WHERE NOT blank AND NOT rejected), k AS (
        SELECT row_number, 'e' AS tag, email_key AS value FROM f WHERE email_key IS NOT NULL
        UNION ALL SELECT row_number, 'p', phone_key FROM f WHERE phone_key IS NOT NULL
        UNION ALL SELECT row_number, 'p', mobile_key FROM f WHERE mobile_key IS NOT NULL
        UNION ALL SELECT row_number, 'n', name_key FROM f WHERE name_key IS NOT NULL
    )
"""

# The known people who share a key with a row, with what the preview reports about them.
# Semi-joins, not a join: a switchboard number shared by a thousand known people and a
# thousand rows costs two thousand rows here, not a million pairs.
KNOWN_SQL = """
    , ids AS (
        SELECT id FROM people WHERE email_key IN (SELECT value FROM k WHERE tag = 'e')
        UNION SELECT id FROM people WHERE phone_key IN (SELECT value FROM k WHERE tag = 'p')
        UNION SELECT id FROM people WHERE mobile_key IN (SELECT value FROM k WHERE tag = 'p')
        UNION SELECT id FROM people WHERE name_key IN (SELECT value FROM k WHERE tag = 'n')
    )
    SELECT p.id, p.email_key, p.phone_key, p.mobile_key, p.name_key, p.status,
           EXISTS (SELECT 1 FROM leads l WHERE l.person_id = p.id
                   AND l.status IN ('todo', 'standby')) AS open_lead
    FROM people p WHERE p.id IN (SELECT id FROM ids) ORDER BY p.id
"""

# Rows sharing a key with another row of the file or with a known person: only these need
# the row-by-row rule, every other row is a new person on its own.
SHARED_SQL = """
    , known_values AS (
        SELECT 'e' AS tag, email_key AS value FROM people WHERE email_key IN
            (SELECT value FROM k WHERE tag = 'e')
        UNION SELECT 'p', phone_key FROM people WHERE phone_key IN
            (SELECT value FROM k WHERE tag = 'p')
        UNION SELECT 'p', mobile_key FROM people WHERE mobile_key IN
            (SELECT value FROM k WHERE tag = 'p')
        UNION SELECT 'n', name_key FROM people WHERE name_key IN
            (SELECT value FROM k WHERE tag = 'n')
    ), busy AS (
        SELECT tag, value FROM k GROUP BY tag, value HAVING count(DISTINCT row_number) > 1
        UNION SELECT tag, value FROM known_values
    )
    SELECT DISTINCT k.row_number FROM k SEMI JOIN busy ON busy.tag = k.tag AND busy.value = k.value
"""


KEY_COLUMNS = tuple(KEY_KINDS)
TAGS = tuple(KEY_KINDS.values())


def _values(frame: pd.DataFrame, column: str) -> list:
    """A column as a plain list, None where empty (fast to loop over)."""
    values = frame[column]
    return values.astype(object).where(values.notna(), None).tolist()


def _order(ref: int) -> tuple[bool, int]:
    """Known people (positive ids) before new rows, each earliest first."""
    return ref < 0, abs(ref)


class _People:
    """The persons seen so far: known ones from the database, new ones from earlier rows.

    Per phone or name key it keeps the best holder, and the holders without an e-mail in a heap
    (a person only ever gains an e-mail, so a holder that got one is dropped lazily): a key
    shared by thousands of rows costs a heap operation per row, not a scan of its holders."""

    def __init__(self, known: pd.DataFrame):
        self.email: dict[str, int] = {}
        self.best: dict[tuple[str, str], tuple[tuple[bool, int], int]] = {}
        self.without_email: dict[tuple[str, str], list[tuple[tuple[bool, int], int]]] = (
            defaultdict(list))
        self.state: dict[int, list[str | None]] = {}
        self.seen: set[int] = set()
        columns = (_values(known, c) for c in KEY_COLUMNS)
        for ref, *keys in zip(known["id"].tolist(), *columns, strict=True):
            self.learn(ref, keys)

    def learn(self, ref: int, keys: list[str | None]) -> None:
        """Register a row's keys for `ref`, only where the person had none yet (fill rule)."""
        state = self.state.get(ref)
        if state is None:
            state = self.state[ref] = [None] * len(KEY_COLUMNS)
        for i, value in enumerate(keys):
            if value is None or state[i] is not None:
                continue
            state[i] = value
            if i == 0:
                self.email.setdefault(value, ref)
                continue
            key, entry = (TAGS[i], value), (_order(ref), ref)
            if key not in self.best or entry < self.best[key]:
                self.best[key] = entry
            if state[0] is None:
                heapq.heappush(self.without_email[key], entry)

    def find(self, keys: list[str | None]) -> int | None:
        """The person these keys belong to: by e-mail first, then by phone or name when either
        side has no e-mail; known people before new ones, earlier before later."""
        email = keys[0]
        if email is not None and email in self.email:
            return self.email[email]
        found = None
        for tag, value in zip(TAGS[1:], keys[1:], strict=True):
            if value is None:
                continue
            entry = (self.best.get((tag, value)) if email is None
                     else self._first_without_email((tag, value)))
            if entry is not None and (found is None or entry < found):
                found = entry
        return None if found is None else found[1]

    def _first_without_email(self, key: tuple[str, str]) -> tuple[tuple[bool, int], int] | None:
        heap = self.without_email.get(key)
        while heap and self.state[heap[0][1]][0] is not None:
            heapq.heappop(heap)
        return heap[0] if heap else None


def _resolve(rows: pd.DataFrame, known: pd.DataFrame) -> tuple[list[int], list[str]]:
    """Go through the rows that share keys in file order, as a person reading the list would."""
    people = _People(known)
    refs, outcomes = [], []
    columns = (_values(rows, c) for c in KEY_COLUMNS)
    for row_number, *keys in zip(rows["row_number"].tolist(), *columns, strict=True):
        ref = people.find(keys)
        if ref is None:
            ref, outcome = -int(row_number), "added"
        else:
            outcome = "duplicate_in_file" if ref in people.seen else "known"
        people.seen.add(ref)
        people.learn(ref, keys)
        refs.append(ref)
        outcomes.append(outcome)
    return refs, outcomes


def flag_possible_duplicates(db: Connection, stage: str, threshold: int) -> None:
    """Flag new people whose name is similar to someone's at the same company.

    Blocked by company key and the last name's first letter, so each new row is compared only
    with the few people in its block, never with everyone known. Similarity is the Levenshtein
    distance as a percentage of the longer name, computed where the pairs are (in DuckDB)."""
    db.execute(f"DELETE FROM {stage}_dups")
    db.execute(f"INSERT INTO {stage}_dups " + PAIRS_SQL.format(stage=stage) + BEST_MATCH_SQL
               + "SELECT row_number, other_ref FROM best", {"threshold": threshold})


def candidate_pairs(db: Connection, stage: str) -> pd.DataFrame:
    """The only comparisons made: each new row with known people and earlier new rows in its
    block (same company key, same first letter of the last name)."""
    return db.execute(PAIRS_SQL.format(stage=stage) + "SELECT * FROM pairs").df()


# name_key is "first|last|company": the block is company + the last name's first letter.
PAIRS_SQL = """
    WITH n AS (
        SELECT row_number, person_ref AS ref, company_key,
               split_part(name_key, '|', 1) || ' ' || split_part(name_key, '|', 2) AS name,
               substr(split_part(name_key, '|', 2), 1, 1) AS initial
        FROM {stage}_rows WHERE outcome = 'added' AND name_key IS NOT NULL
    ), pairs AS (
        SELECT n.row_number, n.ref, n.name, p.id AS other_ref,
               split_part(p.name_key, '|', 1) || ' ' || split_part(p.name_key, '|', 2)
               AS other_name
        FROM n JOIN people p ON p.company_key = n.company_key
            AND substr(split_part(p.name_key, '|', 2), 1, 1) = n.initial
        UNION ALL
        SELECT n.row_number, n.ref, n.name, o.ref, o.name
        FROM n JOIN n o ON o.company_key = n.company_key AND o.initial = n.initial
            AND o.row_number < n.row_number
    )
"""

BEST_MATCH_SQL = """
    , scored AS (
        SELECT row_number, other_ref, 100.0 * (1 - levenshtein(name, other_name)
               / greatest(length(name), length(other_name), 1)) AS score
        FROM pairs WHERE ref <> other_ref
            -- the distance is at least the difference in length: skip hopeless pairs
            AND abs(length(name) - length(other_name))
                <= greatest(length(name), length(other_name)) * (100 - $threshold) / 100.0
    ), ranked AS (
        SELECT row_number, other_ref, row_number() OVER (
            PARTITION BY row_number ORDER BY score DESC, other_ref) AS place
        FROM scored WHERE score >= $threshold
    ), best AS (SELECT row_number, other_ref FROM ranked WHERE place = 1)
"""
