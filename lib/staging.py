"""The rows of a file as the import sees them, staged in a temporary DuckDB table.

A file is mapped, trimmed and validated in chunks and written to one temporary table per
cursor: matching, the preview and the commit then run as set-based SQL over it, so a million
rows never sit in memory as Python objects more than one chunk at a time. Temporary tables
belong to the session's own cursor and never touch the database file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from lib import access, mapping, normalise
from lib.db import Connection, engine, insert_frame, rewritten
from lib.i18n import _

PERSON_FIELDS = [f for f in mapping.FIELD_KEYS if f not in ("full_name", *mapping.DNC_FIELDS)]
DNC_COLUMNS = ("dnc_email", "dnc_phone")  # the file asks not to e-mail / call this person
NOT_A_FLAG = frozenset({"0", "no", "nein", "n", "false", "falsch", "-", "none", "kein", "keine",
                        "nicht", "off", "aus", "ok"})
CHECKED_FIELDS = ("email", "phone", "mobile")
KEY_COLUMNS = ("email_key", "phone_key", "mobile_key", "name_key", "company_key")
VALID_COLUMNS = ("email_valid", "phone_valid", "mobile_valid")
STAGE_COLUMNS = ["row_number", "blank", "rejected", *PERSON_FIELDS, *KEY_COLUMNS,
                 *VALID_COLUMNS, "issue", "extras", *DNC_COLUMNS]
# The staging table's types, fixed up front: a chunk whose column is all empty (no issue yet)
# must not decide the type for the chunks after it.
STAGE_TYPES: dict[str, tuple[str, pa.DataType]] = {
    "row_number": ("INTEGER", pa.int32()),
    **dict.fromkeys(("blank", "rejected", *VALID_COLUMNS, *DNC_COLUMNS),
                    ("BOOLEAN", pa.bool_())),
    **dict.fromkeys((*PERSON_FIELDS, *KEY_COLUMNS, "issue", "extras"),
                    ("VARCHAR", pa.large_string())),
}
STAGE_SCHEMA = pa.schema([(column, STAGE_TYPES[column][1]) for column in STAGE_COLUMNS])
NO_IDENTITY = "no name, company, e-mail or phone"  # stored in English; importing translates
CHUNK_ROWS = 100_000
MIN_CHUNK_ROWS = 20_000
PREFIX = "import_stage_"

# Matching writes its results into small side tables instead of updating a million staged
# rows; the view {stage}_rows joins them back (the DuckDB scan of an updated table is slow).
SIDE_TABLES = """
    CREATE TEMP TABLE {stage}_resolved (row_number INTEGER, ref BIGINT, outcome VARCHAR);
    CREATE TEMP TABLE {stage}_known (id BIGINT, status VARCHAR, open_lead BOOLEAN);
    CREATE TEMP TABLE {stage}_dups (row_number INTEGER, other_ref BIGINT, score SMALLINT);
    CREATE TEMP TABLE {stage}_ids (ref BIGINT, id BIGINT);
    CREATE TEMP TABLE {stage}_suppressed (row_number INTEGER, why VARCHAR);
    CREATE TEMP VIEW {stage}_rows AS
    WITH matched AS (
        SELECT s.* REPLACE (coalesce(k.why, s.issue) AS issue),
            CASE WHEN r.outcome = 'suppressed' THEN NULL ELSE coalesce(r.ref, CASE
                WHEN s.blank OR s.rejected THEN NULL ELSE -s.row_number END) END AS person_ref,
            coalesce(r.outcome, CASE WHEN s.blank THEN 'blank' WHEN s.rejected THEN 'rejected'
                                     ELSE 'added' END) AS outcome,
            d.other_ref AS duplicate_ref, d.score AS possible_duplicate_score
        FROM {stage} s
        LEFT JOIN {stage}_resolved r ON r.row_number = s.row_number
        LEFT JOIN {stage}_dups d ON d.row_number = s.row_number
        LEFT JOIN {stage}_suppressed k ON k.row_number = s.row_number
    )
    SELECT m.*, k.status AS known_status,
        coalesce(k.status = 'lead' OR k.open_lead, false) AS known_lead,
        CASE WHEN m.person_ref > 0 THEN m.person_ref ELSE i.id END AS person_id,
        CASE WHEN m.duplicate_ref > 0 THEN m.duplicate_ref ELSE di.id END
            AS possible_duplicate_of
    FROM matched m
    LEFT JOIN {stage}_known k ON k.id = m.person_ref
    LEFT JOIN {stage}_ids i ON i.ref = m.person_ref
    LEFT JOIN {stage}_ids di ON di.ref = m.duplicate_ref;
"""


# PostgreSQL has no ``* REPLACE``: the view names the staged columns, the issue replaced.
_PG_STAGED = ", ".join("coalesce(k.why, s.issue) AS issue" if column == "issue" else f"s.{column}"
                       for column in STAGE_COLUMNS)

# What differs on PostgreSQL: the view's column list, the extras column a JSON value (as
# list_rows keeps it), and where a session's temporary tables are listed.
SQL = {
    "duckdb": {
        "side_tables": SIDE_TABLES,
        "types": {},
        "stages": "SELECT table_name, false FROM duckdb_tables() WHERE temporary"
                  " AND starts_with(table_name, $prefix) UNION ALL SELECT view_name, true"
                  " FROM duckdb_views() WHERE temporary AND starts_with(view_name, $prefix)",
        "exists": "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
    },
    "postgresql": {
        "side_tables": rewritten(
            SIDE_TABLES,
            "SELECT s.* REPLACE (coalesce(k.why, s.issue) AS issue),", f"SELECT {_PG_STAGED},"),
        "types": {"extras": "JSONB"},
        "stages": "SELECT relname, relkind = 'v' FROM pg_class"
                  " WHERE relnamespace = pg_my_temp_schema() AND relkind IN ('r', 'v')"
                  " AND starts_with(relname, $prefix)",
        "exists": "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
                  " AND relkind = 'r' AND relname = ?",
    },
}


@dataclass(frozen=True)
class Stage:
    """One file's rows staged on one handle: the table of the rows as read and keyed, the side
    tables matching fills, and the view ``rows`` the preview and the commit read.

    The tables are temporary, the handle's own: on PostgreSQL the handle is pinned to one
    pooled connection until the stage is dropped, so a preview outlives the statements and
    reruns between. ``str(stage)`` is the table's name, which the SQL templates build on."""

    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def rows(self) -> str:
        """The staged rows with what matching decided (person_id, outcome, duplicate …)."""
        return f"{self.name}_rows"

    @property
    def resolved(self) -> str:
        return f"{self.name}_resolved"

    @property
    def known(self) -> str:
        return f"{self.name}_known"

    @property
    def dups(self) -> str:
        return f"{self.name}_dups"

    @property
    def ids(self) -> str:
        return f"{self.name}_ids"

    @property
    def suppressed(self) -> str:
        return f"{self.name}_suppressed"


def stage(db: Connection, source: pd.DataFrame, first_row_number: int,
          column_mapping: dict[str, str | None], region: str, *, prefix: str = PREFIX) -> Stage:
    """Stage every row of a file (chunk by chunk) and return the stage.

    Earlier stages of this cursor with the same prefix are dropped: one preview at a time per
    session."""
    drop_stages(db, prefix)
    name = prefix + uuid.uuid4().hex[:16]
    sql = SQL[engine(db)]
    if sql is SQL["postgresql"]:
        db.pin(name)  # type: ignore[attr-defined]

    def prepared(part: tuple[int, pd.DataFrame]) -> pa.Table:
        rows = keyed(mapped(part[1], first_row_number + part[0], column_mapping), region)
        return pa.Table.from_pandas(rows[STAGE_COLUMNS], schema=STAGE_SCHEMA,
                                    preserve_index=False)

    columns = ", ".join(f"{column} {sql['types'].get(column, STAGE_TYPES[column][0])}"
                        for column in STAGE_COLUMNS)
    db.execute(f"CREATE TEMP TABLE {name} ({columns})")
    db.execute(sql["side_tables"].format(stage=name))
    # Chunks are mapped and keyed on two threads (the pyarrow kernels release the GIL) and
    # written in file order.
    with ThreadPoolExecutor(max_workers=2) as workers:
        for batch in workers.map(prepared, _chunks(source)):
            insert_frame(db, name, batch)
    pa.default_memory_pool().release_unused()
    return Stage(name)


def _chunk_rows(rows: int) -> int:
    """Big enough to amortise, small enough that even a mid-sized file keeps both threads busy."""
    return min(CHUNK_ROWS, max(MIN_CHUNK_ROWS, -(-rows // 2)))


def _chunks(source: pd.DataFrame) -> Iterator[tuple[int, pd.DataFrame]]:
    size = _chunk_rows(len(source))
    for offset in range(0, max(len(source), 1), size):
        yield offset, source.iloc[offset:offset + size]


def drop_stages(db: Connection, prefix: str = PREFIX) -> None:
    """Forget the staged rows of earlier previews of this cursor (on PostgreSQL, and let go
    of the connection they pinned)."""
    found = db.execute(SQL[engine(db)]["stages"], {"prefix": prefix}).fetchall()
    for name, is_view in sorted(found, key=lambda row: not row[1]):  # views first
        db.execute(f"DROP {'VIEW' if is_view else 'TABLE'} IF EXISTS {name}")
    if engine(db) == "postgresql":  # a stage a rollback took along leaves its pin too
        for name in [pin for pin in db.pinned if pin.startswith(prefix)]:  # type: ignore[attr-defined]
            db.release(name)  # type: ignore[attr-defined]


def exists(db: Connection, stage: Stage) -> bool:
    """Whether the stage's rows are still there (this handle staged them, nothing dropped
    them since)."""
    return bool(db.execute(SQL[engine(db)]["exists"], [stage.name]).fetchone()[0])


def mapped(source: pd.DataFrame, first_row_number: int,
           column_mapping: dict[str, str | None]) -> pd.DataFrame:
    """One row per data record: row_number, trimmed person fields, blank flag, extras."""
    rows = pd.DataFrame(index=source.index)
    rows["row_number"] = range(first_row_number, first_row_number + len(source))
    cells = {column: trimmed(source[column]) for column in source.columns}
    for column, target in column_mapping.items():
        if target is not None:
            rows[target] = cells[column]
    for target in [*PERSON_FIELDS, "full_name", *mapping.DNC_FIELDS]:
        if target not in rows:
            rows[target] = None
    _split_full_name(rows)
    rows["blank"] = pd.DataFrame(cells).isna().all(axis=1) if cells else True
    rows["extras"] = _extras_json(source, [c for c, f in column_mapping.items() if f is None])
    return rows.drop(columns="full_name")


def trimmed(values: pd.Series) -> pd.Series:
    """What the file says, trimmed; empty cells become missing."""
    stripped = values.astype("str").str.strip()
    return stripped.where(stripped.ne(""), None)


def _split_full_name(rows: pd.DataFrame) -> None:
    """Fill first/last name from a full name where both are missing."""
    needs = rows["full_name"].notna() & rows["first_name"].isna() & rows["last_name"].isna()
    if not needs.any():
        return
    first, last = mapping.split_full_name(rows.loc[needs, "full_name"])
    rows.loc[needs, "first_name"] = first.where(first.ne(""), None)
    rows.loc[needs, "last_name"] = last.where(last.ne(""), None)


def _extras_json(source: pd.DataFrame, columns: list[str]) -> pd.Series:
    """The unmapped columns of each row as one JSON object (nothing in the file is lost)."""
    if not columns:
        return pd.Series(None, index=source.index, dtype="str")
    lines = source[columns].to_json(orient="records", lines=True, force_ascii=False)
    return pd.Series(lines.rstrip("\n").split("\n"), index=source.index, dtype="str")


def keyed(rows: pd.DataFrame, region: str) -> pd.DataFrame:
    """Add the matching keys, the validity flags, and which rows are rejected and why."""
    emails = normalise.email_keys(rows["email"])
    rows["email_key"], rows["email_valid"] = emails["key"], emails["valid"]
    for column in ("phone", "mobile"):
        phones = normalise.phone_keys(rows[column], region)
        rows[f"{column}_key"], rows[f"{column}_valid"] = phones["key"], phones["valid"]
    rows["company_key"] = normalise.company_key(rows["company"])
    rows["name_key"] = normalise.name_key(rows["first_name"], rows["last_name"], rows["company"],
                                          rows["company_key"])
    identity = rows[["first_name", "last_name", "company", "email", "phone", "mobile"]]
    rows["rejected"] = ~rows["blank"] & identity.isna().all(axis=1)
    rows["issue"] = _issues(rows)
    everything = _flagged(rows, "do_not_contact")
    rows["dnc_email"] = everything | _flagged(rows, "do_not_email")
    rows["dnc_phone"] = everything | _flagged(rows, "do_not_call")
    return rows


def _flagged(rows: pd.DataFrame, column: str) -> pd.Series:
    """A do-not-contact cell that says anything but "no" ("x", "ja", a date, "opt-out");
    False throughout when the rows have no such column."""
    if column not in rows:
        return pd.Series(False, index=rows.index)
    values = rows[column]
    text = values.astype("str").str.strip().str.lower()
    return (values.notna() & text.ne("") & ~text.isin(NOT_A_FLAG)).astype(bool)


def _issues(rows: pd.DataFrame) -> pd.Series:
    """A readable reason per rejected or flagged row, naming the column."""
    issue = pd.Series("", index=rows.index, dtype=object)
    for column, label in (("email", "e-mail"), ("phone", "phone"), ("mobile", "mobile")):
        bad = rows[f"{column}_valid"].eq(False).fillna(False).astype(bool)
        issue[bad] = issue[bad] + f"{label}: not a valid {label} (" + rows.loc[bad, column] + "); "
    issue[rows["rejected"]] = NO_IDENTITY + "; "
    issue[rows["blank"]] = ""
    issue = issue.str.rstrip("; ")
    return issue.where(issue.ne(""), None)


COUNTS_SQL = """
    SELECT count(*) AS rows_in_file,
           count(*) FILTER (WHERE outcome = 'blank') AS blank,
           count(*) FILTER (WHERE outcome = 'added') AS added,
           count(*) FILTER (WHERE outcome = 'known') AS already_known,
           count(*) FILTER (WHERE outcome = 'duplicate_in_file') AS duplicates_in_file,
           count(*) FILTER (WHERE outcome = 'rejected') AS rejected,
           count(*) FILTER (WHERE issue IS NOT NULL
                            AND outcome IN ('added', 'known', 'duplicate_in_file')) AS flagged,
           count(*) FILTER (WHERE outcome = 'known' AND known_lead) AS already_lead,
           count(*) FILTER (WHERE outcome = 'known' AND known_status = 'dead') AS already_dead,
           count(*) FILTER (WHERE duplicate_ref IS NOT NULL) AS possible_duplicates,
           count(*) FILTER (WHERE outcome = 'suppressed') AS suppressed
    FROM {stage}_rows
"""


def counts(db: Connection, name: Stage) -> dict[str, int]:
    """The preview's numbers, straight from the staged rows."""
    result = db.execute(COUNTS_SQL.format(stage=name))
    return {c[0]: int(v or 0) for c, v in zip(result.description, result.fetchone(), strict=True)}


def head(db: Connection, name: Stage, limit: int, *, viewer: access.Viewer) -> pd.DataFrame:
    """The first rows as they will be imported, a flagged row with whom it resembles (a known
    person the viewer may not see is not named)."""
    columns = ", ".join(f"r.{c}" for c in ["row_number", "outcome", "issue",
                                            "possible_duplicate_of", "possible_duplicate_score",
                                            *PERSON_FIELDS])
    visible, params = access.people_clause(viewer, "p")
    return db.execute(
        f"SELECT {columns}, CASE WHEN r.duplicate_ref > 0 AND p.id IS NULL THEN ?"
        f" WHEN r.duplicate_ref > 0 THEN"
        f"   concat_ws(' ', p.first_name, p.last_name, '(' || p.company || ')')"
        f" ELSE replace(?, '{{number}}', o.row_number::VARCHAR)"
        f"   || concat_ws(' ', o.first_name, o.last_name, '(' || o.company || ')') END"
        f" AS duplicate_name"
        f" FROM (SELECT * FROM {name}_rows ORDER BY row_number LIMIT ?) r"
        f" LEFT JOIN people p ON p.id = r.duplicate_ref AND {visible}"
        f" LEFT JOIN {name} o ON o.row_number = -r.duplicate_ref"
        f" ORDER BY r.row_number",
        [_("a known person you may not see"), _("row {number}: "), limit, *params]).df()
