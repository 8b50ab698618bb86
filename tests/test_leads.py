"""Leads: conversion, next steps, activities, lifecycle, to-do, pipeline and the detail."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import psycopg
import pytest

from lib import access, leads, schedule
from lib.db import utcnow
from lib.errors import EditConflict, InvalidInput, UserError
from lib.leads import Activity, NextStep
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = schedule.local_today(utcnow(), BERLIN)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def call(offset: int = 1, at: time | None = None) -> NextStep:
    return NextStep("call", day(offset), at)


@pytest.fixture
def rep(any_db) -> int:
    return factories.user(any_db, "Anna Rep")


def new_lead(db, owner: int, step: NextStep | None = None, **person: object) -> int:
    person.setdefault("company", "Acme")
    person_id = factories.person(db, **person)
    return leads.convert(db, person_id, owner_id=owner, next_step=step or call(), by=owner).lead_id


def stored(db, lead_id: int, *columns: str) -> tuple:
    return db.execute(f"SELECT {', '.join(columns)} FROM leads WHERE id = ?", [lead_id]).fetchone()


def lead_history(db, lead_id: int) -> list[tuple]:
    return db.execute(
        "SELECT kind, field, old_value, new_value FROM history WHERE lead_id = ? ORDER BY id",
        [lead_id],
    ).fetchall()


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- what a rep types ----------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "column"), [
    ({"type": "fax", "due_date": date(2026, 1, 5)}, "next step"),
    ({"type": "call", "due_date": None}, "due date"),
    ({"type": "call", "due_date": datetime(2026, 1, 5, 10)}, "due date"),
    ({"type": "call", "due_date": date(2026, 1, 5), "due_time": "10:00"}, "due time"),
    ({"type": "meeting", "due_date": date(2026, 1, 5), "duration_min": 0}, "duration"),
    ({"type": "meeting", "due_date": date(2026, 1, 5), "duration_min": 2000}, "duration"),
])
def test_a_wrong_next_step_is_refused_with_the_field_named(kwargs, column):
    with pytest.raises(InvalidInput) as refused:
        NextStep(**kwargs)
    assert refused.value.column == column


def test_a_meeting_lasts_thirty_minutes_unless_told():
    assert NextStep("meeting", date(2026, 1, 5)).duration_min == 30
    assert NextStep("meeting", date(2026, 1, 5), duration_min=90).duration_min == 90
    assert NextStep("call", date(2026, 1, 5), note="  ").note is None


@pytest.mark.parametrize("kwargs", [
    {"kind": "fax"},
    {"kind": "call"},
    {"kind": "call", "outcome": "maybe"},
    {"kind": "email", "outcome": "reached"},
    {"kind": "note", "text": " "},
])
def test_a_wrong_activity_is_refused(kwargs):
    with pytest.raises(InvalidInput):
        Activity(**kwargs)


# --- conversion ----------------------------------------------------------------------------


def test_convert_makes_a_todo_lead_in_the_first_step(any_db, rep):
    person = factories.person(any_db, company="Acme GmbH", first_name="Jana", last_name="Roth",
                              status="lead")
    result = leads.convert(any_db, person, owner_id=rep, next_step=call(2, time(10)),
                           amount="1200.50", note="met at the fair", by=rep)

    assert result.created and "created" in result.message
    assert stored(any_db, result.lead_id, "title", "owner_id", "step_key", "status", "amount",
                  "next_type", "next_due_date", "next_due_time") == (
        "Acme GmbH — Jana Roth", rep, "new", "todo", Decimal("1200.50"), "call", day(2), time(10))
    assert [h[0] for h in lead_history(any_db, result.lead_id)] == ["convert", "next_step"]
    assert any_db.execute("SELECT kind, body FROM activities").fetchall() == [
        ("note", "met at the fair")]
    assert factories.stored(any_db, person, "owner_id") == (rep,)


def test_convert_keeps_an_existing_owner_of_the_person(any_db, rep):
    other = factories.user(any_db)
    person = factories.person(any_db, owner_id=other)
    leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep)
    assert factories.stored(any_db, person, "owner_id") == (other,)


def test_converting_a_person_with_an_open_lead_creates_nothing(any_db, rep):
    person = factories.person(any_db, company="Acme")
    first = leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep)
    before = count(any_db, "history")

    again = leads.convert(any_db, person, owner_id=rep, next_step=call(5), by=rep)

    assert (again.lead_id, again.created) == (first.lead_id, False)
    assert "already has an open lead" in again.message
    assert count(any_db, "leads") == 1 and count(any_db, "history") == before


def test_a_person_whose_lead_was_closed_can_be_converted_again(any_db, rep):
    person = factories.person(any_db)
    first = leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep).lead_id
    leads.lost(any_db, first, "no budget", by=rep)
    second = leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep)
    assert second.created and second.lead_id != first


def test_a_dead_person_cannot_be_converted(any_db, rep):
    person = factories.person(any_db, dead_reason="not interested")
    with pytest.raises(UserError, match="revive"):
        leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep)
    assert count(any_db, "leads") == 0 and count(any_db, "history") == 0


def test_convert_warns_when_the_row_was_not_yet_a_lead(any_db, rep):
    person = factories.person(any_db, status="prospect")
    result = leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep)
    assert "was a prospect" in result.message


@pytest.mark.parametrize("change", [
    {"owner_id": 999},
    {"step_key": "nowhere"},
    {"amount": "-5"},
    {"amount": "lots"},
    {"next_step": None},
    {"title": "  "},
])
def test_convert_refuses_bad_input_and_writes_nothing(any_db, rep, change):
    person = factories.person(any_db)
    arguments = {"owner_id": rep, "next_step": call(), **change}
    with pytest.raises(UserError):
        leads.convert(any_db, person, by=rep, **arguments)
    assert count(any_db, "leads") == 0 and count(any_db, "history") == 0


def test_an_inactive_user_cannot_own_a_lead(any_db, rep):
    gone = factories.user(any_db)
    any_db.execute("UPDATE users SET active = false WHERE id = ?", [gone])
    with pytest.raises(InvalidInput, match="active"):
        leads.convert(any_db, factories.person(any_db), owner_id=gone, next_step=call(),
                      by=rep)


# --- activity and next step in one transaction ---------------------------------------------


def test_log_activity_and_next_step_writes_both(any_db, rep):
    lead_id = new_lead(any_db, rep)
    leads.log_activity_and_next_step(
        any_db, lead_id, Activity("call", "nobody there", "no_answer"),
        NextStep("call", day(3), time(10)), by=rep)

    assert any_db.execute("SELECT kind, outcome, body, user_id FROM activities").fetchall() == [
        ("call", "no_answer", "nobody there", rep)]
    assert stored(any_db, lead_id, "next_due_date", "next_due_time") == (day(3), time(10))
    assert lead_history(any_db, lead_id)[-1] == (
        "next_step", "next_step", f"call {day(1)}", f"call {day(3)} 10:00")


def snapshot(db, lead_id: int) -> tuple:
    return (db.execute("SELECT * FROM leads WHERE id = ?", [lead_id]).fetchall(),
            count(db, "activities"), count(db, "history"))


def test_a_failing_next_step_leaves_the_activity_unwritten_too(any_db, rep):
    lead_id = new_lead(any_db, rep)
    before = snapshot(any_db, lead_id)
    with pytest.raises(InvalidInput):
        leads.log_activity_and_next_step(any_db, lead_id, Activity("email", "sent offer"),
                                         None, by=rep)  # type: ignore[arg-type]
    assert snapshot(any_db, lead_id) == before


def test_a_check_violation_in_the_database_rolls_back_the_activity(any_db, rep):
    """A next step that slipped past validation is stopped by the schema, and takes the
    activity written before it down with it."""
    lead_id = new_lead(any_db, rep)
    forged = object.__new__(NextStep)
    for name, value in {"type": "fax", "due_date": day(2), "due_time": None,
                        "duration_min": None, "note": None}.items():
        object.__setattr__(forged, name, value)
    before = snapshot(any_db, lead_id)
    with pytest.raises((duckdb.ConstraintException, psycopg.errors.CheckViolation)):
        leads.log_activity_and_next_step(any_db, lead_id, Activity("call", outcome="reached"),
                                         forged, by=rep)
    assert snapshot(any_db, lead_id) == before


def test_on_a_closed_lead_neither_activity_nor_next_step_is_written(any_db, rep):
    lead_id = new_lead(any_db, rep)
    leads.won(any_db, lead_id, by=rep)
    before = snapshot(any_db, lead_id)
    with pytest.raises(UserError, match="won"):
        leads.log_activity_and_next_step(any_db, lead_id, Activity("call", outcome="reached"),
                                         call(2), by=rep)
    assert snapshot(any_db, lead_id) == before


def test_an_activity_cannot_happen_in_the_future(any_db, rep):
    lead_id = new_lead(any_db, rep)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(InvalidInput, match="future"):
        leads.log_activity(any_db, lead_id, Activity("email", happened_at=tomorrow), by=rep)


def test_a_note_can_be_logged_on_a_closed_lead(any_db, rep):
    lead_id = new_lead(any_db, rep)
    leads.cancel(any_db, lead_id, "duplicate lead", by=rep)
    leads.log_activity(any_db, lead_id, Activity("note", "merged into the other one"), by=rep)
    assert count(any_db, "activities") == 1


# --- step and status -----------------------------------------------------------------------


def test_moving_a_step_is_logged(any_db, rep):
    lead_id = new_lead(any_db, rep)
    leads.move_step(any_db, lead_id, "proposal", by=rep)
    leads.move_step(any_db, lead_id, "proposal", by=rep)  # no change, no entry
    assert stored(any_db, lead_id, "step_key") == ("proposal",)
    assert [h for h in lead_history(any_db, lead_id) if h[0] == "lead_step"] == [
        ("lead_step", "step_key", "new", "proposal")]


def test_a_lead_cannot_move_to_an_inactive_step(any_db, rep):
    lead_id = new_lead(any_db, rep)
    any_db.execute("UPDATE pipeline_steps SET active = false WHERE key = 'proposal'")
    with pytest.raises(InvalidInput, match="proposal"):
        leads.move_step(any_db, lead_id, "proposal", by=rep)


def test_the_steps_a_lead_can_move_to_are_the_active_ones_in_order(any_db):
    any_db.execute("UPDATE pipeline_steps SET active = false WHERE key = 'proposal'")
    any_db.execute("UPDATE pipeline_steps SET position = 0 WHERE key = 'negotiation'")
    assert leads.active_steps(any_db) == {
        "negotiation": "Negotiation", "new": "New", "contacted": "Contacted",
        "meeting": "Meeting scheduled"}
    assert list(leads.active_steps(any_db)) == ["negotiation", "new", "contacted", "meeting"]


@pytest.mark.parametrize(("close", "status", "reason"), [
    (lambda db, lead, by: leads.won(db, lead, by=by), "won", None),
    (lambda db, lead, by: leads.lost(db, lead, "went to a competitor", by=by), "lost",
     "went to a competitor"),
    (lambda db, lead, by: leads.cancel(db, lead, "other", "test entry", by=by), "cancelled",
     "other"),
])
def test_closing_clears_the_next_step(any_db, rep, close, status, reason):
    lead_id = new_lead(any_db, rep)
    close(any_db, lead_id, rep)
    assert stored(any_db, lead_id, "status", "close_reason", "next_type", "next_due_date") == (
        status, reason, None, None)
    assert lead_history(any_db, lead_id)[-2:] == [
        ("lead_status", "status", "todo", status), ("next_step", "next_step", f"call {day(1)}",
                                                   None)]


def test_other_as_a_reason_needs_a_note(any_db, rep):
    lead_id = new_lead(any_db, rep)
    with pytest.raises(InvalidInput, match="note"):
        leads.lost(any_db, lead_id, "other", by=rep)
    with pytest.raises(InvalidInput, match="choose one of"):
        leads.cancel(any_db, lead_id, "bored", by=rep)
    assert stored(any_db, lead_id, "status") == ("todo",)


def test_a_closed_lead_cannot_be_closed_or_moved_again(any_db, rep):
    lead_id = new_lead(any_db, rep)
    leads.won(any_db, lead_id, by=rep)
    for action in (lambda: leads.lost(any_db, lead_id, "no need", by=rep),
                   lambda: leads.move_step(any_db, lead_id, "meeting", by=rep),
                   lambda: leads.set_next_step(any_db, lead_id, call(), by=rep)):
        with pytest.raises(UserError, match="already won"):
            action()


def test_reopening_brings_the_lead_back_with_a_next_step(any_db, rep):
    lead_id = new_lead(any_db, rep)
    leads.lost(any_db, lead_id, "bad timing", by=rep)
    leads.reopen(any_db, lead_id, call(14), by=rep)
    assert stored(any_db, lead_id, "status", "closed_at", "close_reason", "next_due_date") == (
        "todo", None, None, day(14))


def test_standby_parks_the_lead_until_a_date_after_today(any_db, rep):
    lead_id = new_lead(any_db, rep)
    with pytest.raises(InvalidInput, match="after today"):
        leads.standby(any_db, lead_id, TODAY, call(3), by=rep)
    with pytest.raises(InvalidInput, match="on or after"):
        leads.standby(any_db, lead_id, day(10), call(3), by=rep)
    leads.standby(any_db, lead_id, day(10), call(10), by=rep)
    assert stored(any_db, lead_id, "status", "standby_until", "next_due_date") == (
        "standby", day(10), day(10))
    leads.resume(any_db, lead_id, by=rep)
    assert stored(any_db, lead_id, "status", "standby_until") == ("todo", None)


def test_edit_changes_fields_and_logs_each(any_db, rep):
    lead_id = new_lead(any_db, rep)
    other = factories.user(any_db, "Ben")
    boss = factories.user(any_db, "Boss", role="manager")  # giving a lead away is assigning
    changed = leads.edit(any_db, lead_id, by=boss, title="Big deal", owner_id=other,
                         amount=5000, currency="usd", probability="60",
                         expected_close=day(30), tags=" fair, urgent,fair ")
    assert changed["tags"] == "fair, urgent" and changed["currency"] == "USD"
    assert stored(any_db, lead_id, "title", "owner_id", "amount", "probability") == (
        "Big deal", other, Decimal("5000.00"), 60)
    edits = [h[1] for h in lead_history(any_db, lead_id) if h[0] == "lead_edit"]
    assert sorted(edits) == sorted(changed)
    assert leads.edit(any_db, lead_id, by=rep, probability=60) == {}


@pytest.mark.parametrize("change", [
    {"probability": 101}, {"currency": "EURO"}, {"title": ""}, {"owner_id": 404},
    {"expected_close": "soon"}, {"closed_at": None}, {"tags": 5},
])
def test_edit_refuses_bad_values(any_db, rep, change):
    lead_id = new_lead(any_db, rep)
    before = snapshot(any_db, lead_id)
    with pytest.raises(InvalidInput):
        leads.edit(any_db, lead_id, by=rep, **change)
    assert snapshot(any_db, lead_id) == before


# --- to-do and pipeline --------------------------------------------------------------------


def berlin(moment_day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(moment_day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def test_todo_groups_a_reps_open_leads(any_db, rep):
    other = factories.user(any_db, "Ben")
    ids = {
        "overdue": new_lead(any_db, rep, NextStep("call", day(0), time(8))),
        "today": new_lead(any_db, rep, NextStep("email", day(0))),
        "upcoming": new_lead(any_db, rep, NextStep("meeting", day(7), time(9))),
        "later": new_lead(any_db, rep, NextStep("task", day(8))),
        "standby": new_lead(any_db, rep),
    }
    leads.standby(any_db, ids["standby"], day(20), call(20), by=rep)
    new_lead(any_db, other)
    leads.won(any_db, new_lead(any_db, rep), by=rep)

    frame = leads.todo(any_db, user_id=rep, now=berlin(TODAY, 9), viewer=access.FULL_ACCESS)

    assert dict(zip(frame["lead_id"], frame["group"], strict=True)) == {
        lead_id: group for group, lead_id in ids.items()}
    assert frame["group"].tolist() == list(leads.GROUPS)
    assert leads.todo_counts(any_db, user_id=rep, now=berlin(TODAY, 9),
                             viewer=access.FULL_ACCESS) == dict.fromkeys(
        leads.GROUPS, 1)
    team = leads.todo(any_db, user_id=None, now=berlin(TODAY, 9), viewer=access.FULL_ACCESS)
    assert len(team) == 6 and set(team["owner"]) == {"Anna Rep", "Ben"}


def test_todo_can_show_only_the_first_leads_of_each_group(any_db, rep):
    overdue = [new_lead(any_db, rep, NextStep("call", day(-n))) for n in (1, 3, 2)]
    later = [new_lead(any_db, rep, NextStep("call", day(30 + n))) for n in (2, 1)]
    frame = leads.todo(any_db, user_id=rep, limit_per_group=2, viewer=access.FULL_ACCESS)
    assert frame["lead_id"].tolist() == [overdue[1], overdue[2], later[1], later[0]]
    assert leads.todo_counts(any_db, user_id=rep, viewer=access.FULL_ACCESS)["overdue"] == 3


def test_todo_orders_by_due_moment_within_a_group(any_db, rep):
    late = new_lead(any_db, rep, NextStep("call", day(0), time(23)))
    all_day = new_lead(any_db, rep, NextStep("call", day(0)))
    early = new_lead(any_db, rep, NextStep("call", day(0), time(11)))
    frame = leads.todo(any_db, user_id=rep, now=berlin(TODAY, 10), viewer=access.FULL_ACCESS)
    assert frame["lead_id"].tolist() == [early, late, all_day]


def test_days_since_the_last_action(any_db, rep):
    lead_id = new_lead(any_db, rep)
    in_three_days = utcnow() + timedelta(days=3)

    def days_since() -> int:
        return int(leads.todo(any_db, user_id=rep, now=in_three_days,
                              viewer=access.FULL_ACCESS)["days_since"].iloc[0])

    assert days_since() == 3
    leads.log_activity(any_db, lead_id, Activity("email", "offer"), by=rep)
    leads.edit(any_db, lead_id, by=rep, title="edits are not actions")
    assert days_since() == 3
    people = leads.last_action_per_person(any_db, [int(stored(any_db, lead_id,
                                                                "person_id")[0])],
                                          in_three_days, viewer=access.FULL_ACCESS)
    assert people["days_since"].tolist() == [3]


def test_the_last_action_is_the_latest_activity_or_step_or_status_change(any_db, rep):
    lead_id = new_lead(any_db, rep)
    long_ago = utcnow() - timedelta(days=10)
    any_db.execute("UPDATE leads SET created_at = ?", [long_ago])
    any_db.execute("UPDATE history SET happened_at = ?", [long_ago])
    old_call = Activity("call", outcome="reached", happened_at=long_ago + timedelta(days=2))
    leads.log_activity(any_db, lead_id, old_call, by=rep)

    def last() -> datetime:
        return leads.todo(any_db, user_id=rep,
                          viewer=access.FULL_ACCESS)["last_action_at"].iloc[0].to_pydatetime()

    assert last() == long_ago + timedelta(days=2)
    leads.move_step(any_db, lead_id, "contacted", by=rep)
    assert last() > utcnow() - timedelta(minutes=1)


def test_pipeline_cards_and_totals_per_step(any_db, rep):
    other = factories.user(any_db, "Ben")
    a = new_lead(any_db, rep, NextStep("call", day(-1)))
    b = new_lead(any_db, rep, NextStep("call", day(3)))
    c = new_lead(any_db, other, NextStep("call", day(0), time(23, 59)))
    leads.edit(any_db, a, by=rep, amount=1000, probability=50)
    leads.edit(any_db, b, by=rep, amount=3000, probability=10)
    leads.edit(any_db, c, by=rep, amount=500)
    leads.move_step(any_db, c, "proposal", by=rep)

    cards = leads.pipeline(any_db, now=berlin(TODAY, 12), viewer=access.FULL_ACCESS)
    assert dict(zip(cards["lead_id"], cards["group"], strict=True)) == {
        a: "overdue", b: "upcoming", c: "today"}
    assert leads.pipeline(any_db, owner_id=other,
                          viewer=access.FULL_ACCESS)["lead_id"].tolist() == [c]
    assert leads.pipeline(any_db, limit_per_step=1,
                          viewer=access.FULL_ACCESS)["lead_id"].tolist() == [a, c]

    totals = leads.pipeline_totals(any_db, viewer=access.FULL_ACCESS).set_index("step_key")
    assert totals.loc["new", ["count", "amount", "weighted"]].tolist() == [2, 4000, 800]
    assert totals.loc["proposal", ["count", "amount", "weighted"]].tolist() == [1, 500, 0]
    assert totals.loc["negotiation", "count"] == 0
    assert leads.pipeline_totals(any_db, owner_id=other,
                                 viewer=access.FULL_ACCESS)["count"].sum() == 1


# --- the detail ----------------------------------------------------------------------------


def test_lead_detail_shows_contact_criteria_and_the_whole_timeline(any_db, rep):
    list_id = factories.new_list(any_db, "KW45 Fair")
    person = factories.person(any_db, list_id, company="Acme", email="jana@acme.example")
    any_db.execute(
        "INSERT INTO ticks (person_id, criterion_key, ticked_by, ticked_at) VALUES (?, ?, ?, ?)",
        [person, "budget", rep, utcnow()])
    any_db.execute(
        "INSERT INTO history (happened_at, user_id, person_id, kind, field, old_value, new_value)"
        " VALUES (?, ?, ?, 'tick', 'budget', 'False', 'True')", [utcnow(), rep, person])
    lead_id = leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep).lead_id
    leads.log_activity_and_next_step(any_db, lead_id, Activity("call", outcome="voicemail"),
                                     call(2), by=rep)
    leads.move_step(any_db, lead_id, "meeting", by=rep)

    detail = leads.lead_detail(any_db, lead_id, viewer=access.FULL_ACCESS)

    assert detail.contact["email"] == "jana@acme.example"
    assert detail.criteria[["key", "ticked_by"]].values.tolist() == [["budget", "Anna Rep"]]
    assert detail.next_step == call(2)
    assert detail.lead["step"] == "Meeting scheduled"
    kinds = detail.timeline["kind"].tolist()
    assert kinds[::-1] == ["import", "tick", "owner", "status", "convert", "next_step", "call",
                           "next_step", "lead_step"]
    what = dict(zip(detail.timeline["kind"], detail.timeline["what"], strict=False))
    assert what["import"] == "in list “KW45 Fair” (added by hand)"
    assert what["call"] == "voicemail"
    assert what["lead_step"] == "step: New → Meeting scheduled"
    assert what["owner"] == "owner: nobody → Anna Rep (with the new lead)"


def test_owner_changes_read_once_in_words_on_the_row_and_on_the_lead(any_db, rep):
    from lib import rows

    ben = factories.user(any_db, "Ben")
    boss = factories.user(any_db, "Boss", role="manager")  # giving a row away is assigning
    list_id = factories.new_list(any_db)
    person = factories.person(any_db, list_id, company="Acme")
    lead_id = leads.convert(any_db, person, owner_id=rep, next_step=call(), by=rep).lead_id

    def last_action() -> str:
        page, _ = rows.rows_page(any_db, rows.RowFilter(list_id=list_id),
                                  viewer=access.FULL_ACCESS)
        return page.iloc[0]["last_action"]

    assert last_action() == f"next step: {call().describe()}"  # the conversion's, as when owned
    whats = rows.row_history(any_db, person, viewer=access.FULL_ACCESS)["what"].tolist()
    assert "owner: nobody → Anna Rep (with the new lead)" in whats
    assert not [w for w in whats if "owner owner" in w]

    rows.assign_owner(any_db, person, ben, expected_owner_id=rep, by=boss)
    assert last_action() == "owner: Anna Rep → Ben"
    timeline = leads.timeline(any_db, lead_id, viewer=access.FULL_ACCESS)
    assert timeline.iloc[0][["kind", "what"]].tolist() == ["owner", "owner: Anna Rep → Ben"]


# --- two reps at once ----------------------------------------------------------------------


def at_once(conn, work, arguments: list) -> list:
    """Run ``work(cursor, argument)`` on one thread per argument, released together."""
    start, results = threading.Barrier(len(arguments)), []

    def run(argument) -> None:
        cursor = conn.cursor()
        start.wait()
        results.append(work(cursor, argument))
        cursor.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_reps_converting_the_same_person_at_once_make_one_lead(file_db):
    setup = file_db.cursor()
    reps = [factories.user(setup) for _ in range(4)]
    for _ in range(5):
        person = factories.person(setup, owner_id=reps[0])
        results = at_once(file_db, lambda cursor, rep, person=person: leads.convert(
            cursor, person, owner_id=rep, next_step=call(), by=rep), reps)
        assert sorted(r.created for r in results) == [False, False, False, True]
        assert len({r.lead_id for r in results}) == 1
    assert count(setup, "leads") == 5


def test_a_lead_edit_based_on_a_stale_form_is_refused_and_saves_nothing(any_db):
    owner = factories.user(any_db, "Anna")
    person = factories.person(any_db, first_name="Max", last_name="Mueller", company="Firma")
    lead_id = leads.convert(any_db, person, owner_id=owner, amount=1000, by=owner,
                            next_step=leads.NextStep("call", date(2026, 12, 1), time(10))).lead_id
    form = {"title": "Firma — Max Mueller", "amount": 1000, "probability": None}
    assert leads.edit(any_db, lead_id, by=owner, seen=form, amount=2500) == {
        "amount": Decimal("2500.00")}
    with pytest.raises(EditConflict, match="Amount: someone changed it to '2500.00'"):
        leads.edit(any_db, lead_id, by=owner, seen=form, amount=1200, probability=50)
    stored = any_db.execute("SELECT amount, probability FROM leads WHERE id = ?",
                              [lead_id]).fetchone()
    assert stored == (Decimal("2500.00"), None)
    assert leads.edit(any_db, lead_id, by=owner, seen=form, probability=50) == {
        "probability": 50}
