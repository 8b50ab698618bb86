"""A rep's morning in the browser: a call logged on an overdue lead moves it to Upcoming, and it
stays there; the calendar feed answers beside the app from the same process."""

from __future__ import annotations

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


def card(page: Page, group: str, lead_id: object) -> Locator:
    return page.locator(f".st-key-todo_group_{group} .st-key-todo_lead_{lead_id}")


def set_date(page: Page, scope: Locator, label: str, day: date) -> None:
    """Type a date into a date input (day, month and year fields, as a person types it)."""
    scope.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(day.strftime("%d%m%Y"))
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
    lead_id, tomorrow = seeded["lead"], seeded["tomorrow"]
    log_in(page, app, lead_seed.ANNA, path="todo")
    overdue = card(page, "overdue", lead_id)
    expect(overdue).to_contain_text(COMPANY)
    expect(overdue.locator('a[href^="tel:"]')).to_have_attribute("href", "tel:+49891234567")
    expect(overdue.locator('a[href^="mailto:"]')).to_have_attribute(
        "href", "mailto:lena.vogt@zeppelin.example")

    overdue.get_by_role("button", name="Log & plan").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(COMPANY)
    dialog.get_by_role("radio", name="No answer").click()
    wait_for_app(page)
    dialog.get_by_label("Notes").fill("Nobody picked up, trying again tomorrow")
    set_date(page, dialog, "Due", tomorrow)
    dialog.get_by_role("button", name="Save").click()
    wait_for_app(page)

    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(card(page, "upcoming", lead_id)).to_contain_text("Call · tomorrow")
    expect(card(page, "overdue", lead_id)).to_have_count(0)
    page.reload()
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_app(page)
    expect(card(page, "upcoming", lead_id)).to_contain_text(COMPANY)
    expect(card(page, "overdue", lead_id)).to_have_count(0)


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
