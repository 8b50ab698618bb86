"""Hostile workbooks (issue 9.1): refused in one sentence, never an aborted or exhausted process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lib import reading, workbook_worker
from lib.errors import FileRefused
from tests.workbooks import lying_about_its_rows, with_stray_cell, write

ROOT = Path(__file__).resolve().parent.parent


def refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as refused:
        reading.read_table(data, "liste.xlsx")
    return str(refused.value)


@pytest.mark.parametrize(("cell", "extent"), [
    ("XFD1048576", "XFD1048576 (1,048,576 rows × 16,384 columns)"),
    ("ZZ200000", "ZZ200000 (200,000 rows × 702 columns)"),
])
def test_a_sheet_reaching_absurdly_far_is_refused_before_it_is_read(cell, extent):
    message = refusal(with_stray_cell(cell))
    assert message.startswith(f"A sheet of this workbook reaches cell {extent}")
    assert "refused for safety" in message and "\n" not in message


def test_a_stray_cell_within_reason_still_reads():
    table = reading.read_table(with_stray_cell("ZZ2000"), "liste.xlsx")
    assert table.columns[:4] == ["Firma", "Vorname", "Nachname", "E-Mail"]
    assert table.rows.iloc[0, :4].tolist() == ["Bäckerei Sonne", "Anna", "Muster", "anna@sonne.de"]
    assert len(table.rows) == 1999  # down to the stray cell's row


def test_a_reader_that_dies_on_a_workbook_is_a_refusal_not_a_crash():
    """The cell lies about its row, so only the child's memory limit stops calamine's 512 GB."""
    assert refusal(lying_about_its_rows()) == workbook_worker.CRASHED


def test_the_child_cannot_grow_beyond_its_limit():
    probe = ("from lib import workbook_worker as w; w.limit_memory(64)\n"
             "try:\n    bytearray(256 * 2**20)\nexcept MemoryError:\n    print('refused')")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "refused", done.stderr


@pytest.mark.parametrize("cell", ["XFD1048576", "ZZ200000"])
def test_the_command_line_refuses_it_in_one_line(db_path, tmp_path, cell):
    from tests.test_cli import cli, last_json

    upload = write(tmp_path / "liste.xlsx", with_stray_cell(cell))
    done = cli("import", str(upload), "--list", "KW48", db_path=db_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: " + refusal(with_stray_cell(cell))]
    assert last_json(cli("lists", "--json", db_path=db_path)) == []
