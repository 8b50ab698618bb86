"""Downloads keep the data: XLSX strings come back unchanged, CSV neutralises only what Excel
would run as a formula (OWASP: = + - @, tab, CR). Both files are read back and compared with
the frame they were made from, cell by cell."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lib import access, export, importing, lists, rows

FORMULA_LIKE = ["=SUM(A1:A9)", "+49 30 1234567", "-Minus GmbH", "@home AG", "\tTabbed",
                "\rReturned", "=HYPERLINK(\"http://x\",\"y\")", "-", "+", "="]
HARMLESS = ["Müller & Söhne GmbH", "O'Brien Ltd", "'already quoted", " =leading space",
            "A=B", "1-2-3", "00123", "mail@example.com", "Zeppelin\nTestbau", "日本語 株式会社",
            "عربي", "👩‍💻 Tech", "_x0041_ literal", "bell\x07 and null\x00 inside",
            "tab\tinside", "x" * 5000, "TRUE", "1e5", "NaN", "NULL"]


def generated() -> pd.DataFrame:
    """Every kind of cell a download meets: text that looks like a formula or not, control
    characters, numbers, booleans, times and blanks, with a formula-like header too."""
    text = FORMULA_LIKE + HARMLESS
    n = len(text)
    return pd.DataFrame({
        "company": text,
        "=header": list(reversed(text)),
        "amount": [float(i) * 1.5 for i in range(n)],
        "count": list(range(n)),
        "✓ budget": [i % 2 == 0 for i in range(n)],
        "when": pd.to_datetime([datetime(2026, 12, 3, 9, i % 60, 7) for i in range(n)]),
        "note": [None if i % 3 else s for i, s in enumerate(text)],
    })


def blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_cells(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows()]


def expected_csv(value: object) -> str:
    if blank(value):
        return ""
    return export.neutralise(value) if isinstance(value, str) else str(value)


def assert_csv_matches(frame: pd.DataFrame, data: bytes) -> None:
    header, *lines = csv_cells(data)
    assert header == [export.neutralise(str(c)) for c in frame.columns]
    assert len(lines) == len(frame)
    for r, (line, values) in enumerate(zip(lines, frame.itertuples(index=False), strict=True)):
        for c, (got, value) in enumerate(zip(line, values, strict=True)):
            assert got == expected_csv(value), f"CSV row {r} column {frame.columns[c]!r}"


def assert_xlsx_matches(frame: pd.DataFrame, data: bytes) -> None:
    header, *lines = xlsx_cells(data)
    assert [export.ooxml_unescape(c.value) for c in header] == [str(c) for c in frame.columns]
    assert all(c.data_type == "s" for c in header)
    assert len(lines) == len(frame)
    for r, (line, values) in enumerate(zip(lines, frame.itertuples(index=False), strict=True)):
        for c, (cell, value) in enumerate(zip(line, values, strict=True)):
            where = f"XLSX row {r} column {frame.columns[c]!r}"
            if blank(value):
                assert cell.value is None, where
            elif isinstance(value, str):
                assert cell.data_type == "s", where  # never a formula
                assert export.ooxml_unescape(cell.value) == value, where
            elif isinstance(value, datetime):
                assert abs(cell.value - value.to_pydatetime()).total_seconds() < 0.001, where
            else:
                assert cell.value == value, where


def test_a_generated_frame_comes_back_cell_by_cell():
    frame = generated()
    assert_csv_matches(frame, export.to_csv(frame))
    assert_xlsx_matches(frame, export.to_xlsx(frame))


def test_csv_prefixes_exactly_the_cells_excel_would_run():
    header, *lines = csv_cells(export.to_csv(generated()[["company"]]))
    shown = [line[0] for line in lines]
    assert header == ["company"]
    assert shown[:len(FORMULA_LIKE)] == ["'" + s for s in FORMULA_LIKE]
    assert shown[len(FORMULA_LIKE):] == HARMLESS


def test_xlsx_never_adds_an_apostrophe_nor_writes_a_formula():
    _, *lines = xlsx_cells(export.to_xlsx(generated()[["company"]]))
    assert [export.ooxml_unescape(line[0].value) for line in lines] == FORMULA_LIKE + HARMLESS
    assert {line[0].data_type for line in lines} == {"s"}


def test_xml_illegal_characters_and_literal_escapes_survive_the_round_trip():
    text = "a\x00b\x1fc_x0041_d\ufffe"
    stored = export.ooxml_escape(text)
    assert "\x00" not in stored and "_x005F_x0041_" in stored
    assert export.ooxml_unescape(stored) == text


def naughty_file(strings: list[str]) -> bytes:
    """A CSV whose company, last name and an extra column hold the naughty strings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Company", "First name", "Last name", "E-mail", "Booth"])
    for i, s in enumerate(strings):
        writer.writerow([s, f"Naughty{i}", s, f"naughty{i}@example.com", s])
    return buffer.getvalue().encode()


@pytest.fixture
def naughty(fresh_db, external: Path) -> tuple[pd.DataFrame, list[str]]:
    """The big list of naughty strings imported as a list, and its download frame."""
    strings = [s for s in json.loads(
        (external / "big-list-of-naughty-strings" / "blns.json").read_text()) if s.strip()]
    importing.import_file(fresh_db, naughty_file(strings), "blns.csv", "Naughty", by=None)
    list_id = lists.list_id(fresh_db, "Naughty")
    return rows.export_rows(fresh_db, rows.RowFilter(list_id=list_id),
                            viewer=access.FULL_ACCESS), strings


def test_the_naughty_strings_list_exports_unchanged(naughty):
    frame, strings = naughty
    assert "Booth" in frame.columns  # the file's extra column is part of the download
    assert len(frame) == len(strings)
    assert_csv_matches(frame, export.to_csv(frame))
    assert_xlsx_matches(frame, export.to_xlsx(frame))


def test_every_naughty_company_the_import_kept_comes_back_as_it_was(naughty):
    frame, strings = naughty
    _, *lines = xlsx_cells(export.to_xlsx(frame[["company", "Booth"]]))
    companies = [export.ooxml_unescape(line[0].value or "") for line in lines]
    remarks = [export.ooxml_unescape(line[1].value or "") for line in lines]
    kept = [s for s in strings if s in set(frame["company"])]
    assert len(kept) > 0.9 * len(strings)
    assert all(s in companies for s in kept)
    assert remarks == strings  # an extra column is stored as the file had it
    assert not [c for c in companies if c.startswith("'") and c not in strings]


def test_the_german_excel_csv_has_semicolons_decimal_commas_and_german_dates():
    """What Excel set to German opens as columns: read back cell by cell."""
    frame = generated()
    frame["day"] = [datetime(2026, 12, 3).date()] * len(frame)
    data = export.to_german_excel_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the umlauts
    header, *lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                                     delimiter=";"))
    assert header == [export.neutralise(c) for c in frame.columns]
    assert len(lines) == len(frame)
    for line, (_, row) in zip(lines, frame.iterrows(), strict=True):
        cells = dict(zip(header, line, strict=True))
        assert cells["company"] == export.neutralise(row["company"])
        assert cells["amount"] == f"{row['amount']:.1f}".replace(".", ",")
        assert cells["count"] == str(row["count"])
        assert cells["when"] == row["when"].strftime("%d.%m.%Y %H:%M")
        assert cells["day"] == "03.12.2026"
    assert "Müller & Söhne GmbH" in data.decode("utf-8-sig")


def test_the_german_excel_csv_leaves_a_midnight_as_a_day_and_blanks_blank():
    frame = pd.DataFrame({"due": pd.to_datetime(["2026-12-24", None]), "n": [0.5, None]})
    assert export.to_german_excel_csv(frame).decode("utf-8-sig").split("\r\n") == [
        "due;n", "24.12.2026;0,5", ";", ""]
