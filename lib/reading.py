"""Read an uploaded file into a table of strings, or refuse it in one sentence a person understands.

CSV is decoded here (BOM, then strict UTF-8, then charset-normalizer with a Western prior, since
German Excel writes cp1252) and parsed by pyarrow; a ragged file falls back to the csv module.
Workbooks go through python-calamine after the ZIP directory was checked for absurd unpacked sizes.
The header row is found by a heuristic that skips title rows. Encoding, delimiter, sheet and header
row can each be overridden; a table carries the resolved choices, so reading again with them gives
the same table.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import charset_normalizer
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import python_calamine
from charset_normalizer.utils import is_multi_byte_encoding

from lib import i18n
from lib.errors import FileRefused, LimitExceeded
from lib.i18n import N_, _, ngettext

if TYPE_CHECKING:  # pandas is imported where a Table is built: the workbook child needs none
    import pandas as pd

DELIMITERS = (",", ";", "\t", "|")
ONE_COLUMN = ""  # resolved delimiter of a file that does not split: each record is one value
FORMATS = ("csv", "xlsx", "xlsm", "xlsb", "xls", "ods")

# Refusals in English (the message ids): raised translated, ``_(EMPTY)``.
EMPTY = N_("This file is empty.")
HEADER_ONLY = N_("The file has a header but no data rows.")
BINARY = N_("This is not a table: it looks like a binary file.")
ENCRYPTED = N_(
    "This workbook is password-protected; save it without a password and upload again.")
DAMAGED = N_(
    "This workbook is damaged and cannot be read; open it in Excel, save it again "
    "and upload the new file."
)
UNREADABLE = N_(
    "This file could not be read as a table; save it again as CSV or XLSX and retry.")
MARKUP = N_(
    "This is a web page or XML document, not a table; open it in Excel and save it as XLSX or CSV."
)

SAMPLE_CHARS = 64 * 1024  # text looked at to find the delimiter ...
SNIFF_LINES = 5  # ... in at least this many whole lines ...
MAX_SNIFF_CHARS = 16 * 2**20  # ... as long as they fit into this
MIXED = "utf-8 + cp1252"  # each line in its own encoding (a file pasted from two exports)
HEADER_WINDOW = 30  # non-blank records looked at to find the header
MAX_UNPACKED = 2**30  # a workbook whose members add up to more is a zip bomb
MAX_RATIO = 200  # ... as is a large member that compressed better than this
RATIO_FLOOR = 20 * 2**20  # members below this size may compress as well as they like
MAX_CELLS = 40_000_000  # a sheet spanning more cells (≈1.3 GB in calamine's dense range) is refused

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_TABLES = {
    b"%PDF": N_("a PDF document"),
    b"\x89PNG": N_("a PNG image"),
    b"\xff\xd8\xff": N_("a JPEG image"),
    b"GIF8": N_("a GIF image"),
    b"\x1f\x8b": N_("a GZIP archive"),
    b"7z\xbc\xaf\x27\x1c": N_("a 7-Zip archive"),
    b"Rar!\x1a\x07": N_("a RAR archive"),
    b"\x7fELF": N_("a program"),
    b"MZ\x90\x00": N_("a Windows program"),
}
_ZIP_CONTENTS = {
    "word/document.xml": N_("a Word document"),
    "ppt/presentation.xml": N_("a PowerPoint presentation"),
    "index/document.iwa": N_("an Apple Numbers file; export it as XLSX or CSV"),
}
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_WORKBOOK_NAMES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_LATIN_CODECS = {
    "cp1252", "iso8859-1", "iso8859-15", "cp1250", "iso8859-2", "iso8859-3", "iso8859-4",
    "iso8859-9", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-16", "cp1254", "cp1257",
    "cp437", "cp850", "cp852", "cp858", "cp860", "cp861", "cp863", "cp865", "mac-roman",
    "mac-latin2", "mac-iceland", "mac-turkish", "hp-roman8",
}  # fmt: skip
_SHEET_XML = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
# Literal prefixes (Excel and openpyxl write r first), so re skips along with a fast search;
# the namespaced form (<x:row r=…>) is looked for only in chunks that hold it.
_ROW_REF = re.compile(rb'<row r="(\d{1,9})"')
_CELL_BEYOND_Z = re.compile(rb'<c r="([A-Z]{2,3})\d')  # a cell's column beyond Z
_NS_ROW_REF = re.compile(rb'<\w+:row\b[^>]*?\br="(\d{1,9})"')
_NS_CELL_BEYOND_Z = re.compile(rb'<\w+:c\b[^>]*?\br="([A-Z]{2,3})\d')
# A cell that holds something: not self-closing (Excel writes formatted empty cells as <c …/>).
_VALUED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")
# A line of a one-column file that is one quoted value as a whole; any other quote is text.
_QUOTED_LINE = re.compile(r'"((?:[^"]|"")*)"')
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x19\x1b-\x1f\x7f]")
_MARKUP_START = re.compile(r"\s*<(?:\?xml|!doctype|html|table|head|body)", re.IGNORECASE)
_SEP_HINT = re.compile(r"sep=(.)(?:\r\n?|\n|\Z)")  # Excel's "sep=;" first line
_DATA_LIKE = re.compile(
    r"(?=\D*\d)[\d\s.,:;/()'%+\-€$£]+"  # numbers, dates, times, phones, money
    r"|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?"  # ISO timestamps
    r"|[^@\s]+@[^@\s]+\.[^@\s]+"  # e-mail addresses
    r"|(?:https?://|www\.)\S+"  # web addresses
    r"|true|false|wahr|falsch",
    re.IGNORECASE,
)

csv.field_size_limit(2**31 - 1)  # a long note in one cell is data, not an error


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; None means detect. Table.options holds the resolved choices."""

    encoding: str | None = None
    delimiter: str | None = None  # one of DELIMITERS, ONE_COLUMN, or another single character
    sheet: str | None = None  # None = first visible sheet with data
    header_row: int | None = None  # 0-based index of the header among the file's records


@dataclass(frozen=True, eq=False)
class Table:
    """A file's header and every record below it, all values strings ("" when empty)."""

    columns: list[str]
    rows: pd.DataFrame
    first_row_number: int  # 1-based record number of rows.iloc[0], as Excel would show it
    file_format: str
    options: ReadOptions
    sheets: list[str]
    notes: list[str]


class _Record(NamedTuple):
    index: int  # 0-based among the file's records (sheet rows for workbooks)
    start: int  # character offset in the decoded text (CSV only)
    cells: list[str]


def read_table(
    data: bytes,
    file_name: str,
    options: ReadOptions = ReadOptions(),
    *,
    max_bytes: int = 50 * 2**20,
    max_rows: int = 1_000_000,
) -> Table:
    """Read an uploaded CSV or workbook into a Table.

    Raises:
        FileRefused: with one sentence saying why, for anything that is not a readable table.
    """
    check_size(len(data), max_bytes)
    file_format = detect_format(data, file_name)
    try:
        if file_format == "csv":
            return _read_csv(data, options, max_rows)
        return _read_workbook(data, file_format, options, max_rows)
    except FileRefused:
        raise
    except MemoryError:
        raise FileRefused(_("The file is too large to read on this server.")) from None
    except Exception as error:  # last line of defence: an upload never ends in a traceback
        raise FileRefused(_(UNREADABLE)) from error


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file above the size limit; callers check before they read a file's bytes."""
    if size > max_bytes:
        raise LimitExceeded(_("The file is {size} MB; the limit is {limit}.").format(
            size=i18n.number(size / 2**20, 1), limit=_mb(max_bytes)), setting="max_file_mb")


def detect_format(data: bytes, file_name: str) -> str:
    """The file's format from its bytes; the name only colours the messages.

    Raises:
        FileRefused: for an empty file and for anything that is no table (PDF, image, archive...).
    """
    if not data or data.isspace():
        raise FileRefused(_(EMPTY))
    if data.startswith(_ZIP):
        return _zip_format(data, file_name)
    if data.startswith(_OLE):
        return _ole_format(data)
    for magic, what in _NOT_TABLES.items():
        if data.startswith(magic):
            raise FileRefused(_not_a_table(what))
    if b"\x00" in data and not _utf16_or_32(data):
        raise FileRefused(_(BINARY))
    return "csv"


def _mb(size: int) -> str:
    return _("{size} MB").format(size=i18n.number(float(f"{size / 2**20:g}")))


def _not_a_table(what: str) -> str:
    """The refusal of a file that is no table, naming what it looks like (``what``: N_-marked)."""
    return _("This is not a table: it looks like {what}.").format(what=_(what))


# --- format detection -------------------------------------------------------------------------


def _zip_format(data: bytes, file_name: str) -> str:
    archive = _open_zip(data, file_name.lower().endswith(_WORKBOOK_NAMES))
    members = {info.filename.lower(): info for info in archive.infolist()}
    if "xl/workbook.xml" in members:
        macros = "xl/vbaproject.bin" in members or b"macroEnabled" in _small_member(
            archive, members.get("[content_types].xml")
        )
        return "xlsm" if macros else "xlsx"
    if "xl/workbook.bin" in members:
        return "xlsb"
    if "content.xml" in members and _small_member(archive, members.get("mimetype")) == _ODS_MIME:
        return "ods"
    what = next(
        (what for name, what in _ZIP_CONTENTS.items() if name in members),
        N_("a ZIP archive; unpack it and upload the table inside"),
    )
    raise FileRefused(_not_a_table(what))


def _open_zip(data: bytes, workbook: bool) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        if workbook:
            raise FileRefused(_(DAMAGED)) from None
        raise FileRefused(_("This ZIP archive is damaged and holds no readable table.")) from None


def _small_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> bytes:
    """A small member's bytes, b"" when absent, large or unreadable (never unpack a bomb here)."""
    if info is None or info.file_size > 2**20:
        return b""
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return b""


def _ole_format(data: bytes) -> str:
    """Old Office container: an .xls workbook, an encrypted OOXML file, or something else."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise FileRefused(_(ENCRYPTED))
    if any(stream.encode("utf-16-le") in data for stream in ("Workbook", "Book")):
        return "xls"
    raise FileRefused(_not_a_table(N_("an older Word or PowerPoint document")))


def _utf16_or_32(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _name in _BOMS) or _bomless_utf16(data) is not None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as ASCII with a zero byte beside every character."""
    head = data[: min(len(data), 4096) // 2 * 2]
    half = len(head) // 2
    if half < 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# --- CSV ----------------------------------------------------------------------------------------


def _read_csv(data: bytes, options: ReadOptions, max_rows: int) -> Table:
    encoding, text = _decode(data, options.encoding)
    _check_text(text)
    delimiter = _resolve_delimiter(text, options.delimiter)
    records = _csv_records(text, delimiter)
    header, titles, _skipped = _locate_header(records, options.header_row)
    body, short = _csv_body(text, _utf8(data, encoding, text), header, delimiter, max_rows)
    notes = _skipped_note(header.index, titles)
    if encoding == MIXED:
        notes.append(_mixed_note(data))
    if delimiter == ONE_COLUMN and options.delimiter is None:
        notes.extend(_one_column_note(text))
    if delimiter == ONE_COLUMN:
        notes.extend(_stray_quotes_note(text))
    if short:
        notes.append(ngettext(
            "{count} row had fewer cells than the header; the missing cells are empty.",
            "{count} rows had fewer cells than the header; the missing cells are empty.",
            short).format(count=i18n.number(short)))
    resolved = ReadOptions(encoding, delimiter, None, header.index)
    return _assemble(header, body, "csv", resolved, [], notes)


def _decode(data: bytes, chosen: str | None) -> tuple[str, str]:
    """The encoding (as given, or detected) and the text without a BOM."""
    if chosen:
        return chosen, _decode_as(data, chosen)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, _decode_as(data, encoding)
    if bomless := _bomless_utf16(data):
        return bomless, _decode_as(data, bomless)
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _holds_utf8_text(data) and _line_encodings(data)[0]:
        return MIXED, _decode_mixed(data)
    for encoding in (_single_byte_guess(data), "cp1252"):
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return "latin-1", data.decode("latin-1")


def _holds_utf8_text(data: bytes) -> bool:
    """Some non-ASCII text in a file that is not UTF-8 as a whole still is (two exports pasted
    together). Decoding with replacement runs in C; a regular expression over the bytes took
    0.4 s on a 14 MB file."""
    return not data.decode("utf-8", errors="replace").replace("\ufffd", "").isascii()


def _decode_as(data: bytes, encoding: str) -> str:
    if encoding == MIXED:
        return _decode_mixed(data)
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except LookupError:
        raise FileRefused(_("'{encoding}' is not an encoding; try utf-8 or cp1252.").format(
            encoding=encoding)) from None
    except UnicodeError:
        message = _("The file cannot be read as {encoding}; choose another encoding.").format(
            encoding=encoding)
        raise FileRefused(message) from None


def _single_byte_guess(data: bytes) -> str:
    """cp1252 unless charset-normalizer is sure of something else.

    On short files it often ranks a CJK or Cyrillic code page first; German Excel writes
    cp1252, so a Latin-script candidate anywhere in its list wins, and another code page
    needs a recognised language (or coherent text) behind it.
    """
    sample = data if len(data) <= SAMPLE_CHARS else _high_byte_lines(data)
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches or any(codecs.lookup(m.encoding).name in _LATIN_CODECS for m in matches):
        return "cp1252"
    best = matches[0]
    evidence = best.coherence >= 0.3 or (is_multi_byte_encoding(best.encoding) and best.languages)
    return best.encoding if evidence else "cp1252"


def _high_byte_lines(data: bytes) -> bytes:
    """The lines holding non-ASCII bytes (up to SAMPLE_CHARS): the evidence about the encoding."""
    lines: list[bytes] = []
    end = size = 0
    for match in _HIGH_BYTE.finditer(data):
        if match.start() < end:
            continue  # another byte of a line already taken
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.start())
        end = len(data) if end < 0 else end
        lines.append(data[start:end])
        size += end - start + 1
        if size >= SAMPLE_CHARS:
            break
    return b"\n".join(lines)[:SAMPLE_CHARS]


def _line_encodings(data: bytes) -> tuple[list[int], list[int]]:
    """1-based numbers of the lines that are UTF-8 with non-ASCII text, and of those that are
    not UTF-8 at all (a file pasted together from two exports)."""
    utf8, other = [], []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    return (utf8, other) if utf8 and other else ([], [])


def _decode_mixed(data: bytes) -> str:
    """Each line in its own encoding: UTF-8 where it is valid, else cp1252."""
    return "".join(_line_text(line) for line in data.splitlines(keepends=True))


def _line_text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _mixed_note(data: bytes) -> str:
    utf8, other = _line_encodings(data)
    return _("This file mixes encodings: {cp1252} in Windows-1252 (cp1252), {utf8} in UTF-8;"
             " each line was read in its own encoding.").format(cp1252=_lines(other),
                                                                utf8=_lines(utf8))


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(i18n.number(number) for number in numbers[:10])
    if len(numbers) > 10:
        return _("lines {numbers} and {count} more").format(
            numbers=shown, count=i18n.number(len(numbers) - 10))
    return ngettext("line {numbers}", "lines {numbers}", len(numbers)).format(numbers=shown)


def _check_text(text: str) -> None:
    if not text or text.isspace():
        raise FileRefused(_(EMPTY))
    head = text[:SAMPLE_CHARS]
    if "\x00" in text or len(_CONTROL.findall(head)) > len(head) / 100:
        raise FileRefused(_(BINARY))
    if _MARKUP_START.match(head):
        raise FileRefused(_(MARKUP))


def _utf8(data: bytes, encoding: str, text: str) -> bytes | memoryview:
    """The text as UTF-8 bytes for pyarrow, without copying when the file already is UTF-8."""
    if encoding != MIXED and codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        return memoryview(data)[len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0 :]
    return text.encode("utf-8")


def _resolve_delimiter(text: str, chosen: str | None) -> str:
    if chosen is not None:
        if len(chosen) > 1 or (chosen and chosen in '"\r\n'):
            raise FileRefused(_("The delimiter must be one character, such as , ; | or a tab."))
        return chosen
    if hint := _SEP_HINT.match(text):
        return hint.group(1)
    return _sniff_delimiter(text)


def _sniff_delimiter(text: str) -> str:
    """The candidate that splits the sample's records most consistently into several fields."""
    sample = _sniff_sample(text)
    truncated = len(text) > len(sample)
    counts = {delimiter: _field_counts(sample, delimiter) for delimiter in DELIMITERS}
    if truncated:
        counts = {delimiter: found[:-1] for delimiter, found in counts.items()}  # maybe cut off
    consistent = {d: score for d, found in counts.items() if (score := _split_score(found))}
    if consistent:
        return max(consistent, key=consistent.__getitem__)
    ragged = {d: share for d, found in counts.items() if (share := _multi_field_share(found))}
    return max(ragged, key=ragged.__getitem__) if ragged else ONE_COLUMN


def _sniff_sample(text: str) -> str:
    """Whole lines from the start: SAMPLE_CHARS, but at least SNIFF_LINES lines (a header of
    100 KB must not be all the sniffer sees), and never more than MAX_SNIFF_CHARS."""
    end = lines = 0
    for match in _LINE.finditer(text):
        end, lines = match.end(), lines + 1
        if (end >= SAMPLE_CHARS and lines >= SNIFF_LINES) or end >= MAX_SNIFF_CHARS:
            break
    return text[:end] if end < len(text) else text


def _one_column_note(text: str) -> list[str]:
    """When the sniffer found one column though most lines hold the same delimiter, say so."""
    lines = [line for line in _sniff_sample(text).splitlines() if line.strip()][:200]
    found = {d: sum(d in line for line in lines) for d in DELIMITERS}
    delimiter, hits = max(found.items(), key=lambda item: item[1])
    if not lines or hits < max(2, 0.8 * len(lines)):
        return []
    name = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs"), "|": _("pipes")}[delimiter]
    return [OneColumnNote(_(
        "Read as one column, though {hits} of the first {lines} lines hold {delimiters} (inside"
        " quotes, or not as many on every line); if the file has columns, choose its delimiter"
        " under File settings.").format(hits=i18n.number(hits), lines=i18n.number(len(lines)),
                                        delimiters=name))]


class OneColumnNote(str):
    """The note that a file with delimiters was read as one column: the refusal of a file in
    which no row names anybody repeats it as a hint."""

    __slots__ = ()


def _field_counts(sample: str, delimiter: str) -> list[int]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    rows = itertools.islice(reader, 200)
    return [len(cells) for cells in rows if len(cells) > 1 or not _is_blank(cells)]


def _split_score(counts: list[int]) -> tuple[float, int] | None:
    """(share of records with the usual field count, that count), or None when inconsistent."""
    if not counts:
        return None
    usual, hits = max(Counter(counts).items(), key=lambda item: (item[1], item[0]))
    share = hits / len(counts)
    if usual < 2 or share < 0.5 or hits < min(2, len(counts)):
        return None
    return share, usual


def _multi_field_share(counts: list[int]) -> float:
    """For a ragged file: the share of records this delimiter splits, if it splits nearly all."""
    share = sum(count > 1 for count in counts) / len(counts) if counts else 0.0
    return share if share >= 0.8 else 0.0


def _csv_records(text: str, delimiter: str) -> Iterator[_Record]:
    """The file's records with the character offset where each begins."""
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for match in _LINE.finditer(text):
            consumed = match.end()
            yield match.group()

    reader = _parsed(lines(), text, delimiter)
    start = 0
    for index, cells in enumerate(reader):
        yield _Record(index, start, cells)
        start = consumed


def _parsed(lines: Iterable[str], text: str, delimiter: str) -> Iterator[list[str]]:
    """The records of ``lines``: by the CSV rules, or, for one column, one value per line (a
    lone quote in a list of names must not swallow the lines after it)."""
    if delimiter == ONE_COLUMN:
        return ([_line_value(line)] for line in lines)
    return csv.reader(lines, delimiter=delimiter)


def _line_value(line: str) -> str:
    """A line of a one-column file as its value: a line that is one quoted value loses its
    quotes (as in CSV); any other quote is part of the text."""
    value = line.rstrip("\r\n")
    quoted = _QUOTED_LINE.fullmatch(value)
    return quoted.group(1).replace('""', '"') if quoted else value


def _stray_quotes_note(text: str) -> list[str]:
    """Where a one-column file holds a quote that is not around a whole line (read as text)."""
    if '"' not in text:
        return []
    stray = [number for number, match in enumerate(_LINE.finditer(text), start=1)
             if '"' in (line := match.group().rstrip("\r\n"))
             and not _QUOTED_LINE.fullmatch(line)]
    if not stray:
        return []
    return [_('Read one value per line: the quote (") on {lines} does not enclose the whole'
              " line, so it is kept as part of the value.").format(lines=_lines(stray))]


def _parse_delimiter(text: str, delimiter: str) -> str:
    """The delimiter to hand a parser; for one column, a control character the text lacks."""
    if delimiter != ONE_COLUMN:
        return delimiter
    return next((spare for spare in "\x1f\x1e\x1d\x1c\x07\x06\x05" if spare not in text), "\x1f")


def _csv_body(
    text: str,
    utf8: bytes | memoryview,
    header: _Record,
    delimiter: str,
    max_rows: int,
) -> tuple[pa.Table, int]:
    """Every record below the header as string columns, and how many rows were short."""
    width = len(header.cells)
    offset = len(text[: header.start].encode("utf-8"))
    body = _arrow_body(utf8[offset:], _parse_delimiter(text, delimiter), width,
                       quoted=delimiter != ONE_COLUMN)
    if body is not None:
        _check_rows(body.num_rows, max_rows)
        return body, 0
    return _python_body(text[header.start :], delimiter, width, max_rows)


def _arrow_body(utf8: bytes | memoryview, delimiter: str, width: int, *, quoted: bool = True
                ) -> pa.Table | None:
    """Parse with pyarrow from the header on; None when a record has another field count.
    Not ``quoted``: one value per line, unquoted as ``_line_value`` does."""
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(utf8)),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"' if quoted else False,
                double_quote=True,
                escape_char=False,
                newlines_in_values=quoted,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if not quoted:
        table = pa.table([_unquoted_lines(column) for column in table.columns],
                         names=table.column_names)
    return table.slice(1)


def _unquoted_lines(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """``_line_value`` for a whole column: values that are one quoted value lose the quotes."""
    whole = pc.match_substring_regex(values, r'^"(?:[^"]|"")*"$')
    if not pc.any(whole).as_py():
        return values
    inner = pc.replace_substring(pc.utf8_slice_codeunits(values, 1, -1), '""', '"')
    return pc.if_else(whole, inner, values)


def _python_body(text: str, delimiter: str, width: int, max_rows: int) -> tuple[pa.Table, int]:
    """The csv module's reading of a ragged file: short rows padded, long rows kept whole."""
    lines = (match.group() for match in _LINE.finditer(text))  # io.StringIO would copy the text
    reader = _parsed(lines, text, delimiter)
    next(reader, None)
    short = 0

    def records() -> Iterator[list[str]]:
        nonlocal short
        for count, cells in enumerate(reader, start=1):
            if count > max_rows:
                _check_rows(count + sum(1 for _record in reader), max_rows)
            short += 0 < len(cells) < width and not _is_blank(cells)
            yield cells

    body = _arrow_table(records(), width)
    return body, short


# --- workbooks --------------------------------------------------------------------------------


def _read_workbook(data: bytes, file_format: str, options: ReadOptions, max_rows: int) -> Table:
    """The workbook is read in a child process (lib/workbook_worker.py): a reader that aborts
    or runs out of memory on a hostile file ends the child, never the server."""
    from lib import workbook_worker

    header, titles, body, resolved, visible, notes = workbook_worker.read_isolated(
        data, file_format, options, max_rows)
    notes = _skipped_note(header.index, titles) + notes
    return _assemble(header, body, file_format, resolved, visible, notes)


def workbook_parts(
    data: bytes, file_format: str, options: ReadOptions, max_rows: int
) -> tuple[_Record, int, pa.Table, ReadOptions, list[str], list[str]]:
    """What the child reads: header, title rows above it, the body, the resolved options, the
    visible sheets and notes. Absurd sheets are refused before calamine reads them densely."""
    if file_format != "xls":
        _check_unpacked_size(data)
    if file_format in ("xlsx", "xlsm"):
        _check_extent(data)
    with _workbook_errors():
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = _visible_sheets(book)
        name, sheet, notes = _choose_sheet(book, visible, options.sheet)
        records = _sheet_records(sheet)
        header, titles, below = _locate_header(records, options.header_row)
        _check_rows(_sheet_end(sheet) - header.index, max_rows)
        body = _arrow_table((record.cells for record in below), len(header.cells))
    return header, titles, body, ReadOptions(None, None, name, header.index), visible, notes


def _check_extent(data: bytes) -> None:
    """Refuse a sheet whose cells reach absurdly far (one stray cell at XFD1048576): calamine
    allocates every cell of the used range, so the extent is read from the XML first, streaming."""
    archive = _open_zip(data, workbook=True)
    for info in archive.infolist():
        if not _SHEET_XML.fullmatch(info.filename):
            continue
        rows, columns = _sheet_extent(archive, info)
        if rows * columns > MAX_CELLS:
            rows, columns = _valued_extent(archive, info)
        if rows * columns > MAX_CELLS:
            raise FileRefused(_(
                "A sheet of this workbook reaches cell {cell} ({rows} rows × {columns} columns),"
                " far beyond any list; it is refused for safety (delete the stray cells below"
                " and right of the data in Excel, save, and upload again).").format(
                cell=f"{_column_name(columns)}{rows}", rows=i18n.number(rows),
                columns=i18n.number(columns)))


def _sheet_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The last row and column any row or cell of a worksheet's XML names.

    A column beyond Z shows as a longer letter run, so an ordinary sheet costs two C-level
    scans per chunk and no Python per cell."""
    last_row, last_column, tail = 0, 26, b""
    with _workbook_errors(), archive.open(info) as member:
        while chunk := member.read(2**22):
            text = tail + chunk
            namespaced = b":row " in text or b":c " in text
            rows = (_NS_ROW_REF if namespaced else _ROW_REF).findall(text)
            letters = (_NS_CELL_BEYOND_Z if namespaced else _CELL_BEYOND_Z).findall(text)
            last_row = max(last_row, *map(int, rows or [0]))
            if letters:
                last_column = max(last_column, *map(_column_number, letters))
            tail = text[-64:]
    return last_row, last_column


def _valued_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The last row and column of a cell that holds something: what calamine's range spans.

    Slower than ``_sheet_extent`` (a match per cell), so it only looks again at a sheet that
    names far cells, which may be formatting only (a whole sheet formatted to XFD1048576)."""
    last_row, last_column, tail = 0, 0, b""
    with _workbook_errors(), archive.open(info) as member:
        while chunk := member.read(2**22):
            text = tail + chunk
            for letters, row in _VALUED_CELL.findall(text):
                last_row = max(last_row, int(row))
                last_column = max(last_column, _column_number(letters))
            tail = text[-64:]
    return last_row, last_column


def _column_number(letters: bytes) -> int:
    return functools.reduce(lambda number, letter: number * 26 + letter - 64, letters, 0)


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


@contextmanager
def _workbook_errors() -> Iterator[None]:
    """calamine's errors (and Rust panics, which are BaseExceptions) as a refusal."""
    try:
        yield
    except (FileRefused, KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        encrypted = isinstance(error, python_calamine.PasswordError) or "password" in str(error)
        raise FileRefused(_(ENCRYPTED if encrypted else DAMAGED)) from error


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a zip bomb from its central directory, before calamine unpacks anything."""
    members = _open_zip(data, workbook=True).infolist()
    total = sum(info.file_size for info in members)
    bomb = any(
        info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        for info in members
    )
    if total > MAX_UNPACKED or bomb:
        raise FileRefused(_(
            "This workbook would unpack to {unpacked} MB from {packed} MB, which no real"
            " spreadsheet does; it is refused for safety.").format(
            unpacked=i18n.number(round(total / 2**20)), packed=i18n.number(len(data) / 2**20, 1)))


def _visible_sheets(book: python_calamine.CalamineWorkbook) -> list[str]:
    return [
        sheet.name
        for sheet in book.sheets_metadata
        if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
        and sheet.visible == python_calamine.SheetVisibleEnum.Visible
    ]


def _choose_sheet(
    book: python_calamine.CalamineWorkbook, visible: list[str], chosen: str | None
) -> tuple[str, python_calamine.CalamineSheet, list[str]]:
    """The sheet to read: the one asked for, else the first visible one with data."""
    if chosen is not None:
        return chosen, _named_sheet(book, visible, chosen), _sheet_notes(visible, chosen)
    for name in visible:
        sheet = book.get_sheet_by_name(name)
        if _has_values(sheet):
            return name, sheet, _sheet_notes(visible, name)
    hidden = [
        name
        for name in _worksheets(book)
        if name not in visible and _has_values(book.get_sheet_by_name(name))
    ]
    if hidden:
        raise FileRefused(_(
            "The visible sheets of this workbook are empty; only the hidden sheet '{sheet}' has"
            " data. Choose it explicitly to read it.").format(sheet=hidden[0]))
    raise FileRefused(_("This workbook is empty."))


def _worksheets(book: python_calamine.CalamineWorkbook) -> list[str]:
    return [
        sheet.name
        for sheet in book.sheets_metadata
        if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]


def _named_sheet(
    book: python_calamine.CalamineWorkbook, visible: list[str], name: str
) -> python_calamine.CalamineSheet:
    if name not in _worksheets(book):
        raise FileRefused(_(
            "This workbook has no sheet named '{sheet}'; its sheets are: {sheets}.").format(
            sheet=name, sheets=", ".join(visible)))
    sheet = book.get_sheet_by_name(name)
    if not _has_values(sheet):
        raise FileRefused(_("The sheet '{sheet}' is empty.").format(sheet=name))
    return sheet


def _sheet_notes(visible: list[str], name: str) -> list[str]:
    if name not in visible:
        return [_("Read the hidden sheet '{sheet}'.").format(sheet=name)]
    others = [other for other in visible if other != name]
    return [_("Read the sheet '{sheet}'; other sheets: {others}.").format(
        sheet=name, others=", ".join(others))] if others else []


def _has_values(sheet: python_calamine.CalamineSheet) -> bool:
    if sheet.start is None:
        return False
    rows = itertools.islice(_sheet_records(sheet), sheet.start[0], sheet.start[0] + 1000)
    return any(not _is_blank(record.cells) for record in rows)


def _sheet_records(sheet: python_calamine.CalamineSheet) -> Iterator[_Record]:
    """The sheet's rows from row 1 on (calamine keeps the empty rows above the data)."""
    for index, row in enumerate(sheet.iter_rows()):
        cells = [value if value.__class__ is str else _cell_text(value) for value in row]
        yield _Record(index, 0, cells)


def _sheet_end(sheet: python_calamine.CalamineSheet) -> int:
    return sheet.end[0] if sheet.end else 0


def _cell_text(value: object) -> str:
    """A cell as Excel shows it in a plain cell: no ".0" on whole numbers, ISO dates."""
    return _CELL_TEXT.get(value.__class__, str)(value)


def _number_text(value: float) -> str:
    """Whole numbers without ".0" (a phone stored as a number), others to Excel's 15 digits."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else f"{value:.15g}"


def _datetime_text(value: dt.datetime) -> str:
    value = _whole_seconds(value)
    return value.isoformat(" ", "seconds" if value.second else "minutes")


def _time_text(value: dt.time) -> str:
    return value.isoformat("seconds" if value.second or value.microsecond else "minutes")


def _whole_seconds(value: dt.datetime) -> dt.datetime:
    rounded = value.replace(microsecond=0)
    return rounded + dt.timedelta(seconds=1) if value.microsecond >= 500_000 else rounded


def _duration_text(value: dt.timedelta) -> str:
    """A duration as Excel's [h]:mm:ss, so 250 hours stay 250 hours."""
    seconds = round(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


_CELL_TEXT: dict[type, Callable[[Any], str]] = {
    float: _number_text,
    int: str,
    bool: lambda value: "TRUE" if value else "FALSE",
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: _time_text,
    dt.timedelta: _duration_text,
}


# --- the header and the table -------------------------------------------------------------------


def _locate_header(
    records: Iterator[_Record], header_row: int | None
) -> tuple[_Record, int, Iterator[_Record]]:
    """The header record (detected or as asked), how many non-blank records lie above it, and
    the records below it."""
    window = _header_window(records)
    if not any(not _is_blank(record.cells) for record in window):
        raise FileRefused(_(EMPTY))
    if header_row is None:
        header_row = _find_header(window)
    if header_row < 0:
        raise FileRefused(_("The header row number must be 1 or more."))
    titles, seen = 0, 0
    stream = itertools.chain(window, records)
    for record in stream:
        if record.index == header_row:
            return record, titles, stream
        titles += not _is_blank(record.cells)
        seen += 1
    raise FileRefused(ngettext(
        "The file has only {count} row; row {row} cannot be the header.",
        "The file has only {count} rows; row {row} cannot be the header.", seen).format(
        count=i18n.number(seen), row=header_row + 1))


def _header_window(records: Iterator[_Record]) -> list[_Record]:
    """The first records, up to HEADER_WINDOW non-blank ones (and at most 1000 in all)."""
    window, filled = [], 0
    for record in itertools.islice(records, 1000):
        window.append(record)
        filled += not _is_blank(record.cells)
        if filled == HEADER_WINDOW:
            break
    return window


def _find_header(window: Sequence[_Record]) -> int:
    """The first record that looks like a header; title and blank records above it are skipped.

    A header is as wide as the table usually is, fills at least half of that width and is mostly
    text rather than numbers, dates, e-mails or links. Failing that, the first mostly-text record
    with two values, failing that the first non-blank record.
    """
    shapes = [_Shape.of(record) for record in window if not _is_blank(record.cells)]
    wide = [shape.width for shape in shapes if shape.width >= 2]
    if not wide:
        return shapes[0].index
    typical = max(Counter(wide).items(), key=lambda item: (item[1], -item[0]))[0]  # ties: narrower
    need = max(2, math.ceil(typical / 2))
    rules: tuple[Callable[[_Shape], bool], ...] = (
        lambda shape: shape.width >= typical and shape.filled >= need and shape.texty,
        lambda shape: shape.filled >= 2 and shape.texty,
    )
    for rule in rules:
        found = next((shape.index for shape in shapes if rule(shape)), None)
        if found is not None:
            return found
    return shapes[0].index


@dataclass(frozen=True)
class _Shape:
    index: int
    width: int  # position of the last non-blank cell, 1-based
    filled: int  # non-blank cells
    texty: bool  # at least half of the non-blank cells are words, not data

    @classmethod
    def of(cls, record: _Record) -> _Shape:
        values = [(position, cell.strip()) for position, cell in enumerate(record.cells)]
        filled = [(position, value) for position, value in values if value]
        words = sum(len(value) > 100 or not _DATA_LIKE.fullmatch(value) for _at, value in filled)
        return cls(record.index, filled[-1][0] + 1, len(filled), 2 * words >= len(filled))


def _assemble(
    header: _Record,
    body: pa.Table,
    file_format: str,
    options: ReadOptions,
    sheets: list[str],
    notes: list[str],
) -> Table:
    """Name the columns, drop empty unnamed edge columns, and build the Table."""
    cells = header.cells + [""] * (body.num_columns - len(header.cells))
    keep, extra = _kept_columns(cells, body)
    body = body.select(keep)
    if not _any_value(body):
        raise FileRefused(_(HEADER_ONLY))
    columns = _column_names([cells[i] for i in keep])
    if extra:
        rows = pc.sum(_filled_mask(body.columns[-len(extra) :])).as_py()
        notes.append(ngettext(
            "{count} row had more cells than the header: extra columns {columns}.",
            "{count} rows had more cells than the header: extra columns {columns}.",
            rows).format(count=i18n.number(rows), columns=", ".join(columns[-len(extra):])))
    frame = body.rename_columns(columns).to_pandas(types_mapper=_pandas_str)
    return Table(columns, frame, header.index + 2, file_format, options, sheets, notes)


def _pandas_str(arrow_type: pa.DataType) -> pd.StringDtype | None:
    """pandas' own "str" dtype; from large_string it takes the columns without copying."""
    import pandas as pd

    if arrow_type == pa.large_string():
        return pd.StringDtype("pyarrow", na_value=float("nan"))
    return None


def _kept_columns(cells: list[str], body: pa.Table) -> tuple[list[int], list[int]]:
    """Columns to keep, and which of them lie beyond the header's last name (extra cells)."""
    named = [i for i, cell in enumerate(cells) if cell.strip()]
    first, last = (named[0], named[-1]) if named else (len(cells), -1)
    keep = [i for i in range(len(cells)) if first <= i <= last or _any_value(body.select([i]))]
    return keep, [i for i in keep if i > last]


def _any_value(body: pa.Table) -> bool:
    """Whether any cell is non-blank; the first rows usually answer it cheaply."""
    if body.num_rows == 0 or body.num_columns == 0:
        return False
    return any(pc.any(_filled_mask(part.columns)).as_py() for part in (body.slice(0, 1000), body))


def _filled_mask(columns: Iterable[pa.ChunkedArray]) -> pa.ChunkedArray:
    masks = [pc.not_equal(pc.utf8_trim_whitespace(column), "") for column in columns]
    return functools.reduce(pc.or_, masks)


def _arrow_table(records: Iterable[list[str]], width: int) -> pa.Table:
    """Records of any length as string columns, short ones padded with "".

    Built in slices, so only one slice of Python strings is alive at a time.
    """
    slices: list[tuple[int, list[pa.Array]]] = []
    rows = iter(records)
    while chunk := list(itertools.islice(rows, 65_536)):
        slices.append((len(chunk), _string_columns(chunk)))
    width = max([width, *(len(columns) for _offset, columns in slices)])
    return pa.table(
        [
            pa.chunked_array(
                [columns[i] if i < len(columns) else _blanks(size) for size, columns in slices],
                pa.large_string(),
            )
            for i in range(width)
        ],
        names=[f"f{i}" for i in range(width)],
    )


def _string_columns(chunk: list[list[str]]) -> list[pa.Array]:
    width = max(map(len, chunk))
    if any(len(cells) < width for cells in chunk):
        chunk = [cells + [""] * (width - len(cells)) for cells in chunk]
    return [pa.array([cells[i] for cells in chunk], pa.large_string()) for i in range(width)]


def _blanks(size: int) -> pa.Array:
    return pa.array([""] * size, pa.large_string())


def _column_names(cells: list[str]) -> list[str]:
    """Header cells trimmed and made unique ignoring case; an empty one becomes column_N."""
    names: list[str] = []
    taken: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        base = " ".join(cell.replace("\ufeff", "").split()) or f"column_{position}"
        name, copy = base, 1
        while name.casefold() in taken:
            copy += 1
            name = f"{base} ({copy})"
        taken.add(name.casefold())
        names.append(name)
    return names


def _skipped_note(header_index: int, titles: int) -> list[str]:
    blanks = header_index - titles
    parts = [
        ngettext("{count} title row", "{count} title rows", titles).format(
            count=i18n.number(titles)) if titles else "",
        ngettext("{count} blank row", "{count} blank rows", blanks).format(
            count=i18n.number(blanks)) if blanks else "",
    ]
    skipped = _(" and ").join(part for part in parts if part)
    return [_("Skipped {skipped} above the header.").format(skipped=skipped)] if skipped else []


def _check_rows(rows: int, max_rows: int) -> None:
    if rows > max_rows:
        raise LimitExceeded(_("The file has {rows} data rows; the limit is {limit}.").format(
            rows=i18n.number(rows), limit=i18n.number(max_rows)), setting="max_rows")


def _is_blank(cells: Iterable[str]) -> bool:
    return not any(cell.strip() for cell in cells)

