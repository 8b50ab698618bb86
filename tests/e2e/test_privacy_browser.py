"""An admin answers an erasure request in the browser: find the person on the Privacy page,
erase them after confirming, and see next week's re-upload of the same file keep them out."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from lib import db
from tests.e2e.conftest import RunningApp, create_first_admin, open_page, wait_for_app
from tests.test_privacy import ERIKA_KEY, FAIR


def upload(page: Page, file: Path) -> None:
    page.locator('input[type="file"]').set_input_files(str(file))
    wait_for_app(page)
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Rows in file")).to_be_visible()


def test_an_admin_erases_a_person_and_the_same_file_keeps_them_out(page: Page,
                                                                   empty_app: RunningApp,
                                                                   tmp_path: Path):
    file = tmp_path / "Messe Nürnberg.csv"
    file.write_bytes(FAIR)
    create_first_admin(page, empty_app, "import_file")
    upload(page, file)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("is done")).to_be_visible()

    open_page(page, empty_app, "privacy")
    page.get_by_role("textbox", name="Find a person").fill("mustermann")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Erase this person…")).to_be_visible()
    page.get_by_text("Erase this person…").click()
    erase = page.get_by_role("button", name="Erase for good")
    expect(erase).to_be_disabled()
    page.get_by_role("textbox", name="Type ERASE").fill("ERASE")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(erase).to_be_enabled()
    erase.click()
    wait_for_app(page)
    expect(page.get_by_text("Erased 1 person")).to_be_visible()

    open_page(page, empty_app, "import_file")
    upload(page, file)
    kept = page.get_by_test_id("stMetric").filter(has_text="Kept out (erased)")
    expect(kept).to_contain_text("1")
    expect(page.get_by_text("kept out: the person was erased on request")).to_be_visible()

    empty_app.stop()
    conn = db.connect(empty_app.db_path)
    try:
        assert conn.execute("SELECT count(*) FROM people WHERE email_key = ?",
                            [ERIKA_KEY]).fetchone()[0] == 0
        assert conn.execute("SELECT action FROM audit_log WHERE action LIKE 'privacy%'"
                            ).fetchall() == [("privacy_erase",)]
    finally:
        conn.close()
