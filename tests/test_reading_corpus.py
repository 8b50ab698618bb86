"""lib.reading on the shared external corpus (../shared/testdata/external, see its SOURCES.md)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXTERNAL

from lib import reading
from lib.errors import FileRefused
from lib.reading import FORMATS, ReadOptions, Table, detect_format, read_table
from tests.test_reading import assert_same_table, values

NOT_TABLES = {"LICENSE", "COPYING"}
NOT_TABLE_SUFFIXES = {".md", ".sha256", ".json"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
SAFETY_NET = reading.UNREADABLE  # what read_table says when something unexpected went wrong


def corpus(*folders: str) -> list[str]:
    """Relative paths of the corpus files under the folders (all folders when none given)."""
    roots = [EXTERNAL / folder for folder in folders] or [EXTERNAL]
    return sorted(
        path.relative_to(EXTERNAL).as_posix()
        for root in roots
        if root.is_dir()
        for path in root.rglob("*")
        if path.is_file()
        and path.name not in NOT_TABLES
        and not path.name.startswith("LICENSE")
        and path.suffix not in NOT_TABLE_SUFFIXES
    )


ALL_FILES = corpus()
WORKBOOKS = [
    path for path in corpus("calamine", "python-calamine") if Path(path).suffix in WORKBOOK_SUFFIXES
]
SPECTRUM = [Path(path).stem for path in corpus("csv-spectrum/csvs")]


def read(external: Path, path: str, **options: str | int) -> Table:
    return read_table((external / path).read_bytes(), Path(path).name, ReadOptions(**options))


def refusal(external: Path, path: str) -> str:
    with pytest.raises(FileRefused) as refused:
        read(external, path)
    return str(refused.value)


def assert_well_formed(table: Table, data: bytes, name: str) -> None:
    """What the importer may rely on for every table, including that its options reproduce it."""
    assert table.columns and all(name == " ".join(name.split()) for name in table.columns)
    assert len({name.casefold() for name in table.columns}) == len(table.columns)
    assert list(table.rows.columns) == table.columns
    assert all(type(value) is str for value in table.rows.to_numpy().ravel())
    assert table.first_row_number == table.options.header_row + 2
    assert table.file_format in FORMATS
    assert_same_table(read_table(data, name, table.options), table)


# --- every file: a table or a clear refusal -----------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES)
def test_every_corpus_file_is_a_table_or_a_clear_refusal(external: Path, path: str):
    data = (external / path).read_bytes()
    try:
        table = read_table(data, Path(path).name)
    except FileRefused as refused:
        message = str(refused)
        assert message.endswith(".") and SAFETY_NET not in message
        return
    assert_well_formed(table, data, Path(path).name)


@pytest.mark.parametrize("path", WORKBOOKS)
def test_every_calamine_workbook_is_a_table_or_a_clear_refusal(external: Path, path: str):
    data = (external / path).read_bytes()
    try:
        table = read_table(data, Path(path).name)
    except FileRefused as refused:
        assert str(refused) and SAFETY_NET not in str(refused)
        return
    assert table.file_format == detect_format(data, Path(path).name)
    assert_well_formed(table, data, Path(path).name)


def test_both_csv_parsers_agree_on_the_corpus(external: Path, monkeypatch: pytest.MonkeyPatch):
    """Every file pyarrow parses gives the same table through the csv module (the ragged path)."""
    real_arrow_body = reading._arrow_body
    parsed: list[bool] = []

    def spy(*args: object, **kwargs: object) -> object:
        body = real_arrow_body(*args, **kwargs)
        parsed.append(body is not None)
        return body

    compared, differing = [], []
    for path in ALL_FILES:
        data = (external / path).read_bytes()
        parsed.clear()
        monkeypatch.setattr(reading, "_arrow_body", spy)
        try:
            fast = read_table(data, path)
        except FileRefused:
            continue
        if not any(parsed):
            continue  # a workbook, or ragged: the csv module read it in the first place
        monkeypatch.setattr(reading, "_arrow_body", lambda *args, **kwargs: None)
        compared.append(path)
        try:
            assert_same_table(read_table(data, path), fast)
        except AssertionError:
            differing.append(path)
    assert differing == []
    assert len(compared) > 100


# --- csv-spectrum -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SPECTRUM)
def test_csv_spectrum_parses_to_its_expected_json(external: Path, name: str):
    expected = json.loads((external / "csv-spectrum/json" / f"{name}.json").read_text("utf-8"))
    expected = expected if isinstance(expected, list) else [expected]
    if name == "location_coordinates":  # upstream's JSON has another phone number than its CSV
        expected[0]["Contact Phone Number"] = "2095257564"
    table = read(external, f"csv-spectrum/csvs/{name}.csv")
    assert table.rows.to_dict("records") == expected


# --- header detection on real files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "header_row", "columns", "first_row"),
    [
        ("calamine/header-row.xlsx", 8, ["Columns", "Column A", "Column B", "Column C"],
         ["put data here", "1", "2", "3"]),
        ("calamine/temperature-in-middle.xlsx", 3, ["label", "value"], ["celsius", "22.2222"]),
        ("duckdb/auto/skip_row.csv", 1, ["number", "text", "date"],
         ["345.0", "TEST3", "2000-12-13"]),
        ("duckdb/auto/multiple_skip_row.csv", 2, ["number", "text", "date"],
         ["345.0", "TEST4", "2000-12-13"]),
        ("duckdb/dirty_line.csv", 1, ["COL1", "COL2", "COL3"], ["1.5", "a", "3"]),
        ("csvkit/test_skip_lines.csv", 3, ["a", "b", "c"], ["1", "2", "3"]),
        ("csvkit/test_skip_lines.xlsx", 3,
         ["text", "date", "integer", "boolean", "float", "datetime", "empty_column", "column_8"],
         ["Chicago Reader", "1971-01-01", "40", "TRUE", "1", "1971-01-01 04:14", "", ""]),
    ],
)  # fmt: skip
def test_the_header_is_found_below_title_rows(
    external: Path, path: str, header_row: int, columns: list[str], first_row: list[str]
):
    table = read(external, path)
    assert (table.options.header_row, table.first_row_number) == (header_row, header_row + 2)
    assert table.columns == columns
    assert values(table)[0] == first_row


def test_the_data_sheet_of_csv_detective_has_its_header_on_row_2(external: Path):
    table = read(external, "csv-detective/file.xlsx", sheet="REI_1987")
    assert (table.options.header_row, table.first_row_number) == (1, 3)
    assert table.columns[:5] == ["dep", "DEPDIR", "DDC", "DIRCOM", "DEPCOM"]
    assert values(table)[0][:5] == ["01", "010", "010001", "010001", "01001"]
    assert table.sheets == ["Notice", "REI_1987"]


def test_frappe_headers_are_trimmed_and_values_are_not(external: Path):
    table = read(external, "frappe/sample_import_file_semicolon.csv")
    assert table.options.delimiter == ";"
    assert table.columns[:4] == ["Title", "Description", "Number", "another_number"]
    assert len(table.columns) == 14
    first = values(table)[0]
    assert (first[0], first[6], first[-1]) == (
        "Test 5  ",
        "child description with ,comma and                 ",
        " 7",
    )
    assert len(table.rows) == 4


# --- encodings, delimiters and line ends on real files -----------------------------------------


def test_german_grandtotal_export(external: Path):
    table = read(external, "kimai/grandtotal_de.csv")
    assert table.options == ReadOptions("utf-8", ";", None, 0)
    assert table.columns[:8] == [
        "Firma", "Abteilung", "Titel", "Vorname", "Zweiter Vorname", "Nachname", "E-Mail", "Straße",
    ]  # fmt: skip
    assert len(table.columns) == 21 and len(table.rows) == 2
    first = table.rows.iloc[0]
    assert (first["Straße"], first["Kundennummer"], first["PLZ"]) == (
        "Acme Street\nDowntown",
        "00001",
        "1022",
    )
    assert (
        first["Notiz"] == "sakdjhfg laksjhdfasd f#asd<br>\n fas<br>\n dfasdfasdf<br>\n asdfasdfasdf"
    )


def test_a_cp1252_copy_of_the_german_export_reads_the_same(external: Path):
    data = (external / "kimai/grandtotal_de.csv").read_bytes().decode("utf-8").encode("cp1252")
    table = read_table(data, "grandtotal_de.csv")
    original = read(external, "kimai/grandtotal_de.csv")
    assert table.options.encoding == "cp1252"
    assert table.columns == original.columns
    pd.testing.assert_frame_equal(table.rows, original.rows)


def test_latin1_files_decode_their_accents(external: Path):
    assert values(read(external, "csvkit/test_latin1.csv")) == [["1", "2", "3"], ["4", "5", "©"]]
    names = [row[0] for row in values(read(external, "duckdb/encodings/latin1.csv"))]
    assert names[:4] == ["José Álvarez", "Müller", "François Dupont", "Björn Andersson"]


def test_utf16_big_endian(external: Path):
    table = read(external, "csvkit/test_utf16_big.csv")
    assert (table.options.encoding, table.columns) == ("utf-16", ["a", "b", "c"])
    assert values(table) == [["1", "2", "3"], ["4", "5", "ʤ"]]


def test_classic_mac_line_ends(external: Path):
    table = read(external, "csvkit/mac_newlines.csv")
    assert values(table) == [["1", "2", "3"], ["Once upon\ra time", "5", "6"]]


def test_tab_comma_mixed_reads_the_tab_rows_under_the_comma_line(external: Path):
    """The first line is comma-separated, the rest tab-separated; no delimiter fits both.

    Tab splits three of four lines consistently, so it wins; the comma line becomes the one
    header cell and the tab rows' other cells land in extra columns, nothing is lost.
    """
    table = read(external, "thunderbird-addressbook/tab_comma_mixed.csv")
    assert table.options.delimiter == "\t"
    assert table.columns == [
        "1,1,1,1,1@host.invalid" + "," * 21, "column_2", "column_3", "column_4", "column_5",
    ]  # fmt: skip
    assert values(table)[0] == ["2", "2", "2", "2", "2@host.invalid"]
    assert table.notes == [
        "3 rows had more cells than the header: extra columns column_2, column_3, column_4, "
        "column_5."
    ]


# --- workbooks ----------------------------------------------------------------------------------


def test_1904_dates_equal_1900_dates(external: Path):
    plain, mac = read(external, "calamine/date.xlsx"), read(external, "calamine/date_1904.xlsx")
    assert plain.columns == mac.columns == ["2021-01-01", "15"]
    assert values(plain) == values(mac) == [["2021-01-02", "16"], ["255:10:10", "17"]]


def test_hidden_and_chart_sheets_are_neither_chosen_nor_listed(external: Path):
    table = read(external, "calamine/any_sheets.xlsx")
    assert (table.options.sheet, table.sheets) == ("Visible", ["Visible"])
    assert values(table)[:2] == [["3", "4"], ["5", "6"]]


@pytest.mark.parametrize("path", ["calamine/pass_protected.xlsx", "python-calamine/password.xlsx"])
def test_encrypted_workbooks_are_refused(external: Path, path: str):
    assert refusal(external, path) == reading.ENCRYPTED


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("python-calamine/empty_file.xlsx", "This file is empty."),
        ("calamine/empty_sheet.xlsx", "This workbook is empty."),
        ("calamine/vba.xlsm", "This workbook is empty."),
        ("python-calamine/base.xlsx", "The file has a header but no data rows."),
    ],
)
def test_empty_workbooks_are_refused(external: Path, path: str, message: str):
    assert refusal(external, path) == message


def test_a_19_digit_text_id_stays_exact(external: Path):
    assert values(read(external, "calamine/string-ref.xlsx")) == [["-8086931554011838357"]]


def test_issue_174_declaring_a_huge_range_reads_normally(external: Path):
    table = read(external, "calamine/issue_174.xlsx")
    assert table.columns[:3] == ["Your Ref #", "Contact Name", "Contact Number"]
    assert "City" in table.columns  # "City " in the file, trimmed
    assert values(table)[0][:3] == ["123", "Test Contact Name", "Test Contact Number"]


def test_vba_workbook_is_read_as_xlsm_data(external: Path):
    """vba.xlsm's sheets are empty; the same package with data in its first sheet reads as xlsm."""
    original = (external / "calamine/vba.xlsm").read_bytes()
    assert detect_format(original, "vba.xlsm") == "xlsm"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Firma</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Telefon</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ACME</t></is></c><c r="B2"><v>4930123456</v></c>'
        "</row></sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else None
            target.writestr(info, content or source.read(info))
    table = read_table(out.getvalue(), "vba.xlsm")
    assert (table.file_format, table.columns, values(table)) == (
        "xlsm",
        ["Firma", "Telefon"],
        [["ACME", "4930123456"]],
    )


def test_legacy_xls_is_read(external: Path):
    table = read(external, "csvkit/dummy.xls")
    assert (table.file_format, table.columns, values(table)) == (
        "xls",
        ["a", "b", "c"],
        [["1", "2", "3"]],
    )
