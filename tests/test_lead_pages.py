"""The leads screens (AppTest): to-do, lead detail, pipeline and calendar on the demo database,
with leads seeded on top through lib/ so each test knows where its lead belongs."""

from __future__ import annotations

import hashlib
import re
from datetime import time, timedelta
from pathlib import Path

import icalendar
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

from lib import access, calendar, leads, schedule
from tests import lead_seed
from tests.apptest import cursor, errors, open_page


@pytest.fixture
def seeded(demo_path: Path) -> dict[str, int]:
    """Anna's leads with one next step in each group, plus the demo's own leads."""
    with cursor(demo_path) as cur:
        return {
            "overdue": lead_seed.lead(cur, "Zeppelin Testbau GmbH", days=-2, amount=12000),
            "today": lead_seed.lead(cur, "Tagesfrisch AG", days=0, at=None),
            "later": lead_seed.lead(cur, "Fernweh Reisen KG", days=30, kind="meeting"),
            "anna": lead_seed.user_id(cur),
            "clara": lead_seed.user_id(cur, lead_seed.CLARA),
        }


def group_of(at: AppTest, lead_id: int) -> str | None:
    """The to-do section the lead's row in the table says it is in (None: not in the table)."""
    table = at.get_by_key("todo_table").value
    if lead_id not in table.index:
        return None
    return {label: group for group, label in schedule.GROUP_LABELS.items()}[
        table.loc[lead_id, "when"]]


def pick(at: AppTest, lead_id: int) -> AppTest:
    """Pick the lead in the to-do's picker (as a click on its row in the table does)."""
    return at.selectbox(key="todo_lead").select(lead_id).run()


# --- to-do ---------------------------------------------------------------------------------


def test_the_todo_counts_are_the_lib_counts_and_each_lead_sits_in_its_group(
        seeded, demo_path, monkeypatch):
    at = open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"])
    with cursor(demo_path) as cur:
        counts = leads.todo_counts(cur, user_id=seeded["anna"], viewer=access.FULL_ACCESS)
    shown = {m.label.replace(":red[", "").rstrip("]"): int(m.value) for m in at.metric}
    assert shown == {"Overdue": counts["overdue"], "Today": counts["today"],
                     "Upcoming": counts["upcoming"], "Later": counts["later"],
                     "Standby": counts["standby"]}
    assert counts["overdue"] >= 1 and counts["later"] >= 1
    for group in ("overdue", "today", "later"):
        assert group_of(at, seeded[group]) == group
    assert len(at.get_by_key("todo_table").value) == sum(counts.values())
    assert f"{sum(counts.values())} open leads" in at.caption[0].value


def test_the_todo_is_one_table_and_one_set_of_actions_for_the_most_urgent_lead_first(
        seeded, demo_path, monkeypatch):
    at = open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"])
    table = at.get_by_key("todo_table").value
    assert list(table["when"])[0] == "Overdue"
    assert at.selectbox(key="todo_lead").value == table.index[0]
    assert [b.key for b in at.main.button] == ["todo_log"]  # one primary button, not one per lead
    assert [m.key for m in at.menu_button] == ["todo_more"]  # one menu for the picked lead
    pick(at, seeded["later"])
    assert "Fernweh Reisen KG" in at.selectbox(key="todo_lead").format_func(seeded["later"])
    assert "tel:+49891234567" in at.get_by_key("todo_actions").markdown[0].value


def test_a_call_with_a_next_step_moves_the_lead_out_of_overdue_at_once(
        seeded, demo_path, monkeypatch):
    lead_id = seeded["overdue"]
    at = pick(open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"]), lead_id)
    overdue_before = int(at.metric[0].value)
    at.button(key="todo_log").click().run()
    form = f"todo_log_{lead_id}"
    assert at.segmented_control(key=f"{form}_kind").value == "call"
    at.segmented_control(key=f"{form}_outcome").set_value("no_answer")
    at.text_area(key=f"{form}_text").input("Nobody picked up")
    with cursor(demo_path) as cur:
        tomorrow = lead_seed.local_today(cur) + timedelta(days=1)
    at.date_input(key=f"{form}_next_date").set_value(tomorrow)
    at.time_input(key=f"{form}_next_time").set_value(time(10, 0))
    at.button(key=f"{form}_save").click().run()

    assert not errors(at)
    assert "Call logged" in at.toast[0].value
    assert group_of(at, lead_id) == "upcoming"
    assert int(at.metric[0].value) == overdue_before - 1
    assert at.selectbox(key="todo_lead").value == lead_id  # the rep stays on the lead
    with cursor(demo_path) as cur:
        activity = cur.execute("SELECT kind, outcome, body FROM activities WHERE lead_id = ?",
                               [lead_id]).fetchall()
        stored = cur.execute("SELECT next_type, next_due_date, next_due_time FROM leads"
                             " WHERE id = ?", [lead_id]).fetchone()
    assert activity == [("call", "no_answer", "Nobody picked up")]
    assert stored == ("call", tomorrow, time(10, 0))


def test_a_call_without_its_outcome_is_refused_and_nothing_is_saved(
        seeded, demo_path, monkeypatch):
    lead_id = seeded["overdue"]
    at = pick(open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"]), lead_id)
    at.button(key="todo_log").click().run()
    at.button(key=f"todo_log_{lead_id}_save").click().run()
    assert any(message.startswith("outcome:") for message in errors(at))
    assert group_of(at, lead_id) == "overdue"
    with cursor(demo_path) as cur:
        assert not cur.execute("SELECT count(*) FROM activities WHERE lead_id = ?",
                               [lead_id]).fetchone()[0]


def test_lost_needs_a_reason_and_then_closes_the_lead(seeded, demo_path, monkeypatch):
    lead_id = seeded["today"]
    at = pick(open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"]), lead_id)
    at.menu_button(key="todo_more").click("lost").run()
    at.button(key=f"todo_lost_{lead_id}_save").click().run()
    assert any(message.startswith("reason:") for message in errors(at))

    at.selectbox(key=f"todo_lost_{lead_id}_reason").select("no budget").run()
    at.button(key=f"todo_lost_{lead_id}_save").click().run()
    assert not errors(at)
    assert group_of(at, lead_id) is None
    with cursor(demo_path) as cur:
        assert cur.execute("SELECT status, close_reason, next_type FROM leads WHERE id = ?",
                           [lead_id]).fetchone() == ("lost", "no budget", None)


@pytest.mark.parametrize(("outcome", "reason"), [("won", None), ("cancelled", "duplicate lead")])
def test_won_and_cancel_close_the_lead_and_it_leaves_the_todo(seeded, demo_path, monkeypatch,
                                                               outcome, reason):
    lead_id = seeded["later"]
    at = pick(open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"]), lead_id)
    at.menu_button(key="todo_more").click(outcome).run()
    if reason:
        at.selectbox(key=f"todo_{outcome}_{lead_id}_reason").select(reason).run()
    at.button(key=f"todo_{outcome}_{lead_id}_save").click().run()
    assert outcome in at.toast[0].value
    assert group_of(at, lead_id) is None
    assert at.selectbox(key="todo_lead").value != lead_id
    with cursor(demo_path) as cur:
        assert cur.execute("SELECT status, close_reason FROM leads WHERE id = ?",
                           [lead_id]).fetchone() == (outcome, reason)


def test_moving_a_lead_to_another_step_from_the_todo(seeded, demo_path, monkeypatch):
    lead_id = seeded["overdue"]
    at = pick(open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"]), lead_id)
    at.menu_button(key="todo_more").click("step").run()
    at.radio(key=f"todo_step_{lead_id}_to").set_value("proposal").run()
    at.button(key=f"todo_step_{lead_id}_save").click().run()
    assert not errors(at)
    assert at.get_by_key("todo_table").value.loc[lead_id, "step"] == "Proposal sent"
    with cursor(demo_path) as cur:
        assert cur.execute("SELECT step_key FROM leads WHERE id = ?", [lead_id]).fetchone() == (
            "proposal",)


def test_a_parked_lead_waits_in_standby_and_resumes_with_one_click(
        seeded, demo_path, monkeypatch):
    lead_id = seeded["today"]
    at = pick(open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"]), lead_id)
    at.menu_button(key="todo_more").click("standby").run()
    with cursor(demo_path) as cur:
        back = lead_seed.local_today(cur) + timedelta(days=14)
    assert at.date_input(key=f"todo_standby_{lead_id}_until").value == back
    at.button(key=f"todo_standby_{lead_id}_save").click().run()
    assert not errors(at)
    assert group_of(at, lead_id) == "standby"

    at.menu_button(key="todo_more").click("resume").run()
    assert group_of(at, lead_id) == "later"
    with cursor(demo_path) as cur:
        assert cur.execute("SELECT status, next_due_date FROM leads WHERE id = ?",
                           [lead_id]).fetchone() == ("todo", back)


def test_open_the_lead_from_the_todo_goes_to_its_page(seeded, demo_path, monkeypatch):
    lead_id = seeded["later"]
    at = pick(open_page(demo_path, "todo", monkeypatch, acting=seeded["anna"]), lead_id)
    at.menu_button(key="todo_more").click("detail").run()
    assert not at.exception
    assert at.title[0].value == "Fernweh Reisen KG — Lena Vogt"


def test_a_manager_sees_the_whole_team_cut_to_a_page_per_group(seeded, demo_path, monkeypatch):
    with cursor(demo_path) as cur:
        ben = lead_seed.user_id(cur, lead_seed.BEN)
        lead_seed.lead(cur, "Brückenbau Nord GmbH", days=-5, owner=ben)
    at = open_page(demo_path, "todo", monkeypatch, acting=seeded["clara"])
    at.session_state["todo_limit"] = 1
    at.selectbox(key=f"todo_owner_{seeded['clara']}").select("team").run()
    with cursor(demo_path) as cur:
        counts = leads.todo_counts(cur, user_id=None, viewer=access.FULL_ACCESS)
    assert [int(m.value) for m in at.metric] == [counts[g] for g in leads.GROUPS]
    table = at.get_by_key("todo_table").value
    assert list(table["when"]).count("Overdue") == 1 and "owner" in table.columns
    assert f"1 of {counts['overdue']} Overdue" in at.main.caption[-1].value
    at.button(key="todo_more_rows").click().run()
    assert at.session_state["todo_limit"] == 1 + 25


# --- lead detail ---------------------------------------------------------------------------


def test_the_lead_page_shows_contact_timeline_and_next_step(seeded, demo_path, monkeypatch):
    lead_id = seeded["overdue"]
    at = open_page(demo_path, "lead", monkeypatch, acting=seeded["anna"], lead=lead_id)
    assert at.title[0].value == "Zeppelin Testbau GmbH — Lena Vogt"
    text = " ".join(m.value for m in at.markdown)
    assert "mailto:lena.vogt@zeppelin.example" in text and "tel:+49891234567" in text
    assert "Converted to the lead" in text and "Next step" in text
    assert ":red-badge[Overdue]" in text


def test_editing_a_lead_saves_all_fields_or_none_and_names_the_wrong_one(
        seeded, demo_path, monkeypatch):
    lead_id = seeded["overdue"]
    at = open_page(demo_path, "lead", monkeypatch, acting=seeded["anna"], lead=lead_id)
    at.text_input(key=f"lead_title_{lead_id}").input("Zeppelin — hall 4")
    at.text_input(key=f"lead_currency_{lead_id}").input("E1")
    at.button(key=f"lead_save_{lead_id}").click().run()
    assert any(message.startswith("currency:") for message in errors(at))
    with cursor(demo_path) as cur:
        assert cur.execute("SELECT title FROM leads WHERE id = ?", [lead_id]).fetchone() == (
            "Zeppelin Testbau GmbH — Lena Vogt",)

    at.text_input(key=f"lead_currency_{lead_id}").input("CHF")
    at.number_input(key=f"lead_probability_{lead_id}").set_value(60)
    at.button(key=f"lead_save_{lead_id}").click().run()
    assert not errors(at)
    assert at.title[0].value == "Zeppelin — hall 4"
    with cursor(demo_path) as cur:
        assert cur.execute("SELECT title, currency, probability FROM leads WHERE id = ?",
                           [lead_id]).fetchone() == ("Zeppelin — hall 4", "CHF", 60)


def test_a_lead_changed_by_someone_else_since_the_form_opened_is_not_overwritten(
        seeded, demo_path, monkeypatch):
    lead_id = seeded["overdue"]
    at = open_page(demo_path, "lead", monkeypatch, acting=seeded["anna"], lead=lead_id)
    with cursor(demo_path) as cur:
        leads.edit(cur, lead_id, by=seeded["clara"], amount=20000)
    at.number_input(key=f"lead_amount_{lead_id}").set_value(15000.0)
    at.button(key=f"lead_save_{lead_id}").click().run()
    assert any("someone changed it to '20000.00'" in message for message in errors(at))
    with cursor(demo_path) as cur:
        assert cur.execute("SELECT amount FROM leads WHERE id = ?", [lead_id]).fetchone()[0] == (
            20000)


def test_the_lead_page_without_a_lead_says_where_to_find_one(demo_path, monkeypatch):
    at = open_page(demo_path, "lead", monkeypatch)
    assert at.title[0].value == "Lead"
    assert "to-do page" in at.info[0].value


# --- pipeline ------------------------------------------------------------------------------


def test_moving_a_lead_on_the_pipeline_is_one_logged_action(seeded, demo_path, monkeypatch):
    lead_id = seeded["overdue"]
    at = open_page(demo_path, "pipeline", monkeypatch, acting=seeded["anna"])
    section = at.get_by_key("pipeline_step_new")
    assert any(node.key == f"pipeline_lead_{lead_id}" for node in section)
    at.menu_button(key=f"pipeline_move_{lead_id}").click("proposal").run()
    assert not errors(at)
    assert any(n.key == f"pipeline_lead_{lead_id}" for n in at.get_by_key("pipeline_step_proposal"))
    with cursor(demo_path) as cur:
        moves = cur.execute("SELECT old_value, new_value FROM history WHERE lead_id = ?"
                            " AND kind = 'lead_step'", [lead_id]).fetchall()
    assert moves == [("new", "proposal")]


def test_the_pipeline_sums_each_step_like_the_lib(seeded, demo_path, monkeypatch):
    at = open_page(demo_path, "pipeline", monkeypatch, acting=seeded["anna"])
    with cursor(demo_path) as cur:
        totals = leads.pipeline_totals(cur, owner_id=seeded["anna"], viewer=access.FULL_ACCESS)
    new = totals[totals["step_key"] == "new"]
    shown = [m.value for m in at.get_by_key("pipeline_step_new").markdown]
    assert f"**New** · {int(new['count'].sum())}" in shown
    assert int(at.metric[0].value) == int(totals["count"].sum())


# --- calendar ------------------------------------------------------------------------------


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MemoryMediaFileStorage]:
    """The file storage of each AppTest run, kept to read what a download button serves."""
    stores: list[MemoryMediaFileStorage] = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    return stores


def test_the_calendar_page_downloads_my_next_steps(seeded, demo_path, monkeypatch, media):
    at = open_page(demo_path, "calendar", monkeypatch, acting=seeded["anna"])
    url = at.download_button(key="calendar_download").proto.url
    served = media[-1].get_file(url.rsplit("/", 1)[-1])
    assert served.filename == "leadladder-anna-schmidt.ics"
    events = icalendar.Calendar.from_ical(served.content).walk("VEVENT")
    with cursor(demo_path) as cur:
        open_steps = sum(leads.todo_counts(cur, user_id=seeded["anna"],
                                           viewer=access.FULL_ACCESS).values())
    assert len(events) == open_steps
    assert f"lead-{seeded['overdue']}@leadladder" in {str(e["UID"]) for e in events}


def shown_token(at) -> str:
    """The feed token in the subscription address the page shows."""
    (address,) = re.findall(r"/calendar/([^/]+)\.ics", at.code[0].value)
    return address


def test_the_subscription_address_is_issued_shown_once_replaced_and_revoked(
        seeded, demo_path, monkeypatch):
    at = open_page(demo_path, "calendar", monkeypatch, acting=seeded["anna"])
    at.button(key="calendar_issue").click().run()
    first = shown_token(at)
    with cursor(demo_path) as cur:
        assert calendar.user_for_token(cur, first) == seeded["anna"]
        stored = cur.execute("SELECT calendar_token, calendar_token_hash FROM users"
                             " WHERE id = ?", [seeded["anna"]]).fetchone()
    assert stored == (None, hashlib.sha256(first.encode()).hexdigest())  # only the hash
    at.run()
    assert not at.code, "the address is shown once, when it is made"

    at.button(key="calendar_renew").click().run()
    second = shown_token(at)
    with cursor(demo_path) as cur:
        assert second != first and calendar.user_for_token(cur, second) == seeded["anna"]
        assert calendar.user_for_token(cur, first) is None

    at.button(key="calendar_revoke").click().run()
    with cursor(demo_path) as cur:
        assert calendar.user_for_token(cur, second) is None
        assert not calendar.has_feed(cur, seeded["anna"])
    assert not at.code
