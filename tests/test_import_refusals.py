"""Imports that would say "done" and do nothing (issue 9.3): refused, or read correctly and said."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from lib import importing, reading
from lib.errors import FileRefused
from tests.test_cli import cli, last_json

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["lists", "people", "list_rows", "imports", "import_rows", "history", "saved_mappings"]


def snapshot(db) -> dict[str, int]:
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def csv_text(rows: list[list[str]], delimiter: str = ";") -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


NOBODY = csv_text([["Firma", "Vorname", "E-Mail", "Notiz"], ["", "", "", "nur eine Notiz"],
                   ["", "", "", ""], ["", "", "", "noch eine"]])


def test_a_file_whose_rows_all_are_rejected_or_blank_is_refused(fresh_db):
    before = snapshot(fresh_db)
    with pytest.raises(FileRefused) as refused:
        importing.import_file(fresh_db, NOBODY.encode(), "liste.csv", "KW48", by=None)
    assert str(refused.value) == (
        "None of the 3 rows names a person (2 without a name, company, e-mail or phone, "
        "1 blank), so nothing was imported; check the column mapping.")
    assert snapshot(fresh_db) == before


def test_a_licence_text_is_refused_not_imported_as_rejected_rows(fresh_db, external):
    licence = (external / "atomic-crm" / "LICENSE.md").read_bytes()
    before = snapshot(fresh_db)
    with pytest.raises(FileRefused, match="^None of the .* rows names a person"):
        importing.import_file(fresh_db, licence, "LICENSE.md", "Licence", by=None)
    assert snapshot(fresh_db) == before


def test_the_command_line_refuses_it_in_one_line_and_creates_no_list(db_path, tmp_path):
    upload = tmp_path / "liste.csv"
    upload.write_text(NOBODY, encoding="utf-8")
    done = cli("import", str(upload), "--list", "KW48", db_path=db_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: None of the 3 rows names a person (2 without a name, company, e-mail or phone, "
        "1 blank), so nothing was imported; check the column mapping."]
    assert last_json(cli("lists", "--json", db_path=db_path)) == []


def test_a_header_over_64_kb_still_finds_the_delimiter(fresh_db):
    notes = [f"Hinweis {i} " + "x" * 1_000 for i in range(80)]  # an 80 KB header line
    rows = [["Firma", "Vorname", "Nachname", "E-Mail", *notes]] + [
        [f"Firma {i}", "Anna", f"Muster {i}", f"anna{i}@firma{i}.de", *[""] * 80]
        for i in range(3)]
    data = csv_text(rows).encode()
    assert len(data.split(b"\r\n")[0]) > reading.SAMPLE_CHARS
    table = reading.read_table(data, "liste.csv")
    assert (table.options.delimiter, table.columns[:4]) == (
        ";", ["Firma", "Vorname", "Nachname", "E-Mail"])
    result = importing.import_file(fresh_db, data, "liste.csv", "KW48", by=None)
    assert (result.counts.added, result.counts.rejected) == (3, 0)


def test_a_first_data_row_over_64_kb_still_finds_the_delimiter():
    rows = [["Firma", "E-Mail", "Notiz"], ["Acme", "a@acme.de", "y" * 100_000],
            ["Beta", "b@beta.de", "kurz"], ["Gamma", "c@gamma.de", ""]]
    table = reading.read_table(csv_text(rows, ",").encode(), "liste.csv")
    assert table.options.delimiter == ","
    assert table.rows["Firma"].tolist() == ["Acme", "Beta", "Gamma"]


def test_utf8_and_windows_1252_lines_in_one_file_are_each_read_right_and_named():
    head = csv_text([["Firma", "Vorname", "Ort"], ["Bäckerei", "Jürgen", "München"]])
    middle = csv_text([["Größe AG", "Özlem", "Köln"]])
    tail = csv_text([["Straße GmbH", "Änne", "Düsseldorf"]])
    data = head.encode("utf-8") + middle.encode("cp1252") + tail.encode("utf-8")
    table = reading.read_table(data, "liste.csv")
    assert table.rows.values.tolist() == [["Bäckerei", "Jürgen", "München"],
                                          ["Größe AG", "Özlem", "Köln"],
                                          ["Straße GmbH", "Änne", "Düsseldorf"]]
    assert ("This file mixes encodings: line 3 in Windows-1252 (cp1252), lines 2, 4 in UTF-8;"
            " each line was read in its own encoding.") in table.notes
    again = reading.read_table(data, "liste.csv", table.options)  # what the report does
    assert again.rows.equals(table.rows)


def test_a_windows_1252_file_is_not_called_mixed():
    data = csv_text([["Firma", "Ort"], ["Bäckerei", "München"]]).encode("cp1252")
    table = reading.read_table(data, "liste.csv")
    assert table.options.encoding == "cp1252" and not table.notes


def test_one_column_though_every_line_holds_a_delimiter_is_said_and_refused(fresh_db):
    """Every line wrapped in quotes: the sniffer rightly sees one column, and must say why."""
    lines = ['"Firma;Vorname;E-Mail"'] + [f'"Firma {i};Anna;anna{i}@firma.de"' for i in range(5)]
    data = ("\n".join(lines) + "\n").encode()
    table = reading.read_table(data, "liste.csv")
    note = ("Read as one column, though 6 of the first 6 lines hold semicolons (inside quotes, "
            "or not as many on every line); if the file has columns, choose its delimiter under "
            "File settings.")
    assert (table.options.delimiter, table.notes) == (reading.ONE_COLUMN, [note])
    with pytest.raises(FileRefused) as refused:
        importing.import_file(fresh_db, data, "liste.csv", "KW48", by=None)
    assert str(refused.value).endswith("check the column mapping. " + note)


def test_a_one_column_file_without_delimiters_says_nothing_about_them():
    data = b"E-Mail\nanna@acme.de\nben@beta.de\n"
    table = reading.read_table(data, "liste.csv")
    assert (table.options.delimiter, table.notes) == (reading.ONE_COLUMN, [])


def test_a_one_column_list_with_stray_quotes_imports_one_person_per_line(fresh_db):
    lines = ["Firma", 'ACME 12" Rohre', "Bau AG", '"Clas KG', "Dorn GmbH", 'Eck "Ecki" AG']
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    result = importing.import_file(fresh_db, data, "firmen.csv", "Firmen", by=None)
    assert (result.counts.rows_in_file, result.counts.added) == (5, 5)
    assert [company for (company,) in fresh_db.execute(
        "SELECT company FROM people ORDER BY id").fetchall()] == lines[1:]


def test_the_command_line_prints_what_the_reader_noticed(db_path, tmp_path):
    upload = tmp_path / "liste.csv"
    upload.write_bytes("Firma;Vorname\r\nBäckerei;Jürgen\r\n".encode()
                       + "Größe AG;Özlem\r\n".encode("cp1252"))
    done = subprocess.run([sys.executable, "-m", "lib.cli", "import", str(upload), "--list",
                           "KW48", "--db", str(db_path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "note: This file mixes encodings: line 3 in Windows-1252" in done.stderr
    assert last_json(done)["added"] == 2
