"""Who is who: match the rows of a file against each other and against the people already known.

The rule (issue 2): a row is the same person as an earlier one when the normalised e-mails are
equal, or, when either has no e-mail, when an E.164 phone (phone or mobile) or the
first name + last name + company key is equal. Never on company alone. Near matches
(similar name at the same company) are only flagged for review.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from lib.db import Connection, engine, insert_frame, registered, rewritten

KEY_KINDS = {"email_key": "e", "phone_key": "p", "mobile_key": "p", "name_key": "n"}


def match(db: Connection, stage: str) -> None:
    """Set each staged row's outcome and person_ref (a known person's id, or -row_number for a
    new person), and what is known about a known person (status, open lead)."""
    sql = SQL[engine(db)]
    db.execute(sql["temp_table"].format(name=f"{stage}_keys")
               + KEYS_SQL.format(stage=stage) + "SELECT * FROM k")
    known = db.execute(f"WITH k AS (SELECT * FROM {stage}_keys) {KNOWN_SQL}").df()
    with registered(db, "known_people", known):
        shared = db.execute(f"WITH k AS (SELECT * FROM {stage}_keys) {sql['shared']}").df()
    db.execute(f"DROP TABLE {stage}_keys")
    with registered(db, "shared_rows", shared):
        rows = db.execute(f"SELECT row_number, {', '.join(KEY_COLUMNS)} FROM {stage}"
                          " WHERE row_number IN (SELECT row_number FROM shared_rows)"
                          " ORDER BY row_number").df()
    refs, outcomes = _resolve(rows, known)
    resolved = pd.DataFrame({"row_number": rows["row_number"], "ref": refs, "outcome": outcomes})
    _replace(db, f"{stage}_resolved", resolved)
    db.execute(f"INSERT INTO {stage}_resolved SELECT row_number, NULL, 'suppressed'"
               f" FROM {stage}_suppressed")
    _replace(db, f"{stage}_known", known[["id", "status", "open_lead"]])


def _replace(db: Connection, table: str, frame: pd.DataFrame) -> None:
    """Put the newest results of matching into one of the stage's side tables."""
    db.execute(f"DELETE FROM {table}")
    insert_frame(db, table, frame)


# Every key of every active staged row, as (row_number, tag, value); phone and mobile
# share the tag "p" because either may match the other.
KEYS_SQL = """
    WITH f AS (SELECT * FROM {stage} WHERE NOT blank AND NOT rejected
               AND row_number NOT IN (SELECT row_number FROM {stage}_suppressed)), k AS (
        SELECT row_number, 'e' AS tag, email_key AS value FROM f WHERE email_key IS NOT NULL
        UNION ALL SELECT row_number, 'p', phone_key FROM f WHERE phone_key IS NOT NULL
        UNION ALL SELECT row_number, 'p', mobile_key FROM f WHERE mobile_key IS NOT NULL
        UNION ALL SELECT row_number, 'n', name_key FROM f WHERE name_key IS NOT NULL
    )
"""

# The known people who share a key with a row, with what the preview reports about them: one
# scan of the people with semi-joins, so a switchboard number shared by a thousand known people
# and a thousand rows costs two thousand rows here, not a million pairs.
KNOWN_SQL = """
    SELECT p.id, p.email_key, p.phone_key, p.mobile_key, p.name_key, p.status,
           EXISTS (SELECT 1 FROM leads l WHERE l.person_id = p.id
                   AND l.status IN ('todo', 'standby')) AS open_lead
    FROM people p
    WHERE p.email_key IN (SELECT value FROM k WHERE tag = 'e')
       OR p.phone_key IN (SELECT value FROM k WHERE tag = 'p')
       OR p.mobile_key IN (SELECT value FROM k WHERE tag = 'p')
       OR p.name_key IN (SELECT value FROM k WHERE tag = 'n')
    ORDER BY p.id
"""

# Rows sharing a key with another row of the file or with a known person (known_people, the
# result above): only these need the row-by-row rule, every other row is a new person.
SHARED_SQL = """
    , known_values AS (
        SELECT 'e' AS tag, email_key AS value FROM known_people
        UNION SELECT 'p', phone_key FROM known_people
        UNION SELECT 'p', mobile_key FROM known_people
        UNION SELECT 'n', name_key FROM known_people
    ), busy AS (
        SELECT tag, value FROM k GROUP BY tag, value HAVING count(DISTINCT row_number) > 1
        UNION SELECT tag, value FROM known_values WHERE value IS NOT NULL
    )
    SELECT DISTINCT k.row_number FROM k SEMI JOIN busy ON busy.tag = k.tag AND busy.value = k.value
"""


KEY_COLUMNS = tuple(KEY_KINDS)
TAGS = tuple(KEY_KINDS.values())


def _values(frame: pd.DataFrame, column: str) -> list:
    """A column as a plain list, None where empty (fast to loop over)."""
    values = frame[column]
    return values.astype(object).where(values.notna(), None).tolist()


NEW_ROWS = 2**40  # above every person id: new rows (negative refs) sort after known people


def _order(ref: int) -> int:
    """Known people (positive ids) before new rows, each earliest first, as one int."""
    return ref if ref > 0 else NEW_ROWS - ref


def _ref(order: int) -> int:
    return order if order < NEW_ROWS else NEW_ROWS - order


class _People:
    """The persons seen so far: known ones from the database, new ones from earlier rows.

    Per phone or name key it keeps the best holder, and the holders without an e-mail in a heap
    (a person only ever gains an e-mail, so a holder that got one is dropped lazily): a key
    shared by thousands of rows costs a heap operation per row, not a scan of its holders.
    Holders are plain ints (``_order``) so that a million rows stay small in memory."""

    def __init__(self, known: pd.DataFrame):
        self.email: dict[str, int] = {}
        self.best: dict[str, dict[str, int]] = {"p": {}, "n": {}}
        self.without_email: dict[str, defaultdict[str, list[int]]] = {
            "p": defaultdict(list), "n": defaultdict(list)}
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
            best, order = self.best[TAGS[i]], _order(ref)
            if order < best.get(value, NEW_ROWS * 2):
                best[value] = order
            if state[0] is None:
                heapq.heappush(self.without_email[TAGS[i]][value], order)

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
            order = (self.best[tag].get(value) if email is None
                     else self._first_without_email(tag, value))
            if order is not None and (found is None or order < found):
                found = order
        return None if found is None else _ref(found)

    def _first_without_email(self, tag: str, value: str) -> int | None:
        heap = self.without_email[tag].get(value)
        while heap and self.state[_ref(heap[0])][0] is not None:
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


WINDOW = 4  # distinct names compared on each side of a name, in each of the two sort orders
BATCH_PAIRS = 500_000  # pairs scored at a time: bounded memory for any file


def flag_possible_duplicates(db: Connection, stage: str, threshold: int) -> None:
    """Flag new people whose name is similar to someone's at the same company, pointing at the
    best candidate with its score.

    Blocked by company key and the last name's first letter; inside a block, rows with the same
    name form one group (exact-key groups first: a group's members point at its best member),
    and each distinct name is compared with the WINDOW nearest distinct names on either side
    when the block is sorted by "first last" and again by "last first" (sorted neighbourhood,
    two passes, so a typo early in one part is still caught by the other order). The work is
    linear in the rows however many people share a big company. Similarity is the Levenshtein
    distance as a percentage of the longer name (rapidfuzz, on batches of pairs)."""
    db.execute(f"DELETE FROM {stage}_dups")
    db.execute(SQL[engine(db)]["temp_table"].format(name=f"{stage}_groups")
               + GROUPS_SQL.format(stage=stage) + "SELECT * FROM groups")
    try:
        scored = _scored(db, stage, threshold)
        with registered(db, "scored", scored):
            db.execute(f"INSERT INTO {stage}_dups WITH groups AS (SELECT * FROM {stage}_groups)"
                       + BEST_MATCH_SQL.format(stage=stage)
                       + "SELECT row_number, other_ref, score FROM best")
    finally:
        db.execute(f"DROP TABLE IF EXISTS {stage}_groups")


def _scored(db: Connection, stage: str, threshold: int) -> pd.DataFrame:
    """The neighbouring groups whose names are at least `threshold` % similar."""
    query = (f"WITH groups AS (SELECT * FROM {stage}_groups) {PLACES_SQL}"
             f" {SQL[engine(db)]['near']}"
             " SELECT near.gid, near.other, g.name, h.name AS other_name FROM near"
             " JOIN groups g ON g.gid = near.gid JOIN groups h ON h.gid = near.other")
    kept = []
    for batch in _batches(db, query, {"threshold": threshold, "window": WINDOW}):
        score = 100 * cpdist(batch.column("name").to_pylist(),
                             batch.column("other_name").to_pylist(),
                             scorer=Levenshtein.normalized_similarity, workers=-1)
        close = score >= threshold
        kept.append(pd.DataFrame({"gid": batch.column("gid").to_numpy()[close],
                                  "other": batch.column("other").to_numpy()[close],
                                  "score": score[close]}))
    return pd.concat(kept) if kept else pd.DataFrame({
        "gid": pd.Series(dtype="int64"), "other": pd.Series(dtype="int64"),
        "score": pd.Series(dtype="float64")})


def _batches(db: Connection, query: str, params: dict) -> Iterator[pa.RecordBatch]:
    """The pairs in batches of BATCH_PAIRS: DuckDB streams them, PostgreSQL's rows come as one
    result (the pairs are bounded by groups × window) cut into batches."""
    if engine(db) == "duckdb":
        yield from db.sql(query, params=params).to_arrow_reader(BATCH_PAIRS)
        return
    frame = db.execute(query, params).df()
    table = pa.Table.from_pandas(frame.astype({"gid": "int64", "other": "int64",
                                               "name": object, "other_name": object}),
                                 preserve_index=False)
    yield from table.to_batches(BATCH_PAIRS)


def candidate_pairs(db: Connection, stage: str) -> pd.DataFrame:
    """The only comparisons made: each distinct new name with its neighbours in its block."""
    return db.execute(GROUPS_SQL.format(stage=stage) + PLACES_SQL + SQL[engine(db)]["near"]
                      + "SELECT g.name, h.name AS other_name FROM near"
                      " JOIN groups g ON g.gid = near.gid JOIN groups h ON h.gid = near.other",
                      {"window": WINDOW, "threshold": 0}).df()


# name_key is "first|last|company": the block is company + the last name's first letter.
# Only blocks holding a new row are built: known people elsewhere are nobody's neighbour.
# A group is one name in one block; its best member is the one a row of that name points at:
# the known person with the lowest id, else the earliest new row.
GROUPS_SQL = """
    WITH n AS (
        SELECT coalesce(r.ref, -s.row_number) AS ref, s.row_number, s.company_key, s.name_key,
               substr(split_part(s.name_key, '|', 2), 1, 1) AS initial
        FROM {stage} s LEFT JOIN {stage}_resolved r ON r.row_number = s.row_number
        WHERE NOT s.blank AND NOT s.rejected AND s.name_key IS NOT NULL
          AND coalesce(r.outcome, 'added') = 'added'
    ), blocks AS (SELECT DISTINCT company_key, initial FROM n
    ), known AS (
        SELECT p.id, p.company_key, p.name_key FROM people p
        WHERE p.name_key IS NOT NULL AND p.company_key IN (SELECT company_key FROM blocks)
    ), everyone AS (
        SELECT ref, row_number, company_key, name_key FROM n
        UNION ALL
        SELECT k.id, NULL, k.company_key, k.name_key FROM known k
        JOIN blocks b ON b.company_key = k.company_key
            AND b.initial = substr(split_part(k.name_key, '|', 2), 1, 1)
    ), groups AS (
        SELECT row_number() OVER () AS gid, company_key, substr(last, 1, 1) AS initial,
               first || ' ' || last AS name, last || ' ' || first AS turned,
               length(first) + length(last) + 1 AS size,
               min(ref) FILTER (WHERE ref > 0) AS best_known,
               min(row_number) AS first_row,
               count(row_number) > 0 AS has_new
        FROM (SELECT ref, row_number, company_key, split_part(name_key, '|', 1) AS first,
                     split_part(name_key, '|', 2) AS last FROM everyone) AS parts
        GROUP BY company_key, substr(last, 1, 1), first, last
    )
"""

# A group's place in its block in each sort order, as one number per order (block × 2³² +
# place), so that finding a neighbour is one equality join, never a join on the block alone.
PLACES_SQL = """
    , placed AS MATERIALIZED (
        SELECT gid, has_new, size, block * 4294967296 + by_name AS by_name,
               block * 4294967296 + by_turned AS by_turned
        FROM (SELECT gid, has_new, size,
                     dense_rank() OVER (ORDER BY company_key, initial) AS block,
                     row_number() OVER (PARTITION BY company_key, initial ORDER BY name)
                         AS by_name,
                     row_number() OVER (PARTITION BY company_key, initial ORDER BY turned)
                         AS by_turned
              FROM groups) AS ranked
    )
"""

# Each group holding new rows with its neighbours in both sort orders: groups × window pairs.
# The distance is at least the difference in length, so hopeless pairs are skipped here.
NEAR_SQL = """
    , steps AS (SELECT d FROM range(1, $window + 1) t(d) UNION ALL
                SELECT -d FROM range(1, $window + 1) t(d))
    , wanted AS (
        SELECT gid, size, by_name + d AS by_name, by_turned + d AS by_turned
        FROM placed CROSS JOIN steps WHERE has_new
    ), near AS MATERIALIZED (
        SELECT w.gid, h.gid AS other FROM wanted w JOIN placed h ON h.by_name = w.by_name
        WHERE abs(w.size - h.size) <= greatest(w.size, h.size) * (100 - $threshold) / 100.0
        UNION
        SELECT w.gid, h.gid FROM wanted w JOIN placed h ON h.by_turned = w.by_turned
        WHERE abs(w.size - h.size) <= greatest(w.size, h.size) * (100 - $threshold) / 100.0
    )
"""

# A row's candidates: its own group (score 100) and the similar neighbouring groups (scored),
# each offering its best known person and its earliest new row; a new row is offered only to
# later rows (the earlier of two similar new rows is not the one in doubt). The best candidate
# wins: highest score, then a known person before a new row, then the earliest.
BEST_MATCH_SQL = """
    , candidates AS (
        SELECT gid, other, score FROM scored
        UNION ALL SELECT gid, gid, 100.0 FROM groups WHERE has_new
    ), offered AS (
        SELECT c.gid, c.score, h.best_known AS other_ref, NULL::INTEGER AS other_row
        FROM candidates c JOIN groups h ON h.gid = c.other WHERE h.best_known IS NOT NULL
        UNION ALL
        SELECT c.gid, c.score, -h.first_row, h.first_row
        FROM candidates c JOIN groups h ON h.gid = c.other WHERE h.first_row IS NOT NULL
    ), members AS (
        SELECT coalesce(r.ref, -s.row_number) AS ref, s.row_number, g.gid
        FROM {stage} s LEFT JOIN {stage}_resolved r ON r.row_number = s.row_number
        JOIN groups g ON g.company_key = s.company_key
            AND g.name = split_part(s.name_key, '|', 1) || ' ' || split_part(s.name_key, '|', 2)
            AND g.initial = substr(split_part(s.name_key, '|', 2), 1, 1)
        WHERE NOT s.blank AND NOT s.rejected AND coalesce(r.outcome, 'added') = 'added'
    ), ranked AS (
        SELECT m.row_number, o.other_ref, o.score, row_number() OVER (
            PARTITION BY m.row_number ORDER BY o.score DESC, o.other_ref < 0, abs(o.other_ref))
            AS place
        FROM members m JOIN offered o ON o.gid = m.gid
        WHERE o.other_ref <> m.ref AND (o.other_row IS NULL OR o.other_row < m.row_number)
    ), best AS (
        SELECT row_number, other_ref, CAST(floor(score) AS SMALLINT) AS score
        FROM ranked WHERE place = 1
    )
"""


# What PostgreSQL writes otherwise: no CREATE OR REPLACE of a table, no SEMI JOIN, a series
# from generate_series.
SQL = {
    "duckdb": {"temp_table": "CREATE OR REPLACE TEMP TABLE {name} AS ", "shared": SHARED_SQL,
               "near": NEAR_SQL},
    "postgresql": {
        "temp_table": "DROP TABLE IF EXISTS {name}; CREATE TEMP TABLE {name} AS ",
        "shared": rewritten(
            SHARED_SQL,
            "FROM k SEMI JOIN busy ON busy.tag = k.tag AND busy.value = k.value",
            "FROM k WHERE EXISTS (SELECT 1 FROM busy WHERE busy.tag = k.tag"
            " AND busy.value = k.value)"),
        "near": rewritten(NEAR_SQL, "range(1, $window + 1)", "generate_series(1, $window)"),
    },
}
