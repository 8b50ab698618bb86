"""The manager's numbers on small hand-built data with known answers, and the agreement
properties (funnel, overdue and to-do say the same) on the demo database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from lib import access, cli, history, leads, metrics, rows, schedule
from lib import qualification as q
from lib.db import connect, utcnow
from lib.leads import Activity, NextStep
from lib.metrics import FunnelFilter, Period
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")
NOW = utcnow()
TODAY = schedule.local_today(NOW, BERLIN)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def counts(db, f: FunnelFilter | None = None) -> list[int]:
    return [int(n) for n in metrics.funnel(db, f or FunnelFilter(),
                                           viewer=access.FULL_ACCESS)["people"]]


def tick(db, person_id: int, *keys: str, by: int) -> None:
    for key in keys:
        q.set_tick(db, person_id, key, True, expected=False, by=by)


def convert(db, person_id: int, owner: int, due: date | None = None,
            at: time | None = None) -> int:
    step = NextStep("call", due or TODAY + timedelta(days=3), at)
    return leads.convert(db, person_id, owner_id=owner, next_step=step, by=owner).lead_id


@dataclass
class Ladder:
    """Seven people on one list, each left on another rung by the real lib functions."""

    rep: int
    list_id: int
    imported: int      # nothing ticked
    prospect: int      # one prospect criterion
    lead: int          # two lead criteria
    died: int          # prospect, then cancelled
    converted: int     # one lead criterion (a prospect), converted anyway
    won: int           # lead, converted, won
    fell_back: int     # lead, then a lead criterion unticked: a prospect again


@pytest.fixture
def ladder(fresh_db) -> Ladder:
    db = fresh_db
    rep = factories.user(db, "Anna Rep")
    list_id = factories.new_list(db, "KW45 Messe", source="trade fair")
    people = [factories.person(db, list_id, company=f"Firm {i}") for i in range(7)]
    imported, prospect, lead, died, converted, won, fell_back = people
    tick(db, prospect, "reached", by=rep)
    tick(db, lead, "interest", "needs", by=rep)
    tick(db, died, "reached", by=rep)
    rows.cancel(db, died, "no budget", by=rep)
    tick(db, converted, "interest", by=rep)
    convert(db, converted, rep)
    tick(db, won, "interest", "needs", by=rep)
    leads.won(db, convert(db, won, rep), by=rep)
    tick(db, fell_back, "interest", "needs", by=rep)
    q.set_tick(db, fell_back, "needs", False, expected=True, by=rep)
    return Ladder(rep, list_id, *people)


# --- the funnel from the history -----------------------------------------------------------


def test_each_stage_counts_everyone_who_ever_reached_it_or_a_later_one(fresh_db, ladder):
    frame = metrics.funnel(fresh_db, FunnelFilter(), viewer=access.FULL_ACCESS)
    assert list(frame["stage"]) == list(metrics.STAGES)
    # suspects: all 7; prospects: all but the untouched one; leads: lead, converted (one lead
    # criterion, but converted implies lead), won, fell_back (was a lead once); the dead
    # prospect keeps its prospect stage.
    assert list(frame["people"]) == [7, 6, 4, 2, 1]
    assert frame["of_previous"].round(3).tolist() == [1.0, 0.857, 0.667, 0.5, 0.5]
    assert frame["of_top"].round(3).tolist() == [1.0, 0.857, 0.571, 0.286, 0.143]


def test_the_funnel_reads_the_history_not_todays_status(fresh_db, ladder):
    stored = dict(fresh_db.execute("SELECT status, count(*) FROM people GROUP BY 1").fetchall())
    # today three rows are leads (lead, and converted and won: a lead keeps its row a lead)
    assert stored.get("lead", 0) == 3
    assert counts(fresh_db)[2] == 4             # but four reached the lead stage


def test_an_empty_database_has_an_empty_funnel_without_shares(fresh_db):
    frame = metrics.funnel(fresh_db, FunnelFilter(), viewer=access.FULL_ACCESS)
    assert frame["people"].tolist() == [0] * 5
    assert frame["of_top"].isna().all()


def test_lead_criteria_switched_off_do_not_rewrite_the_past(fresh_db, ladder):
    """A recompute after a settings change moves statuses down; the stages reached stay."""
    q.change_threshold(fresh_db, "lead_threshold", 3, by=None)
    assert counts(fresh_db) == [7, 6, 4, 2, 1]


# --- the event period ----------------------------------------------------------------------


def imported(db, list_id: int, days_ago: float) -> int:
    person_id = factories.person(db, list_id)
    db.execute("UPDATE people SET created_at = ? WHERE id = ?", [ago(days_ago), person_id])
    return person_id


def climbed(db, person_id: int, status: str, days_ago: float) -> None:
    db.execute("UPDATE people SET status = ? WHERE id = ?", [status, person_id])
    history.record(db, "status", user_id=None, person_id=person_id, field="status",
                   new=status, at=ago(days_ago))


def backdate_lead(db, lead_id: int, days_ago: float, won_days_ago: float | None = None) -> None:
    db.execute("UPDATE leads SET created_at = ? WHERE id = ?", [ago(days_ago), lead_id])
    if won_days_ago is not None:
        db.execute("UPDATE history SET happened_at = ? WHERE lead_id = ? AND kind = 'lead_status'",
                   [ago(won_days_ago), lead_id])


@pytest.fixture
def weeks(fresh_db) -> dict[str, int]:
    """People whose stages happened at known days: 40, 35, 5, 3, 2 and 1 day(s) ago."""
    db = fresh_db
    rep = factories.user(db, "Ben Rep")
    list_id = factories.new_list(db, "KW40")
    a, b, c, d = (imported(db, list_id, days) for days in (40, 40, 3, 40))
    climbed(db, a, "prospect", 35)
    climbed(db, a, "lead", 5)
    climbed(db, b, "prospect", 35)
    climbed(db, d, "prospect", 35)
    climbed(db, d, "lead", 35)
    lead_id = convert(db, d, rep)
    leads.won(db, lead_id, by=rep)
    backdate_lead(db, lead_id, 2, won_days_ago=1)
    return {"a": a, "b": b, "c": c, "d": d, "rep": rep}


def last(days: int) -> Period:
    return Period(TODAY - timedelta(days=days - 1), TODAY)


def test_a_stage_counts_when_it_or_a_later_one_was_reached_within_the_period(fresh_db, weeks):
    # last 30 days: a became a lead (so passed prospect and suspect), c was imported,
    # d converted and won; b did nothing.
    assert counts(fresh_db, FunnelFilter(events=last(30))) == [3, 2, 2, 1, 1]
    # the 30 days before: a, b and d became prospects, d a lead; nobody converted.
    before = Period(TODAY - timedelta(days=59), TODAY - timedelta(days=30))
    assert counts(fresh_db, FunnelFilter(events=before)) == [3, 3, 1, 0, 0]
    assert counts(fresh_db) == [4, 3, 2, 1, 1]


def test_headline_numbers_come_with_the_previous_period_of_the_same_length(fresh_db, weeks):
    numbers = {h.name: h for h in metrics.headline(fresh_db, FunnelFilter(events=last(30)),
                                                   viewer=access.FULL_ACCESS)}
    assert [numbers[s].value for s in metrics.STAGES] == [3, 2, 2, 1, 1]
    assert [numbers[s].previous for s in metrics.STAGES] == [3, 3, 1, 0, 0]
    assert numbers["lead"].change == 1
    assert numbers["lead_rate"].value == 1.0
    assert numbers["lead_rate"].previous == pytest.approx(1 / 3)
    assert numbers["win_rate"].value == 1.0 and numbers["win_rate"].previous is None
    assert numbers["win_rate"].change is None
    assert list(numbers) == [*metrics.STAGES, *(r[0] for r in metrics.RATES)]


def test_without_a_period_there_is_nothing_to_compare_with(fresh_db, weeks):
    numbers = metrics.headline(fresh_db, FunnelFilter(), viewer=access.FULL_ACCESS)
    assert [h.value for h in numbers[:5]] == [4, 3, 2, 1, 1]
    assert all(h.previous is None and h.change is None for h in numbers)


def test_a_period_is_whole_days_in_the_app_time_zone(fresh_db):
    start, end = Period(date(2026, 7, 1), date(2026, 7, 31)).bounds(fresh_db)
    assert (start, end) == (datetime(2026, 6, 30, 22), datetime(2026, 7, 31, 22))  # CEST


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    period = Period(date(2026, 3, 1), date(2026, 3, 10))
    assert period.days == 10
    assert period.previous() == Period(date(2026, 2, 19), date(2026, 2, 28))
    assert Period(date(2026, 3, 10), date(2026, 3, 1)) == period  # ends given either way round
    assert metrics.preset("Last 7 days", date(2026, 3, 10)) == Period(date(2026, 3, 4),
                                                                      date(2026, 3, 10))
    assert metrics.preset("All time", date(2026, 3, 10)) is None


def test_the_cohort_keeps_people_first_imported_in_its_period(fresh_db, weeks):
    recent = FunnelFilter(cohort=last(7))
    assert counts(fresh_db, recent) == [1, 0, 0, 0, 0]        # only c
    older = FunnelFilter(cohort=Period(TODAY - timedelta(days=45), TODAY - timedelta(days=8)))
    assert counts(fresh_db, older) == [3, 3, 2, 1, 1]


# --- filters -------------------------------------------------------------------------------


def test_the_list_filter_counts_the_people_on_those_lists(fresh_db, ladder):
    other = factories.new_list(fresh_db, "KW46")
    factories.add_to_list(fresh_db, other, ladder.won)
    factories.person(fresh_db, other)
    assert counts(fresh_db, FunnelFilter(list_ids=(other,))) == [2, 1, 1, 1, 1]
    assert counts(fresh_db, FunnelFilter(list_ids=(other, ladder.list_id))) == [8, 6, 4, 2, 1]


def test_the_source_filter_reads_the_list_source_and_the_persons_own(fresh_db, ladder):
    webinar = factories.new_list(fresh_db, "Webinar", source="webinar")
    factories.person(fresh_db, webinar)
    factories.person(fresh_db, source="webinar")  # a walk-in whose own source says so
    assert counts(fresh_db, FunnelFilter(sources=("webinar",)))[0] == 2
    assert counts(fresh_db, FunnelFilter(sources=("trade fair",)))[0] == 7
    assert counts(fresh_db, FunnelFilter(sources=("trade fair", "webinar")))[0] == 9


def test_a_converted_person_belongs_to_the_owner_of_their_lead(fresh_db, ladder):
    ben = factories.user(fresh_db, "Ben Rep")
    fresh_db.execute("UPDATE people SET owner_id = ? WHERE id IN (?, ?)",
                     [ben, ladder.imported, ladder.prospect])
    lead_id = leads.open_lead_of(fresh_db, ladder.converted)
    leads.edit(fresh_db, lead_id, owner_id=ben, by=ben)  # the row's owner stays Anna
    assert counts(fresh_db, FunnelFilter(owner_ids=(ben,))) == [3, 2, 1, 1, 0]
    # Anna's: the rows she ticked (ticking took them) but the converted one, whose lead is Ben's
    assert counts(fresh_db, FunnelFilter(owner_ids=(ladder.rep,))) == [4, 4, 3, 1, 1]
    # every person has one owner, so the two funnels add up to everyone
    assert counts(fresh_db, FunnelFilter(owner_ids=(ben, ladder.rep))) == [7, 6, 4, 2, 1]


# --- behind the numbers --------------------------------------------------------------------


def test_selecting_a_stage_lists_its_people_latest_first_and_pages(fresh_db, ladder):
    fresh_db.execute("UPDATE people SET owner_id = NULL WHERE id = ?", [ladder.lead])  # nobody's
    page = metrics.stage_people(fresh_db, FunnelFilter(), "lead", limit=3,
                                viewer=access.FULL_ACCESS)
    assert len(page) == 3
    assert page["reached_at"].is_monotonic_decreasing
    every = metrics.stage_people(fresh_db, FunnelFilter(), "lead", limit=10,
                                 viewer=access.FULL_ACCESS)
    assert set(every["person_id"]) == {ladder.lead, ladder.converted, ladder.won,
                                       ladder.fell_back}
    rest = metrics.stage_people(fresh_db, FunnelFilter(), "lead", limit=3, offset=3,
                                viewer=access.FULL_ACCESS)
    assert len(rest) == 1 and not set(rest["person_id"]) & set(page["person_id"])
    assert set(every.columns) >= {"name", "company", "email", "lists", "owner", "status"}
    assert set(every["lists"]) == {"KW45 Messe"}
    owners = dict(zip(every["person_id"], every["owner"], strict=True))
    assert owners[ladder.won] == "Anna Rep" and pd.isna(owners[ladder.lead])


def test_cohorts_per_list_show_each_lists_funnel(fresh_db, ladder):
    other = factories.new_list(fresh_db, "KW46")
    factories.person(fresh_db, other)
    factories.add_to_list(fresh_db, other, ladder.won)
    frame = metrics.cohorts(fresh_db, FunnelFilter(), "list",
                            viewer=access.FULL_ACCESS).set_index("cohort")
    assert frame.loc["KW45 Messe", list(metrics.STAGES)].tolist() == [7, 6, 4, 2, 1]
    assert frame.loc["KW46", list(metrics.STAGES)].tolist() == [2, 1, 1, 1, 1]
    assert frame.loc["KW46", "won_share"] == 0.5
    only = metrics.cohorts(fresh_db, FunnelFilter(list_ids=(other,)), "list",
                           viewer=access.FULL_ACCESS)
    assert only["cohort"].tolist() == ["KW46"]  # the won person's other list is not a row


def test_cohorts_per_week_group_people_by_the_week_they_were_imported(fresh_db, weeks):
    frame = metrics.cohorts(fresh_db, FunnelFilter(), "week", viewer=access.FULL_ACCESS)
    assert frame["suspect"].tolist() == [1, 3]       # newest week first: c, then a, b, d
    assert frame["lead"].tolist() == [0, 2]
    assert frame["cohort"].str.fullmatch(r"\d{4}-W\d{2}").all()
    with pytest.raises(ValueError):
        metrics.cohorts(fresh_db, FunnelFilter(), "month", viewer=access.FULL_ACCESS)


def test_drop_off_says_at_which_stage_and_why_rows_died_per_list(fresh_db, ladder):
    rows.cancel(fresh_db, ladder.imported, "wrong contact", by=ladder.rep)
    rows.cancel(fresh_db, ladder.fell_back, "other", "moved abroad", by=ladder.rep)
    frame = metrics.drop_off(fresh_db, FunnelFilter(), viewer=access.FULL_ACCESS)
    assert frame.to_dict("records") == [
        {"list": "KW45 Messe", "stage": "suspect", "reason": "wrong contact", "people": 1},
        {"list": "KW45 Messe", "stage": "prospect", "reason": "no budget", "people": 1},
        {"list": "KW45 Messe", "stage": "lead", "reason": "other", "people": 1},
    ]
    rows.revive(fresh_db, ladder.died, by=ladder.rep)
    assert "no budget" not in set(metrics.drop_off(fresh_db, FunnelFilter(),
                                                   viewer=access.FULL_ACCESS)["reason"])


def test_drop_off_in_a_period_counts_the_rows_that_died_in_it(fresh_db, ladder):
    fresh_db.execute("UPDATE people SET died_at = ? WHERE id = ?", [ago(60), ladder.died])
    assert metrics.drop_off(fresh_db, FunnelFilter(events=last(30)),
                            viewer=access.FULL_ACCESS).empty
    assert len(metrics.drop_off(fresh_db, FunnelFilter(events=last(90)),
                                viewer=access.FULL_ACCESS)) == 1


def test_criteria_insight_compares_ticks_of_leads_with_the_rest(fresh_db, ladder):
    frame = metrics.criteria_insight(fresh_db, FunnelFilter(),
                                     viewer=access.FULL_ACCESS).set_index("key")
    assert list(frame.index) == [c.key for c in q.criteria(fresh_db)]
    interest = frame.loc["interest"]
    # leads: lead, converted, won, fell_back — all four ticked "interest"; rest: 3 people
    assert (interest["leads"], interest["leads_ticked"], interest["leads_share"]) == (4, 4, 1.0)
    assert (interest["won"], interest["won_ticked"]) == (1, 1)
    assert (interest["rest"], interest["rest_ticked"], interest["rest_share"]) == (3, 0, 0.0)
    reached = frame.loc["reached"]
    assert reached["rest_ticked"] == 2 and reached["rest_share"] == pytest.approx(2 / 3)
    assert reached["lift"] == 0.0 and pd.isna(interest["lift"])  # nothing to divide by


# --- overdue -------------------------------------------------------------------------------


@pytest.fixture
def late(fresh_db) -> dict[str, int]:
    """Anna: steps 1, 5, 12 and 45 days late and one due tomorrow; Ben: nothing late."""
    anna = factories.user(fresh_db, "Anna Rep")
    ben = factories.user(fresh_db, "Ben Rep")
    for days in (1, 5, 12, 45, -1):
        convert(fresh_db, factories.person(fresh_db, company=f"Late {days}"), anna,
                due=TODAY - timedelta(days=days))
    convert(fresh_db, factories.person(fresh_db, company="On time"), ben)
    return {"anna": anna, "ben": ben}


def test_overdue_is_bucketed_by_age_for_every_rep(fresh_db, late):
    frame = metrics.overdue_by_age(fresh_db, utcnow(), viewer=access.FULL_ACCESS)
    anna = frame[frame["user_id"] == late["anna"]]
    assert anna["age"].tolist() == list(metrics.AGE_BUCKETS)
    assert anna["count"].tolist() == [1, 1, 1, 1]
    assert frame[frame["user_id"] == late["ben"]]["count"].tolist() == [0, 0, 0, 0]


def test_a_step_due_earlier_today_is_overdue_in_the_youngest_bucket(fresh_db):
    anna = factories.user(fresh_db, "Anna Rep")
    now = datetime(2026, 3, 10, 12)  # 13:00 in Berlin
    convert(fresh_db, factories.person(fresh_db), anna, due=date(2026, 3, 10), at=time(9))
    frame = metrics.overdue_by_age(fresh_db, now, viewer=access.FULL_ACCESS)
    assert frame["count"].tolist() == [1, 0, 0, 0]
    assert metrics.overdue_leads(fresh_db, now,
                                 viewer=access.FULL_ACCESS)["days_overdue"].tolist() == [0]


def test_the_age_buckets_add_up_to_what_each_reps_to_do_page_counts(fresh_db, late):
    now = utcnow()
    by_age = metrics.overdue_by_age(fresh_db, now,
                                    viewer=access.FULL_ACCESS).groupby("user_id")["count"].sum()
    for rep in metrics.overdue_per_rep(fresh_db, now, viewer=access.FULL_ACCESS).itertuples():
        assert by_age[rep.user_id] == rep.count
        assert leads.todo_counts(fresh_db, user_id=rep.user_id, now=now,
                                 viewer=access.FULL_ACCESS)["overdue"] == rep.count


def test_the_overdue_list_is_the_to_do_pages_overdue_group_most_overdue_first(fresh_db, late):
    frame = metrics.overdue_leads(fresh_db, utcnow(), viewer=access.FULL_ACCESS)
    assert frame["days_overdue"].tolist() == [45, 12, 5, 1]
    assert frame["company"].tolist() == ["Late 45", "Late 12", "Late 5", "Late 1"]
    assert set(frame["owner"]) == {"Anna Rep"}
    assert frame["last_action_at"].notna().all()
    assert len(metrics.overdue_leads(fresh_db, utcnow(), limit=2, viewer=access.FULL_ACCESS)) == 2


def lead_of(db, company: str) -> int:
    person_id = db.execute("SELECT id FROM people WHERE company = ?", [company]).fetchone()[0]
    return leads.open_lead_of(db, person_id)


def backdate_every_action(db, days_ago: float) -> None:
    db.execute("UPDATE leads SET created_at = ?", [ago(days_ago)])
    db.execute("UPDATE history SET happened_at = ? WHERE lead_id IS NOT NULL", [ago(days_ago)])


def test_stale_leads_have_had_no_action_for_the_given_days(fresh_db, late):
    backdate_every_action(fresh_db, 30)
    quiet, busy = lead_of(fresh_db, "Late 45"), lead_of(fresh_db, "Late 12")
    leads.log_activity(fresh_db, busy, Activity("call", outcome="reached"), by=late["anna"])
    frame, total = metrics.stale_leads(fresh_db, utcnow(), 14, viewer=access.FULL_ACCESS)
    assert total == 5  # six open leads, one of them called just now
    assert quiet in set(frame["lead_id"]) and busy not in set(frame["lead_id"])
    assert frame["days_since"].tolist() == [30] * 5
    assert metrics.stale_leads(fresh_db, utcnow(), 45, viewer=access.FULL_ACCESS)[1] == 0
    shown, total = metrics.stale_leads(fresh_db, utcnow(), 14, limit=2, viewer=access.FULL_ACCESS)
    assert (len(shown), total) == (2, 5)


def test_parked_leads_coming_back_this_week_are_listed_soonest_first(fresh_db, late):
    first, second, later = (lead_of(fresh_db, f"Late {n}") for n in (1, 5, 12))
    for lead_id, days in ((first, 6), (second, 2), (later, 20)):
        until = TODAY + timedelta(days=days)
        leads.standby(fresh_db, lead_id, until, NextStep("call", until), by=late["anna"])
    frame = metrics.standby_returning(fresh_db, utcnow(), viewer=access.FULL_ACCESS)
    assert frame["lead_id"].tolist() == [second, first]
    assert frame["back_on"].dt.date.tolist() == [TODAY + timedelta(days=2),
                                                 TODAY + timedelta(days=6)]
    backdate_every_action(fresh_db, 30)
    stale, total = metrics.stale_leads(fresh_db, utcnow(), 14, viewer=access.FULL_ACCESS)
    assert total == 3 and not {first, second, later} & set(stale["lead_id"])  # quiet on purpose


# --- the command line ----------------------------------------------------------------------


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_cli_funnel_prints_the_stages_in_order(file_db, db_path, capsys):
    cur = file_db.cursor()
    rep = factories.user(cur, "Anna Rep")
    fair, web = factories.new_list(cur, "Fair"), factories.new_list(cur, "Web")
    person = factories.person(cur, fair)
    factories.person(cur, web)
    tick(cur, person, "reached", by=rep)
    file_db.close()
    code, out = run_cli(capsys, "funnel", "--db", str(db_path), "--json")
    assert code == 0
    assert json.loads(out) == {"stages": [
        {"stage": "suspect", "count": 2}, {"stage": "prospect", "count": 1},
        {"stage": "lead", "count": 0}, {"stage": "converted", "count": 0},
        {"stage": "won", "count": 0}]}
    code, out = run_cli(capsys, "funnel", "--db", str(db_path), "--list", "Web")
    assert code == 0 and out.splitlines()[0].split()[:2] == ["suspect", "1"]


def test_cli_funnel_refuses_an_unknown_list(db_path, capsys):
    assert cli.main(["funnel", "--db", str(db_path), "--list", "Nope"]) == 2
    assert "Nope" in capsys.readouterr().err


# --- agreement on the demo -----------------------------------------------------------------


def demo_filters(db) -> list[FunnelFilter]:
    """The unfiltered funnel and one per list, owner and source of the demo."""
    lists = metrics.list_choices(db, viewer=access.FULL_ACCESS)["id"].tolist()
    owners = metrics.owner_choices(db, viewer=access.FULL_ACCESS)["id"].tolist()
    sources = metrics.source_choices(db, viewer=access.FULL_ACCESS)
    return [FunnelFilter(), *(FunnelFilter(list_ids=(i,)) for i in lists),
            *(FunnelFilter(owner_ids=(i,)) for i in owners),
            *(FunnelFilter(sources=(s,)) for s in sources),
            FunnelFilter(events=last(30)), FunnelFilter(events=last(7))]


def test_on_the_demo_the_funnel_never_increases_from_one_stage_to_the_next(demo_db):
    for f in demo_filters(demo_db):
        people = counts(demo_db, f)
        assert people == sorted(people, reverse=True), f


def test_on_the_demo_a_filtered_funnel_never_exceeds_the_whole_one(demo_db):
    whole = counts(demo_db)
    assert whole[0] > 0
    for f in demo_filters(demo_db)[1:]:
        assert all(part <= all_ for part, all_ in zip(counts(demo_db, f), whole, strict=True)), f


def test_on_the_demo_the_owners_funnels_add_up_to_the_owned_part(demo_db):
    owners = metrics.owner_choices(demo_db, viewer=access.FULL_ACCESS)["id"].tolist()
    each = [counts(demo_db, FunnelFilter(owner_ids=(i,))) for i in owners]
    together = counts(demo_db, FunnelFilter(owner_ids=tuple(owners)))
    assert [sum(column) for column in zip(*each, strict=True)] == together


def test_on_the_demo_every_number_agrees_with_the_funnel(demo_db):
    f = FunnelFilter()
    whole = dict(zip(metrics.STAGES, counts(demo_db, f), strict=True))
    assert {h.name: h.value for h in metrics.headline(demo_db, f,
                                                      viewer=access.FULL_ACCESS)[:5]} == whole
    for stage in metrics.STAGES:
        assert len(metrics.stage_people(demo_db, f, stage, limit=10_000,
                                        viewer=access.FULL_ACCESS)) == whole[stage]
    insight = metrics.criteria_insight(demo_db, f, viewer=access.FULL_ACCESS)
    assert (insight["leads"] + insight["rest"] == whole["suspect"]).all()
    assert (insight["won"] == whole["won"]).all()
    for list_id in metrics.list_choices(demo_db, viewer=access.FULL_ACCESS)["id"]:
        one = FunnelFilter(list_ids=(int(list_id),))
        per_list = metrics.cohorts(demo_db, one, "list", viewer=access.FULL_ACCESS)
        assert per_list[list(metrics.STAGES)].iloc[0].tolist() == counts(demo_db, one)


def test_on_the_demo_overdue_per_rep_adds_up_and_matches_every_to_do_page(demo_db):
    now = utcnow()
    reps = metrics.overdue_per_rep(demo_db, now, viewer=access.FULL_ACCESS)
    assert {"Anna Schmidt", "Ben Okafor"} <= set(reps["name"])
    by_age = metrics.overdue_by_age(demo_db, now, viewer=access.FULL_ACCESS)
    assert by_age["count"].sum() == reps["count"].sum()
    assert reps["count"].sum() == leads.todo_counts(demo_db, user_id=None, now=now,
                                                    viewer=access.FULL_ACCESS)["overdue"]
    for rep in reps.itertuples():
        assert leads.todo_counts(demo_db, user_id=rep.user_id, now=now,
                                 viewer=access.FULL_ACCESS)["overdue"] == rep.count
    assert len(metrics.overdue_leads(demo_db, now, limit=None,
                                     viewer=access.FULL_ACCESS)) == reps["count"].sum()


def test_on_the_demo_the_cli_prints_the_lib_numbers(demo_path, capsys):
    conn = connect(demo_path)
    expected_funnel = counts(conn.cursor())
    expected_overdue = metrics.overdue_per_rep(conn.cursor(), utcnow(), viewer=access.FULL_ACCESS)
    conn.close()
    code, out = run_cli(capsys, "funnel", "--db", str(demo_path), "--json")
    assert code == 0
    assert [s["count"] for s in json.loads(out)["stages"]] == expected_funnel
    code, out = run_cli(capsys, "overdue", "--db", str(demo_path), "--json")
    shown = json.loads(out)
    assert {r["email"]: r["count"] for r in shown["reps"]} == dict(
        zip(expected_overdue["email"], expected_overdue["count"].astype(int), strict=True))
    assert shown["total"] == int(expected_overdue["count"].sum())


# --- how the pages show the numbers --------------------------------------------------------


@pytest.mark.parametrize(("number", "text", "change"), [
    (metrics.Headline("lead", "Leads", 1234, 1200, False), "1,234", "+34"),
    (metrics.Headline("lead", "Leads", 5, 5, False), "5", "±0"),
    (metrics.Headline("rate", "Rate", 0.125, 0.1, True), "12.5%", "+2.5 pp"),
    (metrics.Headline("rate", "Rate", None, None, True), "—", None),
])
def test_a_headline_number_reads_with_its_change(number, text, change):
    assert (number.text, number.change_text) == (text, change)


def test_a_headline_says_what_it_counts_and_what_its_change_compares_with():
    now_only = metrics.Headline("lead", "Leads", 3, None, False)
    compared = metrics.Headline("lead", "Leads", 3, 2, False)
    assert now_only.help_text("x") == metrics.MEANINGS["lead"]
    assert compared.help_text("01 Jan 2025 – 31 Jan 2025").endswith(
        " The change is against the period before (01 Jan 2025 – 31 Jan 2025).")
    assert metrics.Headline("nothing", "N", 1, None, False).help_text("x") is None


def test_the_period_and_what_it_compares_with_read_as_dates():
    november = FunnelFilter(events=Period(date(2025, 11, 1), date(2025, 11, 30)))
    assert metrics.period_text(november.events) == "01 Nov 2025 – 30 Nov 2025"
    assert metrics.compared_with(november) == "02 Oct 2025 – 31 Oct 2025"
    assert metrics.period_caption(november) == (
        "Stages reached 01 Nov 2025 – 30 Nov 2025 · changes against 02 Oct 2025 – 31 Oct 2025")
    assert metrics.compared_with(FunnelFilter()) == "nothing (all time)"
    assert metrics.period_caption(FunnelFilter()) == "Stages reached all time"


def test_the_people_at_a_stage_are_the_funnels_count(fresh_db, ladder):
    summary = metrics.summary(fresh_db, FunnelFilter(), viewer=access.FULL_ACCESS)
    assert [summary.people_at(s) for s in metrics.STAGES] == counts(fresh_db)


def test_the_drop_off_chart_keeps_the_lists_with_the_most_dead_rows():
    frame = pd.DataFrame({"list": ["A", "A", "B", "C"], "stage": ["lead"] * 4,
                          "reason": ["x", "y", "x", "x"], "people": [1, 1, 5, 3]})
    worst, lists = metrics.worst_lists(frame, 2)
    assert sorted(set(worst["list"])) == ["B", "C"] and lists == 3


def test_overdue_counts_start_with_everyone():
    reps = pd.DataFrame({"name": ["Anna", "Ben"], "count": [3, 0]})
    assert metrics.overdue_counts(reps) == [("Everyone", 3), ("Anna", 3), ("Ben", 0)]
    assert metrics.overdue_counts(reps.head(0)) == [("Everyone", 0)]


def test_a_lead_table_shows_one_due_column_readable_types_and_local_times(fresh_db):
    frame = pd.DataFrame({
        "lead_id": [1], "owner": ["Anna"], "lead": ["Acme"], "company": ["Acme"],
        "next_type": ["meeting"], "next_note": [None], "due_date": [date(2025, 11, 16)],
        "due_time": [time(14, 0)], "last_action_at": [datetime(2025, 11, 10, 8, 0)]})
    shown = metrics.lead_table(fresh_db, frame, date(2025, 11, 27))
    assert list(shown.columns) == ["lead_id", "owner", "lead", "next_type", "next_note", "due",
                                   "last_action_at"]
    assert shown.iloc[0][["next_type", "next_note", "due"]].tolist() == [
        "🤝 Meeting", "", "Sun 16 Nov 14:00"]
    assert shown["last_action_at"].iloc[0] == pd.Timestamp(2025, 11, 10, 9, 0)
    standby = frame.drop(columns=["next_note", "last_action_at"])
    assert list(metrics.lead_table(fresh_db, standby, date(2025, 11, 27)).columns) == [
        "lead_id", "owner", "lead", "next_type", "due"]
