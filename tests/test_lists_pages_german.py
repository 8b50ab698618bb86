"""The Lists, Import and Prospecting pages (AppTest) for a user who reads German: German
headings, labels, dates and numbers, and none of the pages' English wording left."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import i18n, importing, lists, rows, users
from tests import factories
from tests.apptest import cursor, no_failure, open_page
from tests.lead_seed import ANNA, user_id
from tests.test_importing import german
from tests.test_prospecting_page import WALK_INS, edit

WIDGETS = ("button", "selectbox", "text_input", "toggle", "number_input", "file_uploader",
           "multiselect", "checkbox", "radio", "date_input")
TEXTS = ("title", "header", "subheader", "caption", "markdown", "text", "info", "warning",
         "error", "success", "exception")


def shown_texts(at: AppTest) -> list[str]:
    """Every text of the main area a person reads: headings, texts, alerts, widget labels,
    placeholders and help, metric labels, expander and status labels, table headers."""
    found = []
    for kind in TEXTS:
        found += [str(e.value) for e in getattr(at.main, kind)]
    for kind in WIDGETS:
        for widget in getattr(at.main, kind):
            found += [str(widget.label), str(getattr(widget, "help", "") or ""),
                      str(getattr(widget, "placeholder", "") or "")]
    found += [m.label for m in at.main.metric]
    found += [e.label for e in at.main.expander] + [s.label for s in at.main.status]
    for frame in at.main.dataframe:
        found += [str(c) for c in frame.value.columns]
    return [text for text in found if text]


def in_german(path: Path, email: str | None = None, role: str | None = None) -> int:
    """The user to act as, with German as their language."""
    with cursor(path) as db:
        uid = user_id(db, email) if email else factories.user(db, "Olga Ops", role=role)
        users.set_language(db, uid, "de", by=uid)
    return uid


def assert_none_of(texts: list[str], english: list[str]) -> None:
    joined = "\n".join(texts)
    left = [phrase for phrase in english if phrase in joined]
    assert not left, f"English left on the page: {left}"


def test_the_lists_page_reads_german(demo_path, monkeypatch):
    at = open_page(demo_path, "lists", monkeypatch, acting=in_german(demo_path, ANNA))
    no_failure(at)
    texts = shown_texts(at)
    assert [t.value for t in at.title] == ["Listen"]
    assert at.selectbox(key="lists_open").label == "An einer Liste arbeiten"
    assert at.button(key="lists_open_button").label == "In Qualifizierung öffnen"
    assert at.caption[0].value.split(" · ")[0].endswith(" Listen")
    assert_none_of(texts, ["Work on a list", "Open in Prospecting", "Lists", "Latest file"])


def test_the_welcome_reads_german(db_path, monkeypatch):
    at = open_page(db_path, "lists", monkeypatch, acting=in_german(db_path, role="admin"))
    no_failure(at)
    assert [t.value for t in at.title] == ["Willkommen bei leadladder"]
    assert at.button(key="lists_load_demo").label == "Demodaten laden"
    assert "**Leads mit einem nächsten Schritt**" in at.markdown[0].value
    assert_none_of(shown_texts(at), ["Welcome", "Load demo data", "Upload this week"])


def test_the_import_page_reads_german_through_the_preview(db_path, monkeypatch):
    with cursor(db_path) as db:
        importing.import_file(db, german(["Bäckerei Sonne", "Frau", "Anna", "Muster",
                                          "anna@sonne.de", "", "", ""]),
                              "kw47.csv", "KW47", by=None, via="command line")
    at = open_page(db_path, "import_file", monkeypatch, acting=in_german(db_path, role="ops"))
    at.file_uploader(key="import_file").set_value(("kw48.csv", german(
        ["Café Mond", "Herr", "Max", "Mond", "max(at)mond", "", "", ""],
        ["Bäckerei Sonne", "Frau", "Anna", "Muster", "anna@sonne.de", "", "", ""]),
        "text/csv")).run()
    no_failure(at)
    texts = shown_texts(at)
    assert [t.value for t in at.title] == ["Import einer Liste"]
    assert [s.label for s in at.status] == ["Datei gelesen"]
    assert [h.value for h in at.subheader] == ["Spalten", "Vorschau", "Import-Verlauf"]
    assert {m.label: m.value for m in at.metric}["Zeilen in der Datei"] == "2"
    preview = next(f.value for f in at.dataframe if "Ergebnis" in f.value.columns)
    assert preview[["Zeile", "Ergebnis", "Hinweis"]].values.tolist() == [
        [2, "neu", "E-Mail: keine gültige Angabe für E-Mail (max(at)mond)"],
        [3, "bereits bekannt", ""]]
    mapping = at.session_state[next(k for k in at.session_state
                                    if str(k).startswith("import_mapping_"))]
    assert mapping is not None
    assert_none_of(texts, ["Import a list", "File read", "Columns", "Preview", "Into list",
                           "Rows in file", "Already known", "Each column of the file",
                           "already known", "not a valid"])
    with i18n.using("de"):  # AppTest words the widgets' format functions in the test's context
        at.button(key="import_commit").click().run()
    no_failure(at)
    assert at.success[0].value.startswith("Import #2 ist fertig.")


def test_a_refused_upload_says_why_in_german(db_path, monkeypatch):
    at = open_page(db_path, "import_file", monkeypatch, acting=in_german(db_path, role="ops"))
    at.file_uploader(key="import_file").set_value(("liste.csv", b"", "text/csv")).run()
    assert [e.value for e in at.error] == ["Diese Datei ist leer."]
    assert [s.label for s in at.status] == ["Datei abgelehnt"]


@pytest.fixture
def anna_in_german(demo_path) -> tuple[int, int]:
    """Anna (a rep of the demo) reads German; a list of three walk-ins on top of the demo."""
    with cursor(demo_path) as db:
        importing.import_file(db, WALK_INS, "walk-ins.csv", "Walk-ins", by=None)
        list_id = lists.list_id(db, "Walk-ins")
    return in_german(demo_path, ANNA), list_id


def test_the_prospecting_page_reads_german(demo_path, monkeypatch, anna_in_german):
    anna, list_id = anna_in_german
    at = open_page(demo_path, "prospecting", monkeypatch, acting=anna,
                   session={"prospecting_open": list_id})
    no_failure(at)
    texts = shown_texts(at)
    assert [t.value for t in at.title] == ["Qualifizierung"]
    assert at.text_input(key="prospecting_search").label == "Suche"
    assert at.selectbox(key="prospecting_sort").label == "Sortieren nach"
    assert at.toggle(key="prospecting_duplicates").label == "Nur mögliche Dubletten"
    base = at.session_state["prospecting_rows_base"]
    badges = set(base["status"])
    assert badges <= {"⚪ Suspect", "🟡 Interessent", "🟢 Lead", "⚫ verworfen"}, badges
    whys = " ".join(base["why"])
    assert "Suspect: nichts angehakt" in whys or "Interessent: " in whys
    assert not any(word in whys for word in ("nothing ticked", "prospect:", "needed"))
    assert [c.value for c in at.caption if c.value.startswith("Zeilen ")], texts
    assert_none_of(texts, ["Search", "Sort by", "Possible duplicates only", "Rows per page",
                           "Select rows with the first column", "Convert to lead", "Revive",
                           "Add person", "Download", "Page"])


def test_the_prospecting_card_reads_german(demo_path, monkeypatch, anna_in_german):
    anna, list_id = anna_in_german
    at = open_page(demo_path, "prospecting", monkeypatch, acting=anna,
                   session={"prospecting_open": list_id, "prospecting_cards": True})
    no_failure(at)
    labels = [t.label for t in at.main.toggle]
    assert {"Marke", "Bedarf", "Folgetermin"} <= set(labels), labels
    assert at.button(key="prospecting_card_convert").label == "➕ Umwandeln"
    assert [c.value for c in at.caption if c.value.startswith("Zeile 1 von ")]
    status_line = next(t.value for t in at.main.text if " · " in t.value and t.value[0] in
                       "⚪🟡🟢⚫")
    assert status_line.split(" · ")[0] in {"⚪ Suspect", "🟡 Interessent", "🟢 Lead",
                                          "⚫ verworfen"}


def test_a_cancelled_row_reads_dead_in_german_and_can_be_revived(demo_path, monkeypatch,
                                                                 anna_in_german):
    """The grid's German badge is read back: a selected dead row offers Revive."""
    anna, list_id = anna_in_german
    with cursor(demo_path) as db:
        gerd = int(db.execute("SELECT id FROM people WHERE first_name = 'Gerd'").fetchone()[0])
        rows.cancel(db, gerd, "no budget", by=anna)
    at = open_page(demo_path, "prospecting", monkeypatch, acting=anna,
                   session={"prospecting_open": list_id})
    at.text_input(key="prospecting_search").input("Gruber").run()
    no_failure(at)
    base = at.session_state["prospecting_rows_base"]
    assert base.index.tolist() == [gerd]
    assert (base.loc[gerd, "status"], base.loc[gerd, "why"]) == (
        "⚫ verworfen", "verworfen: kein Budget")
    assert at.button(key="prospecting_revive").disabled
    edit(at, {0: {"select": True}})
    no_failure(at)
    assert not at.button(key="prospecting_revive").disabled
    at.button(key="prospecting_revive").click().run()
    no_failure(at)
    with cursor(demo_path) as db:
        assert db.execute("SELECT status FROM people WHERE id = ?", [gerd]).fetchone()[0] == (
            "suspect")
