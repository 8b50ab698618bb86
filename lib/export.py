"""Downloads: CSV and XLSX that are safe to open in Excel (no formula injection) and keep the
data as it is stored.

XLSX has typed cells: a cell written as a string is never a formula, so strings are written
unchanged. CSV has no types, so a cell Excel would run as a formula (OWASP: one that begins
with = + - @, a tab or a carriage return) gets a leading apostrophe; nothing else is touched.
The "German Excel" CSV is the same file as Excel set to German reads it: semicolons, decimal
commas, dates as 03.12.2026.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold; OOXML writes them as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19),
# and a literal "_xHHHH_" in the text gets its underscore escaped as _x005F_ so it survives.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b-\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_OOXML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def neutralise(value: object) -> object:
    """Prefix a text cell that Excel would run as a formula with an apostrophe (OWASP advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for CSV in which every text cell (and header) is neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for index in range(safe.shape[1]):
        if _is_text(safe.iloc[:, index]):
            safe.isetitem(index, safe.iloc[:, index].map(neutralise, na_action="ignore"))
    return safe


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so that Excel opens umlauts correctly; CRLF line ends (RFC 4180), which
    also makes the writer quote a cell holding a lone carriage return."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_german_excel_csv(frame: pd.DataFrame) -> bytes:
    """What Excel set to German opens as columns: semicolon-separated, decimal comma, dates
    as 03.12.2026 (with the time when there is one), UTF-8 with BOM for the umlauts."""
    safe = safe_frame(frame)
    for index in range(safe.shape[1]):
        column = safe.iloc[:, index]
        if pd.api.types.is_datetime64_any_dtype(column):
            safe.isetitem(index, column.map(_german_moment, na_action="ignore"))
        elif _is_text(column):
            safe.isetitem(index, column.map(_german_day, na_action="ignore"))
    return safe.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n"
                       ).encode("utf-8-sig")


def _german_moment(value: pd.Timestamp) -> str:
    return value.strftime("%d.%m.%Y" if value == value.normalize() else "%d.%m.%Y %H:%M")


def _german_day(value: object) -> object:
    """A date or datetime cell among text (object columns) as Excel reads it in German."""
    if isinstance(value, datetime):
        return _german_moment(pd.Timestamp(value))
    return f"{value:%d.%m.%Y}" if isinstance(value, date) else value


def ooxml_escape(value: str) -> str:
    """A string as an XLSX cell stores it: characters XML cannot hold as _xHHHH_."""
    return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


def ooxml_unescape(value: str) -> str:
    """What Excel shows for a stored cell string (the inverse of ``ooxml_escape``)."""
    return _OOXML_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)


def _escaped(value: object) -> object:
    return ooxml_escape(value) if isinstance(value, str) else value


def to_xlsx(frame: pd.DataFrame, sheet: str = "leadladder") -> bytes:
    """One sheet; every string written as a string (never a formula), unchanged."""
    return to_xlsx_sheets({sheet: frame})


def to_xlsx_sheets(frames: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, each as ``to_xlsx`` writes it."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in frames.items():
            stored = frame.copy()
            stored.columns = [ooxml_escape(str(c)) for c in stored.columns]
            for index in range(stored.shape[1]):
                if _is_text(stored.iloc[:, index]):
                    stored.isetitem(index, stored.iloc[:, index].map(_escaped,
                                                                     na_action="ignore"))
            stored.to_excel(writer, index=False, sheet_name=sheet[:31])
            for row in writer.sheets[sheet[:31]].iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # openpyxl reads "=…" as a formula: it is text
                        cell.data_type = "s"
    return buffer.getvalue()
