"""Overdue: who is letting next steps slip. lib/metrics.py computes; lib/schedule.py alone
decides what is overdue, so each rep's count here is the count on their to-do page."""

import pandas as pd
import streamlit as st

from lib import charts, metrics, settings, ui
from lib.db import utcnow

SHOWN = 200
REPS_PER_ROW = 6
NEXT_TYPES = {"call": "📞 Call", "email": "✉️ E-mail", "meeting": "🤝 Meeting", "task": "☑️ Task"}
LEAD_COLUMNS = {
    "lead_id": None, "owner": "Owner", "lead": "Lead", "step": "Step",
    "next_type": "Next step", "next_note": "Note", "due": "Due",
    "days_overdue": st.column_config.NumberColumn("Overdue", format="%d d", width="small",
                                                  help="Whole days since it was due"),
    "last_action_at": st.column_config.DatetimeColumn("Last action", format="D MMM HH:mm"),
    "days_since": st.column_config.NumberColumn("Quiet for", format="%d d", width="small",
                                                help="Days since the last action"),
    "back_on": st.column_config.DateColumn("Back on", format="ddd D MMM"),
}

conn = ui.connection()
now = utcnow()
today = ui.today(conn)


def shown(frame):
    """A lead table as the page shows it: readable next-step types, local times."""
    due = [_due(day, at) for day, at in zip(frame["due_date"], frame["due_time"], strict=True)]
    frame = frame.drop(columns=["company", "due_date", "due_time"])
    frame.insert(frame.columns.get_loc("next_note" if "next_note" in frame else "next_type") + 1,
                 "due", due)
    frame["next_type"] = frame["next_type"].map(NEXT_TYPES)
    if "next_note" in frame:
        frame["next_note"] = frame["next_note"].fillna("")
    if "last_action_at" in frame:
        frame["last_action_at"] = ui.local_times(conn, frame["last_action_at"])
    return frame


def _due(day, at) -> str:
    """Like Mon 16 Nov 14:00 — with the year only when it is not this one."""
    day = pd.Timestamp(day)
    text = day.strftime("%a %d %b" if day.year == today.year else "%a %d %b %Y")
    return text if ui.given(at) is None else f"{text} {at:%H:%M}"


def table(frame, key: str, name: str, everything) -> None:
    """The first rows on screen; ``everything(cursor)`` makes the whole table to download."""
    st.dataframe(shown(frame), hide_index=True, width="stretch", column_config=LEAD_COLUMNS,
                 key=key)
    ui.downloads_on_click(lambda cur: shown(everything(cur)).drop(columns="lead_id"), name,
                          key=f"{key}_download")


def rep_counts(reps) -> None:
    """The total, then each rep's count: the same function as every to-do page's count."""
    cells = [("Everyone", int(reps["count"].sum())),
             *zip(reps["name"], reps["count"].astype(int), strict=True)]
    for start in range(0, len(cells), REPS_PER_ROW):
        row = cells[start:start + REPS_PER_ROW]
        for column, (name, count) in zip(st.columns(REPS_PER_ROW), row, strict=False):
            column.metric(name, f"{count:,}", border=True)


st.title("Overdue")
st.caption(f"Next steps whose due moment has passed, as of {today:%A %d %B %Y} "
           f"({settings.get(conn, 'timezone')}). A step without a time is due at the end of "
           "its day; parked (standby) leads are not overdue until they come back.")
reps = metrics.overdue_per_rep(conn, now)
rep_counts(reps)

st.subheader("Per rep, by how late")
if reps.empty:
    st.info("There are no reps yet.")
else:
    st.plotly_chart(charts.overdue_by_age(metrics.overdue_by_age(conn, now)),
                    key="overdue_chart")

total = int(reps["count"].sum())
st.subheader(f"Overdue leads ({total:,})", divider="red" if total else "gray")
if total:
    late = metrics.overdue_leads(conn, now, limit=SHOWN)
    st.caption("Most overdue first." + (f" Showing the first {len(late)}; the download has "
                                         "all." if total > len(late) else ""))
    table(late, "overdue_leads", "overdue-leads",
          lambda cur: metrics.overdue_leads(cur, utcnow(), limit=None))
else:
    st.success("Nothing is overdue. 🎉")

st.subheader("Going quiet")
left, _ = st.columns([1, 3])
days = left.number_input("No action for at least (days)", 1, 365,
                         int(settings.get(conn, "stale_days")), key="overdue_stale_days",
                         help="The default is the setting “Stale after (days)”.")
stale, stale_total = metrics.stale_leads(conn, now, int(days), limit=SHOWN)
st.caption(f"{stale_total:,} leads to do with no call, e-mail, meeting, note, step or status "
           f"change for {int(days)} days or more — stalest first.")
if stale_total:
    table(stale, "overdue_stale", "stale-leads",
          lambda cur: metrics.stale_leads(cur, utcnow(), int(days), limit=stale_total)[0])

st.subheader("Back from standby this week")
returning = metrics.standby_returning(conn, now)
if returning.empty:
    st.caption("No parked lead comes back in the next 7 days.")
else:
    st.caption(f"{len(returning):,} parked leads come back to to do in the next 7 days.")
    table(returning, "overdue_standby", "standby-returning", lambda _: returning)
