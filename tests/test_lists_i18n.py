"""The lists area in German (issue 11): refusals, import issues and report, stale edits, the
why of a status, the status badge read back, criterion labels and the download's headers.
English is pinned by the area's other tests; these pin the German wording of the same things."""

from __future__ import annotations

import pandas as pd
import pytest

from lib import access, grid, i18n, importing, mapping, reading, rows, settings
from lib import qualification as q
from lib.errors import EditConflict, FileRefused, InvalidInput
from tests import factories
from tests.test_importing import german
from tests.workbooks import with_stray_cell

ANNA = ["Bäckerei Sonne", "Frau", "Anna", "Muster", "anna@sonne.de", "", "", ""]
BAD_MAIL = ["Café Mond", "Herr", "Max", "Mond", "max(at)mond", "", "", ""]
NOBODY = ["", "", "", "", "", "", "", "nur eine Notiz"]


@pytest.fixture
def in_german():
    with i18n.using("de"):
        yield


def refusal(data: bytes, name: str = "liste.csv", **limits) -> str:
    with pytest.raises(FileRefused) as refused:
        reading.read_table(data, name, **limits)
    return str(refused.value)


def test_a_refused_file_says_why_in_german(in_german):
    assert refusal(b"") == "Diese Datei ist leer."
    assert refusal(b"%PDF-1.7 ...") == "Das ist keine Tabelle: Es sieht aus wie ein PDF-Dokument."
    assert refusal(german(ANNA), max_rows=10**6, max_bytes=10) == (
        "Die Datei hat 0,0 MB; das Limit ist 0 MB.")


def test_a_limit_refusal_names_the_setting_in_german(fresh_db, in_german):
    settings.put(fresh_db, "max_file_mb", 7, by=None)
    with pytest.raises(FileRefused) as refused:
        importing.check_size(fresh_db, 8 * 2**20)
    assert str(refused.value).startswith(
        "Die Datei hat 8,0 MB; das Limit ist 7 MB. Ein Admin kann das Limit unter "
        "Einstellungen anheben (")


def test_a_workbook_refusal_from_the_parent_uses_german_numbers(in_german):
    assert refusal(with_stray_cell("XFD1048576"), "liste.xlsx").startswith(
        "Ein Blatt dieser Arbeitsmappe reicht bis Zelle XFD1048576 (1.048.576 Zeilen × "
        "16.384 Spalten)")


def test_the_workbook_child_reads_in_the_callers_language(in_german):
    """The sheet note is written in the child process: it comes back in German."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Kontakte"
    book.active.append(["Firma", "Vorname", "Nachname"])
    book.active.append(["Bäckerei Sonne", "Anna", "Muster"])
    book.create_sheet("Notizen").append(["nichts"])
    import io
    data = io.BytesIO()
    book.save(data)
    table = reading.read_table(data.getvalue(), "liste.xlsx")
    assert table.notes == ["Das Blatt 'Kontakte' wurde gelesen; weitere Blätter: Notizen."]
    with pytest.raises(FileRefused, match="^Diese Arbeitsmappe hat kein Blatt namens 'Preise'"):
        reading.read_table(data.getvalue(), "liste.xlsx", reading.ReadOptions(sheet="Preise"))
    with i18n.using("en"):
        assert reading.read_table(data.getvalue(), "liste.xlsx").notes == [
            "Read the sheet 'Kontakte'; other sheets: Notizen."]


def test_a_file_naming_nobody_is_refused_in_german(fresh_db, in_german):
    table = importing.read(fresh_db, german(NOBODY), "liste.csv")
    with pytest.raises(FileRefused) as refused:
        importing.prepare(fresh_db, german(NOBODY), "liste.csv", table,
                          importing.suggested_mapping(fresh_db, table), "KW48")
    assert str(refused.value) == (
        "Keine der 1 Zeilen nennt eine Person (1 ohne Name, Firma, E-Mail oder Telefon, 0 leer),"
        " daher wurde nichts importiert; prüfen Sie die Zuordnung der Spalten.")


def test_the_import_report_and_preview_say_status_and_issue_in_german(fresh_db):
    data = german(ANNA, BAD_MAIL, NOBODY)
    result = importing.import_file(fresh_db, data, "kw48.csv", "KW48", by=None)
    with i18n.using("de"):
        report = importing.report(fresh_db, result.import_id, viewer=access.FULL_ACCESS)
        table = importing.read(fresh_db, data, "kw48.csv")
        preview = importing.prepare(fresh_db, data, "kw49.csv", table,
                                    importing.suggested_mapping(fresh_db, table), "KW49")
        shown = importing.preview_rows(fresh_db, preview, viewer=access.FULL_ACCESS)
    assert report[["Importstatus", "Importhinweis"]].values.tolist() == [
        ["neu", ""],
        ["neu", "E-Mail: keine gültige Angabe für E-Mail (max(at)mond)"],
        ["abgelehnt", "kein Name, keine Firma, keine E-Mail und kein Telefon"]]
    assert shown[["Zeile", "Ergebnis", "Hinweis"]].values.tolist() == [
        [2, "bereits bekannt", ""],
        [3, "bereits bekannt", "E-Mail: keine gültige Angabe für E-Mail (max(at)mond)"],
        [4, "abgelehnt", "kein Name, keine Firma, keine E-Mail und kein Telefon"]]
    assert {"Firma", "Vorname", "Nachname", "E-Mail"} <= set(shown.columns)
    english = importing.report(fresh_db, result.import_id, viewer=access.FULL_ACCESS)
    assert english[["import_status", "import_issue"]].values.tolist()[1] == [
        "added", "e-mail: not a valid e-mail (max(at)mond)"]


def test_an_import_result_and_a_walk_in_speak_german(fresh_db, in_german):
    result = importing.import_file(fresh_db, german(ANNA), "kw48.csv", "KW48", by=None)
    assert result.message == "1 neue und 0 bekannte Personen in die Liste 'KW48' importiert"
    assert [label for label, _value in result.counts.shown][:3] == [
        "Zeilen in der Datei", "Neu", "Bereits bekannt"]
    list_id = fresh_db.execute("SELECT id FROM lists").fetchone()[0]
    admin = factories.user(fresh_db, "Ada Admin", role="admin")
    with pytest.raises(InvalidInput, match="^E-Mail: 'kein-mail' ist keine gültige Angabe für "
                                           "E-Mail$"):
        importing.add_person(fresh_db, list_id, {"first_name": "Jo", "email": "kein-mail"},
                             by=admin)
    added = importing.add_person(fresh_db, list_id, {"first_name": "Jo", "last_name": "Wald"},
                                 by=admin)
    assert added.message == "Neue Person hinzugefügt."


def test_the_mapping_editor_speaks_german_and_reads_either_language_back(fresh_db, in_german):
    table = importing.read(fresh_db, german(ANNA), "liste.csv")
    chosen = importing.suggested_mapping(fresh_db, table)
    editor = importing.mapping_table(table, chosen)
    assert editor["field"].tolist()[:4] == ["Firma", "Anrede", "Vorname", "Nachname"]
    assert importing.field_choices()[0] == "— als zusätzliche Spalte behalten —"
    assert importing.mapping_from_table(editor) == chosen
    with i18n.using("en"):
        english = importing.mapping_table(table, chosen)
    assert importing.mapping_from_table(english) == chosen  # an editor drawn before a switch
    with pytest.raises(InvalidInput, match="Vorname ist zwei Spalten zugeordnet"):
        mapping.check_mapping({"Vorname": "first_name", "Rufname": "first_name"})


@pytest.fixture
def worked(fresh_db):
    """A list of one row, ticked by a rep, and a second rep."""
    importing.import_file(fresh_db, german(ANNA), "kw48.csv", "KW48", by=None)
    anna = factories.user(fresh_db, "Anna Rep", role="rep")
    ben = factories.user(fresh_db, "Ben Rep", role="rep")
    pid = fresh_db.execute("SELECT id FROM people").fetchone()[0]
    q.set_tick(fresh_db, pid, "brand", True, expected=False, by=anna)
    return fresh_db, pid, anna, ben


def test_a_stale_tick_and_a_stale_edit_are_refused_in_german(worked, in_german):
    db, pid, anna, ben = worked
    with pytest.raises(EditConflict) as stale:
        q.set_tick(db, pid, "brand", True, expected=False, by=ben)
    assert str(stale.value) == (
        "Anna Rep hat 'Marke' angehakt, seit Sie die Liste geladen haben; es ist jetzt "
        "angehakt.")
    rows.edit_field(db, pid, "city", old=None, new="Köln", by=anna)
    with pytest.raises(EditConflict) as edited:
        rows.edit_field(db, pid, "city", old=None, new="Bonn", by=ben)
    assert str(edited.value) == (
        "Ort: Anna Rep hat den Wert auf 'Köln' geändert, seit Sie die Liste geladen haben; "
        "Ihre Änderung wurde nicht gespeichert.")
    rows.cancel(db, pid, "no budget", by=anna)
    with pytest.raises(Exception, match=r"^Diese Zeile ist verworfen \(kein Budget\); "):
        q.set_tick(db, pid, "social", True, expected=False, by=anna)


def test_the_why_of_a_status_and_the_history_read_german(worked, in_german):
    db, pid, anna, _ben = worked
    page, _total = rows.rows_page(db, rows.RowFilter(list_id=1), viewer=access.FULL_ACCESS)
    assert page.loc[0, "why"] == "Interessent: 1 von 5 — Marke"
    assert page.loc[0, "last_action"] == "Marke angehakt"
    rows.cancel(db, pid, "went to a competitor", by=anna)
    shown = grid.rows_shown(db, rows.RowFilter(list_id=1), viewer=access.FULL_ACCESS,
                            sort_by=None, descending=False, size=50, number=1)
    assert shown.iloc[0]["status"] == "⚫ verworfen"
    assert shown.iloc[0]["why"] == "verworfen: zum Wettbewerber gegangen"
    whats = grid.history_table(db, pid, viewer=access.FULL_ACCESS)["what"].tolist()
    assert whats[:3] == ["Status Interessent → verworfen", "verworfen: zum Wettbewerber gegangen",
                         "Status Suspect → Interessent"]


def test_the_status_badge_reads_back_in_either_language():
    for status in q.STATUSES:
        with i18n.using("de"):
            german_badge = grid.status_badge(status)
        english_badge = grid.status_badge(status)
        assert grid.status_of_badge(german_badge) == status
        assert grid.status_of_badge(english_badge) == status
    with i18n.using("de"):
        assert grid.status_badge("prospect") == "🟡 Interessent"
        assert grid.status_of_badge("⚫ dead") == "dead"  # a snapshot drawn in English
    assert grid.status_badge("prospect") == "🟡 prospect"


def test_criteria_are_shown_in_the_readers_language(fresh_db):
    by_key = {c.key: c for c in q.criteria(fresh_db)}
    with i18n.using("de"):
        assert (by_key["brand"].short, by_key["brand"].label) == ("Marke", "Markenbewusstsein")
        assert by_key["details"].explained == (
            "Hat nach Preisen, einer Demo oder einem Test gefragt.")
        assert grid.sort_label("tick:follow_up", list(by_key.values()), on_list=True) == (
            "✓ Folgetermin")
    assert (by_key["brand"].short, by_key["brand"].label) == ("brand", "Brand awareness")


def test_a_manager_edits_the_german_short_label_and_description(fresh_db):
    admin = factories.user(fresh_db, "Ada Admin", role="admin")
    table = {c.key: c for c in q.criteria_from_table(q.criteria_table(fresh_db))}
    from dataclasses import replace
    table["budget"] = replace(table["budget"], short_label_de="Geld",
                              description_de="Hat Geld.")
    q.update_criteria(fresh_db, list(table.values()), by=admin)
    changed = q.criterion(fresh_db, "budget")
    assert (changed.short_label, changed.short_label_de, changed.description_de) == (
        "budget", "Geld", "Hat Geld.")
    logged = fresh_db.execute("SELECT field, old_value, new_value FROM history"
                              " WHERE field LIKE 'criterion:budget.%' ORDER BY id").fetchall()
    assert logged == [("criterion:budget.short_label_de", "Budget", "Geld"),
                      ("criterion:budget.description_de",
                       "Hat Budget und Entscheidungsbefugnis oder erreicht, wer entscheidet.",
                       "Hat Geld.")]
    added = q.add_criterion(fresh_db, "trial", "lead", short_label="trial", label_en="Trial",
                            label_de="Test läuft", description="Runs a trial.", by=admin)
    assert (added.short_label_de, added.description_de) == ("trial", "Runs a trial.")
    with i18n.using("de"), pytest.raises(InvalidInput, match="^Kurzbezeichnung \\(Deutsch\\): "
                                                             "darf nicht leer sein$"):
        q.relabel(fresh_db, "trial", short_label="trial", label_en="Trial", label_de="Test",
                  description="Runs a trial.", short_label_de=" ", by=admin)


def test_the_download_has_german_headers(worked):
    db, _pid, _anna, _ben = worked
    with i18n.using("de"):
        frame = rows.export_rows(db, rows.RowFilter(list_id=1), viewer=access.FULL_ACCESS)
    assert list(frame.columns[:5]) == ["Firma", "Anrede", "Vorname", "Nachname", "E-Mail"]
    assert {"✓ Marke", "Status", "warum", "Verantwortlich", "letzte Aktion"} <= set(frame.columns)
    assert frame.loc[0, "Status"] == "Interessent"
    english = rows.export_rows(db, rows.RowFilter(list_id=1), viewer=access.FULL_ACCESS)
    assert english.loc[0, "status"] == "prospect" and "✓ brand" in english.columns


def test_row_action_outcomes_and_dialog_texts_read_german(worked, in_german):
    db, pid, anna, _ben = worked
    outcomes = rows.bulk_tick(db, [pid], "brand", True, seen={pid: False}, by=anna)
    assert [o.message for o in outcomes] == ["Marke bereits angehakt"]
    outcomes = rows.bulk_cancel(db, [pid], "no need", by=anna)
    assert grid.outcome_summary("cancel", outcomes, {pid: "Anna Muster"}) == (
        True, "Anna Muster: verworfen: kein Bedarf")
    both = rows.bulk_revive(db, [pid, 10**6], by=anna)
    assert grid.outcome_summary("revive", both, {pid: "Anna Muster"}) == (
        False, "Reaktiviert: 1 von 2 Zeilen.")
    assert grid.refusals(both, {}).columns.tolist() == ["Zeile", "Warum nicht"]
    chosen = {pid: ("Anna Muster", "dead"), 99: ("Max Mond", "prospect")}
    assert grid.cancel_label(chosen) == "2 Zeilen verwerfen"
    assert grid.convert_label(chosen) == "Trotzdem umwandeln"
    assert grid.convert_notes(db, chosen)[0] == (
        "warning", "Noch nicht als Lead qualifiziert: Max Mond (Interessent). Sie können "
                   "trotzdem umwandeln.")
    page = pd.DataFrame(index=range(100))
    page.attrs.update(total=12_345, offset=1_000)
    assert grid.rows_caption(page) == "Zeilen 1.001–1.100 von 12.345"
