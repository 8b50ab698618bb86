"""A rep's morning in the browser: a row clicked in the to-do table picks the lead; a call logged
on an overdue lead moves it to Upcoming, and it stays there; the one action menu closes a lead
and opens another; the calendar feed answers beside the app from the same process."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Locator, Page, expect

from lib import calendar, db
from tests import lead_seed
from tests.e2e.conftest import RunningApp, log_in, start_app, wait_for_app

COMPANY = "Zeppelin Testbau GmbH"
ROW_HEIGHT = 35


@pytest.fixture
def seeded(demo_path: Path) -> dict[str, object]:
    """An overdue lead of Anna's (who logs in) and her feed token, written into
    the database file before the app starts (the running app holds the file lock)."""
    conn = db.connect(demo_path)
    cur = conn.cursor()
    try:
        anna = lead_seed.user_id(cur)
        return {
            "lead": lead_seed.lead(cur, COMPANY, days=-3, at=time(9, 0)),
            "token": calendar.issue_token(cur, anna),
            "tomorrow": lead_seed.local_today(cur) + timedelta(days=1),
        }
    finally:
        conn.close()


@pytest.fixture
def app(seeded, demo_path: Path) -> Iterator[RunningApp]:
    running = start_app(demo_path)
    yield running
    running.stop()


def table_row(page: Page, text: str) -> int:
    """The row of the to-do table whose lead holds ``text`` (from the grid's hidden
    accessibility cells, ``glide-cell-{column}-{row}``)."""
    found = page.locator('.st-key-todo_table [data-testid^="glide-cell-"]').filter(
        has_text=text).first
    expect(found).to_be_attached(timeout=30_000)  # the grid loads its code on first use
    return int(found.get_attribute("data-testid").rsplit("-", 1)[1])


def expect_when(page: Page, text: str, when: str) -> None:
    """The table says the lead holding ``text`` is in the section ``when``.

    The lead's row moves when its section changes and the grid redraws after the run, so the row
    is looked up again until it says ``when`` (or 30 s have passed)."""
    shown: list[str] = []
    for _ in range(60):
        row = table_row(page, text)
        cells = page.locator(
            f'.st-key-todo_table [data-testid$="-{row}"][data-testid^="glide-cell-"]')
        shown = cells.all_inner_texts()
        if when in shown:
            return
        page.wait_for_timeout(500)
    assert when in shown, shown


def click_row(page: Page, text: str) -> None:
    """Select the row (its row marker, left of the first column), as a rep clicks it."""
    row = table_row(page, text)
    grid = page.locator(".st-key-todo_table").get_by_test_id("stDataFrame")
    box = grid.bounding_box()
    assert box is not None, "the to-do table is not on the page"
    page.mouse.click(box["x"] + 16, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
    wait_for_app(page)


def actions(page: Page) -> Locator:
    return page.locator(".st-key-todo_actions")


def picked(page: Page) -> Locator:
    """The lead picker (its value is what it shows)."""
    return actions(page).get_by_role("combobox", name="Lead")


def set_date(page: Page, scope: Locator, label: str, day: date) -> None:
    """Type a date into a date input as a person types it: in English its fields are year,
    month, day (YYYY-MM-DD; German: DD.MM.YYYY)."""
    scope.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.keyboard.press("Tab")
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        expect(scope.get_by_role("spinbutton", name=f"{part}, {label}")).to_have_attribute(
            "aria-valuenow", str(value))
    wait_for_app(page)


def fetch(url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_a_call_on_an_overdue_lead_moves_it_to_upcoming_for_good(page: Page, app, seeded):
    tomorrow = seeded["tomorrow"]
    log_in(page, app, lead_seed.ANNA, path="todo")
    expect_when(page, COMPANY, "Overdue")
    click_row(page, COMPANY)
    expect(picked(page)).to_have_value(re.compile(COMPANY))
    expect(actions(page).locator('a[href^="tel:"]')).to_have_attribute("href", "tel:+49891234567")
    expect(actions(page).locator('a[href^="mailto:"]')).to_have_attribute(
        "href", "mailto:lena.vogt@zeppelin.example")

    actions(page).get_by_role("button", name="Log & plan").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(COMPANY)
    dialog.get_by_role("radio", name="No answer").click()
    wait_for_app(page)
    dialog.get_by_label("Notes").fill("Nobody picked up, trying again tomorrow")
    set_date(page, dialog, "Due", tomorrow)
    dialog.get_by_role("button", name="Save").click()
    wait_for_app(page)

    expect(page.get_by_role("dialog")).to_have_count(0)
    expect_when(page, COMPANY, "Upcoming")
    expect(actions(page)).to_contain_text("Call · tomorrow")
    page.reload()
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_app(page)
    expect_when(page, COMPANY, "Upcoming")


def test_the_action_menu_closes_a_lead_and_opens_another(page: Page, app, seeded):
    log_in(page, app, lead_seed.ANNA, path="todo")
    click_row(page, COMPANY)
    actions(page).get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Mark won").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(COMPANY)
    dialog.get_by_role("button", name="Mark won").click()
    wait_for_app(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator('.st-key-todo_table [data-testid^="glide-cell-"]').filter(
        has_text=COMPANY)).to_have_count(0)

    expect(picked(page)).not_to_have_value(re.compile(COMPANY))  # on the next lead now
    now_picked = picked(page).input_value()
    actions(page).get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Open the lead").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        now_picked.split(" · ")[1].split(" — ")[0])


def test_the_calendar_feed_is_served_by_the_app_and_dies_with_its_token(page: Page, app,
                                                                        seeded):
    feed = f"{app.url}/calendar/{seeded['token']}.ics"
    status, kind, body = fetch(feed)  # before any browser session has started
    assert (status, kind.split(";")[0]) == (200, "text/calendar")
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert f"lead-{seeded['lead']}@leadladder" in uids
    assert fetch(f"{app.url}/calendar/not-a-token.ics")[:1] == (404,)
    assert fetch(f"{app.url}/_stcore/health")[::2] == (200, b"ok")

    log_in(page, app, lead_seed.ANNA, path="calendar")
    expect(page.get_by_role("button", name="Revoke…")).to_be_visible()
    assert seeded["token"] not in page.content()  # the address is shown once, when made
    page.get_by_role("button", name="Revoke…").click()
    page.get_by_role("button", name="Revoke the address").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Create my subscription address")).to_be_visible()
    assert fetch(feed)[:2] == (404, "")
