"""The Funnel and Overdue pages on the demo database (AppTest): they show exactly what
lib/metrics.py computes, and the overdue, to-do and funnel numbers agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import access, db, leads, metrics, schedule
from lib.metrics import FunnelFilter
from tests.apptest import computed, no_errors, open_page, shown_metrics, table_with
from tests.lead_seed import CLARA, user_id


def page(path: Path, name: str, monkeypatch: pytest.MonkeyPatch, acting_as: str = CLARA
         ) -> AppTest:
    """pages/<name>.py logged in as the user with that e-mail (the demo's manager by default)."""
    acting = computed(path, lambda cur: user_id(cur, acting_as))
    return open_page(path, name, monkeypatch, acting=acting)


def default_filter(cur) -> FunnelFilter:
    today = schedule.local_today(db.utcnow(), schedule.app_zone(cur))
    return FunnelFilter(events=metrics.preset("Last 90 days", today))


def expected_headline(numbers: list[metrics.Headline]) -> dict[str, str]:
    return {h.label: (f"{h.value:.1%}" if h.is_rate else f"{int(h.value):,}")
            for h in numbers if h.value is not None}


# --- funnel --------------------------------------------------------------------------------


def test_the_funnel_page_shows_the_lib_numbers_for_the_last_90_days(demo_path, monkeypatch):
    at = page(demo_path, "funnel", monkeypatch)
    no_errors(at)
    expected = computed(demo_path, lambda cur: metrics.headline(cur, default_filter(cur),
                                                                viewer=access.FULL_ACCESS))
    shown = shown_metrics(at)
    assert {label: shown[label] for label in expected_headline(expected)} == \
        expected_headline(expected)
    assert int(shown[metrics.STAGE_LABELS["suspect"]].replace(",", "")) > 0
    assert [s.value for s in at.subheader][:2] == ["Funnel", "People behind a stage"]


def test_the_list_filter_changes_every_number_to_that_lists(demo_path, monkeypatch):
    at = page(demo_path, "funnel", monkeypatch)
    lists = computed(demo_path, lambda cur: metrics.list_choices(cur, viewer=access.FULL_ACCESS))
    smallest = int(lists["id"].iloc[-1])
    at.multiselect(key="funnel_lists").set_value([smallest]).run()
    no_errors(at)

    def one_list(cur):
        return metrics.headline(cur, FunnelFilter(list_ids=(smallest,),
                                                  events=default_filter(cur).events),
                                                      viewer=access.FULL_ACCESS)

    expected = expected_headline(computed(demo_path, one_list))
    shown = shown_metrics(at)
    assert {label: shown[label] for label in expected} == expected
    everyone = expected_headline(computed(demo_path, lambda cur: metrics.headline(
        cur, default_filter(cur), viewer=access.FULL_ACCESS)))
    suspects = metrics.STAGE_LABELS["suspect"]
    assert expected[suspects] != everyone[suspects]


def test_all_time_has_no_period_to_compare_with(demo_path, monkeypatch):
    at = page(demo_path, "funnel", monkeypatch)
    at.selectbox(key="funnel_period").select("All time").run()
    no_errors(at)
    assert all(not m.delta for m in at.metric)


def test_picking_a_stage_lists_the_people_behind_it(demo_path, monkeypatch):
    at = page(demo_path, "funnel", monkeypatch)
    at.segmented_control(key="funnel_stage").set_value("lead").run()
    no_errors(at)
    table = table_with(at, "reached_at")
    total = computed(demo_path, lambda cur: metrics.stage_counts(cur, default_filter(cur),
                                                                 viewer=access.FULL_ACCESS))["lead"]
    assert len(table) == min(total, 50) and total > 0
    assert {"name", "company", "lists", "owner", "reached_at"} <= set(table.columns)
    assert any(f"{total:,} people" in c.value for c in at.caption)


def test_every_table_on_the_funnel_page_has_its_downloads(demo_path, monkeypatch):
    at = page(demo_path, "funnel", monkeypatch)
    at.segmented_control(key="funnel_stage").set_value("prospect").run()
    keys = {b.proto.id for b in at.get("download_button")}
    for table in ("funnel_people", "funnel_cohort", "funnel_drop", "funnel_criteria"):
        assert sum(f"{table}_download_csv" in k for k in keys) == 1, table
        assert sum(f"{table}_download_xlsx" in k for k in keys) == 1, table


def test_cohorts_per_import_week(demo_path, monkeypatch):
    at = page(demo_path, "funnel", monkeypatch)
    at.segmented_control(key="funnel_by").set_value("week").run()
    no_errors(at)
    table = table_with(at, "cohort")
    expected = computed(demo_path, lambda cur: metrics.cohorts(cur, default_filter(cur), "week",
                                                               viewer=access.FULL_ACCESS))
    assert table["cohort"].tolist() == expected["cohort"].tolist()


# --- overdue -------------------------------------------------------------------------------


def test_the_overdue_page_shows_each_reps_count_from_the_one_function(demo_path, monkeypatch):
    at = page(demo_path, "overdue", monkeypatch)
    no_errors(at)
    now = db.utcnow()
    reps = computed(demo_path, lambda cur: metrics.overdue_per_rep(cur, now,
                                                                   viewer=access.FULL_ACCESS))
    shown = shown_metrics(at)
    for rep in reps.itertuples():
        assert shown[rep.name] == f"{rep.count:,}"
        to_do = computed(demo_path, lambda cur, r=rep: leads.todo_counts(cur, user_id=r.user_id,
                                                                         viewer=access.FULL_ACCESS))
        assert to_do["overdue"] == rep.count
    assert shown["Everyone"] == f"{int(reps['count'].sum()):,}"
    assert {"Anna Schmidt", "Ben Okafor"} <= set(shown)
    listed = table_with(at, "days_overdue")
    assert len(listed) == int(reps["count"].sum()) > 0
    assert (listed["days_overdue"] >= 0).all()


def test_the_stale_days_start_at_the_setting_and_can_be_changed(demo_path, monkeypatch):
    at = page(demo_path, "overdue", monkeypatch)
    assert at.number_input(key="overdue_stale_days").value == 14
    at.number_input(key="overdue_stale_days").set_value(365).run()
    no_errors(at)
    assert any(c.value.startswith("0 leads") for c in at.caption)


def test_each_rep_sees_on_the_to_do_page_what_the_overdue_page_shows(demo_path, monkeypatch):
    overdue = shown_metrics(page(demo_path, "overdue", monkeypatch))
    reps = computed(demo_path, lambda cur: metrics.overdue_per_rep(cur, db.utcnow(),
                                                                   viewer=access.FULL_ACCESS))
    for rep in reps.itertuples():
        at = page(demo_path, "todo", monkeypatch, acting_as=rep.email)
        on_to_do = next(m.value for m in at.metric if "Overdue" in m.label)
        assert str(on_to_do) == overdue[rep.name], rep.name
