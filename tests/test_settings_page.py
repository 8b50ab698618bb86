"""The Settings page (AppTest) on the demo database: thresholds and criteria recompute every
status at once and say how many changed; other settings are validated per field; reps look but
cannot change anything; managers change the ladder only while the admin allows it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lib import access, importing, lists, pipeline, rows, settings
from lib import qualification as q
from tests.apptest import cursor, open_page
from tests.lead_seed import ANNA, CLARA, EVA, user_id

PEOPLE = (
    b"Firma,Vorname,Nachname,E-Mail\n"
    b"Eins GmbH,Erik,Eins,erik@eins.de\n"
    b"Zwei AG,Zora,Zwei,zora@zwei.de\n"
)


@pytest.fixture
def team(demo_path: Path) -> dict[str, int]:
    """The demo's rep, manager (allowed to edit the ladder) and admin, and two people on a list
    of their own: Erik with one lead criterion ticked (a prospect at the default lead threshold
    of 2), Zora with none."""
    with cursor(demo_path) as cur:
        importing.import_file(cur, PEOPLE, "settings.csv", "Settings test", by=None)
        page, _ = rows.rows_page(cur, rows.RowFilter(list_id=lists.list_id(cur, "Settings test")),
                                 viewer=access.FULL_ACCESS)
        people = dict(zip(page["first_name"], page["person_id"].astype(int), strict=True))
        q.set_tick(cur, people["Erik"], "interest", True, expected=False, by=None)
        settings.put(cur, "managers_edit_qualification", True, by=None)
        return {"rep": user_id(cur, ANNA), "manager": user_id(cur, CLARA),
                "admin": user_id(cur, EVA), **people}


def status(path: Path, person_id: int) -> str:
    with cursor(path) as cur:
        return rows.rows_by_id(cur, [person_id], viewer=access.FULL_ACCESS)["status"].iloc[0]


def counts(path: Path) -> dict[str, int]:
    with cursor(path) as cur:
        return dict(cur.execute("SELECT status, COUNT(*) FROM people GROUP BY status").fetchall())


def test_a_lead_threshold_change_recomputes_every_status_and_says_how_many(
        team, demo_path, monkeypatch):
    before = counts(demo_path)
    at = open_page(demo_path, "settings", monkeypatch, acting=team["manager"])
    assert status(demo_path, team["Erik"]) == "prospect"
    at.number_input(key="settings_lead_threshold").set_value(1)
    at.button(key="FormSubmitter:settings_thresholds-Save thresholds").click().run()
    assert not at.exception
    after = counts(demo_path)
    moved = after["lead"] - before["lead"]
    assert moved >= 1 and status(demo_path, team["Erik"]) == "lead"
    assert [s.value for s in at.success] == [f"Thresholds saved. {moved:,} statuses changed."]
    with cursor(demo_path) as cur:
        assert settings.get(cur, "lead_threshold") == 1
        logged = cur.execute(
            "SELECT user_id, old_value, new_value FROM history WHERE kind = 'settings'"
            " AND field = 'lead_threshold'").fetchall()
    assert logged == [(team["manager"], "2", "1")]


def test_switching_a_criterion_off_recomputes_and_relabelling_does_not(
        team, demo_path, monkeypatch):
    at = open_page(demo_path, "settings", monkeypatch, acting=team["manager"])
    with cursor(demo_path) as cur:
        order = [c.key for c in q.criteria(cur, active_only=False)]
    interest = order.index("interest")
    at.session_state["settings_criteria_0"] = {
        "edited_rows": {interest: {"active": False, "short_label": "keen"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key="FormSubmitter:settings_criteria-Save criteria").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Criteria saved.")
    assert status(demo_path, team["Erik"]) == "suspect"
    with cursor(demo_path) as cur:
        changed = q.criterion(cur, "interest")
    assert (changed.active, changed.short_label) == (False, "keen")


def test_a_wrong_setting_is_refused_under_its_field_and_the_others_are_saved(
        team, demo_path, monkeypatch):
    at = open_page(demo_path, "settings", monkeypatch, acting=team["admin"])
    at.text_input(key="settings_timezone").input("Mars/Olympus")
    at.number_input(key="settings_stale_days").set_value(21)
    at.button(key="FormSubmitter:settings_other-Save settings").click().run()
    assert [e.value for e in at.error] == [
        "'Mars/Olympus' is not a time zone such as Europe/Berlin"]
    with cursor(demo_path) as cur:
        assert settings.get(cur, "timezone") == "Europe/Berlin"
        assert settings.get(cur, "stale_days") == 21


def test_a_rep_sees_the_settings_read_only_and_cannot_change_them(team, demo_path, monkeypatch):
    at = open_page(demo_path, "settings", monkeypatch, acting=team["rep"])
    assert "only an admin (or a manager, when the admin allows it)" in at.info[0].value
    assert at.number_input(key="settings_lead_threshold").value == 2
    assert all(w.disabled for w in [*at.number_input, *at.text_input])
    assert len(at.main.button) == 4 and all(b.disabled for b in at.main.button)
    assert not [t for t in at.text_input if t.key == "settings_new_step"]
    assert not [e for e in at.expander if e.label == "Add a criterion"]


def test_a_manager_renames_a_pipeline_step_and_cannot_switch_off_one_with_open_leads(
        team, demo_path, monkeypatch):
    with cursor(demo_path) as cur:
        table = pipeline.steps_table(cur)
    proposal = int(table.index[table["key"] == "proposal"][0])
    contacted = int(table.index[table["key"] == "contacted"][0])
    assert int(table.loc[contacted, "open_leads"]) > 0
    at = open_page(demo_path, "settings", monkeypatch, acting=team["manager"])
    at.session_state["settings_steps_0"] = {
        "edited_rows": {proposal: {"label": "Offer sent"}}, "added_rows": [],
        "deleted_rows": []}
    at.button(key="FormSubmitter:settings_steps-Save steps").click().run()
    assert at.success[0].value == "Pipeline steps saved (1 change)."
    at.session_state["settings_steps_1"] = {
        "edited_rows": {contacted: {"active": False}}, "added_rows": [], "deleted_rows": []}
    at.button(key="FormSubmitter:settings_steps-Save steps").click().run()
    assert "still holds" in at.error[0].value
    with cursor(demo_path) as cur:
        labels = {s.key: (s.label, s.active) for s in pipeline.steps(cur)}
    assert labels["proposal"] == ("Offer sent", True) and labels["contacted"][1] is True


def test_a_manager_not_allowed_by_the_admin_sees_the_ladder_read_only(team, demo_path,
                                                                      monkeypatch):
    with cursor(demo_path) as cur:
        settings.put(cur, "managers_edit_qualification", False, by=team["admin"])
    at = open_page(demo_path, "settings", monkeypatch, acting=team["manager"])
    assert at.number_input(key="settings_lead_threshold").disabled
    assert at.button(key="FormSubmitter:settings_thresholds-Save thresholds").disabled
    assert at.button(key="FormSubmitter:settings_other-Save settings").disabled
    assert not [e for e in at.expander if e.label == "Add a criterion"]


def test_a_switched_off_criterion_stays_listed_and_can_be_switched_back_on(
        team, demo_path, monkeypatch):
    with cursor(demo_path) as cur:
        q.update_criteria(cur, [replace(c, active=c.key != "interest")
                                for c in q.criteria(cur, active_only=False)], by=None)
        order = [c.key for c in q.criteria(cur, active_only=False)]
    at = open_page(demo_path, "settings", monkeypatch, acting=team["manager"])
    listed = at.dataframe(key="settings_criteria_0").value
    assert list(listed["key"]) == order
    assert dict(zip(listed["key"], listed["active"], strict=True))["interest"] == False  # noqa: E712
    at.session_state["settings_criteria_0"] = {
        "edited_rows": {order.index("interest"): {"active": True}},
        "added_rows": [], "deleted_rows": []}
    at.button(key="FormSubmitter:settings_criteria-Save criteria").click().run()
    assert not at.exception
    assert status(demo_path, team["Erik"]) == "prospect"
    with cursor(demo_path) as cur:
        assert q.criterion(cur, "interest").active
