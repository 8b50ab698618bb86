"""Fast clicking in the real app: page switches and an upload that start a new script run of
the same session while the previous one is still querying never crash the page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, open_page, wait_for_app
from tests.e2e.test_import_browser import german_excel_csv


def test_switching_pages_and_uploading_at_once_never_shows_a_crash(page: Page,
                                                                  demo_app: RunningApp,
                                                                  tmp_path: Path):
    upload = german_excel_csv(tmp_path / "KW49.csv", people=300)
    open_page(page, demo_app, "import_file")
    nav = page.get_by_test_id("stSidebarNav")
    for round_number in range(8):
        nav.get_by_role("link", name="Lists").click(no_wait_after=True)
        nav.get_by_role("link", name="Import").click(no_wait_after=True)
        if round_number == 4:
            page.locator('input[type="file"]').set_input_files(str(upload))
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    log = demo_app.stop()
    assert "busy" not in log and "ResourceInUse" not in log, log[-2000:]
