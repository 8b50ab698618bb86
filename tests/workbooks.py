"""Workbooks built in code for the tests: a small list, and the hostile shapes of issue 9."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl


def with_stray_cell(cell: str | None) -> bytes:
    """A two-row list; with ``cell``, one more value far away from it (one stray keystroke)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Firma", "Vorname", "Nachname", "E-Mail"])
    sheet.append(["Bäckerei Sonne", "Anna", "Muster", "anna@sonne.de"])
    if cell:
        sheet[cell] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def lying_about_its_rows() -> bytes:
    """The stray cell at XFD1048576 inside row 3: rows and dimension say nothing is far away,
    only the cell's own reference does (what the extent check does not look at)."""
    original = zipfile.ZipFile(io.BytesIO(with_stray_cell("XFD1048576")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for info in original.infolist():
            body = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<row r="1048576">', b'<row r="3">').replace(
                    b'ref="A1:XFD1048576"', b'ref="A1:D3"')
            rewritten.writestr(info, body)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
