"""When a next step is due: the ONE definition of overdue, in Python and as its SQL twin.

A next step is overdue when its due moment is before now. A date without a time is due at the
end of that day; a time is wall-clock time in the app's time zone (setting ``timezone``). A wall
time that a daylight-saving change skips or repeats is read with the offset in force just before
the change (Python's ``fold=0``, PostgreSQL's rule), so 02:30 on the spring change day in Berlin
means 03:30 summer time.

The SQL never converts time zones row by row: ``sql_params`` turns "now" into today's date and
two wall-clock cut-offs (one per side of a daylight-saving change that happens today), so every
query compares plain dates and timestamps, portable and fast. A test proves Python ≡ SQL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from lib import access, settings
from lib.db import Connection, utcnow
from lib.i18n import N_, _

UPCOMING_DAYS = 7
# The due buckets of an open lead, and "standby" for a parked one: the to-do's sections, the
# pipeline's and the lead page's badges all read these, with these names.
BUCKETS = ("overdue", "today", "upcoming", "later")
GROUPS = (*BUCKETS, "standby")
GROUP_LABELS = {"overdue": N_("Overdue"), "today": N_("Today"), "upcoming": N_("Upcoming"),
                "later": N_("Later"), "standby": N_("Standby")}
GROUP_SPANS = {"upcoming": N_("next {days} days"), "later": N_("after {days} days")}


def group_label(group: str) -> str:
    """A to-do group's name in the current language: "Overdue" / "Überfällig"."""
    return _(GROUP_LABELS[group])


def group_span(group: str) -> str | None:
    """How far a group reaches ("next 7 days"), for the groups that have a span."""
    span = GROUP_SPANS.get(group)
    return None if span is None else _(span).format(days=UPCOMING_DAYS)


def app_zone(db: Connection) -> ZoneInfo:
    """The time zone that due times, "today" and the calendar use."""
    return ZoneInfo(str(settings.get(db, "timezone")))


def today(db: Connection) -> date:
    """Today in the app's time zone: what 'due today' and 'days ago' count from."""
    return local_today(utcnow(), app_zone(db))


def as_utc(now: datetime) -> datetime:
    """An aware UTC datetime from an aware one or a naive UTC one (how tables store time)."""
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def local_today(now: datetime, tz: tzinfo) -> date:
    """The calendar date in the app's time zone at the moment ``now``."""
    return as_utc(now).astimezone(tz).date()


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """The first moment (UTC) of a local calendar day."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def due_moment(due_date: date, due_time: time | None, tz: tzinfo) -> datetime:
    """The moment (UTC) a next step falls due; without a time, the last moment of the day."""
    if due_time is None:
        return start_of_day(due_date + timedelta(days=1), tz) - timedelta(microseconds=1)
    return datetime.combine(due_date, due_time, tzinfo=tz).astimezone(UTC)


def is_overdue(due_date: date, due_time: time | None, now: datetime, tz: tzinfo) -> bool:
    """True when the due moment is before now."""
    return due_moment(due_date, due_time, tz) < as_utc(now)


def bucket(due_date: date, due_time: time | None, now: datetime, tz: tzinfo) -> str:
    """overdue, today (due later today), upcoming (the next 7 days) or later: ``BUCKETS``."""
    today = local_today(now, tz)
    if is_overdue(due_date, due_time, now, tz):
        return "overdue"
    if due_date == today:
        return "today"
    return "upcoming" if due_date <= today + timedelta(days=UPCOMING_DAYS) else "later"


def effective_status(status: str, standby_until: date | None, now: datetime, tz: tzinfo) -> str:
    """A standby lead reads as to do from its standby date on (no job has to wake it up)."""
    if status == "standby" and standby_until is not None and standby_until <= local_today(now, tz):
        return "todo"
    return status


def _offset(moment: datetime, tz: tzinfo) -> timedelta:
    return moment.astimezone(tz).utcoffset() or timedelta(0)


def _change_during(day: date, tz: tzinfo) -> tuple[datetime, timedelta, timedelta] | None:
    """The daylight-saving change during a local day, if any: (moment UTC, before, after)."""
    low, high = start_of_day(day, tz), start_of_day(day + timedelta(days=1), tz)
    tick = timedelta(microseconds=1)
    before, after = _offset(low - tick, tz), _offset(high - tick, tz)
    if before == after:
        return None
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        low, high = (middle, high) if _offset(middle, tz) == before else (low, middle)
    return high.replace(microsecond=0), before, after


def sql_params(now: datetime, tz: tzinfo) -> dict[str, Any]:
    """The named parameters ($s_…) that the SQL fragments of this module need."""
    utc = as_utc(now)
    naive = utc.replace(tzinfo=None)
    today = local_today(now, tz)
    wall_now = naive + _offset(utc, tz)
    split, cut_before = datetime.combine(today, time(0)), wall_now
    change = _change_during(today, tz)
    if change is not None:
        moment, before, after = change
        split = moment.replace(tzinfo=None) + max(before, after)
        cut_before = naive + before
    return {
        "s_today": today,
        "s_week_end": today + timedelta(days=UPCOMING_DAYS),
        "s_split": split,
        "s_cut_before": cut_before,
        "s_cut_after": wall_now if change is None else naive + change[2],
        "s_offset": _offset(utc, tz),
    }


def overdue_sql(date_col: str = "next_due_date", time_col: str = "next_due_time") -> str:
    """SQL twin of ``is_overdue`` (columns are code constants, never user input).

    A wall time before the change of the day is compared with now in the offset before it,
    one after it with now in the offset after it; without a change both cut-offs are equal.
    """
    moment = f"({date_col} + {time_col})"
    return (
        f"({date_col} < $s_today OR ({date_col} = $s_today AND {time_col} IS NOT NULL"
        f" AND {moment} < CASE WHEN {moment} < $s_split THEN $s_cut_before"
        " ELSE $s_cut_after END))"
    )


def bucket_sql(date_col: str = "next_due_date", time_col: str = "next_due_time") -> str:
    """SQL twin of ``bucket``."""
    return (
        f"CASE WHEN {overdue_sql(date_col, time_col)} THEN 'overdue'"
        f" WHEN {date_col} = $s_today THEN 'today'"
        f" WHEN {date_col} <= $s_week_end THEN 'upcoming' ELSE 'later' END"
    )


def effective_status_sql(status_col: str = "status", until_col: str = "standby_until") -> str:
    """SQL twin of ``effective_status``: every query that groups or filters leads uses it."""
    return (
        f"CASE WHEN {status_col} = 'standby' AND {until_col} <= $s_today THEN 'todo'"
        f" ELSE {status_col} END"
    )


def days_since_sql(timestamp_col: str) -> str:
    """Whole local calendar days from a stored (UTC) timestamp to today.

    Uses today's UTC offset for the old timestamp too: around a daylight-saving change an
    action within an hour of midnight may count one day more or less, which nobody acts on.
    """
    return f"($s_today - CAST({timestamp_col} + $s_offset AS DATE))"


_PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")


def query(db: Connection, sql: str, params: dict[str, Any]) -> Any:
    """Execute with only the named parameters the SQL uses (DuckDB refuses extra ones)."""
    used = set(_PARAMETER.findall(sql))
    return db.execute(sql, {key: value for key, value in params.items() if key in used})


def overdue_per_rep(db: Connection, now: datetime, *, viewer: access.Viewer) -> pd.DataFrame:
    """Overdue next steps per rep (user_id, email, name, count), most overdue first.

    Every active rep is listed (0 when nothing is overdue), plus anyone else who owns an
    overdue lead. Parked (standby) leads are not overdue until their standby date.
    The to-do page's overdue count and the manager's overdue page read this. Only the leads
    the viewer may see count, and only the reps whose work they may look at are listed.
    """
    leads_visible, leads_params = access.named(access.leads_clause(viewer, "l"))
    users_visible, users_params = access.named(access.users_clause(viewer, "u"), "vu")
    sql = f"""
        WITH overdue AS (
            SELECT owner_id, count(*) AS n FROM leads l
            WHERE {effective_status_sql()} = 'todo' AND {overdue_sql()} AND {leads_visible}
            GROUP BY owner_id
        )
        SELECT u.id AS user_id, u.email, u.name, CAST(coalesce(o.n, 0) AS INTEGER) AS count
        FROM users u LEFT JOIN overdue o ON o.owner_id = u.id
        WHERE (o.n > 0 OR (u.active AND u.role = 'rep')) AND {users_visible}
        ORDER BY count DESC, u.name
    """
    return query(db, sql, {**sql_params(now, app_zone(db)), **leads_params,
                           **users_params}).df()
