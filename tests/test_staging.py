"""The staging table's column types are fixed up front, not by whatever the first chunk holds."""

from __future__ import annotations

import csv
import io

import pytest

from lib import importing, staging

HEADER = ["Firma", "Vorname", "Nachname", "E-Mail", "Telefon", "Notiz"]
EXPECTED_ISSUE = {
    "email": "e-mail: not a valid e-mail (anna at firma)",
    "phone": "phone: not a valid phone (ruf mich an)",
    "rejected": "no name, company, e-mail or phone",
}


def clean_list(rows: int, bad_row: int | None = None, kind: str = "email") -> bytes:
    """Clean rows; the one at index ``bad_row`` carries the file's first (and only) issue."""
    records = [[f"Firma {i}", "Anna", f"Muster {i}", f"anna{i}@firma{i}.de",
                f"089 {1000000 + i}", ""] for i in range(rows)]
    if bad_row is not None:
        if kind == "email":
            records[bad_row][3] = "anna at firma"
        elif kind == "phone":
            records[bad_row][4] = "ruf mich an"
        else:  # a note and nothing that says who: rejected, not blank
            records[bad_row] = ["", "", "", "", "", "nur eine Notiz"]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerows([HEADER, *records])
    return buffer.getvalue().encode()


def only_issue(db) -> tuple[int, str, str]:
    found = db.execute("SELECT row_number, outcome, issue FROM import_rows"
                       " WHERE issue IS NOT NULL").fetchall()
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("kind", list(EXPECTED_ISSUE))
@pytest.mark.parametrize("bad_row", [0, 1_500, 2_999], ids=["first", "middle", "last"])
def test_the_first_issue_in_the_first_middle_or_last_chunk_is_staged(
        any_db, monkeypatch, kind, bad_row):
    monkeypatch.setattr(staging, "CHUNK_ROWS", 1_000)
    monkeypatch.setattr(staging, "MIN_CHUNK_ROWS", 1_000)
    assert staging._chunk_rows(3_000) == 1_000  # three chunks: 0-999, 1000-1999, 2000-2999
    result = importing.import_file(any_db, clean_list(3_000, bad_row, kind), "liste.csv",
                                   "Gross", by=None)
    rejected = kind == "rejected"
    assert (result.counts.rows_in_file, result.counts.added, result.counts.rejected,
            result.counts.flagged) == (3_000, 3_000 - rejected, int(rejected), int(not rejected))
    assert only_issue(any_db) == (bad_row + 2, "rejected" if rejected else "added",
                                    EXPECTED_ISSUE[kind])


def test_a_list_of_20001_rows_with_its_only_bad_row_last_imports(any_db):
    assert staging._chunk_rows(20_001) == 20_000  # the default chunking puts it alone
    result = importing.import_file(any_db, clean_list(20_001, 20_000, "email"), "liste.csv",
                                   "Gross", by=None)
    assert (result.counts.added, result.counts.flagged) == (20_001, 1)
    assert only_issue(any_db) == (20_002, "added", EXPECTED_ISSUE["email"])
