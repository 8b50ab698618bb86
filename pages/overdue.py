"""Overdue: who is letting next steps slip. lib/metrics.py computes; lib/schedule.py alone
decides what is overdue, so each rep's count here is the count on their to-do page."""

import streamlit as st

from lib import charts, display, i18n, labels, metrics, schedule, settings, ui
from lib.db import utcnow
from lib.i18n import _

SHOWN = 200
REPS_PER_ROW = 6
LEAD_COLUMNS = {
    "lead_id": None, "owner": _("Owner"), "lead": _("Lead"), "step": _("Step"),
    "next_type": _("Next step"), "next_note": _("Note"), "due": _("Due"),
    "days_overdue": st.column_config.NumberColumn(_("Overdue"), format=_("%d d"),
                                                  width="small",
                                                  help=_("Whole days since it was due")),
    "last_action_at": st.column_config.DatetimeColumn(
        _("Last action"), format=i18n.column_format("short_moment")),
    "days_since": st.column_config.NumberColumn(_("Quiet for"), format=_("%d d"),
                                                width="small",
                                                help=_("Days since the last action")),
    "back_on": st.column_config.DateColumn(_("Back on"),
                                           format=i18n.column_format("weekday_day")),
}

conn = ui.connection()
now = utcnow()
today = schedule.today(conn)


def table(frame, key: str, name: str, everything) -> None:
    """The first rows on screen; ``everything(cursor)`` makes the whole table to download."""
    ui.table_and_downloads(
        metrics.lead_table(conn, frame, today), key=key, file_name=name,
        column_config=LEAD_COLUMNS,
        download=lambda cur: metrics.lead_table(cur, everything(cur), today))


def rep_counts(counts: list[tuple[str, int]]) -> None:
    """The total, then each rep's count: the same function as every to-do page's count."""
    for start in range(0, len(counts), REPS_PER_ROW):
        row = counts[start:start + REPS_PER_ROW]
        for column, (name, count) in zip(st.columns(REPS_PER_ROW), row, strict=False):
            column.metric(display.literal(name), i18n.number(count), border=True)


st.title(_("Overdue"))
st.caption(display.markdown(
    _("Next steps whose due moment has passed, as of {day} ({zone}). A step without a time is "
      "due at the end of its day; parked (standby) leads are not overdue until they come "
      "back."), day=i18n.day(today, "long_date"), zone=settings.get(conn, "timezone")))
viewer = ui.current_viewer()
reps = metrics.overdue_per_rep(conn, now, viewer=viewer)
counts = metrics.overdue_counts(reps)
rep_counts(counts)

st.subheader(_("Per rep, by how late"))
if reps.empty:
    st.info(_("There are no reps yet."))
else:
    st.plotly_chart(charts.overdue_by_age(metrics.overdue_by_age(conn, now, viewer=viewer)),
                    key="overdue_chart")

_everyone, total = counts[0]  # "Everyone" comes first
st.subheader(display.markdown("{} ({})", labels.text(labels.OVERDUE_LEADS), i18n.number(total)),
             divider="red" if total else "gray", help=labels.help_text(labels.OVERDUE_LEADS))
if total:
    late = metrics.overdue_leads(conn, now, viewer=viewer, limit=SHOWN)
    st.caption(_("Most overdue first.") + (" " + _(
        "Showing the first {count}; the download has all.").format(
        count=i18n.number(len(late))) if total > len(late) else ""))
    table(late, "overdue_leads", "overdue-leads",
          lambda cur: metrics.overdue_leads(cur, utcnow(), viewer=viewer, limit=None))
else:
    st.success(_("Nothing is overdue. 🎉"))

st.subheader(_("Going quiet"))
left, _rest = st.columns([1, 3])
days = left.number_input(_("No action for at least (days)"), 1, 365,
                         int(settings.get(conn, "stale_days")), key="overdue_stale_days",
                         help=_("The default is the setting “Stale after (days)”."))
stale, stale_total = metrics.stale_leads(conn, now, int(days), viewer=viewer, limit=SHOWN)
st.caption(_("{count} leads to do with no call, e-mail, meeting, note, step or status change "
             "for {days} days or more — stalest first.").format(
    count=i18n.number(stale_total), days=int(days)))
if stale_total:
    table(stale, "overdue_stale", "stale-leads",
          lambda cur: metrics.stale_leads(cur, utcnow(), int(days), viewer=viewer,
                                            limit=stale_total)[0])

st.subheader(_("Back from standby this week"))
returning = metrics.standby_returning(conn, now, viewer=viewer)
if returning.empty:
    st.caption(_("No parked lead comes back in the next 7 days."))
else:
    st.caption(_("{count} parked leads come back to to do in the next 7 days.").format(
        count=i18n.number(len(returning))))
    table(returning, "overdue_standby", "standby-returning", lambda cur: returning)
