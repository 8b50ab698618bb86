"""Who is who: match the rows of a file against each other and against the people already known.

The rule (issue 2): a row is the same person as an earlier one when the normalised e-mails are
equal, or, when either has no e-mail, when an E.164 phone (phone or mobile) or the
first name + last name + company key is equal. Never on company alone. Near matches
(similar name at the same company) are only flagged for review.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from rapidfuzz import fuzz, process

from lib import normalise
from lib.db import Connection, registered

CHECKED_FIELDS = ("email", "phone", "mobile")
KEY_KINDS = {"email_key": "e", "phone_key": "p", "mobile_key": "p", "name_key": "n"}
BLOCK_LIMIT = 2_000


def match(db: Connection, rows: pd.DataFrame) -> None:
    """Add outcome, person_ref (known id > 0, or -row_number for a new person), known_status,
    known_lead to `rows`."""
    active = ~rows["blank"] & ~rows["rejected"]
    known = _known_candidates(db, rows[active])
    shared = _rows_sharing_a_key(rows[active], known)
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


def _file_keys(rows: pd.DataFrame) -> pd.DataFrame:
    """Long form: (row index, tagged key) for every key a row has."""
    parts = []
    for column, tag in KEY_KINDS.items():
        values = rows[column].dropna()
        parts.append(pd.DataFrame({"row": values.index, "key": tag + ":" + values.astype(str)}))
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _known_candidates(db: Connection, rows: pd.DataFrame) -> pd.DataFrame:
    """The people already in the database that share at least one key with the file."""
    keys = _file_keys(rows)
    tagged = pd.DataFrame({"tag": keys["key"].str[0], "value": keys["key"].str[2:]})
    with registered(db, "file_keys", tagged.drop_duplicates()):
        return db.execute(
            """
            WITH hits AS (
                SELECT p.id FROM people p JOIN file_keys k ON k.tag = 'e' AND k.value = p.email_key
                UNION SELECT p.id FROM people p
                    JOIN file_keys k ON k.tag = 'p' AND k.value = p.phone_key
                UNION SELECT p.id FROM people p
                    JOIN file_keys k ON k.tag = 'p' AND k.value = p.mobile_key
                UNION SELECT p.id FROM people p
                    JOIN file_keys k ON k.tag = 'n' AND k.value = p.name_key
            )
            SELECT p.id, p.email_key, p.phone_key, p.mobile_key, p.name_key, p.status,
                   EXISTS (SELECT 1 FROM leads l WHERE l.person_id = p.id
                           AND l.status IN ('todo', 'standby')) AS open_lead
            FROM people p JOIN hits h ON h.id = p.id ORDER BY p.id
            """
        ).df()


def _rows_sharing_a_key(rows: pd.DataFrame, known: pd.DataFrame) -> pd.Index:
    """Rows that share any key with another row or a known person; the rest are plainly new."""
    keys = _file_keys(rows)
    known_keys = set(_file_keys(known.rename(columns={})).key) if not known.empty else set()
    per_key = keys.groupby("key")["row"].transform("size")
    busy = keys[(per_key > 1) | keys["key"].isin(known_keys)]
    return rows.index[rows.index.isin(busy["row"])]


class _People:
    """The persons seen so far: known ones from the database, new ones from earlier rows."""

    def __init__(self, known: pd.DataFrame):
        self.email: dict[str, int] = {}
        self.other: dict[str, list[int]] = defaultdict(list)
        self.state: dict[int, dict[str, object]] = {}
        self.seen: set[int] = set()
        for record in known.to_dict("records"):
            self.learn(int(record["id"]), record)

    def learn(self, ref: int, row: dict) -> None:
        """Register a row's keys for `ref`, only where the person had none yet (fill rule)."""
        state = self.state.setdefault(ref, {})
        for column, tag in KEY_KINDS.items():
            value = row.get(column)
            if _blank(value) or not _blank(state.get(column)):
                continue
            state[column] = value
            if tag == "e":
                self.email.setdefault(value, ref)
            elif ref not in self.other[f"{tag}:{value}"]:
                self.other[f"{tag}:{value}"].append(ref)

    def find(self, row: dict) -> int | None:
        """The person this row is, by e-mail first, then phone or name when an e-mail is missing."""
        email = row.get("email_key")
        if not _blank(email) and email in self.email:
            return self.email[email]
        candidates = [
            ref
            for column, tag in KEY_KINDS.items()
            if tag != "e" and not _blank(row.get(column))
            for ref in self.other.get(f"{tag}:{row[column]}", [])
            if _blank(email) or _blank(self.state[ref].get("email_key"))
        ]
        return min(candidates, key=lambda r: (r < 0, abs(r))) if candidates else None


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _resolve(rows: pd.DataFrame, known: pd.DataFrame) -> tuple[list[int], list[str]]:
    """Go through the rows that share keys in file order, as a person reading the list would."""
    people = _People(known)
    refs, outcomes = [], []
    columns = ["row_number", *KEY_KINDS]
    for row in rows[columns].to_dict("records"):
        ref = people.find(row)
        if ref is None:
            ref, outcome = -int(row["row_number"]), "added"
        else:
            outcome = "duplicate_in_file" if ref in people.seen else "known"
        people.seen.add(ref)
        people.learn(ref, row)
        refs.append(ref)
        outcomes.append(outcome)
    return refs, outcomes


def flag_possible_duplicates(db: Connection, rows: pd.DataFrame, threshold: int) -> None:
    """Flag new people whose name is similar to someone's at the same company (blocked by
    company, so no row is compared with every known person)."""
    new = rows[rows["outcome"].eq("added") & rows["company_key"].notna()
               & rows["last_name"].notna()]
    if new.empty:
        return
    names = normalise.text_key(new["first_name"].fillna("") + " " + new["last_name"])
    new = new.assign(person_name=names)
    known = _known_at_companies(db, new["company_key"].dropna().unique())
    for company, block in new.groupby("company_key", sort=False):
        others = known[known["company_key"] == company] if not known.empty else known
        for index, ref in _similar(block, others, threshold).items():
            rows.at[index, "possible_duplicate_of"] = ref


def _known_at_companies(db: Connection, companies) -> pd.DataFrame:
    with registered(db, "file_companies", pd.DataFrame({"company_key": list(companies)})):
        known = db.execute(
            "SELECT p.id, p.company_key, p.first_name, p.last_name FROM people p"
            " JOIN file_companies c ON c.company_key = p.company_key"
            " WHERE p.last_name IS NOT NULL"
        ).df()
    known["person_name"] = normalise.text_key(known["first_name"].fillna("") + " "
                                              + known["last_name"].fillna(""))
    return known


def _similar(block: pd.DataFrame, known: pd.DataFrame, threshold: int) -> dict[int, int]:
    """For each new row of one company: the most similar known person or earlier new row."""
    if len(block) + len(known) > BLOCK_LIMIT:
        block, known = block.head(BLOCK_LIMIT // 2), known.head(BLOCK_LIMIT // 2)
    pool_names = list(known["person_name"]) + list(block["person_name"])
    pool_refs = [int(i) for i in known["id"]] + [int(r) for r in block["person_ref"]]
    if len(pool_names) < 2:
        return {}
    scores = process.cdist(list(block["person_name"]), pool_names, scorer=fuzz.ratio,
                           score_cutoff=threshold, workers=1)
    found = {}
    own_refs = [int(r) for r in block["person_ref"]]
    for i, index in enumerate(block.index):
        earlier = len(known) + i
        best = max(
            ((scores[i][j], pool_refs[j]) for j in range(earlier)
             if scores[i][j] >= threshold and pool_refs[j] != own_refs[i]),
            default=None,
        )
        if best is not None:
            found[index] = best[1]
    return found


def assign_person_ids(db: Connection, rows: pd.DataFrame) -> pd.DataFrame:
    """A copy of `rows` with real person ids: new people get ids reserved from the sequence."""
    rows = rows.copy()
    refs = rows["person_ref"]
    new_refs = sorted(set(refs[refs < 0].dropna().astype(int)), key=abs)
    ids = db.execute("SELECT nextval('person_ids') FROM range(?)", [len(new_refs)]).fetchall()
    real = {ref: int(row[0]) for ref, row in zip(new_refs, ids, strict=True)}
    rows["person_id"] = refs.map(lambda r: real.get(r, r) if not pd.isna(r) else pd.NA)
    rows["person_id"] = rows["person_id"].astype("Int64")
    dup = rows["possible_duplicate_of"]
    rows["possible_duplicate_of"] = dup.map(
        lambda r: real.get(int(r), r) if not pd.isna(r) else pd.NA).astype("Int64")
    rows["is_new"] = refs < 0
    return rows


SIMPLE_FIELDS = ("salutation", "job_title", "website", "street", "postal_code", "city",
                 "country", "source", "notes")
NAME_FIELDS = ("first_name", "last_name", "company")


def merged_new_people(rows: pd.DataFrame) -> pd.DataFrame:
    """One record per new person: the first row's values, with empty fields filled by later rows
    of the same person (checked fields take value, key and validity from the same row)."""
    new = rows[rows["is_new"].fillna(False).astype(bool)]
    merged = new.drop_duplicates("person_id").set_index("person_id")
    if len(merged) == len(new):
        return merged.reset_index()
    firsts = new.groupby("person_id", sort=False)[[*SIMPLE_FIELDS, *NAME_FIELDS]].first()
    merged.update(firsts)
    for column in CHECKED_FIELDS:
        filled = new[new[column].notna()].drop_duplicates("person_id").set_index("person_id")
        cols = [column, f"{column}_key", f"{column}_valid"]
        missing = merged[column].isna() & merged.index.isin(filled.index)
        merged.loc[missing, cols] = filled.loc[merged.index[missing], cols].to_numpy()
    merged["name_key"] = normalise.name_key(merged["first_name"], merged["last_name"],
                                            merged["company"])
    merged["company_key"] = normalise.company_key(merged["company"])
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
