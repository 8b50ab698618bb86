"""Who is who: match the rows of a file against each other and against the people already known.

The rule (issue 2): a row is the same person as an earlier one when the normalised e-mails are
equal, or, when either has no e-mail, when an E.164 phone (phone or mobile) or the
first name + last name + company key is equal. Never on company alone. Near matches
(similar name at the same company) are only flagged for review.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from lib import normalise
from lib.db import Connection, registered

CHECKED_FIELDS = ("email", "phone", "mobile")
KEY_KINDS = {"email_key": "e", "phone_key": "p", "mobile_key": "p", "name_key": "n"}


def match(db: Connection, rows: pd.DataFrame) -> None:
    """Add outcome, person_ref (known id > 0, or -row_number for a new person), known_status,
    known_lead to `rows`."""
    active = ~rows["blank"] & ~rows["rejected"]
    keyed = rows.loc[active, list(KEY_KINDS)].assign(row_index=rows.index[active])
    with registered(db, "file_rows", keyed):
        hits = db.execute(KEYS_SQL + HITS_SQL + KNOWN_SQL).df()
        repeated = db.execute(KEYS_SQL + REPEATED_SQL).fetchnumpy()["row_index"]
    known = hits.drop(columns="row_index").drop_duplicates("id").sort_values("id")
    shared = rows.index[rows.index.isin(repeated) | rows.index.isin(hits["row_index"])]
    rows["person_ref"] = pd.array([pd.NA] * len(rows), dtype="Int64")
    rows.loc[active, "person_ref"] = -rows.loc[active, "row_number"]
    outcome = pd.Series("added", index=rows.index, dtype=object)
    refs, outcomes = _resolve(rows.loc[shared], known)
    rows.loc[shared, "person_ref"] = refs
    outcome.loc[shared] = outcomes
    outcome[rows["rejected"]] = "rejected"
    outcome[rows["blank"]] = "blank"
    rows["outcome"] = outcome
    facts = known.set_index("id")
    ref = rows["person_ref"].astype(object)
    rows["known_status"] = ref.map(facts["status"]).astype(object)
    open_lead = ref.map(facts["open_lead"]).eq(True)
    rows["known_lead"] = (rows["known_status"].eq("lead") | open_lead).fillna(False).astype(bool)
    rows["possible_duplicate_of"] = pd.array([pd.NA] * len(rows), dtype="Int64")


# Every key of every active row of the file, as (row_index, tag, value); phone and mobile
# share the tag "p" because either may match the other.
KEYS_SQL = """
    WITH k AS (
        SELECT row_index, 'e' AS tag, email_key AS value FROM file_rows WHERE email_key IS NOT NULL
        UNION ALL SELECT row_index, 'p', phone_key FROM file_rows WHERE phone_key IS NOT NULL
        UNION ALL SELECT row_index, 'p', mobile_key FROM file_rows WHERE mobile_key IS NOT NULL
        UNION ALL SELECT row_index, 'n', name_key FROM file_rows WHERE name_key IS NOT NULL
    )
"""

# Which known person each row shares a key with.
HITS_SQL = """
    , hits AS (
        SELECT p.id, k.row_index FROM people p
            JOIN k ON k.tag = 'e' AND k.value = p.email_key
        UNION ALL SELECT p.id, k.row_index FROM people p
            JOIN k ON k.tag = 'p' AND k.value = p.phone_key
        UNION ALL SELECT p.id, k.row_index FROM people p
            JOIN k ON k.tag = 'p' AND k.value = p.mobile_key
        UNION ALL SELECT p.id, k.row_index FROM people p
            JOIN k ON k.tag = 'n' AND k.value = p.name_key
    )
"""

# The known people behind the hits, with what the preview reports about them.
KNOWN_SQL = """
    SELECT h.row_index, p.id, p.email_key, p.phone_key, p.mobile_key, p.name_key, p.status,
           EXISTS (SELECT 1 FROM leads l WHERE l.person_id = p.id
                   AND l.status IN ('todo', 'standby')) AS open_lead
    FROM hits h JOIN people p ON p.id = h.id
"""

# Rows sharing a key with another row of the file.
REPEATED_SQL = """
    SELECT k.row_index FROM k JOIN (
        SELECT tag, value FROM k GROUP BY tag, value HAVING count(DISTINCT row_index) > 1
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
        state = self.state.setdefault(ref, [None] * len(KEY_COLUMNS))
        for i, (tag, value) in enumerate(zip(TAGS, keys, strict=True)):
            if value is None or state[i] is not None:
                continue
            state[i] = value
            if tag == "e":
                self.email.setdefault(value, ref)
            elif ref not in (refs := self.other[(tag, value)]):
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


def flag_possible_duplicates(db: Connection, rows: pd.DataFrame, threshold: int) -> None:
    """Flag new people whose name is similar to someone's at the same company.

    Blocked by company key and the last name's first letter, so each new row is compared only
    with the few people in its block, never with everyone known. Similarity is the Levenshtein
    distance as a percentage of the longer name, computed where the pairs are (in DuckDB)."""
    with registered(db, "new_people", _new_people(rows)):
        best = db.execute(PAIRS_SQL + BEST_MATCH_SQL, {"threshold": threshold}).df()
    if not best.empty:
        rows.loc[best["row_index"].to_numpy(), "possible_duplicate_of"] = (
            best["other_ref"].to_numpy())


def candidate_pairs(db: Connection, rows: pd.DataFrame) -> pd.DataFrame:
    """The only comparisons made: each new row with known people and earlier new rows in its
    block (same company key, same first letter of the last name)."""
    with registered(db, "new_people", _new_people(rows)):
        return db.execute(PAIRS_SQL + "SELECT * FROM pairs").df()


def _new_people(rows: pd.DataFrame) -> pd.DataFrame:
    new = rows[rows["outcome"].eq("added") & rows["name_key"].notna()]
    return pd.DataFrame({
        "row_index": new.index, "ref": new["person_ref"].astype("int64").to_numpy(),
        "row_number": new["row_number"].to_numpy(), "name_key": new["name_key"].to_numpy(),
        "company_key": new["company_key"].to_numpy(),
    })


# name_key is "first|last|company": the block is company + the last name's first letter.
PAIRS_SQL = """
    WITH n AS (
        SELECT row_index, ref, row_number, company_key,
               split_part(name_key, '|', 1) || ' ' || split_part(name_key, '|', 2) AS name,
               substr(split_part(name_key, '|', 2), 1, 1) AS initial
        FROM new_people
    ), pairs AS (
        SELECT n.row_index, n.ref, n.name, p.id AS other_ref,
               split_part(p.name_key, '|', 1) || ' ' || split_part(p.name_key, '|', 2)
               AS other_name
        FROM n JOIN people p ON p.company_key = n.company_key
            AND substr(split_part(p.name_key, '|', 2), 1, 1) = n.initial
        UNION ALL
        SELECT n.row_index, n.ref, n.name, o.ref, o.name
        FROM n JOIN n o ON o.company_key = n.company_key AND o.initial = n.initial
            AND o.row_number < n.row_number
    )
"""

BEST_MATCH_SQL = """
    , scored AS (
        SELECT row_index, other_ref, 100.0 * (1 - levenshtein(name, other_name)
               / greatest(length(name), length(other_name), 1)) AS score
        FROM pairs WHERE ref <> other_ref
    ), ranked AS (
        SELECT row_index, other_ref, row_number() OVER (
            PARTITION BY row_index ORDER BY score DESC, other_ref) AS place
        FROM scored WHERE score >= $threshold
    )
    SELECT row_index, other_ref FROM ranked WHERE place = 1
"""


def assign_person_ids(db: Connection, rows: pd.DataFrame) -> pd.DataFrame:
    """A copy of `rows` with real person ids: new people get ids reserved from the sequence."""
    rows = rows.copy()
    refs = rows["person_ref"]
    new_refs = pd.Series(sorted(set(refs[refs < 0].dropna().astype("int64")), key=abs))
    ids = db.execute("SELECT nextval('person_ids') AS id FROM range(?)",
                     [len(new_refs)]).fetchnumpy()["id"]
    real = pd.Series(ids, index=new_refs.to_numpy(), dtype="int64")
    rows["person_id"] = _translated(refs, real)
    rows["possible_duplicate_of"] = _translated(rows["possible_duplicate_of"], real)
    rows["is_new"] = refs < 0
    return rows


def _translated(refs: pd.Series, real: pd.Series) -> pd.Series:
    """Temporary (negative) refs replaced by the reserved ids; known ids stay."""
    refs = refs.astype("Int64")
    return refs.where(~(refs < 0).fillna(False), refs.map(real)).astype("Int64")

SIMPLE_FIELDS = ("salutation", "job_title", "website", "street", "postal_code", "city",
                 "country", "source", "notes")
NAME_FIELDS = ("first_name", "last_name", "company")


def merged_new_people(rows: pd.DataFrame) -> pd.DataFrame:
    """One record per new person: the first row's values, with empty fields filled by later rows
    of the same person (checked fields take value, key and validity from the same row)."""
    columns = ["person_id", "row_number", *SIMPLE_FIELDS, *NAME_FIELDS, "name_key",
               "company_key", "possible_duplicate_of",
               *(f"{c}{suffix}" for c in CHECKED_FIELDS for suffix in ("", "_key", "_valid"))]
    new = rows.loc[rows["is_new"].fillna(False).astype(bool), columns]
    merged = new.drop_duplicates("person_id").set_index("person_id")
    if len(merged) == len(new):
        return merged.reset_index()
    new = new[new.duplicated("person_id", keep=False)]
    firsts = new.groupby("person_id", sort=False)[[*SIMPLE_FIELDS, *NAME_FIELDS]].first()
    merged.update(firsts)
    for column in CHECKED_FIELDS:
        filled = new[new[column].notna()].drop_duplicates("person_id").set_index("person_id")
        cols = [column, f"{column}_key", f"{column}_valid"]
        missing = merged[column].isna() & merged.index.isin(filled.index)
        merged.loc[missing, cols] = filled.loc[merged.index[missing], cols].to_numpy()
    changed = merged.index.isin(new["person_id"])
    part = merged.loc[changed]
    merged.loc[changed, "name_key"] = normalise.name_key(part["first_name"], part["last_name"],
                                                         part["company"])
    merged.loc[changed, "company_key"] = normalise.company_key(part["company"])
    return merged.reset_index()


def _long_values(rows: pd.DataFrame) -> pd.DataFrame:
    """(person_id, row_number, field, value) for every filled person field of the rows."""
    fields = [*SIMPLE_FIELDS, *NAME_FIELDS, *CHECKED_FIELDS]
    long = rows.melt(id_vars=["person_id", "row_number"], value_vars=fields,
                     var_name="field", value_name="value")
    return long[long["value"].notna()].sort_values(["row_number"], kind="stable")


def kept_values(rows: pd.DataFrame, merged: pd.DataFrame, region: str) -> pd.DataFrame:
    """Values of duplicate rows that differ from what the new person keeps."""
    new = rows[rows["is_new"].fillna(False).astype(bool)]
    if len(new) == len(merged):
        return pd.DataFrame()
    new = new[new.duplicated("person_id", keep=False)]
    merged = merged[merged["person_id"].isin(new["person_id"])]
    long = _long_values(new)
    stored = merged.melt(id_vars=["person_id"], value_vars=list(long["field"].unique()),
                         var_name="field", value_name="stored")
    return _differing(long, stored, region)


def _differing(long: pd.DataFrame, stored: pd.DataFrame, region: str) -> pd.DataFrame:
    """Row values that really differ from the stored ones (another spelling of the same
    e-mail or phone number is not another value)."""
    both = long.merge(stored, on=["person_id", "field"])
    both = both[both["stored"].notna() & (both["value"] != both["stored"])]
    both = both[~_equivalent(both, region)]
    return both.drop_duplicates(["person_id", "field", "value"])


def _equivalent(both: pd.DataFrame, region: str) -> pd.Series:
    same = pd.Series(False, index=both.index)
    for column in CHECKED_FIELDS:
        part = both[both["field"] == column]
        if part.empty:
            continue
        if column == "email":
            ours, theirs = (normalise.email_keys(part[c])["key"] for c in ("value", "stored"))
        else:
            ours, theirs = (normalise.phone_keys(part[c], region)["key"]
                            for c in ("value", "stored"))
        same[part.index] = (ours.notna() & (ours.to_numpy() == theirs.to_numpy())).to_numpy()
    return same


def fills_for_known(db: Connection, rows: pd.DataFrame,
                    region: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For known people matched by the file: (fills of empty fields, other values to keep in
    the history). Fills of checked fields carry their key and validity."""
    matched = rows[~rows["is_new"].fillna(True).astype(bool) & rows["person_id"].notna()]
    if matched.empty:
        return pd.DataFrame(), pd.DataFrame()
    current = _current_values(db, matched["person_id"].unique())
    long = _long_values(matched)
    with_current = long.merge(current, on=["person_id", "field"], how="left")
    empty = with_current[with_current["stored"].isna()]
    fills = empty.drop_duplicates(["person_id", "field"]).merge(
        _checked_keys(matched), on=["person_id", "row_number", "field"], how="left")
    final = pd.concat([
        current[current["stored"].notna()],
        fills[["person_id", "field", "value"]].rename(columns={"value": "stored"}),
    ])
    kept = _differing(long, final, region)
    return fills[["person_id", "field", "value", "key", "valid"]], kept


def _current_values(db: Connection, person_ids) -> pd.DataFrame:
    fields = [*SIMPLE_FIELDS, *NAME_FIELDS, *CHECKED_FIELDS]
    with registered(db, "matched_ids", pd.DataFrame({"id": [int(i) for i in person_ids]})):
        wide = db.execute(
            f"SELECT p.id AS person_id, {', '.join('p.' + f for f in fields)} FROM people p"
            " JOIN matched_ids m ON m.id = p.id"
        ).df()
    return wide.melt(id_vars=["person_id"], value_vars=fields, var_name="field",
                     value_name="stored")


def _checked_keys(rows: pd.DataFrame) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"person_id": rows["person_id"], "row_number": rows["row_number"],
                      "field": column, "key": rows[f"{column}_key"],
                      "valid": rows[f"{column}_valid"]})
        for column in CHECKED_FIELDS
    ]
    return pd.concat(parts, ignore_index=True)


def fill_sql(column: str) -> str:
    """UPDATE that fills `column` (and its key/validity) from the registered fill_batch,
    only where it is still empty."""
    if column not in (*SIMPLE_FIELDS, *NAME_FIELDS, *CHECKED_FIELDS):
        raise ValueError(f"not a person field: {column}")
    extra = (f", {column}_key = f.key, {column}_valid = f.valid"
             if column in CHECKED_FIELDS else "")
    return (f"UPDATE people SET {column} = f.value{extra}, updated_at = ? FROM fill_batch f"
            f" WHERE people.id = f.person_id AND people.{column} IS NULL")


def refresh_name_keys(db: Connection, person_ids) -> None:
    """Recompute name_key and company_key after an import filled a name or company."""
    with registered(db, "refresh_ids", pd.DataFrame({"id": [int(i) for i in person_ids]})):
        people = db.execute(
            "SELECT p.id, p.first_name, p.last_name, p.company FROM people p"
            " JOIN refresh_ids r ON r.id = p.id").df()
    people["name_key"] = normalise.name_key(people["first_name"], people["last_name"],
                                            people["company"])
    people["company_key"] = normalise.company_key(people["company"])
    with registered(db, "refreshed", people[["id", "name_key", "company_key"]]):
        db.execute("UPDATE people SET name_key = r.name_key, company_key = r.company_key"
                   " FROM refreshed r WHERE people.id = r.id")
