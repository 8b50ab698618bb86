"""Who is who: match the rows of a file against each other and against the people already known.

The rule (issue 2): a row is the same person as an earlier one when the normalised e-mails are
equal, or, when either has no e-mail, when an E.164 phone (phone or mobile) or the
first name + last name + company key is equal. Never on company alone. Near matches
(similar name at the same company) are only flagged for review.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from lib.db import Connection, registered

KEY_KINDS = {"email_key": "e", "phone_key": "p", "mobile_key": "p", "name_key": "n"}


def match(db: Connection, stage: str) -> None:
    """Set each staged row's outcome and person_ref (a known person's id, or -row_number for a
    new person), and what is known about a known person (status, open lead)."""
    db.execute(f"CREATE OR REPLACE TEMP TABLE {stage}_keys AS "
               + KEYS_SQL.format(stage=stage) + "SELECT * FROM k")
    hits = db.execute(f"WITH k AS (SELECT * FROM {stage}_keys) {HITS_SQL} {KNOWN_SQL}").df()
    repeated = db.execute(f"WITH k AS (SELECT * FROM {stage}_keys) {REPEATED_SQL}").df()
    db.execute(f"DROP TABLE {stage}_keys")
    shared = pd.concat([hits["row_number"], repeated["row_number"]]).unique()
    known = hits.drop(columns="row_number").drop_duplicates("id").sort_values("id")
    with registered(db, "shared_rows", pd.DataFrame({"row_number": shared})):
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

# Which known person each row shares a key with.
HITS_SQL = """
    , hits AS (
        SELECT p.id, k.row_number FROM people p
            JOIN k ON k.tag = 'e' AND k.value = p.email_key
        UNION ALL SELECT p.id, k.row_number FROM people p
            JOIN k ON k.tag = 'p' AND k.value = p.phone_key
        UNION ALL SELECT p.id, k.row_number FROM people p
            JOIN k ON k.tag = 'p' AND k.value = p.mobile_key
        UNION ALL SELECT p.id, k.row_number FROM people p
            JOIN k ON k.tag = 'n' AND k.value = p.name_key
    )
"""

# The known people behind the hits, with what the preview reports about them.
KNOWN_SQL = """
    SELECT h.row_number, p.id, p.email_key, p.phone_key, p.mobile_key, p.name_key, p.status,
           EXISTS (SELECT 1 FROM leads l WHERE l.person_id = p.id
                   AND l.status IN ('todo', 'standby')) AS open_lead
    FROM hits h JOIN people p ON p.id = h.id
"""

# Rows sharing a key with another row of the file.
REPEATED_SQL = """
    SELECT k.row_number FROM k JOIN (
        SELECT tag, value FROM k GROUP BY tag, value HAVING count(DISTINCT row_number) > 1
    ) busy ON busy.tag = k.tag AND busy.value = k.value
"""


KEY_COLUMNS = tuple(KEY_KINDS)
TAGS = tuple(KEY_KINDS.values())


def _values(frame: pd.DataFrame, column: str) -> list:
    """A column as a plain list, None where empty (fast to loop over)."""
    values = frame[column]
    return values.astype(object).where(values.notna(), None).tolist()


class _People:
    """The persons seen so far: known ones from the database, new ones from earlier rows."""

    def __init__(self, known: pd.DataFrame):
        self.email: dict[str, int] = {}
        self.other: dict[tuple[str, str], list[int]] = defaultdict(list)
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
            elif ref not in (refs := self.other[(TAGS[i], value)]):
                refs.append(ref)

    def find(self, keys: list[str | None]) -> int | None:
        """The person these keys belong to: by e-mail first, then by phone or name when either
        side has no e-mail; known people before new ones, earlier before later."""
        email = keys[0]
        if email is not None and email in self.email:
            return self.email[email]
        candidates = [
            ref
            for tag, value in zip(TAGS[1:], keys[1:], strict=True) if value is not None
            for ref in self.other.get((tag, value), ())
            if email is None or self.state[ref][0] is None
        ]
        return min(candidates, key=lambda r: (r < 0, abs(r))) if candidates else None


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
