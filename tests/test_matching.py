"""Who is who, row by row: a small file against a small set of known people, and for each row
which person it became or joined, what it filled in, and whom it was flagged against."""

from __future__ import annotations

import csv
import io

import pytest

from lib import access, importing, matching, settings, staging
from tests.engines import ENGINES, engine_database

HEADER = ["Firma", "Anrede", "Vorname", "Nachname", "E-Mail", "Telefon", "Mobil", "Ort"]


def row(company: str = "", first: str = "", last: str = "", email: str = "", *,
        salutation: str = "", phone: str = "", mobile: str = "", city: str = "") -> list[str]:
    """The cells of one line of the file, in HEADER's order ("" where the file is empty)."""
    return [company, salutation, first, last, email, phone, mobile, city]


# Week 1: the people already known, by label (ids follow this order).
KNOWN = {
    "anna": row("Alt GmbH", "Anna", "Alt", "anna@alt.de", phone="030 111111", city="Köln"),
    "bernd": row("Bau AG", "Bernd", "Bau", phone="040 222222", mobile="0151 22222222"),
    "carla": row("Clas KG", "Carla", "Clas", "carla@clas.de"),
    "dora": row("Dorn GmbH", "Dora", "Dorn"),
    "emil": row("Eck AG", "Emil", "Eck", phone="089 555555"),
    "johannes": row("Eich AG", "Johannes", "Eichmann", "johannes@eich.de"),
    "johanna": row("Eich AG", "Johanna", "Eichmann", "johanna@eich.de"),
    "anne": row("Alt GmbH", "Anne", "Alt", "anne@alt.de"),
    "hanna": row("Horn AG", "Hanna", "Horn", "hanna@horn.de"),
}

# Week 2, one case per row (the file's row numbers start at 2, after the header):
# (row, cells, outcome, who it is: a known label or "row N" = the new person of row N,
#  whom it is flagged against with the score, or None).
CASES = [
    (2, row("Fink AG", "Frida", "Fink", mobile="0160 5555555"), "added", "row 2", None),
    # shares the mobile with row 2 (new) and the phone with Emil (known): the known one wins
    (3, row(phone="089 555555", mobile="0160 5555555"), "known", "emil", None),
    # same e-mail in capitals; similar to Anne Alt, but a known row is never flagged
    (4, row("Alt GmbH", "Anna", "Alt", "ANNA@ALT.DE", salutation="Frau", city="Bonn"),
     "known", "anna", None),
    # only a company and Bernd's mobile number
    (5, row("Bau AG", email="bernd@bau.de", mobile="0151 22222222"), "known", "bernd", None),
    # Carla's name and company but another e-mail: both have e-mails, so another person
    (6, row("Clas KG", "Carla", "Clas", "carla.clas@gmail.com"), "added", "row 6", ("carla", 100)),
    # Dora's name key; Dora has no e-mail, so the name decides
    (7, row("Dorn GmbH", "Dora", "Dorn", "dora@dorn.de"), "known", "dora", None),
    # similar to Johannes (94) and to Johanna (82): the best one is named
    (8, row("Eich AG", "Johannes", "Eichman", "jeichman@eich.de"), "added", "row 8",
     ("johannes", 94)),
    # row 2 again by name (row 2 has no e-mail), bringing an e-mail and a city
    (9, row("Fink AG", "Frida", "Fink", "frida@fink.de", city="Berlin"), "duplicate_in_file",
     "row 2", None),
    (10, row(city="Hamburg"), "rejected", None, None),
    (11, row(), "blank", None, None),
    (12, row("Gans AG", "Gerd", "Gans", "gerd@gans.de"), "added", "row 12", None),
    # the same name as row 8: the identical earlier row beats the similar known person
    (13, row("Eich AG", "Johannes", "Eichman", "other@eich.de"), "added", "row 13",
     ("row 8", 100)),
    # Carla's e-mail under another name: the e-mail decides, the name is kept
    (14, row("Clas KG", "Carola", "Klas", "CARLA@clas.de"), "known", "carla", None),
    # namesakes of Hanna (known): both point at her, the later one not at the earlier row
    (15, row("Horn AG", "Hanna", "Horn", "h1@horn.de"), "added", "row 15", ("hanna", 100)),
    (16, row("Horn AG", "Hanna", "Horn", "h2@horn.de"), "added", "row 16", ("hanna", 100)),
    # Hanna herself, after two new namesakes: a known row is never flagged
    (17, row("Horn AG", "Hanna", "Horn", "HANNA@horn.de"), "known", "hanna", None),
]

# What the import filled in (field → value) for each person it met; nothing else changed.
FILLED = {
    "anna": {"salutation": "Frau", "city": "Köln", "first_name": "Anna"},
    "bernd": {"email": "bernd@bau.de", "first_name": "Bernd", "phone": "040 222222"},
    "carla": {"first_name": "Carla", "last_name": "Clas", "email": "carla@clas.de"},
    "dora": {"email": "dora@dorn.de"},
    "emil": {"mobile": "0160 5555555", "phone": "089 555555", "first_name": "Emil"},
    "row 2": {"email": "frida@fink.de", "city": "Berlin", "mobile": "0160 5555555"},
}

# Values a row brought that the person already had otherwise: kept in the history.
KEPT = {("anna", "city", "Köln", "Bonn"), ("carla", "first_name", "Carla", "Carola"),
        ("carla", "last_name", "Clas", "Klas")}


def csv_bytes(*rows: list[str]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return buffer.getvalue().encode("cp1252")


@pytest.fixture(scope="module", params=ENGINES)
def week2(request):
    """Week 1 makes the known people, week 2 is the file under test (similarity 80 %, so that
    both Eichmanns are candidates for row 8). Yields the cursor, the ids by label and the
    preview's per-row duplicates (before the commit assigned ids)."""
    with engine_database(request, request.param) as conn:
        yield from _week2(conn.cursor())


def _week2(cursor):
    importing.import_file(cursor, csv_bytes(*KNOWN.values()), "w1.csv", "W1", by=None)
    ids = dict(zip(KNOWN, [r[0] for r in cursor.execute(
        "SELECT id FROM people ORDER BY id").fetchall()], strict=True))
    settings.put(cursor, "duplicate_similarity", 80, by=None)
    data = csv_bytes(*[case[1] for case in CASES])
    table = importing.read(cursor, data, "w2.csv")
    preview = importing.prepare(cursor, data, "w2.csv", table,
                                importing.suggested_mapping(cursor, table), "W2")
    staged = cursor.execute(
        f"SELECT row_number, duplicate_ref, possible_duplicate_score FROM {preview.stage}_rows"
    ).fetchall()
    result = importing.commit(cursor, preview, data, "W2", by=None)
    rows = cursor.execute("SELECT row_number, person_id, outcome FROM import_rows"
                          " WHERE import_id = ?", [result.import_id]).fetchall()
    for row_number, person_id, outcome in rows:
        if outcome == "added":
            ids[f"row {row_number}"] = person_id
    yield cursor, ids, {r[0]: r for r in rows}, {r[0]: r[1:] for r in staged}, result


def stored(cursor, person_id: int) -> dict:
    frame = cursor.execute("SELECT * FROM people WHERE id = ?", [person_id]).df()
    return frame.iloc[0].to_dict()


@pytest.mark.parametrize(("row", "cells", "outcome", "who", "flag"), CASES,
                         ids=[f"row {c[0]}" for c in CASES])
def test_each_row_becomes_or_joins_the_right_person(week2, row, cells, outcome, who, flag):
    cursor, ids, rows, _, _ = week2
    _, person_id, got = rows[row]
    assert got == outcome
    assert person_id == (None if who is None else ids[who])


@pytest.mark.parametrize(("row", "cells", "outcome", "who", "flag"), CASES,
                         ids=[f"row {c[0]}" for c in CASES])
def test_each_new_row_is_flagged_against_its_best_candidate_only(week2, row, cells, outcome,
                                                                 who, flag):
    cursor, ids, _, staged, _ = week2
    ref, score = staged[row]
    if flag is None:
        assert (ref, score) == (None, None)
        if who is not None and outcome == "known":
            assert stored(cursor, ids[who])["possible_duplicate_of"] is None
        return
    expected = -int(flag[0].split()[1]) if flag[0].startswith("row") else ids[flag[0]]
    assert (ref, score) == (expected, flag[1])
    person = stored(cursor, ids[who])
    assert (person["possible_duplicate_of"], person["possible_duplicate_score"]) == (
        ids[flag[0]], flag[1])


@pytest.mark.parametrize("label", list(FILLED))
def test_only_empty_fields_are_filled(week2, label):
    cursor, ids, _, _, _ = week2
    person = stored(cursor, ids[label])
    assert {f: person[f] for f in FILLED[label]} == FILLED[label]


def test_people_nobody_matched_are_untouched_and_other_values_go_to_the_history(week2):
    cursor, ids, _, _, result = week2
    for label in ("johannes", "johanna", "anne"):
        assert stored(cursor, ids[label])["updated_at"] == stored(cursor, ids[label])[
            "created_at"]
    by_id = {v: k for k, v in ids.items()}
    kept = cursor.execute("SELECT person_id, field, old_value, new_value FROM history"
                          " WHERE import_id = ? AND kind = 'import_kept'",
                          [result.import_id]).fetchall()
    assert {(by_id[p], f, o, n) for p, f, o, n in kept} == KEPT
    fills = cursor.execute("SELECT person_id, field, new_value FROM history"
                           " WHERE import_id = ? AND kind = 'import_fill'",
                           [result.import_id]).fetchall()
    assert {(by_id[p], f, v) for p, f, v in fills} == {
        ("anna", "salutation", "Frau"), ("bernd", "email", "bernd@bau.de"),
        ("dora", "email", "dora@dorn.de"), ("emil", "mobile", "0160 5555555")}


def test_the_counts_agree_with_the_rows(week2):
    counts = week2[4].counts
    assert (counts.added, counts.already_known, counts.duplicates_in_file, counts.rejected,
            counts.blank, counts.possible_duplicates) == (7, 6, 1, 1, 1, 5)


def test_a_rejected_row_is_never_matched_even_when_it_carries_a_known_key(any_db):
    """Defence in depth: a rejected row is out of matching, whatever its keys say."""
    importing.import_file(any_db, csv_bytes(KNOWN["anna"]), "w1.csv", "W1", by=None)
    data = csv_bytes(row("Alt GmbH", "Anna", "Alt", "anna@alt.de"))
    table = importing.read(any_db, data, "w2.csv")
    preview = importing.prepare(any_db, data, "w2.csv", table,
                                importing.suggested_mapping(any_db, table), "W2")
    any_db.execute(f"UPDATE {preview.stage} SET rejected = true")
    matching.match(any_db, preview.stage)
    assert any_db.execute(f"SELECT outcome, person_ref FROM {preview.stage}_rows"
                            ).fetchall() == [("rejected", None)]
    assert staging.counts(any_db, preview.stage)["already_known"] == 0


def test_the_preview_names_whom_a_flagged_row_resembles(any_db):
    importing.import_file(any_db, csv_bytes(KNOWN["johannes"]), "w1.csv", "W1", by=None)
    data = csv_bytes(row("Eich AG", "Johannes", "Eichman", "a@eich.de"),
                     row("Gans AG", "Gerhard", "Gansmann", "gerd@gans.de"),
                     row("Gans AG", "Gerhard", "Ganzmann", "g.ganz@gans.de"))
    table = importing.read(any_db, data, "w2.csv")
    preview = importing.prepare(any_db, data, "w2.csv", table,
                                importing.suggested_mapping(any_db, table), "W2")
    shown = importing.preview_rows(any_db, preview, viewer=access.FULL_ACCESS)
    assert list(shown["possible duplicate of"]) == [
        "Johannes Eichmann (Eich AG), 94 %", "", "row 3: Gerhard Gansmann (Gans AG), 93 %"]
