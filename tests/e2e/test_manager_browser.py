"""The manager in the browser: the funnel answers to the list filter and to a click on a
stage; the overdue page shows each demo rep's count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lib import access, db, leads, metrics, schedule, users
from lib.leads import NextStep
from lib.metrics import FunnelFilter
from tests import factories
from tests.e2e.conftest import RunningApp, log_in, open_page, start_app, wait_for_app

CLARA = "clara.weber@leadladder.example"
REPS = {"anna.schmidt@leadladder.example": "Anna Schmidt",
        "ben.okafor@leadladder.example": "Ben Okafor"}


def with_overdue_steps(cur: db.Connection) -> None:
    """Give each demo rep an overdue next step if the demo has none for them."""
    now = db.utcnow()
    reps = metrics.overdue_per_rep(cur, now, viewer=access.FULL_ACCESS)
    late = dict(zip(reps["email"], reps["count"], strict=True))
    today = schedule.local_today(now, schedule.app_zone(cur))
    for email in REPS:
        if late.get(email, 0) == 0:
            owner = users.by_email(cur, email).id
            person = factories.person(cur, company=f"Overdue for {email}")
            leads.convert(cur, person, owner_id=owner, by=owner,
                          next_step=NextStep("call", today - timedelta(days=4)))


@pytest.fixture
def manager_app(demo_path: Path) -> Iterator[tuple[RunningApp, dict]]:
    """The app on the demo (with overdue steps for both reps), and what lib says the pages
    must show — computed before the app starts, since the running app locks the file."""
    conn = db.connect(demo_path)
    cur = conn.cursor()
    with_overdue_steps(cur)
    today = schedule.local_today(db.utcnow(), schedule.app_zone(cur))
    period = metrics.preset("Last 90 days", today)
    chosen = metrics.list_choices(cur, viewer=access.FULL_ACCESS).iloc[-1]
    on_list = metrics.stage_counts(cur, FunnelFilter(list_ids=(int(chosen["id"]),),
                                                     events=period), viewer=access.FULL_ACCESS)
    expected = {
        "suspects": metrics.stage_counts(cur, FunnelFilter(events=period),
                                         viewer=access.FULL_ACCESS)["suspect"],
        "list": chosen["name"],
        "list_suspects": on_list["suspect"],
        "list_leads": on_list["lead"],
        "list_prospects": on_list["prospect"],
        "overdue": {r.name: int(r.count) for r in metrics.overdue_per_rep(
            cur, db.utcnow(), viewer=access.FULL_ACCESS).itertuples()},
    }
    conn.close()
    app = start_app(demo_path)
    yield app, expected
    app.stop()


def metric_value(page: Page, label: str):
    return (page.get_by_test_id("stMetric").filter(has_text=label)
            .get_by_test_id("stMetricValue").first)


def test_the_manager_filters_the_funnel_and_sees_who_is_overdue(page: Page, manager_app):
    app, expected = manager_app
    assert expected["list_suspects"] != expected["suspects"]
    assert expected["list_prospects"] != expected["list_leads"]
    log_in(page, app, CLARA, path="funnel")
    suspects = metrics.STAGE_LABELS["suspect"]
    expect(metric_value(page, suspects)).to_have_text(f"{expected['suspects']:,}")

    page.get_by_test_id("stMultiSelect").filter(has_text="Lists").click()
    page.get_by_role("option", name=expected["list"]).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    expect(metric_value(page, suspects)).to_have_text(f"{expected['list_suspects']:,}")

    funnel = page.get_by_test_id("stPlotlyChart").first
    # A click where the prospect stage is drawn (the lead stage is picked at first); plotly's drag
    # layer on top takes the click, as it does for a person with a mouse, hence force.
    funnel.locator("g.point").nth(1).click(force=True)
    wait_for_app(page)
    expect(page.get_by_text(f"{expected['list_prospects']:,} people · page 1")).to_be_visible()

    open_page(page, app, "overdue")
    for name in REPS.values():
        assert expected["overdue"][name] > 0
        expect(metric_value(page, name)).to_have_text(f"{expected['overdue'][name]:,}")
    expect(metric_value(page, "Everyone")).to_have_text(
        f"{sum(expected['overdue'].values()):,}")
