"""The visibility matrix: role × visibility × every read function and export, each asserting
the exact people, leads and lists seen (who is who, not how many) on the seeded team of
tests/access_seed.py. The expected sets are written out by hand from the issue's rule."""

from __future__ import annotations

from collections.abc import Iterator

import icalendar
import pandas as pd
import pytest

from lib import (
    access,
    calendar,
    db,
    grid,
    history,
    importing,
    leads,
    lists,
    metrics,
    rows,
    schedule,
)
from tests import access_seed
from tests.access_seed import EVERYONE, LISTS, Team

ALL_LEADS = frozenset(access_seed.LEADS)
NORTH_SIGHT = frozenset({"N_nils", "N_nora", "S_nils", "A_nils", "X_nora", "N_free", "A_free",
                         "H_lead"})
NILS_OWN = frozenset({"N_nils", "S_nils", "A_nils", "N_free", "A_free", "H_lead"})
SVEN_OWN = frozenset({"S_sven", "N_sven", "A_sven", "H_lead", "S_free", "A_free"})
SOUTH_SIGHT = SVEN_OWN | {"S_sami"}
OPS_NORTH = frozenset({"N_nils", "N_nora", "N_free", "N_sven", "A_nils", "A_sven", "A_free"})
NORTH_LISTS = frozenset({"North list", "Shared list"})
SOUTH_LISTS = frozenset({"South list", "Shared list"})
ALL_LISTS = frozenset(LISTS)

# (who, visibility) → (people, leads, lists) they may see
EXPECTED: dict[tuple[str, str], tuple[frozenset, frozenset, frozenset]] = {
    ("Ada", "own"): (EVERYONE, ALL_LEADS, ALL_LISTS),
    ("Ada", "team"): (EVERYONE, ALL_LEADS, ALL_LISTS),
    ("Ada", "all"): (EVERYONE, ALL_LEADS, ALL_LISTS),
    ("Mona", "own"): (NORTH_SIGHT, frozenset({"N_nils", "N_nora", "H_lead"}), NORTH_LISTS),
    ("Mona", "team"): (NORTH_SIGHT, frozenset({"N_nils", "N_nora", "H_lead"}), NORTH_LISTS),
    ("Mona", "all"): (EVERYONE, ALL_LEADS, ALL_LISTS),
    ("Nils", "own"): (NILS_OWN, frozenset({"N_nils", "H_lead"}), NORTH_LISTS),
    ("Nils", "team"): (NORTH_SIGHT, frozenset({"N_nils", "N_nora", "H_lead"}), NORTH_LISTS),
    ("Nils", "all"): (EVERYONE, ALL_LEADS, ALL_LISTS),
    ("Sven", "own"): (SVEN_OWN, frozenset({"S_sven", "A_sven"}), SOUTH_LISTS),
    ("Sven", "team"): (SOUTH_SIGHT, frozenset({"S_sven", "A_sven"}), SOUTH_LISTS),
    ("Sven", "all"): (EVERYONE, ALL_LEADS, ALL_LISTS),
    ("Otto", "own"): (OPS_NORTH, frozenset({"N_nils", "N_nora", "A_sven"}), NORTH_LISTS),
    ("Otto", "team"): (OPS_NORTH, frozenset({"N_nils", "N_nora", "A_sven"}), NORTH_LISTS),
    ("Otto", "all"): (EVERYONE, ALL_LEADS, ALL_LISTS),
}
# Whose work (owner filters, overdue per rep) each may look at, under own / team.
SIGHT_OF_USERS = {"Ada": None, "Mona": {"Mona", "Nils", "Nora", "Otto"}, "Nils": {"Nils"},
                  "Sven": {"Sven"}, "Otto": None}
TEAM_OF_USERS = {"Nils": {"Mona", "Nils", "Nora", "Otto"}, "Sven": {"Sven", "Sami"}}
CASES = sorted(EXPECTED)


@pytest.fixture(scope="module")
def seeded_team() -> Iterator[tuple[db.Connection, Team]]:
    conn = db.connect(":memory:")
    cur = conn.cursor()
    team = access_seed.seed(cur)
    yield cur, team
    conn.close()


@pytest.fixture(params=CASES, ids=[f"{who}-{vis}" for who, vis in CASES])
def case(request, seeded_team):
    cur, team = seeded_team
    who, visibility = request.param
    access_seed.set_visibility(cur, visibility)
    people, lead_codes, list_names = EXPECTED[request.param]
    return cur, team, team.viewer(cur, who), who, visibility, people, lead_codes, list_names


def first_names(frame: pd.DataFrame, column: str = "first_name") -> set[str]:
    return set(frame[column].str.split(" ").str[0])


def test_the_seed_is_what_the_matrix_assumes(seeded_team):
    cur, team = seeded_team
    assert set(team.people) == EVERYONE and len(EVERYONE) == 14
    assert set(team.leads) == ALL_LEADS


# --- people: the prospecting grid, its paging, search, sources, downloads, history ----------


def test_the_grid_of_each_list_shows_exactly_the_visible_rows(case):
    cur, team, viewer, _, _, people, _, list_names = case
    for name, (_, members) in LISTS.items():
        f = rows.RowFilter(list_id=team.lists[name])
        if name not in list_names:
            with pytest.raises(access.NotAllowed):
                rows.rows_page(cur, f, viewer=viewer)
            continue
        page, total = rows.rows_page(cur, f, viewer=viewer)
        assert first_names(page) == people & set(members), name
        assert total == len(people & set(members))
        shown = grid.rows_shown(cur, f, viewer=viewer, sort_by="company", descending=False,
                                size=2, number=99)
        assert shown.attrs["total"] == total and set(shown.index) <= {
            team.people[c] for c in people}


def test_paging_walks_through_the_visible_rows_only(case):
    cur, team, viewer, _, _, people, _, list_names = case
    name = sorted(list_names)[0]
    f = rows.RowFilter(list_id=team.lists[name])
    seen: list[str] = []
    for offset in range(0, 10, 2):
        page, _ = rows.rows_page(cur, f, viewer=viewer, offset=offset, limit=2)
        seen += list(page["first_name"])
    assert sorted(seen) == sorted(people & set(LISTS[name][1]))


def test_search_finds_visible_rows_only(case):
    cur, team, viewer, _, _, people, _, list_names = case
    for name in list_names:
        page, _ = rows.rows_page(cur, rows.RowFilter(list_id=team.lists[name], text="free"),
                                 viewer=viewer)
        assert first_names(page) == {c for c in people & set(LISTS[name][1]) if "free" in c}


def test_all_my_rows_are_the_rows_the_viewer_owns(case):
    cur, _, viewer, who, _, people, _, _ = case
    page, _ = rows.rows_page(cur, rows.RowFilter(list_id=None), viewer=viewer)
    owned = {c for c, owner in access_seed.OWNERS.items() if owner == who}
    assert first_names(page) == owned & people


def test_sources_and_the_download_hold_visible_rows_only(case):
    cur, team, viewer, _, _, people, _, list_names = case
    for name in list_names:
        f = rows.RowFilter(list_id=team.lists[name])
        expected = people & set(LISTS[name][1])
        assert set(rows.sources(cur, f, viewer=viewer)) == expected
        assert first_names(rows.export_rows(cur, f, viewer=viewer), "first name") == expected


def test_rows_by_id_and_last_actions_leave_out_invisible_people(case):
    cur, team, viewer, _, _, people, _, _ = case
    ids = list(team.people.values())
    assert first_names(rows.rows_by_id(cur, ids, viewer=viewer)) == people
    last = leads.last_action_per_person(cur, ids, db.utcnow(), viewer=viewer)
    codes = team.person_code()
    assert {codes[i] for i in last["person_id"]} == people & (
        ALL_LEADS | {access_seed.DEAD})  # people with an action: leads and the cancelled row


def test_a_rows_history_opens_only_for_a_visible_row(case):
    cur, team, viewer, _, _, people, _, _ = case
    for code, pid in team.people.items():
        if code in people:
            entries = grid.history_table(cur, pid, viewer=viewer)
            assert ("cancel" in set(history.for_person(cur, pid, viewer=viewer)["kind"])) == (
                code == access_seed.DEAD)
            assert len(entries) == len(rows.row_history(cur, pid, viewer=viewer))
        else:
            with pytest.raises(access.NotAllowed):
                rows.row_history(cur, pid, viewer=viewer)


# --- lists and imports ----------------------------------------------------------------------


def test_the_lists_page_counts_only_visible_rows_of_visible_lists(case):
    cur, _, viewer, _, _, people, _, list_names = case
    shown = lists.overview(cur, viewer=viewer).set_index("list")
    assert set(shown.index) == list_names
    for name in list_names:
        assert shown.loc[name, "rows"] == len(people & set(LISTS[name][1]))
    assert set(lists.names(cur, viewer=viewer)) == list_names


def test_import_history_and_reports_follow_the_lists(case):
    cur, team, viewer, _, _, _, _, list_names = case
    past = importing.history_frame(cur, viewer=viewer)
    assert set(past["list"]) == list_names
    for import_id, name in cur.execute(
            "SELECT i.id, l.name FROM imports i JOIN lists l ON l.id = i.list_id").fetchall():
        if viewer.may("import") and name in list_names:
            report = importing.report(cur, import_id, viewer=viewer)
            assert set(report["First name"]) == set(LISTS[name][1])
        else:
            with pytest.raises(access.NotAllowed):
                importing.report(cur, import_id, viewer=viewer)


# --- leads: to-do, pipeline, lead page, calendar --------------------------------------------


def titles(frame: pd.DataFrame) -> set[str]:
    return set(frame["title"])


def test_todo_and_its_counts_hold_the_visible_leads(case):
    cur, _, viewer, _, _, _, lead_codes, _ = case
    assert titles(leads.todo(cur, viewer=viewer, user_id=None)) == lead_codes
    counts = leads.todo_counts(cur, viewer=viewer, user_id=None)
    assert counts["overdue"] == len(lead_codes - {access_seed.PARKED})
    assert counts["standby"] == len(lead_codes & {access_seed.PARKED})


def test_the_pipeline_and_its_sums_hold_the_visible_leads_amounts_only_where_allowed(case):
    cur, _, viewer, _, _, _, lead_codes, _ = case
    cards = leads.pipeline(cur, viewer=viewer, limit_per_step=10)
    assert titles(cards) == lead_codes
    totals = leads.pipeline_totals(cur, viewer=viewer)
    assert totals["count"].sum() == len(lead_codes)
    amounts = {code: amount for code, (_, amount) in access_seed.LEADS.items()}
    if viewer.may("see_amounts"):
        assert dict(zip(cards["title"], cards["amount"].astype(float), strict=True)) == {
            c: amounts[c] for c in lead_codes}
        assert totals["amount"].sum() == sum(amounts[c] for c in lead_codes)
    else:
        assert cards["amount"].isna().all() and cards["weighted"].isna().all()
        assert totals["amount"].isna().all() and totals["weighted"].isna().all()


def test_the_lead_page_and_timeline_open_only_for_a_visible_lead(case):
    cur, team, viewer, _, _, _, lead_codes, _ = case
    for code, lead_id in team.leads.items():
        if code in lead_codes:
            detail = leads.lead_detail(cur, lead_id, viewer=viewer)
            assert detail.lead["title"] == code and detail.contact["first_name"] == code
            assert (detail.lead["amount"] is None or pd.isna(detail.lead["amount"])) == (
                not viewer.may("see_amounts"))
            assert "call" in set(leads.timeline(cur, lead_id, viewer=viewer)["kind"])
        else:
            with pytest.raises(access.NotAllowed):
                leads.lead_detail(cur, lead_id, viewer=viewer)
            with pytest.raises(access.NotAllowed):
                leads.timeline(cur, lead_id, viewer=viewer)


def uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_calendars_hold_only_visible_leads(case):
    cur, team, viewer, _, _, _, lead_codes, _ = case
    for owner in ("Nils", "Nora", "Sven"):
        mine = {c for c, (o, _) in access_seed.LEADS.items() if o == owner} & lead_codes
        expected = {f"lead-{team.leads[c]}@leadladder" for c in mine}
        assert uids(calendar.ics_for_user(cur, team.users[owner], viewer=viewer)) == expected
        assert calendar.event_count(cur, team.users[owner], viewer=viewer) == len(mine)


# --- numbers: funnel, cohorts, drop-off, criteria, overdue ---------------------------------

EVERY_FILTER = metrics.FunnelFilter()


def test_the_funnel_counts_and_lists_exactly_the_visible_people(case):
    cur, team, viewer, _, _, people, _, _ = case
    summary = metrics.summary(cur, EVERY_FILTER, viewer=viewer)
    assert summary.people_at("suspect") == len(people)
    assert summary.people_at("converted") == len(people & ALL_LEADS)
    assert metrics.funnel(cur, EVERY_FILTER, viewer=viewer).equals(summary.funnel)
    assert metrics.stage_counts(cur, EVERY_FILTER, viewer=viewer)["converted"] == len(
        people & ALL_LEADS)
    codes = team.person_code()
    every = metrics.stage_people(cur, EVERY_FILTER, "suspect", viewer=viewer, limit=100)
    assert {codes[i] for i in every["person_id"]} == people
    converted = metrics.stage_people(cur, EVERY_FILTER, "converted", viewer=viewer)
    assert {codes[i] for i in converted["person_id"]} == people & ALL_LEADS
    assert [h.value for h in metrics.headline(cur, EVERY_FILTER, viewer=viewer)][:1] == [
        len(people)]


def test_cohorts_drop_off_and_criteria_count_visible_people_on_visible_lists(case):
    cur, _, viewer, _, _, people, _, list_names = case
    by_list = metrics.cohorts(cur, EVERY_FILTER, "list", viewer=viewer).set_index("cohort")
    expected = {name: len(people & set(LISTS[name][1])) for name in list_names}
    assert by_list["suspect"].to_dict() == {k: v for k, v in expected.items() if v}
    weeks = metrics.cohorts(cur, EVERY_FILTER, "week", viewer=viewer)
    assert weeks["suspect"].sum() == len(people)
    dropped = metrics.drop_off(cur, EVERY_FILTER, viewer=viewer)
    assert list(dropped["list"]) == (["Shared list"] if access_seed.DEAD in people else [])
    insight = metrics.criteria_insight(cur, EVERY_FILTER, viewer=viewer)
    assert int(insight["leads"].iloc[0] + insight["rest"].iloc[0]) == len(people)


def test_the_funnel_filters_offer_only_visible_lists_sources_and_owners(case):
    cur, team, viewer, who, visibility, people, _, list_names = case
    assert set(metrics.list_choices(cur, viewer=viewer)["name"]) == list_names
    assert set(metrics.source_choices(cur, viewer=viewer)) == people
    owners = set(metrics.owner_choices(cur, viewer=viewer)["name"])
    assert owners == expected_users(who, visibility, {"Ada", "Mona", "Nils", "Nora", "Sven",
                                                      "Sami"})


def expected_users(who: str, visibility: str, everyone: set[str]) -> set[str]:
    if visibility == "all" or SIGHT_OF_USERS[who] is None:
        return everyone
    if visibility == "team" and who in TEAM_OF_USERS:
        return everyone & TEAM_OF_USERS[who]
    return everyone & SIGHT_OF_USERS[who]


def test_overdue_per_rep_by_age_and_the_overdue_list_hold_visible_leads(case):
    cur, _, viewer, who, visibility, _, lead_codes, _ = case
    now = db.utcnow()
    late = lead_codes - {access_seed.PARKED}
    per_rep = metrics.overdue_per_rep(cur, now, viewer=viewer)
    expected = {}
    for code in late:
        owner = access_seed.LEADS[code][0]
        expected[owner] = expected.get(owner, 0) + 1
    reps = expected_users(who, visibility, {"Nils", "Nora", "Sven", "Sami"})
    assert dict(zip(per_rep["name"], per_rep["count"], strict=True)) == {
        **dict.fromkeys(reps, 0), **expected}
    assert per_rep.equals(schedule.overdue_per_rep(cur, now, viewer=viewer))
    assert metrics.overdue_by_age(cur, now, viewer=viewer)["count"].sum() == len(late)
    assert set(metrics.overdue_leads(cur, now, viewer=viewer)["lead"]) == late
    stale, total = metrics.stale_leads(cur, now, 0, viewer=viewer)
    assert set(stale["lead"]) == late and total == len(late)
    assert set(metrics.standby_returning(cur, now, viewer=viewer)["lead"]) == (
        lead_codes & {access_seed.PARKED})

