"""What rows of people met before add to them: empty fields get filled, nothing set is ever
overwritten, and every other value goes to the history.

Runs set-based over the staged rows (one row per person field in a temporary table), so the
hundred thousand known rows of a big weekly list cost one pass, not one query each.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from lib import normalise
from lib.db import Connection, registered
from lib.store import history as history_store
from lib.store import people as people_store

SIMPLE_FIELDS = ("salutation", "job_title", "website", "street", "postal_code", "city",
                 "country", "source", "notes")
NAME_FIELDS = ("first_name", "last_name", "company")
CHECKED_FIELDS = ("email", "phone", "mobile")
FIELDS = (*SIMPLE_FIELDS, *NAME_FIELDS, *CHECKED_FIELDS)


def _per_field(template: str) -> str:
    """One SELECT per person field, glued with UNION ALL; {key}/{valid} exist for checked
    fields only."""
    return "\nUNION ALL ".join(
        template.format(field=f, key=f"{f}_key" if f in CHECKED_FIELDS else "NULL",
                        valid=f"{f}_valid" if f in CHECKED_FIELDS else "NULL")
        for f in FIELDS
    )


# Every filled field of the follow-up rows: (person, row, field, value, key, valid).
LONG_SQL = """
    CREATE TEMP TABLE {stage}_long AS
    WITH follow AS (SELECT * FROM {stage}_rows WHERE outcome IN ('known', 'duplicate_in_file'))
""" + _per_field(
    "SELECT person_id, person_ref > 0 AS was_known, row_number, '{field}' AS field,"
    " CAST({field} AS VARCHAR) AS value, CAST({key} AS VARCHAR) AS key,"
    " CAST({valid} AS BOOLEAN) AS valid FROM follow WHERE {field} IS NOT NULL")

# Per person and field: what is stored, and the first value the file brings (file order).
MERGE_SQL = """
    CREATE TEMP TABLE {stage}_merge AS
    WITH met AS (SELECT DISTINCT person_id FROM {stage}_long), stored AS (
""" + _per_field(
    "SELECT p.id AS person_id, '{field}' AS field, CAST(p.{field} AS VARCHAR) AS stored,"
    " CAST({key} AS VARCHAR) AS stored_key FROM people p JOIN met ON met.person_id = p.id"
) + """
    ), firsts AS (
        SELECT * FROM (SELECT l.*, row_number() OVER (
            PARTITION BY l.person_id, l.field ORDER BY l.row_number) AS place
            FROM {stage}_long l) ranked WHERE place = 1
    )
    SELECT s.person_id, s.field, s.stored, s.stored_key, f.value AS fill, f.key AS fill_key,
           f.valid AS fill_valid, f.was_known
    FROM stored s JOIN firsts f ON f.person_id = s.person_id AND f.field = s.field
"""


def merge_later_rows(db: Connection, stage: str, import_id: int | None, by: int | None,
                     now: datetime) -> None:
    """Fill the empty fields of people met before from the rows that matched them, and write
    the history: fills of people who existed before, and every value that was not taken.
    Filling a person this import created is no event worth a history entry."""
    db.execute(LONG_SQL.format(stage=stage))
    db.execute(MERGE_SQL.format(stage=stage))
    for field in FIELDS:
        people_store.fill_empty(db, f"{stage}_merge", field, field in CHECKED_FIELDS, now)
    history_store.record_import_fills(db, stage, at=now, by=by, import_id=import_id)
    history_store.record_import_kept(db, stage, at=now, by=by, import_id=import_id)
    renamed = db.execute(
        f"SELECT DISTINCT person_id FROM {stage}_merge WHERE stored IS NULL AND field IN"
        f" ({', '.join('?' * len(NAME_FIELDS))})", list(NAME_FIELDS)).fetchnumpy()["person_id"]
    if len(renamed):
        refresh_name_keys(db, renamed)
    db.execute(f"DROP TABLE {stage}_merge")
    db.execute(f"DROP TABLE {stage}_long")


def refresh_name_keys(db: Connection, person_ids) -> None:
    """Recompute name_key and company_key after a name or company was filled in."""
    with registered(db, "refresh_ids", pd.DataFrame({"id": [int(i) for i in person_ids]})):
        people = db.execute(
            "SELECT p.id, p.first_name, p.last_name, p.company FROM people p"
            " JOIN refresh_ids r ON r.id = p.id").df()
    people["name_key"] = normalise.name_key(people["first_name"], people["last_name"],
                                            people["company"])
    people["company_key"] = normalise.company_key(people["company"])
    people_store.set_name_keys(db, people)
