"""Text from files and users shows literally on every page, in Chromium.

A database whose people, companies, list names, extra columns, notes, reasons, user, team and
step names carry HTML, Markdown and Streamlit's own syntax; an admin visits every page (and a
dialog, a toast, an import with such a sheet name). No element may come from the data (no
<img>, no link to javascript: or the attacker's host, no bold, no alert) and each string must
be there as typed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from lib import db, display, importing, leads, lists, pipeline, rows, schedule, users
from lib.leads import Activity, NextStep
from tests.e2e.conftest import RunningApp, log_in, open_page, start_app, wait_for_app
from tests.e2e.test_prospecting_browser import SELECT, button, toggle

IMG = "<img src=x onerror=alert(1)>"
SCRIPT_LINK = "[x](javascript:alert(1))"
PHISH = "[Log in again](https://evil.example/login)"
PIXEL = "![p](https://evil.example/p.png)"
BOLD = "**bold**"
DIRECTIVES = ":red[red] :material/home: $x^2$"
LIST = f"Fair {IMG}"
FIRST, COMPANY = IMG, f"{SCRIPT_LINK} GmbH"
SECOND, SECOND_COMPANY = BOLD, PIXEL
EXTRA = f"Tag {BOLD}"
STEP = f"Step {DIRECTIVES}"
REP = f"Rita {BOLD} {IMG}"
TEAM = f"Team {SCRIPT_LINK}"
NOTE = f"# Heading {PHISH}"
CANCEL_NOTE = f"{PHISH} {PIXEL}"
SHEET = "<img src=x onerror=alert(2)>"  # sheet names: no []:*?/\, at most 31 characters
OTHER_SHEET = "~~gone~~ <b>b<i> #h"
ADMIN = ("ada@example.com", "a long admin phrase")
REP_LOGIN = ("rita@example.com", "a long rep phrase 26")
CSV = (
    f'first_name,last_name,company,email,"{EXTRA}"\n'
    f'"{FIRST}",Auer,"{COMPANY}",albert@alpha.example,"{PHISH}"\n'
    f'Berta,"{SECOND}","{SECOND_COMPANY}",berta@beta.example,"{DIRECTIVES}"\n'
    f'Carl,Cancel,"Dead & <i>Co</i>",carl@dead.example,x\n'
).encode()


def seed(path: Path) -> dict[str, int]:
    """Everything a file or a person can put on screen, through lib as the app writes it."""
    conn = db.connect(path)
    try:
        cur = conn.cursor()
        team = users.create_team(cur, TEAM, by=None)
        admin = users.add(cur, "Ada Admin", ADMIN[0], "admin", password=ADMIN[1]).id
        rep = users.add(cur, REP, REP_LOGIN[0], "rep", team_id=team.id,
                        password=REP_LOGIN[1]).id
        importing.import_file(cur, CSV, "fair.csv", LIST, by=admin)
        pipeline.add_step(cur, STEP, by=admin)
        people = dict(cur.execute(
            "SELECT last_name, id FROM people ORDER BY id").fetchall())
        today = schedule.today(cur)
        first = leads.convert(cur, people["Auer"], owner_id=rep, by=rep, note=NOTE,
                              next_step=NextStep("call", today - timedelta(days=3),
                                                 note=f"call {SCRIPT_LINK}")).lead_id
        leads.convert(cur, people[SECOND], owner_id=rep, by=rep,
                      next_step=NextStep("email", today, note=PIXEL))
        leads.log_activity(cur, first, Activity("note", text=NOTE), by=rep)
        rows.bulk_cancel(cur, [people["Cancel"]], "other", CANCEL_NOTE, by=rep)
        return {"lead": first, "list": lists.list_id(cur, LIST)}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory) -> Iterator[tuple[RunningApp, dict[str, int]]]:
    path = tmp_path_factory.mktemp("escaping") / "evil.duckdb"
    made = seed(path)
    app = start_app(path)
    yield app, made
    app.stop()


def expect_nothing_from_the_data(page: Page, alerts: list[str]) -> None:
    """No element the data could have made, and no script ran."""
    for selector in ('img[src="x"]', 'img[src*="evil.example"]', 'a[href^="javascript"]',
                     'a[href*="evil.example"]', "h1:has-text('Heading')", "i:has-text('Co')",
                     'strong:text-is("bold")', "svg a", ".katex"):
        assert page.locator(selector).count() == 0, selector
    assert alerts == []


def text_of(page: Page) -> str:
    """All text of the page, hidden parts (the grid's accessibility cells, tooltips) too, less
    the invisible joiner that keeps :emoji: and arrows as typed."""
    return page.evaluate("document.body.textContent").replace(display.JOINER, "")


def expect_text(page: Page, strings: list[str]) -> None:
    """Wait until every string is on the page as typed (grids and charts draw after the run;
    a grid fills its cells only while it is in view, so each is scrolled to); fail naming the
    ones that never came."""
    seen = ""
    for attempt in range(40):
        seen += text_of(page)
        if all(s in seen for s in strings):
            return
        tables = page.get_by_test_id("stDataFrame").all()
        if tables:
            tables[attempt % len(tables)].scroll_into_view_if_needed()
        page.wait_for_timeout(500)
    assert [s for s in strings if s not in seen] == []


# Each page, who looks at it (the rep owns the leads), and what it must show as typed.
PAGES = {
    "": ("admin", [LIST]),  # imported by the admin: reps may not import
    "funnel": ("admin", [LIST]),
    "overdue": ("admin", [REP, COMPANY]),
    "settings": ("admin", [STEP]),
    "import_file": ("admin", [LIST]),
    "todo": ("rep", [COMPANY, SECOND_COMPANY, PIXEL, f"call {SCRIPT_LINK}"]),
    "pipeline": ("rep", [STEP, COMPANY, SECOND_COMPANY]),
    "calendar": ("rep", []),
}


def logged_in_page(page: Page, app: RunningApp, who: str) -> list[str]:
    """Log in as the admin or the rep; returns the alerts any script would raise (none)."""
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    log_in(page, app, *(ADMIN if who == "admin" else REP_LOGIN))
    return alerts


@pytest.fixture
def admin_page(page: Page, evil_app) -> tuple[Page, list[str]]:
    return page, logged_in_page(page, evil_app[0], "admin")


@pytest.fixture
def rep_page(page: Page, evil_app) -> tuple[Page, list[str]]:
    return page, logged_in_page(page, evil_app[0], "rep")


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_shows_the_data_as_typed(page, evil_app, path):
    who, strings = PAGES[path]
    alerts = logged_in_page(page, evil_app[0], who)
    open_page(page, evil_app[0], path)
    expect_text(page, strings)
    expect_nothing_from_the_data(page, alerts)


def test_the_lead_page_shows_its_notes_and_contact_as_typed(rep_page, evil_app):
    page, alerts = rep_page
    open_page(page, evil_app[0], f"lead?lead={evil_app[1]['lead']}")
    expect_text(page, [NOTE, COMPANY, f"call {SCRIPT_LINK}", REP])
    expect(page.get_by_role("link", name="albert@alpha.example")).to_have_attribute(
        "href", "mailto:albert@alpha.example")
    expect_nothing_from_the_data(page, alerts)


def test_the_grid_its_history_and_the_convert_dialog(rep_page, evil_app):
    page, alerts = rep_page
    open_page(page, evil_app[0])
    page.get_by_test_id("stSelectbox").filter(has_text="Work on a list").click()
    page.get_by_role("option", name=LIST).click()
    page.get_by_role("button", name="Open in Prospecting").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect_text(page, [FIRST, COMPANY, SECOND, PIXEL])  # the grid draws on a canvas
    toggle(page, 1, SELECT)
    heading = page.get_by_role("heading", name="History · Berta")
    expect(heading).to_be_visible()
    assert heading.inner_text().replace(display.JOINER, "") == (
        f"History · Berta {SECOND} · {SECOND_COMPANY}")
    expect_nothing_from_the_data(page, alerts)
    button(page, "prospecting_convert").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Already an open lead, so nothing new is created")
    assert (f"Already an open lead, so nothing new is created: Berta {SECOND} · "
            f"{SECOND_COMPANY}.") in dialog.inner_text().replace(display.JOINER, "")
    expect_nothing_from_the_data(page, alerts)


def test_a_toast_after_a_lead_action_shows_the_title_as_typed(rep_page, evil_app):
    page, alerts = rep_page
    open_page(page, evil_app[0], "todo")
    page.get_by_role("button", name="Resume now").or_(
        page.get_by_role("button", name="Log & plan")).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(COMPANY)
    dialog.get_by_text("Reached", exact=True).click()
    wait_for_app(page)
    dialog.get_by_role("button", name="Save").click()
    wait_for_app(page)
    toast = page.get_by_test_id("stToast")
    expect(toast.first).to_contain_text(COMPANY)
    expect_nothing_from_the_data(page, alerts)


def xlsx_with_sheet(name: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    sheet.append(["first_name", "last_name", "company", "email"])
    sheet.append(["Dora", "Data", f"{BOLD} AG", "dora@data.example"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_an_import_note_names_the_sheet_as_typed(admin_page, evil_app, tmp_path):
    page, alerts = admin_page
    book = tmp_path / "two-sheets.xlsx"
    data = openpyxl.load_workbook(io.BytesIO(xlsx_with_sheet(SHEET)))
    data.create_sheet(OTHER_SHEET)
    data.save(book)
    open_page(page, evil_app[0], "import_file")
    page.locator('input[type="file"]').set_input_files(str(book))
    wait_for_app(page)
    expect(page.get_by_test_id("stAlert").filter(
        has_text=f"Read the sheet '{SHEET}'; other sheets: {OTHER_SHEET}.")).to_be_visible()
    expect_nothing_from_the_data(page, alerts)
