"""Overdue: who is letting next steps slip. lib/metrics.py computes; lib/schedule.py alone
decides what is overdue, so each rep's count here is the count on their to-do page."""

import streamlit as st

from lib import charts, display, labels, metrics, schedule, settings, ui
from lib.db import utcnow

SHOWN = 200
REPS_PER_ROW = 6
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
today = schedule.today(conn)


def table(frame, key: str, name: str, everything) -> None:
    """The first rows on screen; ``everything(cursor)`` makes the whole table to download."""
    ui.table_and_downloads(
        metrics.lead_table(conn, frame, today), key=key, file_name=name,
        column_config=LEAD_COLUMNS,
        download=lambda cur: metrics.lead_table(cur, everything(cur), today).drop(
            columns="lead_id"))


def rep_counts(counts: list[tuple[str, int]]) -> None:
    """The total, then each rep's count: the same function as every to-do page's count."""
    for start in range(0, len(counts), REPS_PER_ROW):
        row = counts[start:start + REPS_PER_ROW]
        for column, (name, count) in zip(st.columns(REPS_PER_ROW), row, strict=False):
            column.metric(display.literal(name), f"{count:,}", border=True)


st.title("Overdue")
st.caption(f"Next steps whose due moment has passed, as of {today:%A %d %B %Y} "
           f"({display.literal(settings.get(conn, 'timezone'))}). A step without a time is due "
           "at the end of its day; parked (standby) leads are not overdue until they come back.")
viewer = ui.current_viewer()
reps = metrics.overdue_per_rep(conn, now, viewer=viewer)
counts = metrics.overdue_counts(reps)
rep_counts(counts)

st.subheader("Per rep, by how late")
if reps.empty:
    st.info("There are no reps yet.")
else:
    st.plotly_chart(charts.overdue_by_age(metrics.overdue_by_age(conn, now, viewer=viewer)),
                    key="overdue_chart")

_, total = counts[0]  # "Everyone" comes first
st.subheader(f"{labels.OVERDUE_LEADS} ({total:,})", divider="red" if total else "gray",
             help=labels.HELP[labels.OVERDUE_LEADS])
if total:
    late = metrics.overdue_leads(conn, now, viewer=viewer, limit=SHOWN)
    st.caption("Most overdue first." + (f" Showing the first {len(late)}; the download has "
                                         "all." if total > len(late) else ""))
    table(late, "overdue_leads", "overdue-leads",
          lambda cur: metrics.overdue_leads(cur, utcnow(), viewer=viewer, limit=None))
else:
    st.success("Nothing is overdue. 🎉")

st.subheader("Going quiet")
left, _ = st.columns([1, 3])
days = left.number_input("No action for at least (days)", 1, 365,
                         int(settings.get(conn, "stale_days")), key="overdue_stale_days",
                         help="The default is the setting “Stale after (days)”.")
stale, stale_total = metrics.stale_leads(conn, now, int(days), viewer=viewer, limit=SHOWN)
st.caption(f"{stale_total:,} leads to do with no call, e-mail, meeting, note, step or status "
           f"change for {int(days)} days or more — stalest first.")
if stale_total:
    table(stale, "overdue_stale", "stale-leads",
          lambda cur: metrics.stale_leads(cur, utcnow(), int(days), viewer=viewer,
                                            limit=stale_total)[0])

st.subheader("Back from standby this week")
returning = metrics.standby_returning(conn, now, viewer=viewer)
if returning.empty:
    st.caption("No parked lead comes back in the next 7 days.")
else:
    st.caption(f"{len(returning):,} parked leads come back to to do in the next 7 days.")
    table(returning, "overdue_standby", "standby-returning", lambda _: returning)
