"""People, teams and roles in lib: who may change what (refused in lib, not only hidden), the
one-step deactivation that hands the work over, teams and their managers, the Viewer."""

from __future__ import annotations

from datetime import date

import pytest

from lib import access, audit, auth, calendar, leads, pipeline, settings, users
from lib import qualification as q
from lib.access import NotAllowed
from lib.errors import InvalidInput
from lib.leads import NextStep
from tests import factories

PASSWORD = "a long enough phrase"


@pytest.fixture
def team(any_db) -> dict[str, users.User]:
    """An admin, a manager and two reps in team Nord, and an ops user without a team."""
    nord = users.create_team(any_db, "Nord", by=None)
    made = {
        key: users.add(any_db, name, f"{key}@example.com", role,
                       team_id=nord.id if key in ("mia", "anna", "ben") else None,
                       password=PASSWORD if key == "anna" else None)
        for key, name, role in (("ada", "Ada Admin", "admin"), ("mia", "Mia Manager", "manager"),
                                ("anna", "Anna Rep", "rep"), ("ben", "Ben Rep", "rep"),
                                ("olga", "Olga Ops", "ops"))
    }
    return made


def owned(db, user_id: int) -> tuple[list[int], list[int]]:
    """(open lead ids, person ids) a user owns."""
    lead_ids = [r[0] for r in db.execute(
        "SELECT id FROM leads WHERE owner_id = ? AND status IN ('todo', 'standby') ORDER BY id",
        [user_id]).fetchall()]
    people = [r[0] for r in db.execute(
        "SELECT id FROM people WHERE owner_id = ? ORDER BY id", [user_id]).fetchall()]
    return lead_ids, people


def open_lead(db, owner: users.User) -> int:
    person = factories.person(db, company=f"Firma of {owner.name}")
    return leads.convert(db, person, owner_id=owner.id, by=owner.id,
                         next_step=NextStep("call", date(2026, 12, 10))).lead_id


@pytest.mark.parametrize("who", ["mia", "anna", "olga"])
def test_only_an_admin_manages_people_and_teams(any_db, team, who):
    by = team[who].id
    refused = {  # what the refusal says they may not do → the attempt
        "add people": lambda: users.add(any_db, "Eve", "eve@example.com", "rep", by=by),
        "change roles": lambda: users.set_role(any_db, team["ben"].id, "manager", by=by),
        "change teams": lambda: users.set_team(any_db, team["ben"].id, None, by=by),
        "create teams": lambda: users.create_team(any_db, "Süd", by=by),
        "rename teams": lambda: users.rename_team(any_db, team["anna"].team_id, "Süd", by=by),
        "deactivate people": lambda: users.deactivate(any_db, team["ben"].id, hand_to=None,
                                                      by=by),
        "reactivate people": lambda: users.reactivate(any_db, team["ben"].id, by=by),
        "change someone else's language": lambda: users.set_language(
            any_db, team["ben"].id, "de", by=by),
    }
    for what, action in refused.items():
        with pytest.raises(NotAllowed) as caught:
            action()
        assert str(caught.value) == f"Your role ({team[who].role}) may not {what}."
    assert users.get(any_db, team["ben"].id) == team["ben"]
    assert [t.name for t in users.teams(any_db)] == ["Nord"]
    assert users.by_email(any_db, "eve@example.com") is None


def test_the_admin_changes_role_and_team_and_the_audit_log_says_so(any_db, team):
    sud = users.create_team(any_db, "Süd", by=team["ada"].id)
    users.set_role(any_db, team["ben"].id, "manager", by=team["ada"].id)
    users.set_team(any_db, team["ben"].id, sud.id, by=team["ada"].id)
    ben = users.get(any_db, team["ben"].id)
    assert (ben.role, ben.team_id) == ("manager", sud.id)
    assert [u.name for u in users.managers(any_db, sud.id)] == ["Ben Rep"]
    assert [u.name for u in users.members(any_db, team["anna"].team_id)] == [
        "Anna Rep", "Mia Manager"]
    log = audit.recent(any_db)
    assert list(log["action"])[:3] == ["team_changed", "role_changed", "team_created"]
    assert list(log["detail"])[:2] == ["Nord → Süd", "rep → manager"]
    assert set(log["who"][:3]) == {"Ada Admin"}


def test_everyone_sets_their_own_language(any_db, team):
    assert users.set_language(any_db, team["anna"].id, "de", by=team["anna"].id).language \
        == "de"
    with pytest.raises(InvalidInput, match="language"):
        users.set_language(any_db, team["anna"].id, "fr", by=team["anna"].id)
    assert users.get(any_db, team["anna"].id).language == "de"


def test_the_last_active_admin_cannot_lose_the_role(any_db, team):
    with pytest.raises(InvalidInput, match="only active admin"):
        users.set_role(any_db, team["ada"].id, "rep", by=None)
    with pytest.raises(InvalidInput, match="only active admin"):
        users.deactivate(any_db, team["ada"].id, hand_to=None, by=None)
    assert users.get(any_db, team["ada"].id).role == "admin"


def test_deactivating_hands_open_leads_and_rows_over_in_one_step(any_db, team):
    anna, ben = team["anna"], team["ben"]
    lead_ids = [open_lead(any_db, anna), open_lead(any_db, anna)]
    closed = open_lead(any_db, anna)
    leads.won(any_db, closed, "signed", by=anna.id)
    people_before = owned(any_db, anna.id)[1]
    token = auth.log_in(any_db, anna.email, PASSWORD, client=None).token
    feed = calendar.issue_token(any_db, anna.id)

    work = users.deactivate(any_db, anna.id, hand_to=ben.id, by=team["ada"].id)

    assert (work.open_leads, work.rows) == (2, 3)
    assert owned(any_db, ben.id) == (lead_ids, people_before)
    assert owned(any_db, anna.id) == ([], [])
    assert any_db.execute("SELECT owner_id FROM leads WHERE id = ?", [closed]).fetchone()[0] \
        == anna.id  # the closed lead stays hers: the history keeps her name
    assert not users.get(any_db, anna.id).active
    assert auth.session_user(any_db, token) is None
    assert calendar.user_for_token(any_db, feed) is None
    with pytest.raises(auth.LoginRefused):
        auth.log_in(any_db, anna.email, PASSWORD, client=None)
    moved = any_db.execute(
        "SELECT kind, count(*) FROM history WHERE note = 'Anna Rep → Ben Rep (handed over)'"
        " GROUP BY kind ORDER BY kind").fetchall()
    assert moved == [("lead_edit", 2), ("owner", 3)]
    assert users.owner_names(any_db) == {team["ada"].id: "Ada Admin", ben.id: "Ben Rep",
                                           team["mia"].id: "Mia Manager"}


@pytest.mark.parametrize("heir", [None, "olga", "anna"], ids=["nobody", "ops", "herself"])
def test_a_deactivation_without_a_fitting_heir_changes_nothing(any_db, team, heir):
    anna = team["anna"]
    lead_id = open_lead(any_db, anna)
    before = owned(any_db, anna.id)
    with pytest.raises(InvalidInput, match="hand to"):
        users.deactivate(any_db, anna.id, hand_to=team[heir].id if heir else None,
                         by=team["ada"].id)
    assert owned(any_db, anna.id) == before == ([lead_id], before[1])
    assert users.get(any_db, anna.id).active
    assert "user_deactivated" not in set(audit.recent(any_db)["action"])


def test_someone_without_work_is_deactivated_and_reactivated(any_db, team):
    ben = team["ben"]
    users.deactivate(any_db, ben.id, hand_to=None, by=team["ada"].id)
    assert [u.name for u in users.all_users(any_db)] == [
        "Ada Admin", "Anna Rep", "Mia Manager", "Olga Ops"]
    assert users.reactivate(any_db, ben.id, by=team["ada"].id).active
    with pytest.raises(InvalidInput, match="yourself"):
        users.deactivate(any_db, team["ada"].id, hand_to=None, by=team["ada"].id)


def test_team_names_are_unique_without_case(any_db, team):
    with pytest.raises(InvalidInput, match="already a team called Nord"):
        users.create_team(any_db, " nord ", by=None)
    sud = users.create_team(any_db, "Süd", by=None)
    with pytest.raises(InvalidInput, match="already a team"):
        users.rename_team(any_db, sud.id, "NORD", by=None)
    assert users.rename_team(any_db, sud.id, "Süd-West", by=None).name == "Süd-West"
    assert list(users.teams_table(any_db)[["team", "members", "managers"]].itertuples(
        index=False, name=None)) == [("Nord", 3, "Mia Manager"), ("Süd-West", 0, "")]


def test_settings_are_the_admin_s_and_the_ladder_the_manager_s_only_when_allowed(any_db,
                                                                                 team):
    mia, anna, ada = team["mia"].id, team["anna"].id, team["ada"].id
    for by in (mia, anna, team["olga"].id):
        with pytest.raises(NotAllowed):
            settings.put(any_db, "visibility", "own", by=by)
    steps = pipeline.steps(any_db)
    ladder = [
        lambda by: q.change_threshold(any_db, "lead_threshold", 3, by=by),
        lambda by: q.update_criteria(any_db, q.criteria(any_db, active_only=False), by=by),
        lambda by: pipeline.update_steps(any_db, steps, by=by),
        lambda by: pipeline.add_step(any_db, f"Trial {by}", by=by),
    ]
    for change in ladder:
        with pytest.raises(NotAllowed, match="manager"):
            change(mia)
        with pytest.raises(NotAllowed, match="rep"):
            change(anna)
    assert settings.get(any_db, "lead_threshold") == 2
    settings.put(any_db, "managers_edit_qualification", "yes", by=ada)
    for change in ladder:
        change(mia)
    assert settings.get(any_db, "lead_threshold") == 3
    with pytest.raises(NotAllowed):
        settings.put(any_db, "timezone", "Europe/Vienna", by=mia)
    assert list(audit.recent(any_db, action="settings_changed")["target"]) == [
        "lead_threshold", "managers_edit_qualification"]


def test_the_viewer_carries_role_team_and_the_account_s_visibility(any_db, team):
    anna = access.viewer_for(any_db, team["anna"])
    assert (anna.user_id, anna.role, anna.team_id, anna.visibility) == (
        team["anna"].id, "rep", team["anna"].team_id, "all")
    settings.put(any_db, "visibility", "own", by=None)
    assert access.viewer_of(any_db, team["anna"].id).visibility == "own"
    assert access.viewer_of(any_db, None) is access.FULL_ACCESS
    users.deactivate(any_db, team["ben"].id, hand_to=None, by=None)
    with pytest.raises(NotAllowed, match="not active"):
        access.viewer_of(any_db, team["ben"].id)
