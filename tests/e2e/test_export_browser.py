"""The command line's export is the Prospecting page's download: the same bytes for a list, for
the same user (``--as`` the rep logged in on the page)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, log_in, start_app, wait_for_app

LIST = "KW45 Messe Nürnberg"
ANNA = "anna.schmidt@leadladder.example"


def test_the_cli_export_equals_the_page_download(page: Page, demo_path: Path, tmp_path: Path):
    written = tmp_path / "cli.csv"
    done = subprocess.run(
        [sys.executable, "-m", "lib.cli", "export", "--list", LIST, "--format", "csv",
         "--out", str(written), "--as", ANNA, "--db", str(demo_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    app = start_app(demo_path)  # after the command line let go of the file
    try:
        log_in(page, app, ANNA)
        page.get_by_test_id("stSelectbox").filter(has_text="Work on a list").click()
        page.get_by_role("option", name=LIST).click()
        page.get_by_role("button", name="Open in Prospecting").click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Prospecting")).to_be_visible()
        page.get_by_test_id("stPopover").filter(has_text="Download").get_by_role(
            "button").click()
        with page.expect_download() as download:
            page.locator(".st-key-prospecting_download_csv button").click()
        downloaded = Path(download.value.path()).read_bytes()
    finally:
        app.stop()
    assert downloaded == written.read_bytes()
    assert "Standbesuch" in downloaded.decode("utf-8-sig").splitlines()[0]
