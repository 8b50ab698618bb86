"""lib.reading on files generated here: encodings, delimiters, headers, workbooks and refusals."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import random
import zipfile

import openpyxl
import pandas as pd
import pytest

from lib import reading
from lib.errors import FileRefused
from lib.reading import ReadOptions, Table, detect_format, read_table

# --- helpers ------------------------------------------------------------------------------------


def csv_bytes(rows: list[list[str]], delimiter: str = ",", newline: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(*sheets: tuple[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = "hidden" if title in hidden else "visible"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def values(table: Table) -> list[list[str]]:
    return table.rows.to_numpy().tolist()


def assert_same_table(first: Table, second: Table) -> None:
    assert first.columns == second.columns
    pd.testing.assert_frame_equal(first.rows, second.rows)
    for field in ("first_row_number", "file_format", "options", "sheets", "notes"):
        assert getattr(first, field) == getattr(second, field), field


def assert_round_trip(data: bytes, name: str, table: Table) -> None:
    assert_same_table(read_table(data, name, table.options), table)


@pytest.fixture
def python_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the csv-module path that ragged files take."""
    monkeypatch.setattr(reading, "_arrow_body", lambda *args, **kwargs: None)


# --- the encoding x delimiter x line-end matrix -------------------------------------------------

ENCODINGS = {
    "utf-8": (lambda text: text.encode("utf-8"), "utf-8"),
    "utf-8-sig": (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
    "utf-16-le": (lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "utf-16"),
    "utf-16-be": (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16"),
    "cp1252": (lambda text: text.encode("cp1252"), "cp1252"),
}
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
NEWLINES = {"\r\n": "crlf", "\n": "lf", "\r": "cr"}
MATRIX = [
    pytest.param(encoding, delimiter, newline, id=f"{encoding}-{dname}-{nname}")
    for encoding in ENCODINGS
    for delimiter, dname in DELIMITER_NAMES.items()
    for newline, nname in NEWLINES.items()
]


def german_rows(delimiter: str, newline: str) -> list[list[str]]:
    return [
        ["Firma", "Name", "Straße", "Notiz"],
        [
            "Bäckerei Groß",
            "Müller",
            "Größe 5",
            f'5 €{delimiter} inkl. "MwSt"{newline}Zeile 2',
        ],
        ["Weiß & Söhne", " Jürgen", "Hauptstraße 1 ", "Rückruf erbeten"],
        ["Öztürk GmbH", "Zoë", "", "-"],
    ]


def german_csv(encoding: str, delimiter: str, newline: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(
        german_rows(delimiter, newline)
    )
    return ENCODINGS[encoding][0](out.getvalue())


@pytest.mark.parametrize(("encoding", "delimiter", "newline"), MATRIX)
def test_matrix_reads_the_exact_table(encoding: str, delimiter: str, newline: str):
    data = german_csv(encoding, delimiter, newline)
    table = read_table(data, "leads.csv")
    header, *rows = german_rows(delimiter, newline)
    assert table.columns == header
    assert values(table) == rows
    assert table.options == ReadOptions(ENCODINGS[encoding][1], delimiter, None, 0)
    assert (table.file_format, table.first_row_number, table.sheets, table.notes) == (
        "csv",
        2,
        [],
        [],
    )
    assert_round_trip(data, "leads.csv", table)


@pytest.mark.parametrize(("encoding", "delimiter", "newline"), MATRIX)
def test_matrix_the_csv_module_path_gives_the_same_table(
    encoding: str, delimiter: str, newline: str, monkeypatch: pytest.MonkeyPatch
):
    data = german_csv(encoding, delimiter, newline)
    fast = read_table(data, "leads.csv")
    monkeypatch.setattr(reading, "_arrow_body", lambda *args, **kwargs: None)
    assert_same_table(read_table(data, "leads.csv"), fast)


def test_values_are_strings_never_missing():
    table = read_table(b"a,b,c\n1,,3\n,,\n", "x.csv")
    assert list(table.rows.columns) == table.columns
    assert not table.rows.isna().to_numpy().any()
    assert all(type(value) is str for value in table.rows.to_numpy().ravel())


# --- delimiters and encodings -----------------------------------------------------------------


def test_semicolon_beats_the_decimal_commas_in_its_values():
    data = b"Firma;Umsatz;Rabatt\nACME;1,5;0,25\nInitech;2,75;0\n"
    table = read_table(data, "umsatz.csv")
    assert table.options.delimiter == ";"
    assert values(table) == [["ACME", "1,5", "0,25"], ["Initech", "2,75", "0"]]


def test_quoted_commas_do_not_split_a_semicolon_file():
    data = b'Name;Ort\n"M\xc3\xbcller, Hans";"Berlin, Mitte"\n"Meier, Eva";Bonn\n'
    table = read_table(data, "x.csv")
    assert table.options.delimiter == ";"
    assert values(table) == [["Müller, Hans", "Berlin, Mitte"], ["Meier, Eva", "Bonn"]]


def test_excel_sep_line_names_the_delimiter_and_is_skipped():
    table = read_table(b"sep=|\r\nName|Ort\r\nAnna|Bonn\r\n", "x.csv")
    assert (table.options.delimiter, table.columns, values(table)) == (
        "|",
        ["Name", "Ort"],
        [["Anna", "Bonn"]],
    )
    assert table.first_row_number == 3


def test_a_file_that_does_not_split_is_one_column():
    data = "Notiz\nHallo, Welt\nTschüss\nEins, zwei, drei; vier\n".encode()
    table = read_table(data, "notes.txt")
    assert table.options.delimiter == reading.ONE_COLUMN
    assert (table.columns, values(table)) == (
        ["Notiz"],
        [["Hallo, Welt"], ["Tschüss"], ["Eins, zwei, drei; vier"]],
    )
    assert_round_trip(data, "notes.txt", table)


# A plain list, one name per line; some lines hold a lone quote (an inch mark, a nickname).
LIST_WITH_QUOTES = ["Name", 'Max "Mäxchen Muster', "Anna Alt", '"Ben Bau"', 'ACME 12" Rohre',
                    '"Dora Dorn', "Emil Eck", '"Clas, Carla"', 'Frida "Fink"', "Gerd Gans"]
READ_AS = [['Max "Mäxchen Muster'], ["Anna Alt"], ["Ben Bau"], ['ACME 12" Rohre'],
           ['"Dora Dorn'], ["Emil Eck"], ["Clas, Carla"], ['Frida "Fink"'], ["Gerd Gans"]]
STRAY_NOTE = ('Read one value per line: the quote (") on lines 2, 5, 6, 9 does not enclose the '
              "whole line, so it is kept as part of the value.")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("parser", ["arrow", "python"])
def test_a_one_column_list_with_stray_quotes_is_one_row_per_line(request, newline, parser):
    if parser == "python":
        request.getfixturevalue("python_parser")
    data = newline.join(LIST_WITH_QUOTES).encode() + newline.encode()
    table = read_table(data, "namen.txt")
    assert table.options.delimiter == reading.ONE_COLUMN
    assert (table.columns, values(table)) == (["Name"], READ_AS)
    assert table.notes == [STRAY_NOTE]
    assert_round_trip(data, "namen.txt", table)


def test_a_one_column_list_whose_quotes_enclose_whole_lines_says_nothing():
    data = b'"E-Mail"\n"anna@alt.de"\n"ben ""der Bauer""@bau.de"\nclara@clas.de\n'
    table = read_table(data, "liste.csv")
    assert values(table) == [["anna@alt.de"], ['ben "der Bauer"@bau.de'], ["clara@clas.de"]]
    assert table.notes == []


def test_ragged_rows_still_split_on_the_delimiter():
    table = read_table(b"a,b,c\n1,2\n1,2,3,4\n", "x.csv")
    assert table.options.delimiter == ","
    assert table.columns == ["a", "b", "c", "column_4"]
    assert values(table) == [["1", "2", "", ""], ["1", "2", "3", "4"]]
    assert table.notes == [
        "1 row had fewer cells than the header; the missing cells are empty.",
        "1 row had more cells than the header: extra columns column_4.",
    ]


def test_delimiter_override_wins():
    table = read_table(b"a;b,c\n1;2,3\n", "x.csv", ReadOptions(delimiter=","))
    assert (table.columns, values(table)) == (["a;b", "c"], [["1;2", "3"]])


def test_delimiter_override_must_be_one_character():
    with pytest.raises(FileRefused, match="one character"):
        read_table(b"a,b\n1,2\n", "x.csv", ReadOptions(delimiter=";;"))


def test_cp1252_is_preferred_for_western_text():
    data = "Name;Stadt\nMüller;Köln\nWeiß;Göttingen\n".encode("cp1252")
    table = read_table(data, "x.csv")
    assert table.options.encoding == "cp1252"
    assert values(table) == [["Müller", "Köln"], ["Weiß", "Göttingen"]]


def test_cp1252_is_found_when_the_first_umlaut_is_far_down():
    data = b"Name;Stadt\n" + b"Meier;Bonn\n" * 50_000 + "Müller;Köln\n".encode("cp1252")
    table = read_table(data, "x.csv")
    assert (table.options.encoding, values(table)[-1]) == ("cp1252", ["Müller", "Köln"])


def test_utf16_without_bom_is_recognised():
    data = "Name\tOrt\r\nMüller\tKöln\r\n".encode("utf-16-le")
    table = read_table(data, "unicode.txt")
    assert (table.options.encoding, values(table)) == ("utf-16-le", [["Müller", "Köln"]])


def test_a_wrong_encoding_override_is_refused_naming_it():
    data = "Name\nMüller\n".encode("cp1252")
    with pytest.raises(FileRefused, match="cannot be read as utf-8"):
        read_table(data, "x.csv", ReadOptions(encoding="utf-8"))


def test_an_unknown_encoding_is_refused():
    with pytest.raises(FileRefused, match="'klingon' is not an encoding"):
        read_table(b"a\n1\n", "x.csv", ReadOptions(encoding="klingon"))


def test_encoding_override_is_applied():
    data = "Name\nMüller\n".encode()
    table = read_table(data, "x.csv", ReadOptions(encoding="cp1252"))
    assert values(table) == [["MÃ¼ller"]]


# --- header and columns -------------------------------------------------------------------------


def test_title_and_blank_rows_above_the_header_are_skipped():
    data = (
        b"Leadliste Messe Hannover 2024\n"
        b"Exportiert am;01.03.2024;;\n"
        b"\n"
        b"Firma;Vorname;Nachname;E-Mail\n"
        b"ACME;Anna;Schmidt;anna@acme.de\n"
        b"Initech;Bernd;Meier;bm@initech.de\n"
    )
    table = read_table(data, "x.csv")
    assert table.options.header_row == 3
    assert table.first_row_number == 5
    assert table.columns == ["Firma", "Vorname", "Nachname", "E-Mail"]
    assert values(table)[0] == ["ACME", "Anna", "Schmidt", "anna@acme.de"]
    assert table.notes == ["Skipped 2 title rows and 1 blank row above the header."]
    assert_round_trip(data, "x.csv", table)


def test_title_rows_in_a_workbook_are_skipped():
    data = xlsx_bytes(
        (
            "Leads",
            [
                ["Leadliste Messe 2024"],
                [],
                [None, "Firma", "Telefon", "E-Mail"],
                [None, "ACME", 4930123456, "a@acme.de"],
            ],
        )
    )
    table = read_table(data, "x.xlsx")
    assert (table.options.header_row, table.first_row_number) == (2, 4)
    assert table.columns == ["Firma", "Telefon", "E-Mail"]
    assert values(table) == [["ACME", "4930123456", "a@acme.de"]]


def test_header_row_override():
    data = b"a,b\nc,d\n1,2\n"
    table = read_table(data, "x.csv", ReadOptions(header_row=1))
    assert (table.columns, values(table), table.first_row_number) == (["c", "d"], [["1", "2"]], 3)
    assert table.notes == ["Skipped 1 title row above the header."]


def test_header_row_past_the_end_is_refused():
    with pytest.raises(FileRefused, match="only 3 rows; row 10 cannot be the header"):
        read_table(b"a,b\n1,2\n3,4\n", "x.csv", ReadOptions(header_row=9))


def test_header_names_are_trimmed_unique_and_never_empty():
    data = b'  E-Mail ,E-Mail,e-mail,,"Stra\xc3\x9fe\n Nr"\n1,2,3,4,5\n'
    table = read_table(data, "x.csv")
    assert table.columns == ["E-Mail", "E-Mail (2)", "e-mail (3)", "column_4", "Straße Nr"]


def test_empty_unnamed_edge_columns_are_dropped():
    table = read_table(b",a,,b,,\n,1,,2,,\n,3,,4,,\n", "x.csv")
    assert table.columns == ["a", "column_2", "b"]
    assert values(table) == [["1", "", "2"], ["3", "", "4"]]


def test_blank_records_stay_and_values_are_not_trimmed():
    data = b"Name,Ort\r\n Anna , Bonn\r\n\r\n  ,\t\r\nBen,Kiel\r\n"
    table = read_table(data, "x.csv")
    assert values(table) == [[" Anna ", " Bonn"], ["", ""], ["  ", "\t"], ["Ben", "Kiel"]]
    assert table.first_row_number == 2


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   ", b"\r\n\r\n", codecs.BOM_UTF8 + b"\n", b",,,\n,,\n"])
def test_empty_files_are_refused(data: bytes):
    with pytest.raises(FileRefused, match=r"^This file is empty\.$"):
        read_table(data, "x.csv")


@pytest.mark.parametrize("data", [b"Firma,Name", b"Firma;Name\r\n", b"a,b\n\n  ,\n"])
def test_a_header_without_rows_is_refused(data: bytes):
    with pytest.raises(FileRefused, match=r"^The file has a header but no data rows\.$"):
        read_table(data, "x.csv")


def test_a_workbook_with_only_a_header_is_refused():
    with pytest.raises(FileRefused, match="header but no data rows"):
        read_table(xlsx_bytes(("Leads", [["Firma", "Name"]])), "x.xlsx")


def test_the_size_limit_is_checked_first():
    with pytest.raises(FileRefused, match=r"^The file is 1\.0 MB; the limit is 0\.5 MB\.$"):
        read_table(b"a\n" + b"x\n" * (2**19), "x.csv", max_bytes=2**19)


def test_the_row_limit_counts_data_rows():
    data = b"a,b\n" + b"1,2\n" * 1201
    with pytest.raises(FileRefused, match=r"^The file has 1,201 data rows; the limit is 1,000\.$"):
        read_table(data, "x.csv", max_rows=1000)
    assert len(read_table(data, "x.csv", max_rows=1201).rows) == 1201


@pytest.mark.usefixtures("python_parser")
def test_the_row_limit_holds_on_the_csv_module_path():
    with pytest.raises(FileRefused, match="1,201 data rows; the limit is 1,000"):
        read_table(b"a,b\n" + b"1,2\n" * 1201, "x.csv", max_rows=1000)


def test_the_row_limit_holds_for_workbooks():
    data = xlsx_bytes(("Leads", [["Name"], *[[f"n{i}"] for i in range(5)]]))
    with pytest.raises(FileRefused, match="5 data rows; the limit is 3"):
        read_table(data, "x.xlsx", max_rows=3)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "a GZIP archive"),
        (random.Random(7).randbytes(4096), "a binary file"),
        (bytes(range(1, 32)) * 100, "a binary file"),
    ],
)
def test_binary_files_are_not_tables(data: bytes, what: str):
    with pytest.raises(FileRefused, match=f"^This is not a table: it looks like {what}"):
        read_table(data, "leads.csv")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_that_is_no_workbook_is_refused():
    data = zip_bytes({"leads.csv": b"a,b\n1,2\n"})
    with pytest.raises(FileRefused, match="it looks like a ZIP archive; unpack it"):
        read_table(data, "leads.zip")


def test_a_word_document_is_refused():
    data = zip_bytes({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"})
    with pytest.raises(FileRefused, match="it looks like a Word document"):
        read_table(data, "leads.docx")


def test_a_truncated_workbook_is_damaged():
    data = xlsx_bytes(("Leads", [["Name"], ["Anna"]]))
    with pytest.raises(FileRefused, match="This workbook is damaged"):
        read_table(data[: len(data) // 2], "leads.xlsx")


def test_a_workbook_with_broken_xml_is_damaged():
    data = zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook><sheets><sheet name=",
        }
    )
    with pytest.raises(FileRefused, match="This workbook is damaged"):
        read_table(data, "leads.xlsx")


def test_html_saved_as_xls_is_refused():
    data = b"<html><body><table><tr><td>Name</td></tr></table></body></html>"
    with pytest.raises(FileRefused, match="web page or XML document"):
        read_table(data, "export.xls")


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A real workbook-shaped zip whose sheet unpacks to 400 MB of zeros (about 0.4 MB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = bytes(2**20)
            for _ in range(400):
                member.write(zeros)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(zip_bomb: bytes):
    assert len(zip_bomb) < 2**20
    with pytest.raises(FileRefused, match="would unpack to 400 MB from 0.4 MB"):
        read_table(zip_bomb, "leads.xlsx")


def test_a_workbook_declaring_an_absurd_total_size_is_refused():
    data = bytearray(zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/big.xml": b"x" * 100}))
    directory = data.index(b"PK\x01\x02", data.index(b"xl/big.xml"))
    data[directory + 24 : directory + 28] = (2**31).to_bytes(4, "little")  # uncompressed size
    with pytest.raises(FileRefused, match="would unpack to 2,048 MB"):
        read_table(bytes(data), "leads.xlsx")


# --- workbooks ----------------------------------------------------------------------------------


def test_workbook_values_read_as_excel_shows_them():
    data = xlsx_bytes(
        (
            "Leads",
            [
                ["Telefon", "PLZ", "Anteil", "Datum", "Zeitpunkt", "Uhrzeit", "Aktiv", "Kunden-Nr"],
                [
                    4930123456,
                    1067.0,
                    0.25,
                    dt.date(2024, 3, 1),
                    dt.datetime(2024, 3, 1, 9, 30),
                    dt.time(14, 5, 9),
                    True,
                    "00123",
                ],
                [None, -0.0, 1 / 3, None, dt.datetime(2024, 3, 1, 9, 30, 15), None, False, ""],
            ],
        )
    )
    table = read_table(data, "x.xlsx")
    assert values(table) == [
        [
            "4930123456",
            "1067",
            "0.25",
            "2024-03-01",
            "2024-03-01 09:30",
            "14:05:09",
            "TRUE",
            "00123",
        ],
        ["", "0", "0.333333333333333", "", "2024-03-01 09:30:15", "", "FALSE", ""],
    ]
    assert (table.file_format, table.options.sheet, table.sheets) == ("xlsx", "Leads", ["Leads"])


def test_the_first_visible_sheet_with_data_is_read():
    data = xlsx_bytes(
        ("Deckblatt", []),
        ("Geheim", [["Name"], ["Verborgen"]]),
        ("Leads", [["Name"], ["Anna"]]),
        ("Archiv", [["Name"], ["Alt"]]),
        hidden=("Geheim",),
    )
    table = read_table(data, "x.xlsx")
    assert (table.options.sheet, values(table)) == ("Leads", [["Anna"]])
    assert table.sheets == ["Deckblatt", "Leads", "Archiv"]
    assert table.notes == ["Read the sheet 'Leads'; other sheets: Deckblatt, Archiv."]
    assert_round_trip(data, "x.xlsx", table)


def test_a_hidden_sheet_is_read_only_when_asked_for():
    data = xlsx_bytes(("Leer", []), ("Geheim", [["Name"], ["Verborgen"]]), hidden=("Geheim",))
    with pytest.raises(FileRefused, match="only the hidden sheet 'Geheim' has data"):
        read_table(data, "x.xlsx")
    table = read_table(data, "x.xlsx", ReadOptions(sheet="Geheim"))
    assert (values(table), table.sheets) == ([["Verborgen"]], ["Leer"])
    assert table.notes == ["Read the hidden sheet 'Geheim'."]


def test_a_missing_sheet_is_refused_listing_the_sheets():
    data = xlsx_bytes(("Leads", [["Name"], ["Anna"]]), ("Alt", [["Name"], ["Ben"]]))
    with pytest.raises(FileRefused, match="no sheet named 'Neu'; its sheets are: Leads, Alt"):
        read_table(data, "x.xlsx", ReadOptions(sheet="Neu"))


def test_an_empty_chosen_sheet_is_refused():
    data = xlsx_bytes(("Leads", [["Name"], ["Anna"]]), ("Leer", []))
    with pytest.raises(FileRefused, match="The sheet 'Leer' is empty"):
        read_table(data, "x.xlsx", ReadOptions(sheet="Leer"))


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Leads">
<table:table-row>{header}</table:table-row><table:table-row>{row}</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""

ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def ods_bytes() -> bytes:
    def text(value: str) -> str:
        cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
        return cell.format(value)

    row = (
        text("Bäckerei Groß")
        + '<table:table-cell office:value-type="float" office:value="4930123456"/>'
        + '<table:table-cell office:value-type="date" office:date-value="2024-03-01"/>'
    )
    content = ODS_CONTENT.format(header=text("Firma") + text("Telefon") + text("Datum"), row=row)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        mime = "application/vnd.oasis.opendocument.spreadsheet"
        archive.writestr("mimetype", mime, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST.format(mime=mime))
        archive.writestr("content.xml", content)
    return out.getvalue()


def test_an_ods_spreadsheet_is_read():
    table = read_table(ods_bytes(), "leads.ods")
    assert (table.file_format, table.columns) == ("ods", ["Firma", "Telefon", "Datum"])
    assert values(table) == [["Bäckerei Groß", "4930123456", "2024-03-01"]]


# --- format detection ---------------------------------------------------------------------------


def test_the_format_comes_from_the_bytes_not_the_name():
    assert detect_format(b"Name,Ort\nAnna,Bonn\n", "leads.xlsx") == "csv"
    assert detect_format(xlsx_bytes(("A", [["x"]])), "leads.csv") == "xlsx"
    assert detect_format(ods_bytes(), "leads.xlsx") == "ods"
    assert detect_format("Name\tOrt\r\n".encode("utf-16"), "leads.txt") == "csv"


def test_an_xlsx_with_a_macro_content_type_is_xlsm():
    types = b'<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
    data = zip_bytes({"[Content_Types].xml": types, "xl/workbook.xml": b"<workbook/>"})
    assert detect_format(data, "leads.xlsx") == "xlsm"


def test_an_encrypted_office_file_is_refused_as_password_protected():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(FileRefused, match="password-protected"):
        detect_format(ole, "leads.xlsx")


@pytest.mark.parametrize("city", ["Köln", "Düsseldorf", "Gießen", "Fürth"])
def test_a_tiny_german_excel_file_with_one_umlaut_is_cp1252(city):
    data = f"Firma;Ort\r\nMax GmbH;{city}\r\n".encode("cp1252")
    table = reading.read_table(data, "tiny.csv")
    assert table.rows.iloc[0].tolist() == ["Max GmbH", city]
