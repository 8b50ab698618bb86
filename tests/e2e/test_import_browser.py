"""Ops in the browser: upload this week's German Excel CSV, import it, find the new list."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, expect

from lib import db
from tests.e2e.conftest import (
    FIRST_ADMIN,
    RunningApp,
    create_first_admin,
    open_page,
    wait_for_app,
)

HEADER = ["Firma", "Anrede", "Vorname", "Nachname", "E-Mail", "Telefon", "PLZ", "Ort", "Bemerkung"]


def german_excel_csv(path: Path, people: int) -> Path:
    """What German Excel writes for 'CSV (Trennzeichen-getrennt)': cp1252, semicolons, CRLF."""
    rows = [HEADER] + [
        [f"Bäckerei Nummer {i} GmbH", "Frau", "Jürgen" if i % 2 else "Änne", f"Müller-{i}",
         f"kontakt{i}@baeckerei-{i}.de", f"089 {1000000 + i}", "80331", "München",
         "Rückruf; Größe „L“"]
        for i in range(people)
    ]
    rows.append(rows[1][:4] + [rows[1][4].upper()] + rows[1][5:])
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def test_ops_uploads_a_german_csv_and_sees_the_new_list(page: Page, empty_app: RunningApp,
                                                        tmp_path: Path):
    upload = german_excel_csv(tmp_path / "KW48 Messe München.csv", people=12)
    create_first_admin(page, empty_app, "import_file")
    page.locator('input[type="file"]').set_input_files(str(upload))
    wait_for_app(page)
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Rows in file")).to_be_visible()
    preview = page.get_by_test_id("stMetric")
    expect(preview.filter(has_text="Rows in file")).to_contain_text("13")
    expect(preview.filter(has_text="Duplicates in file")).to_contain_text("1")
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("is done")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="⬇ CSV").first.click()
    assert download.value.suggested_filename == "import-1-report.csv"
    wait_for_app(page)

    open_page(page, empty_app, "")
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    row = grid_row(page, table, "KW48 Messe München")
    assert row["Rows"] == "12" and row["Suspect rows"] == "12"
    assert row["By"] == FIRST_ADMIN[0]  # the logged-in user, not "the command line"

    empty_app.stop()  # the audit log is read from the file the app held
    conn = db.connect(empty_app.db_path)
    try:
        logged = conn.execute(
            "SELECT u.name, a.action, a.target, a.row_count FROM audit_log a"
            " JOIN users u ON u.id = a.user_id WHERE a.action IN ('import', 'download')"
            " ORDER BY a.id").fetchall()
    finally:
        conn.close()
    assert logged == [(FIRST_ADMIN[0], "import", "KW48 Messe München (import #1)", 13),
                      (FIRST_ADMIN[0], "download", "import-1-report.csv", 13)]


def grid_row(page: Page, grid, first_cell: str) -> dict[str, str]:
    """One row of a dataframe grid by its first cell, read from the grid's accessible cells."""
    expect(grid.locator('[data-testid^="glide-cell-"]').first).to_be_attached()
    headers = [h.inner_text().strip() for h in grid.locator('[role="columnheader"]').all()]
    for row in grid.locator('[role="row"]').all()[1:]:
        cells = [c.inner_text().strip() for c in row.locator('[role="gridcell"]').all()]
        if cells and cells[0] == first_cell:
            return dict(zip(headers, cells, strict=False))
    raise AssertionError(f"no row starting with {first_cell!r}; headers {headers}")
