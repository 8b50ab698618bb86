"""Two app servers on one PostgreSQL database, as a team runs leadladder behind a reverse proxy:
two reps in two browsers, each on another server, tick different rows and the same row,
convert and log a call. No accepted edit is lost, a stale tick is refused with the fresh
value, and each server shows the other's changes after a rerun. The command line imports
beside them by simply connecting."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from lib import db, importing, leads, lists
from tests import lead_seed
from tests.e2e.conftest import RunningApp, log_in, open_page, start_app, wait_for_app
from tests.e2e.test_cli_beside_app_browser import cli
from tests.e2e.test_import_browser import german_excel_csv, grid_row
from tests.e2e.test_prospecting_browser import (
    COLUMN,
    WALK_INS,
    button,
    cell,
    expect_shown,
    expect_status,
    reload,
    toggle,
)
from tests.e2e.test_todo_browser import actions, click_row, expect_when, set_date

COMPANY = "Zeppelin Testbau GmbH"
COMPANY_COLUMN = 2


@pytest.fixture
def shared_database(postgres_demo: str) -> Iterator[str]:
    """The demo on PostgreSQL, plus the three-row list 'Walk-ins' and an overdue lead of
    Anna's."""
    conn = db.connect(postgres_demo)
    cur = conn.cursor()
    importing.import_file(cur, WALK_INS, "walk-ins.csv", "Walk-ins", by=None)
    lead_seed.lead(cur, COMPANY, days=-3)
    conn.close()
    yield postgres_demo


@pytest.fixture
def servers(shared_database: str) -> Iterator[tuple[RunningApp, RunningApp]]:
    first, second = start_app(shared_database), start_app(shared_database)
    yield first, second
    first.stop()
    second.stop()


def tab(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def open_walk_ins(page: Page, app: RunningApp, email: str) -> None:
    log_in(page, app, email)
    page.get_by_test_id("stSelectbox").filter(has_text="Work on a list").click()
    page.get_by_role("option", name="Walk-ins").click()
    page.get_by_role("button", name="Open in Prospecting").click()
    wait_for_app(page)
    expect(cell(page, COMPANY_COLUMN, 2)).to_be_attached()


def row_of(page: Page, company: str) -> int:
    """Where the grid shows ``company`` now (the ladder order moves rows as they climb)."""
    found = page.get_by_test_id("stDataFrame").first.locator(
        f'[data-testid^="glide-cell-{COMPANY_COLUMN}-"]').filter(has_text=company).first
    expect(found).to_be_attached()
    return int(found.get_attribute("data-testid").rsplit("-", 1)[1])


def test_two_servers_share_every_edit_and_refuse_a_stale_one(browser: Browser, servers,
                                                             shared_database: str):
    first, second = servers
    anna, ben = tab(browser), tab(browser)
    open_walk_ins(anna, first, lead_seed.ANNA)
    open_walk_ins(ben, second, lead_seed.BEN)

    # different rows, on different servers, from pages loaded before either edit
    toggle(anna, row_of(anna, "Alpha"), COLUMN["interest"])
    expect_status(anna, row_of(anna, "Alpha"), "🟡 prospect")
    toggle(ben, row_of(ben, "Beta"), COLUMN["interest"])
    expect_status(ben, row_of(ben, "Beta"), "🟡 prospect")
    reload(anna)
    reload(ben)
    for page in (anna, ben):
        expect_status(page, row_of(page, "Alpha"), "🟡 prospect")
        expect_status(page, row_of(page, "Beta"), "🟡 prospect")

    # the same row: Ben's page still shows "reached" unticked when Anna has ticked it
    toggle(anna, row_of(anna, "Gamma"), COLUMN["reached"])
    gerd = row_of(ben, "Gamma")
    toggle(ben, gerd, COLUMN["reached"])
    expect(ben.get_by_text("Anna Schmidt ticked 'reached' since you loaded the list; it is "
                           "ticked now.")).to_be_visible()
    expect_shown(ben, row_of(ben, "Gamma"), "reached", True)

    # Anna converts Albert on the first server; the second server's pipeline has the lead
    toggle(anna, row_of(anna, "Alpha"), 0)
    expect(anna.get_by_text("1 selected")).to_be_visible()
    button(anna, "prospecting_convert").click()
    button(anna, "prospecting_convert_save").click()
    wait_for_app(anna)
    expect(anna.get_by_text(re.compile(r"Albert Auer · Alpha Kältetechnik GmbH: lead #"))
           ).to_be_visible()
    anna_second = tab(browser)
    log_in(anna_second, second, lead_seed.ANNA, path="pipeline")
    expect(anna_second.get_by_text("Alpha Kältetechnik GmbH").first).to_be_visible()

    # a call logged on the second server moves the lead on the first server's to-do
    anna_second.goto(f"{second.url}/todo")
    wait_for_app(anna_second)
    expect_when(anna_second, COMPANY, "Overdue")
    click_row(anna_second, COMPANY)
    actions(anna_second).get_by_role("button", name="Log & plan").click()
    dialog = anna_second.get_by_role("dialog")
    dialog.get_by_role("radio", name="No answer").click()
    wait_for_app(anna_second)
    set_date(anna_second, dialog, "Due", lead_seed_tomorrow(shared_database))
    dialog.get_by_role("button", name="Save").click()
    wait_for_app(anna_second)
    anna.goto(f"{first.url}/todo")
    wait_for_app(anna)
    expect_when(anna, COMPANY, "Upcoming")

    stored = stored_state(shared_database)
    assert stored["ticks"] == {
        "Alpha Kältetechnik GmbH": {"interest"},
        "Beta Bau AG": {"interest"},
        "Gamma Glas KG": {"reached"},
    }
    assert stored["reached_by"] == ["Anna Schmidt"]  # Ben's stale tick left no trace
    assert stored["albert_has_lead"] and stored["calls"] == 1


def test_the_command_line_imports_while_both_servers_run(page: Page, servers, tmp_path):
    first, second = servers
    log_in(page, second, lead_seed.ANNA)
    german_excel_csv(tmp_path / "KW49.csv", people=5)

    done = cli("import", "KW49.csv", "--list", "KW49 Messe", "--db", first.db_path, "--json",
               cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["added"] == 5
    open_page(page, second, "")
    row = grid_row(page, page.get_by_test_id("stDataFrame").first, "KW49 Messe")
    assert row["Rows"] == "5" and row["By"] == "command line"


def lead_seed_tomorrow(url: str):
    from datetime import timedelta

    conn = db.connect(url)
    try:
        return lead_seed.local_today(conn.cursor()) + timedelta(days=1)
    finally:
        conn.close()


def stored_state(url: str) -> dict[str, object]:
    """What the database holds after both servers' edits, read by a third process's pool."""
    conn = db.connect(url)
    cur = conn.cursor()
    try:
        walk_ins = lists.list_id(cur, "Walk-ins")
        ticks: dict[str, set[str]] = {}
        for company, key in cur.execute(
                "SELECT p.company, t.criterion_key FROM people p"
                " JOIN list_rows lr ON lr.person_id = p.id LEFT JOIN ticks t ON t.person_id = p.id"
                " WHERE lr.list_id = ?", [walk_ins]).fetchall():
            ticks.setdefault(company, set()).update({key} if key else set())
        reached_by = [name for (name,) in cur.execute(
            "SELECT u.name FROM history h JOIN users u ON u.id = h.user_id"
            " JOIN people p ON p.id = h.person_id WHERE p.company = 'Gamma Glas KG'"
            " AND h.kind = 'tick' AND h.field = 'reached'").fetchall()]
        albert = cur.execute("SELECT id FROM people WHERE company = 'Alpha Kältetechnik GmbH'"
                             ).fetchone()[0]
        calls = cur.execute(
            "SELECT count(*) FROM activities a JOIN people p ON p.id = a.person_id"
            " WHERE p.company = ? AND a.kind = 'call'", [COMPANY]).fetchone()[0]
        return {"ticks": ticks, "reached_by": reached_by,
                "albert_has_lead": leads.open_lead_of(cur, albert) is not None, "calls": calls}
    finally:
        conn.close()
