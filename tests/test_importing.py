"""The import end to end on a real DuckDB: counts, duplicates, fills, rollback, undo, re-import."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from lib import access, export, importing, mapping, matching, merging
from lib.errors import FileRefused, InvalidInput, UserError

GERMAN_HEADER = [
    "Firma", "Anrede", "Vorname", "Nachname", "E-Mail", "Telefon", "Ort", "Messe-Notiz",
]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ";", encoding: str = "cp1252",
              line_end: str = "\r\n") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return buffer.getvalue().encode(encoding)


def german(*rows: list[str]) -> bytes:
    return csv_bytes([GERMAN_HEADER, *rows])


def table_counts(db) -> dict[str, int]:
    tables = ["lists", "people", "list_rows", "imports", "import_rows", "history",
              "saved_mappings"]
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def person(db, email_key: str) -> dict:
    frame = db.execute("SELECT * FROM people WHERE email_key = ?", [email_key]).df()
    assert len(frame) == 1, f"expected one person with {email_key}, found {len(frame)}"
    return frame.iloc[0].to_dict()


def run(db, data: bytes, list_name: str = "KW48 Messe", name: str = "liste.csv", **kw):
    return importing.import_file(db, data, name, list_name, by=None, **kw)


def test_a_german_excel_csv_becomes_a_prospecting_list(any_db):
    data = german(
        ["Bäckerei Sonnenschein GmbH", "Frau", "Jürgen", " Müller ", "j.mueller@baeckerei.de",
         "089 1234567", "München", "Stand 4"],
        ["Nordlicht Logistik AG", "Herr", "Özlem", "Yilmaz", "oezlem@nordlicht.de",
         "+49 40 7654321", "Hamburg", ""],
    )
    result = run(any_db, data)
    assert (result.counts.rows_in_file, result.counts.added) == (2, 2)
    stored = person(any_db, "j.mueller@baeckerei.de")
    assert (stored["last_name"], stored["city"], stored["phone_key"]) == (
        "Müller", "München", "+49891234567")
    extras = any_db.execute("SELECT extras FROM list_rows ORDER BY row_number").fetchall()
    assert json.loads(extras[0][0]) == {"Messe-Notiz": "Stand 4"}
    assert any_db.execute("SELECT name FROM lists").fetchall() == [("KW48 Messe",)]


def test_every_row_is_accounted_for(any_db):
    data = german(
        ["Firma A", "", "Anna", "Alt", "anna@a.de", "", "", ""],
        ["", "", "", "", "", "", "", ""],
        ["Firma A", "", "Anna", "Alt", "ANNA@A.DE", "", "", ""],
        ["", "", "", "", "", "", "Berlin", "nur ein Ort"],
        ["Firma B", "", "Bernd", "Bau", "not-an-email", "12", "", ""],
    )
    counts = run(any_db, data).counts
    assert counts.rows_in_file == 5
    assert (counts.added, counts.blank, counts.duplicates_in_file, counts.rejected) == (2, 1, 1, 1)
    assert counts.flagged == 1
    assert counts.rows_in_file == (counts.blank + counts.added + counts.already_known
                                   + counts.duplicates_in_file + counts.rejected)


def test_the_report_is_the_file_plus_status_and_issue(any_db):
    data = german(
        ["Firma B", "", "Bernd", "Bau", "bernd(at)bau.de", "", "", "=HYPERLINK(\"x\")"],
        ["", "", "", "", "", "", "Berlin", ""],
    )
    result = run(any_db, data)
    report = importing.report(any_db, result.import_id, viewer=access.FULL_ACCESS)
    assert list(report.columns) == [*GERMAN_HEADER, "import_status", "import_issue"]
    assert list(report["import_status"]) == ["added", "rejected"]
    assert "E-Mail" in report["import_issue"][0] or "e-mail" in report["import_issue"][0]
    assert "no name, company, e-mail or phone" in report["import_issue"][1]
    csv_text = export.to_csv(report).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text


@pytest.mark.parametrize(
    ("first", "again"),
    [
        (["Firma", "", "Max", "Mueller", "max.mueller@firma.de", "", "", ""],
         ["Andere Firma", "", "M.", "M.", "  Max.Mueller@Firma.DE ", "", "", ""]),
        (["Firma", "", "Max", "Mueller", "", "030 1234567", "", ""],
         ["", "", "", "", "", "+49 (0)30 123 45 67", "Berlin", ""]),
        (["Müller GmbH & Co. KG", "", "Jürgen", "Müller", "", "", "", ""],
         ["MUELLER GMBH", "", "Juergen", "Mueller", "", "", "", ""]),
    ],
    ids=["email-case-and-spaces", "phone-formats", "name-company-umlauts-suffixes"],
)
def test_a_known_person_is_recognised_in_the_next_weeks_list(any_db, first, again):
    run(any_db, german(first), "KW47")
    result = run(any_db, german(again), "KW48")
    assert (result.counts.added, result.counts.already_known) == (0, 1)
    assert any_db.execute("SELECT count(*) FROM people").fetchone()[0] == 1
    memberships = any_db.execute("SELECT count(DISTINCT list_id) FROM list_rows").fetchone()
    assert memberships[0] == 2


@pytest.mark.parametrize("phone", ["030 1234567", "+49 30 1234567", "0049301234567",
                                   "(030) 123 45 67", "+49 (0)30 1234567"])
def test_five_phone_formats_are_one_person_within_the_file(any_db, phone):
    data = german(["Firma", "", "Max", "Mueller", "", "030/1234567", "", ""],
                  ["", "", "", "", "", phone, "", ""])
    counts = run(any_db, data).counts
    assert (counts.added, counts.duplicates_in_file) == (1, 1)


def test_same_company_but_another_person_is_a_new_person(any_db):
    data = german(
        ["Müller GmbH", "", "Jürgen", "Müller", "", "030 111111", "", ""],
        ["Müller GmbH", "", "Petra", "Schulz", "", "030 222222", "", ""],
        ["Müller GmbH", "", "", "", "", "", "", "nur Firma"],
    )
    counts = run(any_db, data).counts
    assert (counts.added, counts.duplicates_in_file) == (3, 0)


def test_two_different_emails_are_two_people_even_with_the_same_phone(any_db):
    data = german(
        ["Zentrale AG", "", "Anna", "Alt", "anna@zentrale.de", "030 9999999", "", ""],
        ["Zentrale AG", "", "Bernd", "Bau", "bernd@zentrale.de", "030 9999999", "", ""],
        ["Zentrale AG", "", "", "", "", "030 9999999", "", "ohne E-Mail"],
    )
    counts = run(any_db, data).counts
    assert (counts.added, counts.duplicates_in_file) == (2, 1)


def test_a_match_fills_empty_fields_and_never_overwrites(any_db):
    run(any_db, german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "Köln", ""]), "A")
    run(any_db, german(["Firma", "Herr", "Max", "Mueller", "max@firma.de", "0221 123456",
                          "Bonn", ""]), "B")
    stored = person(any_db, "max@firma.de")
    assert (stored["salutation"], stored["phone_key"], stored["city"]) == (
        "Herr", "+49221123456", "Köln")
    entries = any_db.execute(
        "SELECT kind, field, old_value, new_value FROM history ORDER BY id").fetchall()
    assert ("import_kept", "city", "Köln", "Bonn") in entries
    assert ("import_fill", "salutation", None, "Herr") in entries
    assert ("import_fill", "phone", None, "0221 123456") in entries


def test_a_row_without_email_matching_by_phone_brings_its_email(any_db):
    data = german(["Firma", "", "Max", "Mueller", "", "030 1234567", "", ""],
                  ["Firma", "", "Max", "Mueller", "max@firma.de", "030 1234567", "", ""],
                  ["", "", "", "", "MAX@firma.de", "", "", "nur E-Mail"])
    counts = run(any_db, data).counts
    assert (counts.added, counts.duplicates_in_file) == (1, 2)
    assert person(any_db, "max@firma.de")["phone_key"] == "+49301234567"


def test_the_preview_counts_known_leads_and_dead_people(any_db):
    rows = [["Firma", "", f"P{i}", "Q", f"p{i}@firma.de", "", "", ""] for i in range(4)]
    run(any_db, german(*rows), "KW47")
    any_db.execute("UPDATE people SET status = 'lead' WHERE email_key = 'p0@firma.de'")
    any_db.execute("UPDATE people SET status = 'dead', dead_reason = 'no budget'"
                     " WHERE email_key = 'p1@firma.de'")
    data = german(*rows, ["Neu GmbH", "", "N", "N", "n@neu.de", "", "", ""])
    table = importing.read(any_db, data, "kw48.csv")
    preview = importing.prepare(any_db, data, "kw48.csv", table,
                                importing.suggested_mapping(any_db, table), "KW48")
    counts = preview.counts
    assert (counts.added, counts.already_known, counts.already_lead, counts.already_dead) == (
        1, 4, 1, 1)
    assert any_db.execute("SELECT count(*) FROM lists").fetchone()[0] == 1


def test_a_similar_name_at_the_same_company_is_flagged_not_merged(any_db):
    run(any_db, german(["ACME GmbH", "", "Johannes", "Schmidt", "js@acme.de", "", "", ""]))
    result = run(any_db, german(["ACME AG", "", "Johanes", "Schmidt", "jo@acme.de", "", "", ""]),
                 "KW49")
    assert (result.counts.added, result.counts.possible_duplicates) == (1, 1)
    flagged = person(any_db, "jo@acme.de")
    assert flagged["possible_duplicate_of"] == person(any_db, "js@acme.de")["id"]


def test_the_same_file_into_the_same_list_is_a_no_op_that_says_when(any_db):
    data = german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "", ""])
    first = run(any_db, data)
    before = table_counts(any_db)
    again = run(any_db, data)
    assert again.already_imported and again.import_id == first.import_id
    assert again.imported_at == first.imported_at
    assert table_counts(any_db) == before
    elsewhere = run(any_db, data, "Another list")
    assert not elsewhere.already_imported and elsewhere.counts.already_known == 1


@pytest.mark.parametrize(("module", "step"), [
    (merging, "merge_later_rows"),      # after the new people are written
    (mapping, "save_mapping"),          # after everything else is written
])
def test_a_failure_mid_file_leaves_the_database_exactly_as_it_was(any_db, monkeypatch,
                                                                   module, step):
    run(any_db, german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "Köln", ""]), "A")
    before = table_counts(any_db)
    people_before = any_db.execute("SELECT * FROM people ORDER BY id").df()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, step, broken)
    data = german(["Firma", "Herr", "Max", "Mueller", "max@firma.de", "0221 1", "Bonn", ""],
                  ["Neu", "", "Nina", "Neu", "nina@neu.de", "", "", ""])
    with pytest.raises(RuntimeError, match="disk full"):
        run(any_db, data, "B")
    assert table_counts(any_db) == before
    pd.testing.assert_frame_equal(any_db.execute("SELECT * FROM people ORDER BY id").df(),
                                  people_before)


def test_undo_removes_untouched_people_and_keeps_worked_ones(any_db):
    run(any_db, german(["Alt", "", "Alma", "Alt", "alma@alt.de", "", "", ""]), "KW47")
    rows = [["Firma", "", f"P{i}", "Q", f"p{i}@firma.de", "", "", ""] for i in range(3)]
    result = run(any_db, german(*rows, ["Alt", "", "Alma", "Alt", "alma@alt.de", "", "", ""]),
                 "KW48")
    worked = person(any_db, "p0@firma.de")["id"]
    any_db.execute("INSERT INTO ticks VALUES (?, 'website', NULL, now())", [worked])
    undone = importing.undo(any_db, result.import_id, by=None)
    assert (undone.removed_people, undone.removed_from_list) == (2, 1)
    assert list(undone.kept["why"]) == ["has ticks"]
    left = {r[0] for r in any_db.execute("SELECT email_key FROM people").fetchall()}
    assert left == {"alma@alt.de", "p0@firma.de"}
    with pytest.raises(InvalidInput, match="already undone"):
        importing.undo(any_db, result.import_id, by=None)
    redo = run(any_db, german(*rows), "KW48")
    assert not redo.already_imported and redo.counts.added == 2


def test_a_confirmed_mapping_is_remembered_for_the_same_header(any_db):
    header = ["Kunde", "Ansprechpartner", "Kürzel", "Mail"]
    data = csv_bytes([header, ["Firma", "Max Mueller", "MM", "max@firma.de"]])
    table = importing.read(any_db, data, "a.csv")
    chosen = importing.suggested_mapping(any_db, table)
    chosen["Kunde"], chosen["Kürzel"] = "company", "notes"
    preview = importing.prepare(any_db, data, "a.csv", table, chosen, "A")
    importing.commit(any_db, preview, data, "A", by=None)
    next_week = csv_bytes([header, ["Firma 2", "Eva Engel", "EE", "eva@firma.de"]])
    suggested = importing.suggested_mapping(any_db, importing.read(any_db, next_week, "b.csv"))
    assert suggested == chosen
    assert mapping.saved_mapping(any_db, header) == chosen
    stored = person(any_db, "max@firma.de")
    assert (stored["company"], stored["notes"], stored["first_name"]) == ("Firma", "MM", "Max")


def test_a_field_mapped_twice_is_refused_before_anything_happens(any_db):
    data = german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "", ""])
    table = importing.read(any_db, data, "a.csv")
    chosen = importing.suggested_mapping(any_db, table)
    chosen["Ort"] = "email"
    with pytest.raises(InvalidInput, match="E-Mail|Ort"):
        importing.prepare(any_db, data, "a.csv", table, chosen, "A")
    assert any_db.execute("SELECT count(*) FROM people").fetchone()[0] == 0


def test_limits_come_from_the_settings(any_db):
    from lib import settings

    settings.put(any_db, "max_rows", 2, by=None)
    data = german(*[["Firma", "", f"P{i}", "Q", f"p{i}@f.de", "", "", ""] for i in range(3)])
    with pytest.raises(FileRefused, match="limit"):
        run(any_db, data)
    assert any_db.execute("SELECT count(*) FROM imports").fetchone()[0] == 0


def naughty_strings(external) -> list[str]:
    lines = (external / "big-list-of-naughty-strings" / "blns.txt").read_text(encoding="utf-8")
    return [s for s in lines.split("\n") if s and not s.startswith("#")]


def test_naughty_strings_round_trip_through_import_and_export(any_db, external):
    strings = naughty_strings(external)
    rows = [["Company", "Email", "Notes", "Raw"]] + [
        ["Naughty Ltd", f"n{i}@naughty.example", s, s] for i, s in enumerate(strings)]
    data = csv_bytes(rows, delimiter=",", encoding="utf-8", line_end="\n")
    result = run(any_db, data, "blns", "blns.csv")
    assert result.counts.added == len(strings)
    stored = any_db.execute(
        "SELECT p.notes, r.extras FROM people p JOIN list_rows r ON r.person_id = p.id"
        " ORDER BY r.row_number").fetchall()
    assert [n for n, _ in stored] == [s.strip() or None for s in strings]
    assert [json.loads(e)["Raw"] for _, e in stored] == strings
    report = importing.report(any_db, result.import_id, viewer=access.FULL_ACCESS)
    assert list(report["Raw"]) == strings
    exported = export.to_csv(report[["Raw"]]).decode("utf-8-sig")
    values = [row[0] for row in csv.reader(io.StringIO(exported, newline=""))][1:]
    assert values == [export.neutralise(s) for s in strings]


def corpus_files(external):
    skip = {".md", ".sha256", ".json", ".xml", ".txt"}
    return [p for p in sorted(external.rglob("*"))
            if p.is_file() and p.suffix.lower() not in skip
            and p.name not in ("LICENSE", "COPYING")]


def test_the_whole_external_corpus_imports_or_is_refused_clearly(any_db, external):
    outcomes = {}
    for number, path in enumerate(corpus_files(external)):
        try:
            result = run(any_db, path.read_bytes(), f"corpus {number}", path.name)
        except UserError as exc:
            assert str(exc).strip(), f"{path.name}: refused without a reason"
            outcomes[path.name] = "refused"
            continue
        counts = result.counts
        assert counts.rows_in_file == (counts.blank + counts.added + counts.already_known
                                       + counts.duplicates_in_file + counts.rejected), path.name
        outcomes[path.name] = "imported"
    assert outcomes["grandtotal_de.csv"] == "imported"
    assert outcomes["contacts.csv"] == "imported"
    assert outcomes["pass_protected.xlsx"] == "refused"
    total = any_db.execute("SELECT count(*) FROM people").fetchone()[0]
    assert total > 500
    empty = any_db.execute("SELECT l.name FROM lists l WHERE NOT EXISTS"
                             " (SELECT 1 FROM list_rows r WHERE r.list_id = l.id)").fetchall()
    assert empty == []  # an import that adds nobody is refused, it leaves no empty list behind
    assert any_db.execute("SELECT count(*) FROM lists").fetchone()[0] == sum(
        outcome == "imported" for outcome in outcomes.values())


def test_possible_duplicates_compare_only_within_a_block(any_db):
    known = [["Firma A", "", f"P{i}", f"Schmidt{i}", f"p{i}@a.de", "", "", ""] for i in range(30)]
    known += [["Firma B", "", f"Q{i}", f"Meyer{i}", f"q{i}@b.de", "", "", ""] for i in range(30)]
    run(any_db, german(*known), "KW47")
    data = german(["Firma A", "", "Nina", "Schulz", "nina@a.de", "", "", ""],
                  ["Firma C", "", "Olaf", "Schmidt", "olaf@c.de", "", "", ""])
    table = importing.read(any_db, data, "b.csv")
    preview = importing.prepare(any_db, data, "b.csv", table,
                                importing.suggested_mapping(any_db, table), "KW48")
    pairs = matching.candidate_pairs(any_db, preview.stage)
    assert 0 < len(pairs) <= 4 * matching.WINDOW  # neighbours in two sort orders, not all 30
    assert set(pairs["other_name"].str.split().str[1].str[:1]) == {"s"}
    assert set(pairs["name"]) == {"nina schulz"}


def test_a_walk_in_contact_gets_the_same_checks_as_an_import(any_db):
    run(any_db, german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "", ""]), "KW47")
    list_id = any_db.execute("SELECT id FROM lists").fetchone()[0]
    known = importing.add_person(any_db, list_id, {"email": " MAX@Firma.de ",
                                                     "city": "Köln"}, by=None)
    assert (known.created, known.already_on_list) == (False, True)
    walk_in = importing.add_person(any_db, list_id, {"first_name": "Eva", "last_name": "Engel",
                                                       "company": "Engel AG"}, by=None)
    assert walk_in.created and not walk_in.already_on_list
    assert person(any_db, "max@firma.de")["city"] == "Köln"
    before = table_counts(any_db)
    with pytest.raises(InvalidInput, match="e-mail"):
        importing.add_person(any_db, list_id, {"email": "eva(at)engel.de"}, by=None)
    with pytest.raises(InvalidInput, match="name, a company"):
        importing.add_person(any_db, list_id, {"city": "Bonn"}, by=None)
    assert table_counts(any_db) == before


# --- what the Import page says ---------------------------------------------------------------


def test_the_import_page_names_the_file_its_imports_and_what_they_did(any_db):
    data = german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "", ""])
    assert importing.fingerprint(data) == importing.prepare(
        any_db, data, "KW48 Messe.csv", importing.read(any_db, data, "KW48 Messe.csv"),
        dict.fromkeys(GERMAN_HEADER) | {"E-Mail": "email"}, "x").sha256
    assert importing.default_list_name("uploads/KW48 Messe.final.xlsx") == "KW48 Messe.final"
    result = run(any_db, data)
    assert result.message == "Imported 1 new and 0 known people into 'KW48 Messe'"
    importing.undo(any_db, result.import_id, by=None)
    run(any_db, data, "KW49")
    labels = importing.history_labels(importing.history_frame(any_db, viewer=access.FULL_ACCESS))
    assert list(labels.values()) == [f"#{result.import_id + 1} liste.csv → KW49",
                                     f"#{result.import_id} liste.csv → KW48 Messe (undone)"]


def test_importing_the_same_file_again_says_when_and_by_whom(any_db):
    data = german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "", ""])
    first = run(any_db, data, via="command line")
    earlier = importing.previous_import(any_db, "KW48 Messe", importing.fingerprint(data))
    assert importing.previous_import_text(earlier, "KW48 Messe") == (
        f"This file was already imported into 'KW48 Messe' on "
        f"{first.imported_at:%Y-%m-%d %H:%M} from the command line (import #{first.import_id})."
        " Importing it again changes nothing.")


@pytest.mark.parametrize(("name", "via", "said"), [
    ("Olga Ops", "browser", "by Olga Ops"), (None, "browser", "in the browser"),
    (None, "command line", "from the command line"), (None, None, "by an unrecorded user"),
])
def test_who_imported_is_the_user_else_where_it_came_from(name, via, said):
    assert importing.importer_text(name, via) == said


def test_the_preview_counts_read_in_order_and_the_detected_setting_comes_first():
    counts = importing.Counts(rows_in_file=10, added=6, already_known=2, blank=1, rejected=1)
    assert [label for label, _ in counts.shown][:3] == ["Rows in file", "New", "Already known"]
    assert dict(counts.shown)["Blank"] == 1 and len(counts.shown) == 11
    assert counts.shown[-1] == ("Kept out (erased)", 0)
    assert importing.detected_first("cp1252", importing.ENCODINGS)[:2] == ["cp1252", "utf-8"]
    assert importing.detected_first(";", importing.DELIMITER_LABELS) == [";", ",", "\t", "|", ""]


def test_a_preview_overtaken_by_another_import_is_matched_again_at_commit(any_db):
    data = german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "", ""])
    table = importing.read(any_db, data, "kw48.csv")
    preview = importing.prepare(any_db, data, "kw48.csv", table,
                                importing.suggested_mapping(any_db, table), "KW48")
    assert preview.counts.added == 1
    another_session = any_db.cursor()
    run(another_session, german(["Firma", "", "Max", "Mueller", "MAX@firma.de", "", "", ""]),
        "Other")
    result = importing.commit(any_db, preview, data, "KW48", by=None)
    assert (result.counts.added, result.counts.already_known) == (0, 1)
    assert any_db.execute("SELECT count(*) FROM people").fetchone()[0] == 1


def test_an_expired_preview_is_refused_without_writing(any_db):
    first = german(["Firma", "", "Max", "Mueller", "max@firma.de", "", "", ""])
    table = importing.read(any_db, first, "a.csv")
    stale = importing.prepare(any_db, first, "a.csv", table,
                              importing.suggested_mapping(any_db, table), "KW48")
    second = german(["Firma", "", "Eva", "Engel", "eva@firma.de", "", "", ""])
    table = importing.read(any_db, second, "b.csv")
    importing.prepare(any_db, second, "b.csv", table,
                      importing.suggested_mapping(any_db, table), "KW48")
    before = table_counts(any_db)
    with pytest.raises(UserError, match="expired"):
        importing.commit(any_db, stale, first, "KW48", by=None)
    assert table_counts(any_db) == before
