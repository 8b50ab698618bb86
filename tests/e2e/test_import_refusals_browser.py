"""Hostile and oversized uploads through Chromium (issue 9.1, 9.4): a refusal on the page, and the
server still answers everyone afterwards."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, create_first_admin, wait_for_app
from tests.e2e.test_import_browser import german_excel_csv
from tests.workbooks import with_stray_cell, write


def health(app: RunningApp) -> str:
    with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=10) as response:
        return response.read().decode().strip()


def test_absurd_workbooks_are_refused_and_the_server_keeps_serving(page: Page,
                                                                   empty_app: RunningApp,
                                                                   tmp_path: Path):
    create_first_admin(page, empty_app, "import_file")
    for cell, extent in (("XFD1048576", "1,048,576 rows × 16,384 columns"),
                         ("ZZ200000", "200,000 rows × 702 columns")):
        upload = write(tmp_path / f"stray-{cell}.xlsx", with_stray_cell(cell))
        page.locator('input[type="file"]').set_input_files(str(upload))
        wait_for_app(page)
        error = page.get_by_test_id("stAlertContentError")
        expect(error).to_contain_text(f"A sheet of this workbook reaches cell {cell} ({extent})",
                                      timeout=60_000)
        assert health(empty_app) == "ok"
        assert empty_app.process.poll() is None

    good = german_excel_csv(tmp_path / "KW48.csv", people=3)
    page.locator('input[type="file"]').set_input_files(str(good))
    wait_for_app(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Rows in file")).to_contain_text(
        "4", timeout=60_000)
    expect(page.get_by_text("Import history")).to_be_visible()


def test_the_browser_refuses_a_file_over_the_limit_before_sending_it(page: Page,
                                                                     empty_app: RunningApp,
                                                                     tmp_path: Path):
    create_first_admin(page, empty_app, "import_file")
    big = tmp_path / "big.csv"
    big.write_bytes(b"Firma;E-Mail\n" + b"x" * (201 * 2**20))
    page.locator('input[type="file"]').set_input_files(str(big))
    expect(page.get_by_text("File must be 200.0MB or smaller.")).to_be_visible()
    assert health(empty_app) == "ok"
