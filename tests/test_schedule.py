"""The one definition of overdue: boundaries, time zones, daylight saving, standby, SQL ≡ Python."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from lib import access, leads, schedule, settings
from lib.db import utcnow
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*parts: int) -> datetime:
    """A wall-clock moment in Berlin, as UTC."""
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def sql_buckets(db, cases: list[tuple[date, time | None]], now: datetime, tz) -> list[str]:
    """The SQL twin's bucket for each (due date, due time), in order."""
    frame = pd.DataFrame(cases, columns=["due_date", "due_time"])
    frame["n"] = range(len(frame))
    db.register("cases", frame)
    sql = (f"SELECT {schedule.bucket_sql('CAST(due_date AS DATE)', 'CAST(due_time AS TIME)')}"
           " FROM cases ORDER BY n")
    try:
        return [row[0] for row in schedule.query(db, sql, schedule.sql_params(now, tz)).fetchall()]
    finally:
        db.unregister("cases")


def both(db, due_date: date, due_time: time | None, now: datetime, tz=BERLIN) -> str:
    """The bucket by Python, after checking that SQL says the same."""
    python = schedule.bucket(due_date, due_time, now, tz)
    assert sql_buckets(db, [(due_date, due_time)], now, tz) == [python]
    return python


# --- boundaries ----------------------------------------------------------------------------


def test_a_date_without_a_time_is_due_at_the_end_of_that_day(fresh_db):
    day = date(2026, 3, 10)
    assert both(fresh_db, day, None, berlin(2026, 3, 10, 23, 59, 59, 999999)) == "today"
    assert both(fresh_db, day, None, berlin(2026, 3, 11, 0, 0)) == "overdue"


def test_2359_is_overdue_a_minute_later_while_the_whole_day_is_not(fresh_db):
    now = berlin(2026, 3, 10, 23, 59, 30)
    assert both(fresh_db, date(2026, 3, 10), time(23, 59), now) == "overdue"
    assert both(fresh_db, date(2026, 3, 10), None, now) == "today"


def test_a_time_exactly_now_is_not_yet_overdue(fresh_db):
    due = (date(2026, 6, 1), time(10, 0))
    assert both(fresh_db, *due, berlin(2026, 6, 1, 10, 0)) == "today"
    assert both(fresh_db, *due, berlin(2026, 6, 1, 10, 0) + timedelta(microseconds=1)) == "overdue"


def test_upcoming_means_the_next_seven_days(fresh_db):
    now = berlin(2026, 6, 1, 12, 0)
    assert both(fresh_db, date(2026, 6, 2), None, now) == "upcoming"
    assert both(fresh_db, date(2026, 6, 8), time(23, 0), now) == "upcoming"
    assert both(fresh_db, date(2026, 6, 9), time(0, 0), now) == "later"


def test_now_may_be_naive_utc_as_the_tables_store_it():
    naive = datetime(2026, 6, 1, 8, 30)  # 10:30 in Berlin (summer time)
    assert schedule.is_overdue(date(2026, 6, 1), time(10, 0), naive, BERLIN)
    assert not schedule.is_overdue(date(2026, 6, 1), time(11, 0), naive, BERLIN)


# --- daylight saving in Berlin -------------------------------------------------------------


@pytest.mark.parametrize(("day", "utc_due"), [
    (date(2026, 3, 29), utc(2026, 3, 29, 8, 0)),    # spring: 10:00 is summer time, UTC+2
    (date(2026, 10, 25), utc(2026, 10, 25, 9, 0)),  # autumn: 10:00 is winter time, UTC+1
])
def test_ten_oclock_on_a_change_day_is_ten_oclock_on_the_wall(fresh_db, day, utc_due):
    assert schedule.due_moment(day, time(10, 0), BERLIN) == utc_due
    assert both(fresh_db, day, time(10, 0), utc_due - timedelta(seconds=1)) == "today"
    assert both(fresh_db, day, time(10, 0), utc_due + timedelta(seconds=1)) == "overdue"


def test_a_skipped_wall_time_reads_with_the_offset_before_the_change(fresh_db):
    """02:30 does not exist on 29 March 2026 in Berlin: it means 03:30 summer time."""
    due = (date(2026, 3, 29), time(2, 30))
    assert schedule.due_moment(*due, BERLIN) == utc(2026, 3, 29, 1, 30)
    assert both(fresh_db, *due, berlin(2026, 3, 29, 3, 29)) == "today"
    assert both(fresh_db, *due, berlin(2026, 3, 29, 3, 31)) == "overdue"


def test_a_repeated_wall_time_means_its_first_occurrence(fresh_db):
    """02:30 happens twice on 25 October 2026; the step is due at the first (00:30 UTC)."""
    due = (date(2026, 10, 25), time(2, 30))
    assert schedule.due_moment(*due, BERLIN) == utc(2026, 10, 25, 0, 30)
    assert both(fresh_db, *due, utc(2026, 10, 25, 0, 29)) == "today"
    assert both(fresh_db, *due, utc(2026, 10, 25, 0, 31)) == "overdue"
    assert both(fresh_db, *due, utc(2026, 10, 25, 1, 10)) == "overdue"  # 02:10 the 2nd time


def test_the_end_of_a_change_day_is_local_midnight(fresh_db):
    day = date(2026, 3, 29)
    assert both(fresh_db, day, None, utc(2026, 3, 29, 21, 59, 59)) == "today"
    assert both(fresh_db, day, None, utc(2026, 3, 29, 22, 0)) == "overdue"


# --- SQL ≡ Python ----------------------------------------------------------------------------

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
         "Asia/Kolkata", "UTC")


def changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC moments (to the half hour) at which the zone's offset changes during a year."""
    found, moment = [], datetime(year, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment.year == year:
        moment += timedelta(minutes=30)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            found.append(moment)
        previous = offset
    return found


def moments_to_try(zone: ZoneInfo) -> list[datetime]:
    """Moments around each change (to the minute and to the second), plus ordinary ones."""
    around = [timedelta(hours=h) for h in (-25, -3, -1, 0, 1, 3, 25)]
    around += [timedelta(minutes=m, seconds=s) for m in (-61, -31, -1, 1, 29, 59) for s in (0, 1)]
    moments = [change + delta for change in changes(zone, 2026) for delta in around]
    step = timedelta(days=9, hours=7, minutes=37, seconds=11)
    return moments + [utc(2026, 1, 1) + step * k for k in range(40)]


def cases_for(now: datetime, zone: ZoneInfo) -> list[tuple[date, time | None]]:
    """Due dates from yesterday to next week: all day, every 15 minutes, and around now."""
    today = schedule.local_today(now, zone)
    wall = now.astimezone(zone)
    times = [time(h, m) for h in range(24) for m in (0, 15, 30, 45)] + [time(23, 59, 59)]
    times += [(wall + timedelta(seconds=s)).time() for s in (-61, -1, 0, 1, 61)]
    days = [today + timedelta(days=n) for n in (-1, 0, 1, 7, 8)]
    return [(day, None) for day in days] + [(today, t) for t in times] + [
        (day, t) for day in days if day != today for t in times[::8]
    ]


@pytest.mark.parametrize("zone_name", ZONES)
def test_sql_and_python_agree_on_every_generated_case(fresh_db, zone_name):
    zone = ZoneInfo(zone_name)
    compared = 0
    for now in moments_to_try(zone):
        cases = cases_for(now, zone)
        python = [schedule.bucket(d, t, now, zone) for d, t in cases]
        assert sql_buckets(fresh_db, cases, now, zone) == python, (zone_name, now)
        compared += len(cases)
    assert compared > 1000


# --- effective status and the app's time zone ----------------------------------------------


def test_standby_reads_as_to_do_from_its_date_on():
    now = berlin(2026, 6, 1, 0, 0, 30)
    assert schedule.effective_status("standby", date(2026, 6, 2), now, BERLIN) == "standby"
    assert schedule.effective_status("standby", date(2026, 6, 1), now, BERLIN) == "todo"
    assert schedule.effective_status("won", None, now, BERLIN) == "won"


def lead_for(db, owner: int, due_date: date, due_time: time | None = None) -> int:
    person = factories.person(db, company="Acme")
    step = leads.NextStep("call", due_date, due_time)
    return leads.convert(db, person, owner_id=owner, next_step=step, by=owner).lead_id


def test_the_time_zone_setting_decides_when_a_time_is_due(fresh_db):
    rep = factories.user(fresh_db)
    lead_for(fresh_db, rep, date(2026, 5, 4), time(9, 0))
    now = utc(2026, 5, 4, 12, 0)  # 14:00 in Berlin, 08:00 in New York
    assert schedule.overdue_per_rep(fresh_db, now,
                                    viewer=access.FULL_ACCESS)["count"].tolist() == [1]
    settings.put(fresh_db, "timezone", "America/New_York", by=None)
    assert schedule.app_zone(fresh_db) == ZoneInfo("America/New_York")
    assert schedule.overdue_per_rep(fresh_db, now,
                                    viewer=access.FULL_ACCESS)["count"].tolist() == [0]


def test_a_parked_lead_is_not_overdue_until_it_comes_back(fresh_db):
    rep = factories.user(fresh_db)
    today = schedule.local_today(utcnow(), BERLIN)
    lead_id = lead_for(fresh_db, rep, today - timedelta(days=3))
    back = today + timedelta(days=5)
    leads.standby(fresh_db, lead_id, back, leads.NextStep("call", back), by=rep)

    def seen(day: date, hour: int) -> tuple[str, int]:
        now = berlin(day.year, day.month, day.day, hour)
        row = leads.todo(fresh_db, user_id=rep, now=now, viewer=access.FULL_ACCESS).iloc[0]
        return row["group"], int(schedule.overdue_per_rep(fresh_db, now,
                                                          viewer=access.FULL_ACCESS)["count"].sum())

    assert seen(back - timedelta(days=1), 23) == ("standby", 0)
    assert seen(back, 8) == ("today", 0)
    assert seen(back + timedelta(days=1), 8) == ("overdue", 1)


# --- overdue per rep -----------------------------------------------------------------------


def test_overdue_per_rep_counts_open_overdue_steps_of_each_rep(fresh_db):
    anna, ben = factories.user(fresh_db, "Anna"), factories.user(fresh_db, "Ben")
    factories.user(fresh_db, "Ops", role="ops")
    now = berlin(2026, 6, 10, 9, 0)
    lead_for(fresh_db, anna, date(2026, 6, 9))
    lead_for(fresh_db, anna, date(2026, 6, 10), time(8, 0))
    lead_for(fresh_db, anna, date(2026, 6, 10), time(10, 0))   # later today: not overdue
    won = lead_for(fresh_db, anna, date(2026, 6, 1))
    leads.won(fresh_db, won, by=anna)
    lead_for(fresh_db, ben, date(2026, 6, 11))

    frame = schedule.overdue_per_rep(fresh_db, now, viewer=access.FULL_ACCESS)
    assert frame[["name", "count"]].values.tolist() == [["Anna", 2], ["Ben", 0]]
    assert frame["email"].str.endswith("@example.com").all()


def test_today_is_the_date_in_the_app_time_zone(fresh_db):
    settings.put(fresh_db, "timezone", "Pacific/Kiritimati", by=None)
    zone = ZoneInfo("Pacific/Kiritimati")
    before = schedule.local_today(utcnow(), zone)
    east = schedule.today(fresh_db)
    assert east in {before, schedule.local_today(utcnow(), zone)}
    settings.put(fresh_db, "timezone", "Pacific/Pago_Pago", by=None)
    assert schedule.today(fresh_db) < east  # 25 hours behind: always an earlier date
