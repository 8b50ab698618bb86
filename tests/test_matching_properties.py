"""Properties of the matching rules on random small files: the fast row-by-row rule equals the
plain reading of the rule, e-mails never conflict within a person, known people come first,
and a possible duplicate is always the best similar name at the same company."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from lib import db, matching

FAST = settings(max_examples=300, deadline=None)
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Few distinct values, so that rows share keys often.
EMAIL = st.sampled_from([None, None, "a@x.de", "b@x.de", "c@x.de"])
PHONE = st.sampled_from([None, None, "+491", "+492", "+493"])
NAME = st.sampled_from([None, None, "anna|alt|acme", "bernd|bau|acme"])
KEYS = st.tuples(EMAIL, PHONE, PHONE, NAME)


def frame(keys: list[tuple], first_id: int) -> pd.DataFrame:
    columns = dict(zip(matching.KEY_COLUMNS, zip(*keys, strict=True), strict=True)) if keys \
        else {c: [] for c in matching.KEY_COLUMNS}
    ids = list(range(first_id, first_id + len(keys)))
    return pd.DataFrame({"id": ids, "row_number": ids, **{c: list(v) for c, v in columns.items()}})


def plain_rule(rows: list[tuple], known: list[tuple]) -> list[int]:
    """The rule read literally: every earlier person is scanned for each row."""
    people: dict[int, list] = {}
    for ref, keys in zip(range(1, len(known) + 1), known, strict=True):
        people[ref] = list(keys)
    refs = []
    for number, keys in enumerate(rows, start=2):
        email, *others = keys
        found = [r for r, k in people.items() if email is not None and k[0] == email]
        if not found:
            found = [r for r, k in people.items()
                     if (email is None or k[0] is None)
                     and any(v is not None and v in (k[1], k[2]) if i < 2 else
                             v is not None and v == k[3] for i, v in enumerate(others))]
        ref = min(found, key=lambda r: (r < 0, abs(r))) if found else -number
        held = people.setdefault(ref, [None] * 4)
        for i, value in enumerate(keys):
            if held[i] is None:
                held[i] = value
        refs.append(ref)
    return refs


@FAST
@given(st.lists(KEYS, max_size=12), st.lists(KEYS, max_size=12))
def test_the_fast_rule_is_the_plain_rule(known, rows):
    refs, _ = matching._resolve(frame(rows, 2), frame(known, 1))
    assert refs == plain_rule(rows, known)


@FAST
@given(st.lists(KEYS, max_size=12), st.lists(KEYS, max_size=12))
def test_rows_with_one_email_are_one_person_and_no_person_has_two(known, rows):
    refs, outcomes = matching._resolve(frame(rows, 2), frame(known, 1))
    emails: dict[int, set[str]] = {}
    for ref, keys in zip(range(1, len(known) + 1), known, strict=True):
        emails.setdefault(ref, set()).update({keys[0]} - {None})
    by_email: dict[str, set[int]] = {}
    for ref, keys in zip(refs, rows, strict=True):
        if keys[0] is not None:
            by_email.setdefault(keys[0], set()).add(ref)
            emails.setdefault(ref, set()).add(keys[0])
    assert all(len(r) == 1 for r in by_email.values())
    assert all(len(e) <= 1 for e in emails.values())


@FAST
@given(st.lists(KEYS, min_size=1, max_size=12), st.lists(KEYS, max_size=12))
def test_outcomes_follow_the_person(known, rows):
    refs, outcomes = matching._resolve(frame(rows, 2), frame(known, 1))
    seen: set[int] = set()
    for number, ref, outcome in zip(range(2, len(rows) + 2), refs, outcomes, strict=True):
        if ref in seen:
            assert outcome == "duplicate_in_file"
        else:
            assert outcome == ("known" if ref > 0 else "added")
            assert ref > 0 or ref == -number
        seen.add(ref)


def test_a_row_sharing_keys_with_a_new_row_and_a_known_person_joins_the_known_person():
    known = [(None, "+491", None, None)]
    rows = [(None, None, "+492", None), (None, "+491", "+492", None)]
    refs, outcomes = matching._resolve(frame(rows, 2), frame(known, 1))
    assert (refs, outcomes) == ([-2, 1], ["added", "known"])


FIRST = st.sampled_from(["anna", "anne", "hanna", "johannes", "johanna", "jo"])
LAST = st.sampled_from(["alt", "alte", "eichmann", "eichman", "adler"])
COMPANY = st.sampled_from(["acme", "beta"])
PERSON = st.tuples(FIRST, LAST, COMPANY)


def staged(conn, known: list[tuple], rows: list[tuple]) -> str:
    """People and a stage holding only what the near-duplicate search reads."""
    for i, (first, last, company) in enumerate(known, start=1):
        conn.execute("INSERT INTO people (id, first_name, name_key, company_key, created_at,"
                     " updated_at) VALUES (?, ?, ?, ?, now(), now())",
                     [i, first, f"{first}|{last}|{company}", company])
    stage = "import_stage_prop"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {stage} AS SELECT * FROM (VALUES"
                 " (0, false, false, 'x', 'x')) t(row_number, blank, rejected, name_key,"
                 " company_key) WHERE false")
    for number, (first, last, company) in enumerate(rows, start=2):
        conn.execute(f"INSERT INTO {stage} VALUES (?, false, false, ?, ?)",
                     [number, f"{first}|{last}|{company}", company])
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {stage}_resolved"
                 " (row_number INTEGER, ref BIGINT, outcome VARCHAR)")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {stage}_dups"
                 " (row_number INTEGER, other_ref BIGINT, score SMALLINT)")
    return stage


def brute_force_best(known, rows, threshold) -> dict[int, tuple[int, int]]:
    """Every new row against everyone before it in its block (what the window must equal when
    blocks are small)."""
    everyone = [(i, p) for i, p in enumerate(known, start=1)]
    best = {}
    for number, person in enumerate(rows, start=2):
        found = []
        for ref, other in everyone:
            if other[2] != person[2] or other[1][0] != person[1][0]:
                continue
            a, b = " ".join(person[:2]), " ".join(other[:2])
            score = 100 * Levenshtein.normalized_similarity(a, b)
            if score >= threshold:
                found.append((-score, ref < 0, abs(ref), ref, int(score // 1)))
        if found:
            best[number] = min(found)[3], min(found)[4]
        everyone.append((-number, person))
    return best


# DuckDB only: a database per example; the same search runs on PostgreSQL in test_matching.py.
@SLOW
@given(st.lists(PERSON, max_size=5), st.lists(PERSON, min_size=1, max_size=6),
       st.sampled_from([70, 80, 90]))
def test_a_flag_names_the_best_similar_person_at_the_same_company(known, rows, threshold):
    conn = db.connect(":memory:")
    try:
        cursor = conn.cursor()
        stage = staged(cursor, known, rows)
        matching.flag_possible_duplicates(cursor, stage, threshold)
        found = {r: (o, s) for r, o, s in cursor.execute(
            f"SELECT row_number, other_ref, score FROM {stage}_dups").fetchall()}
    finally:
        conn.close()
    assert found == brute_force_best(known, rows, threshold)
