"""Calendars: the .ics file parsed back with icalendar, the feed route, the command line."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from lib import access, calendar, cli, db, leads, settings
from lib.leads import NextStep
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 12, 3)


def new_lead(cur, owner: int, step: NextStep, company: str = "Acme", **person) -> int:
    person_id = factories.person(cur, company=company, **person)
    return leads.convert(cur, person_id, owner_id=owner, next_step=step, by=owner).lead_id


def events(body: bytes) -> dict[str, icalendar.Event]:
    """The file's events by UID."""
    return {str(event["uid"]): event for event in icalendar.Calendar.from_ical(body).events}


@pytest.fixture
def rep(any_db) -> int:
    return factories.user(any_db, "Anna Rep")


@pytest.fixture
def three_steps(any_db, rep) -> dict[str, int]:
    """A meeting at a time, a call at a time, an e-mail without a time."""
    return {
        "meeting": new_lead(any_db, rep, NextStep("meeting", DAY, time(14, 30), 45, "demo")),
        "call": new_lead(any_db, rep, NextStep("call", DAY, time(9, 0)), "Beta",
                         phone="+49 30 123456"),
        "email": new_lead(any_db, rep, NextStep("email", DAY + timedelta(days=1)), "Gamma"),
    }


def test_each_open_next_step_is_one_event(any_db, rep, three_steps):
    other = factories.user(any_db, "Ben")
    new_lead(any_db, other, NextStep("call", DAY))
    found = events(calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS))
    assert sorted(found) == sorted(f"lead-{i}@leadladder" for i in three_steps.values())


def test_a_meeting_lasts_its_duration_in_the_app_time_zone(any_db, rep, three_steps):
    uid = f"lead-{three_steps['meeting']}@leadladder"
    meeting = events(calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS))[uid]
    assert meeting.start.replace(tzinfo=None).isoformat() == "2026-12-03T14:30:00"
    assert meeting.start.tzinfo.key == "Europe/Berlin"
    assert meeting.start.utcoffset() == BERLIN.utcoffset(meeting.start.replace(tzinfo=None))
    assert meeting.duration == timedelta(minutes=45)
    assert str(meeting["summary"]).startswith("Meeting: Acme — Anna Person")
    assert "demo" in str(meeting["description"])


def test_a_timed_call_lasts_fifteen_minutes_and_a_day_without_time_is_all_day(
    any_db, rep, three_steps
):
    found = events(calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS))
    call = found[f"lead-{three_steps['call']}@leadladder"]
    email = found[f"lead-{three_steps['email']}@leadladder"]
    assert (call.start.hour, call.duration) == (9, timedelta(minutes=15))
    assert "+49 30 123456" in str(call["description"])
    assert (email.start, email.end) == (DAY + timedelta(days=1), DAY + timedelta(days=2))
    assert type(email.start) is date


def test_every_event_has_an_alarm_from_the_setting(any_db, rep, three_steps):
    def triggers() -> dict[str, timedelta]:
        found = events(calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS))
        return {kind: found[f"lead-{lead}@leadladder"].walk("VALARM")[0]["trigger"].dt
                for kind, lead in three_steps.items()}

    assert triggers() == {"meeting": timedelta(minutes=-15), "call": timedelta(minutes=-15),
                          "email": timedelta(hours=9)}
    settings.put(any_db, "alarm_minutes", 60, by=None)
    assert triggers()["call"] == timedelta(minutes=-60)


def test_two_exports_of_unchanged_data_are_identical(any_db, rep, three_steps):
    first = calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS)
    assert first == calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS)


def test_a_changed_next_step_keeps_its_uid_and_raises_its_sequence(any_db, rep, three_steps):
    uid = f"lead-{three_steps['call']}@leadladder"
    before = events(calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS))[uid]
    leads.set_next_step(any_db, three_steps["call"], NextStep("call", DAY, time(11)), by=rep)
    after = events(calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS))[uid]
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert (before.start.hour, after.start.hour) == (9, 11)
    assert after["dtstamp"].dt >= before["dtstamp"].dt


def test_a_closed_lead_leaves_the_calendar(any_db, rep, three_steps):
    leads.won(any_db, three_steps["meeting"], by=rep)
    found = events(calendar.ics_for_user(any_db, rep, viewer=access.FULL_ACCESS))
    assert f"lead-{three_steps['meeting']}@leadladder" not in found and len(found) == 2


def test_the_calendar_says_its_time_zone_and_who_it_is_for(any_db, rep, three_steps):
    parsed = icalendar.Calendar.from_ical(calendar.ics_for_user(any_db, rep,
                                                                viewer=access.FULL_ACCESS))
    assert [str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(parsed["x-wr-calname"]) == "leadladder — Anna Rep"


def test_an_empty_calendar_is_still_a_valid_file(any_db, rep):
    parsed = icalendar.Calendar.from_ical(calendar.ics_for_user(any_db, rep,
                                                                viewer=access.FULL_ACCESS))
    assert parsed.events == [] and str(parsed["version"]) == "2.0"


# --- tokens and the feed -------------------------------------------------------------------


def test_a_token_belongs_to_one_user_until_replaced_or_revoked(any_db, rep):
    first = calendar.issue_token(any_db, rep)
    assert calendar.user_for_token(any_db, first) == rep
    second = calendar.issue_token(any_db, rep)
    assert len(second) >= 32 and second != first
    assert calendar.user_for_token(any_db, first) is None
    assert calendar.has_feed(any_db, rep)
    assert any_db.execute("SELECT calendar_token FROM users WHERE id = ?",
                            [rep]).fetchone() == (None,), "the token itself is never stored"
    calendar.revoke_token(any_db, rep)
    assert calendar.user_for_token(any_db, second) is None
    assert calendar.user_for_token(any_db, "") is None


def test_an_inactive_users_token_stops_working(any_db, rep):
    token = calendar.issue_token(any_db, rep)
    any_db.execute("UPDATE users SET active = false WHERE id = ?", [rep])
    assert calendar.user_for_token(any_db, token) is None


@pytest.fixture
def feed(file_db: db.Connection):
    """A Starlette app holding only the feed route, on a real database file; and its cursor."""
    cur = file_db.cursor()
    app = Starlette(routes=[calendar.feed_route(file_db.cursor)])
    with TestClient(app) as client:
        yield client, cur
    cur.close()


def test_the_feed_answers_the_right_token_with_the_users_calendar(feed):
    client, cur = feed
    rep = factories.user(cur, "Anna Rep")
    lead_id = new_lead(cur, rep, NextStep("call", DAY, time(9)))
    token = calendar.issue_token(cur, rep)

    response = client.get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert list(events(response.content)) == [f"lead-{lead_id}@leadladder"]


def test_the_feed_gives_a_bare_404_for_a_wrong_or_revoked_token(feed):
    client, cur = feed
    rep = factories.user(cur, "Anna Rep")
    new_lead(cur, rep, NextStep("call", DAY))
    token = calendar.issue_token(cur, rep)
    calendar.revoke_token(cur, rep)

    for path in (f"/calendar/{token}.ics", "/calendar/guess.ics", "/calendar/x.ics"):
        response = client.get(path)
        assert (response.status_code, response.content) == (404, b"")


# --- the command line ----------------------------------------------------------------------


@pytest.fixture
def closed_db_file(db_path: Path) -> Path:
    """A database file with two reps' leads, closed again so that the CLI can open it."""
    conn = db.connect(db_path)
    cur = conn.cursor()
    anna, ben = factories.user(cur, "Anna"), factories.user(cur, "Ben")
    cur.execute("UPDATE users SET email = 'anna@example.com' WHERE id = ?", [anna])
    new_lead(cur, anna, NextStep("call", date(2020, 1, 1)))
    new_lead(cur, anna, NextStep("meeting", date(2020, 1, 2), time(10)))
    new_lead(cur, ben, NextStep("task", date(2099, 1, 1)))
    conn.close()
    return db_path


def test_cli_calendar_writes_the_same_file(closed_db_file, tmp_path, capsys):
    out = tmp_path / "anna.ics"
    code = cli.main(["calendar", "--user", "ANNA@example.com", "--out", str(out),
                     "--db", str(closed_db_file)])
    assert code == 0
    assert "wrote 2 next steps" in capsys.readouterr().out
    assert len(events(out.read_bytes())) == 2


def test_cli_calendar_refuses_an_unknown_user(closed_db_file, tmp_path, capsys):
    code = cli.main(["calendar", "--user", "nobody@example.com", "--out",
                     str(tmp_path / "x.ics"), "--db", str(closed_db_file)])
    assert code == 2
    assert "no user with the e-mail nobody@example.com" in capsys.readouterr().err
    assert not (tmp_path / "x.ics").exists()


def test_cli_overdue_as_json_and_as_text(closed_db_file, capsys):
    assert cli.main(["overdue", "--json", "--db", str(closed_db_file)]) == 0
    payload = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert payload["total"] == 2
    assert [(rep["name"], rep["count"]) for rep in payload["reps"]] == [("Anna", 2), ("Ben", 0)]
    assert payload["reps"][0]["email"] == "anna@example.com"

    assert cli.main(["overdue", "--db", str(closed_db_file)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == ["Anna <anna@example.com>: 2", f"Ben <{payload['reps'][1]['email']}>: 0",
                     "total: 2"]


def test_the_download_is_named_after_the_user_and_counts_the_open_steps(any_db):
    assert calendar.file_name("Anna Schmidt") == "leadladder-anna-schmidt.ics"
    assert calendar.file_name("Jörg O'Neil-Brandt") == "leadladder-j-rg-o-neil-brandt.ics"
    rep = factories.user(any_db, "Anna")
    assert calendar.event_count(any_db, rep, viewer=access.FULL_ACCESS) == 0
    for company in ("A", "B"):
        person = factories.person(any_db, company=company)
        leads.convert(any_db, person, owner_id=rep, by=rep,
                      next_step=NextStep("call", date.today()))
    assert calendar.event_count(any_db, rep, viewer=access.FULL_ACCESS) == 2
    assert calendar.event_count(any_db, rep, viewer=access.FULL_ACCESS) == len(
        icalendar.Calendar.from_ical(calendar.ics_for_user(any_db, rep,
                                                           viewer=access.FULL_ACCESS)).walk("VEVENT"))
