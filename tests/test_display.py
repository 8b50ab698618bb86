"""How values read on screen: money, days, due moments, badges, links, local times."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from lib import display, settings

TODAY = date(2025, 11, 27)  # a Thursday


@pytest.mark.parametrize("blank", [None, np.nan, pd.NaT, pd.NA])
def test_every_kind_of_blank_is_none_and_a_value_stays(blank):
    assert display.given(blank) is None
    assert display.given(0) == 0 and display.given("") == ""


def test_markdown_specials_are_shown_literally():
    assert display.literal("*Best* [deal] #1 $5") == r"\*Best\* \[deal\] #1 \$5"
    assert display.literal("# Best") == r"\# Best"


@pytest.mark.parametrize(("amount", "currency", "shown"), [
    (12000, "EUR", "€12,000"), (1250.5, "CHF", "1,250.50 CHF"), (4000.0, "USD", "$4,000"),
    (None, "EUR", "—"), (np.nan, "GBP", "—"),
])
def test_money_has_its_sign_or_its_code(amount, currency, shown):
    assert display.money(amount, currency) == shown


@pytest.mark.parametrize(("day", "shown"), [
    (date(2025, 11, 26), "yesterday"), (date(2025, 11, 27), "today"),
    (date(2025, 11, 28), "tomorrow"), (date(2025, 12, 4), "Thu 4 Dec"),
    (date(2026, 1, 8), "Thu 8 Jan 2026"),
])
def test_a_day_reads_relative_to_today(day, shown):
    assert display.day_text(day, TODAY) == shown


def test_a_due_moment_in_a_table_has_the_year_only_for_another_year():
    assert display.due_text(date(2025, 11, 16), None, TODAY) == "Sun 16 Nov"
    assert display.due_text(date(2024, 11, 18), time(14, 0), TODAY) == "Mon 18 Nov 2024 14:00"
    assert display.due_text(date(2025, 11, 28), pd.NaT, TODAY) == "Fri 28 Nov"


def test_a_next_step_and_a_stored_moment_read_as_a_rep_says_them():
    assert display.next_step_text("call", date(2025, 11, 28), time(10, 0), TODAY) == (
        "📞 Call · tomorrow 10:00")
    assert display.next_step_text("task", date(2025, 11, 27), None, TODAY) == "☑️ Task · today"
    winter = datetime(2025, 11, 26, 13, 24)  # UTC: 14:24 in Berlin
    assert display.moment_text(winter, ZoneInfo("Europe/Berlin"), TODAY) == "yesterday 14:24"


@pytest.mark.parametrize(("days", "shown"), [
    (None, "never"), (0, "today"), (1, "yesterday"), (5.0, "5 days ago")])
def test_the_last_action_reads_as_how_long_ago(days, shown):
    assert display.since_text(days) == shown


def test_badges_and_their_way_back_to_a_status():
    assert display.badge("overdue") == ":red-badge[Overdue]"
    assert display.status_badge("prospect") == "🟡 prospect"
    assert display.status_badge("unknown") == "unknown"
    for status in ("suspect", "prospect", "lead", "dead"):
        assert display.status_of_badge(display.status_badge(status)) == status
    assert display.status_of_badge(None) == "suspect"


def test_contact_links_dial_the_digits_and_escape_the_text():
    row = {"email": "a_b@x.de", "phone": "089 / 123-45", "mobile": None}
    assert display.contact_links(row) == (
        r"[a\_b@x.de](mailto:a_b@x.de) · [089 / 123-45](tel:08912345)")
    assert display.contact_links({}) == ""


def test_an_e_mail_cannot_end_its_link_early():
    """Before the fix the address went into the link as it was: ``)`` closed it and the rest
    became a second, working link."""
    row = {"email": "a@x.de) [Log in](https://evil.example"}
    assert display.contact_links(row) == (
        f"[a@x.de) \\[Log in\\](https:{display.JOINER}//evil.example]"
        "(mailto:a@x.de%29%20%5BLog%20in%5D%28https%3A%2F%2Fevil.example)")


def test_stored_utc_times_are_shown_in_the_app_time_zone(fresh_db):
    settings.put(fresh_db, "timezone", "America/New_York", by=None)
    shown = display.local_times(fresh_db, pd.Series([datetime(2025, 7, 1, 12, 0)]))
    assert shown.iloc[0] == pd.Timestamp(2025, 7, 1, 8, 0)


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (50, 1), (51, 2), (200, 4)])
def test_a_pager_offers_at_least_one_page(total, pages):
    assert display.page_count(total, 50) == pages


def test_picker_options_come_from_a_frame_by_id():
    frame = pd.DataFrame({"id": [3, 1], "name": ["Ben", "Anna"], "list": ["B", "A"]})
    assert display.by_id(frame) == {3: "Ben", 1: "Anna"}
    assert display.by_id(frame, "list") == {3: "B", 1: "A"}
    assert all(type(key) is int for key in display.by_id(frame))
