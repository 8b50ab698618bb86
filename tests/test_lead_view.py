"""What the lead screens say about a lead, read from real lead rows, and the lead actions that
return what they did."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from lib import access, lead_view, leads, schedule
from lib.leads import NextStep
from tests import factories


@pytest.fixture
def anna(any_db) -> int:
    return factories.user(any_db, "Anna Schmidt")


@pytest.fixture
def lead_id(any_db, anna) -> int:
    """Acme's lead: a call tomorrow at 10:00, €12,000 at 60%."""
    person = factories.person(any_db, company="Acme *GmbH*", first_name="Lena",
                              last_name="Vogt", email="lena@acme.example", city="Bonn",
                              postal_code="53111")
    step = NextStep("call", schedule.today(any_db) + timedelta(days=1), time(10, 0))
    created = leads.convert(any_db, person, owner_id=anna, next_step=step, amount=12000,
                            by=anna).lead_id
    leads.edit(any_db, created, probability=60, by=anna)
    return created


def shown(db, lead_id: int) -> dict:
    return leads.lead_detail(db, lead_id, viewer=access.FULL_ACCESS).lead


# --- the to-do card and what the dialogs share -----------------------------------------------


def test_a_to_do_card_reads_its_next_step_money_and_last_action(any_db, lead_id):
    row = leads.todo(any_db, user_id=None, viewer=access.FULL_ACCESS).iloc[0].to_dict()
    today = schedule.today(any_db)
    assert lead_view.due_line(row, today, group=row["group"]) == (
        ":blue-badge[Upcoming] 📞 Call · tomorrow 10:00")
    assert lead_view.todo_amount(row) == "New · **€12,000** · 60%"
    assert lead_view.last_action(row, with_owner=True) == "Last action today · Anna Schmidt"
    assert lead_view.last_action(row, with_owner=False) == "Last action today"
    assert lead_view.todo_due_note(row, today) is None
    assert lead_view.heading(row, today) == (
        r"**Acme \*GmbH\* — Lena Vogt** · New · next step: 📞 Call · tomorrow 10:00")


def test_a_lead_due_in_three_days_is_upcoming_on_every_screen(any_db, anna):
    today = schedule.today(any_db)
    person = factories.person(any_db, company="Drei Tage AG")
    lead = leads.convert(any_db, person, owner_id=anna, by=anna,
                         next_step=NextStep("call", today + timedelta(days=3))).lead_id
    full = access.FULL_ACCESS
    todo = leads.todo(any_db, user_id=None, viewer=full).set_index("lead_id").loc[lead].to_dict()
    card = leads.pipeline(any_db, viewer=full).set_index("lead_id").loc[lead].to_dict()
    detail = leads.lead_detail(any_db, lead, viewer=full).lead
    assert todo["group"] == card["group"] == detail["group"] == "upcoming"
    table = lead_view.todo_table(leads.todo(any_db, user_id=None, viewer=full), today,
                                 with_owner=False)
    assert table.loc[lead, "when"] == schedule.GROUP_LABELS["upcoming"] == "Upcoming"
    assert ":blue-badge[Upcoming]" in lead_view.card_body({**card, "lead_id": lead}, today,
                                                           with_owner=False)
    assert ":blue-badge[Upcoming]" in lead_view.standing(detail)
    assert lead_view.group_title("upcoming") == "Upcoming · next 7 days"


def test_the_to_do_table_and_picker_read_as_text(any_db, lead_id):
    today = schedule.today(any_db)
    rows = leads.todo(any_db, user_id=None, viewer=access.FULL_ACCESS)
    table = lead_view.todo_table(rows, today, with_owner=True)
    assert table.loc[lead_id].to_dict() == {
        "when": "Upcoming", "lead": "Acme *GmbH* — Lena Vogt",
        "next_step": "📞 Call · tomorrow 10:00", "note": "", "step": "New",
        "amount": "€12,000 · 60%", "last_action": "today", "owner": "Anna Schmidt"}
    row = rows.iloc[0].to_dict()
    assert lead_view.choice_label(row, today) == (
        "Upcoming · Acme *GmbH* — Lena Vogt · 📞 Call · tomorrow 10:00")
    assert lead_view.chosen_line(row, today).startswith(
        ":blue-badge[Upcoming] 📞 Call · tomorrow 10:00 · [lena@acme.example]"
        "(mailto:lena@acme.example)")
    counts = leads.todo_counts(any_db, user_id=None, viewer=access.FULL_ACCESS)
    assert lead_view.todo_totals(counts) == (
        "1 open lead · 0 overdue open leads")


def test_a_parked_lead_says_when_it_comes_back_and_a_note_is_shown_escaped(any_db, lead_id,
                                                                         anna):
    today = schedule.today(any_db)
    row = {"group": "upcoming", "next_note": "ask *who* decides", "standby_until": None}
    assert lead_view.todo_due_note(row, today) == r"ask \*who\* decides"
    back = today + timedelta(days=14)
    leads.standby(any_db, lead_id, back, NextStep("call", back), by=anna)
    row = leads.todo(any_db, user_id=None, viewer=access.FULL_ACCESS).iloc[0].to_dict()
    assert lead_view.todo_due_note(row, today) == (
        f"parked until {back:%a} {back.day} {back:%b}" + (
            "" if back.year == today.year else f" {back.year}"))


def test_overdue_counts_are_red_and_long_titles_shortened():
    assert lead_view.group_label("overdue", 2) == ":red[Overdue]"
    assert lead_view.group_label("overdue", 0) == "Overdue"
    assert lead_view.group_label("upcoming", 3) == "Upcoming"


def test_an_open_lead_offers_log_and_a_closed_one_only_reopen():
    assert lead_view.actions("todo", detail=True) == (
        "log", ["standby", "step", "won", "lost", "cancelled", "detail"])
    assert lead_view.actions("standby", detail=False) == (
        "log", ["resume", "step", "won", "lost", "cancelled"])
    assert lead_view.actions("won", detail=True) == ("reopen", ["detail"])
    assert lead_view.actions("lost", detail=False) == ("reopen", [])


@pytest.mark.parametrize(("planned", "likely"), [
    ("call", "call"), ("meeting", "meeting"), ("task", "note"), (None, "call")])
def test_the_activity_offered_first_is_the_planned_one(planned, likely):
    assert lead_view.likely_activity({"next_type": planned}) == likely


# --- the pipeline ----------------------------------------------------------------------------


def test_the_pipeline_sums_money_per_currency_and_names_cards_by_company(any_db, lead_id,
                                                                         anna):
    other = factories.person(any_db, company=None, first_name="Max", last_name="Muster")
    step = NextStep("email", schedule.today(any_db))
    second = leads.convert(any_db, other, owner_id=anna, next_step=step, amount=4000,
                           by=anna).lead_id
    leads.edit(any_db, second, currency="USD", by=anna)
    totals = leads.pipeline_totals(any_db, viewer=access.FULL_ACCESS)
    new = totals[totals["step_key"] == "new"]
    assert lead_view.open_count(totals) == 2
    assert lead_view.amounts(totals, "amount") == "€12,000 + $4,000"
    assert lead_view.step_caption(new) == "€12,000 + $4,000 · weighted €7,200 + $0"
    assert list(lead_view.steps(totals))[0] == "new"
    cards = leads.pipeline(any_db, viewer=access.FULL_ACCESS).set_index("lead_id")
    assert lead_view.card_title(cards.loc[lead_id]) == "Acme *GmbH*"
    assert lead_view.card_title(cards.loc[second]) == "Max Muster"
    assert lead_view.card_amount(cards.loc[lead_id], with_owner=True) == (
        "**€12,000** · 60%  \n:gray[Lena Vogt · Anna Schmidt]")
    assert lead_view.move_targets({"new": "New", "proposal": "Proposal"},
                                  cards.loc[lead_id]) == ["proposal"]


def test_an_empty_step_says_so():
    empty = pd.DataFrame({"count": [0], "currency": [None], "amount": [0], "weighted": [0]})
    assert lead_view.step_caption(empty) == "No open leads"
    assert lead_view.amounts(empty, "amount") == "—"


# --- the lead page ---------------------------------------------------------------------------


@pytest.mark.parametrize(("param", "wanted"), [("12", 12), ("", None), ("x1", None)])
def test_the_lead_page_reads_its_lead_from_the_url(param, wanted):
    assert lead_view.requested(param) == wanted


def test_the_lead_page_says_where_an_open_lead_stands(any_db, lead_id):
    lead = shown(any_db, lead_id)
    today = schedule.today(any_db)
    assert lead_view.standing(lead) == (
        ":blue-badge[New] :blue-badge[Upcoming] · Anna Schmidt · **€12,000** (60%)")
    step = leads.lead_detail(any_db, lead_id, viewer=access.FULL_ACCESS).next_step
    assert lead_view.next_step_line(step, lead["group"], today) == (
        ":blue-badge[Upcoming] 📞 Call · tomorrow 10:00")
    meeting = NextStep("meeting", today, None, 45)
    assert lead_view.next_step_line(meeting, "today", today).endswith("today · 45 min")
    assert lead_view.edit_values(lead) == {"amount": 12000, "probability": 60,
                                           "expected_close": None, "tags": None}


def test_a_closed_lead_shows_its_outcome_and_note(any_db, lead_id, anna):
    leads.lost(any_db, lead_id, "no budget", "maybe *next* year", by=anna)
    lead = shown(any_db, lead_id)
    assert lead_view.standing(lead).startswith(
        ":blue-badge[New] :red-badge[Lost: no budget] · Anna Schmidt")
    assert lead_view.closed_line(lead, schedule.today(any_db)) == (
        r"None: lost today. maybe \*next\* year")


def test_the_contact_card_and_the_timeline_read_like_a_note(any_db, lead_id):
    detail = leads.lead_detail(any_db, lead_id, viewer=access.FULL_ACCESS)
    assert lead_view.contact_lines(detail.contact) == [
        "**Lena Vogt**  \n", r"Acme \*GmbH\*  " + "\n[lena@acme.example](mailto:lena@acme.example)"]
    assert lead_view.contact_facts(detail.contact) == ["Address: 53111 Bonn"]
    today = date(2025, 11, 27)
    entry = {"kind": "convert", "what": "converted to the lead “x”", "who": None,
             "at": pd.Timestamp(2025, 1, 2, 8, 5)}
    assert lead_view.timeline_line(entry, ZoneInfo("Europe/Berlin"), today) == (
        "⭐ Converted to the lead “x”  \n:gray[the command line · Thu 2 Jan 09:05]")
    tick = {"label": "Budget", "ticked_by": None, "ticked_at": today}
    assert lead_view.tick_line(tick, today) == "✔ Budget  \n:gray[— · today]"


def test_a_save_says_which_fields_changed():
    assert lead_view.saved_text({"expected_close": 1, "amount": 2}) == (
        "Saved: expected close, amount")
    assert lead_view.saved_text({}) == "Nothing changed"


# --- the actions -----------------------------------------------------------------------------


def test_log_and_plan_logs_the_activity_and_says_what_is_next(any_db, lead_id, anna):
    lead = shown(any_db, lead_id)
    today = schedule.today(any_db)
    step = {"type": "email", "due_date": today + timedelta(days=1), "due_time": None,
            "duration_min": None, "note": ""}
    done = lead_view.log_and_plan(any_db, lead, "call", "reached", "fine", step, by=anna)
    assert done == "📞 Call logged: Acme *GmbH* — Lena Vogt → ✉️ E-mail · tomorrow"
    assert any_db.execute("SELECT kind, outcome FROM activities").fetchall() == [
        ("call", "reached")]
    again = lead_view.log_and_plan(any_db, lead, "none", None, None, step, by=anna)
    assert again.startswith("Rescheduled: ")
    assert any_db.execute("SELECT count(*) FROM activities").fetchone() == (1,)


def test_each_lead_action_says_what_it_did(any_db, lead_id, anna):
    lead = shown(any_db, lead_id)
    today = schedule.today(any_db)
    step = {"type": "call", "due_date": today + timedelta(days=20), "due_time": None,
            "duration_min": None, "note": None}
    title = lead["title"]
    assert lead_view.move(any_db, lead, "proposal", by=anna) == (
        f"{title} → {leads.active_steps(any_db)['proposal']}")
    until = today + timedelta(days=20)
    assert lead_view.standby(any_db, lead, until, step, by=anna).startswith(
        f"{title} parked until ")
    assert lead_view.resume(any_db, lead, by=anna) == f"{title} is back in the to-do"
    assert lead_view.close(any_db, lead, "cancelled", "by mistake", None, by=anna) == (
        f"{title}: cancelled (by mistake)")
    assert lead_view.reopen(any_db, lead, step, by=anna) == f"{title} is open again"
    assert lead_view.close(any_db, lead, "won", None, "signed", by=anna) == f"{title}: won 🎉"
    assert any_db.execute("SELECT status FROM leads WHERE id = ?", [lead_id]).fetchone() == (
        "won",)
