"""Funnel: which lists and sources turn into leads and deals. lib/metrics.py computes every
number with ONE filter; this page only draws them."""

import streamlit as st

from lib import charts, display, i18n, metrics, schedule, ui
from lib.i18n import N_, _
from lib.metrics import FunnelFilter, Period

PEOPLE_PER_PAGE = 50
CHART_LISTS = 15
EXPORT_LIMIT = 100_000
CUSTOM = N_("Custom…")
DEFAULT_PERIOD = "Last 90 days"


def share(label: str) -> st.column_config.Column:
    """A share column: Streamlit's percent in English, German text ("44,9 %") in German."""
    return st.column_config.NumberColumn(label, format="percent") if i18n.language() == "en" \
        else st.column_config.TextColumn(label)


PEOPLE_COLUMNS = {
    "name": _("Name"), "company": _("Company"), "lists": _("Lists"), "owner": _("Owner"),
    "status": st.column_config.TextColumn(_("Now"), help=_("Status today")),
    "reached_at": st.column_config.DatetimeColumn(
        _("Reached"), format=i18n.column_format("day_month_year")),
}
COHORT_COLUMNS = {"cohort": _("Cohort"), "starts": None, **{
    s: st.column_config.NumberColumn(metrics.stage_label(s), format="localized")
    for s in metrics.STAGES}, **{
    f"{s}_share": share("% " + metrics.stage_word(s)) for s in metrics.STAGES[1:]}}
CRITERIA_COLUMNS = {
    "key": None, "criterion": _("Criterion"), "label": _("Meaning"), "stage": _("Stage"),
    "leads": _("Leads"), "leads_ticked": _("…ticked"), "leads_share": share(_("% of leads")),
    "won": _("Won"), "won_ticked": _("…ticked"), "won_share": share(_("% of won")),
    "rest": _("Rest"), "rest_ticked": _("…ticked"), "rest_share": share(_("% of rest")),
    "lift": st.column_config.NumberColumn(_("Lift"), format="%.1f×",
                                          help=_("% of leads ÷ % of the rest"))
    if i18n.language() == "en" else st.column_config.TextColumn(
        _("Lift"), help=_("% of leads ÷ % of the rest")),
}
DROP_COLUMNS = {"list": _("List"), "stage": _("Died at"), "reason": _("Reason"),
                "people": _("Rows")}

conn = ui.connection()
today = schedule.today(conn)


def period_from(choice: str, key: str) -> Period | None:
    """A preset, or (for Custom…) the two dates picked; None for all time."""
    if choice != CUSTOM:
        return metrics.preset(choice, today)
    picked = st.date_input(_("From – to"), value=(today.replace(day=1), today), key=key,
                           format=i18n.date_input_format())
    return Period(*picked) if len(picked) == 2 else None


def choose_filter() -> FunnelFilter:
    """The one filter every number and chart on this page uses."""
    list_names = display.by_id(metrics.list_choices(conn, viewer=viewer))
    owner_names = display.by_id(metrics.owner_choices(conn, viewer=viewer))
    with st.container(border=True):
        first, second, third, fourth, fifth = st.columns([3, 2, 2, 2, 2])
        chosen_lists = first.multiselect(_("Lists"), list(list_names),
                                         format_func=list_names.get,
                                         placeholder=_("All lists"), key="funnel_lists")
        sources = second.multiselect(_("Source"), metrics.source_choices(conn, viewer=viewer),
                                     placeholder=_("All sources"), key="funnel_sources")
        chosen_owners = third.multiselect(_("Owner"), list(owner_names),
                                          format_func=owner_names.get,
                                          placeholder=_("Everyone"), key="funnel_owners",
                                          help=_("Whose people: a converted person belongs to "
                                                 "the owner of their lead, others to the row's "
                                                 "owner."))
        choices = [*metrics.PRESETS, CUSTOM]  # offered by place: the names are English
        with fourth:
            when = choices[st.selectbox(
                _("Stage reached"), range(len(choices)), index=choices.index(DEFAULT_PERIOD),
                key="funnel_period", format_func=lambda i: _(CUSTOM) if choices[i] == CUSTOM
                else metrics.preset_label(choices[i]),
                                help=_("A stage counts when it (or a later one) was reached "
                                       "in this period. Changes compare with the period "
                                       "before."))]
            events = period_from(when, "funnel_period_dates")
        with fifth:
            imported = st.date_input(_("First imported"), value=(),
                                     format=i18n.date_input_format(), key="funnel_cohort",
                                     help=_("Only people first imported between these days."))
    return FunnelFilter(tuple(chosen_lists), tuple(sources), tuple(chosen_owners),
                        Period(*imported) if len(imported) == 2 else None, events)


def headline(numbers: list[metrics.Headline], before: str) -> None:
    """Stage counts on one row, conversion rates on the next; changes against the period
    before."""
    for row in (numbers[:5], numbers[5:]):
        for column, number in zip(st.columns(len(row)), row, strict=True):
            column.metric(number.label, number.text, number.change_text, border=True,
                          delta_color="off" if number.change == 0 else "normal",
                          help=number.help_text(before))


def pick_stage() -> None:
    """A click on a funnel stage picks it in the stage picker below the chart."""
    points = st.session_state.funnel_chart.selection.points
    if points:
        st.session_state.funnel_stage = metrics.STAGES[points[0]["point_index"]]


def people_frame(frame):
    """The people at a stage with their status today in the reader's language."""
    return frame.assign(status=frame["status"].map(metrics.stage_word))


def people_at(f: FunnelFilter, stage: str, total: int) -> None:
    """One page of the people counted at the stage; the download holds them all."""
    pages = display.page_count(total, PEOPLE_PER_PAGE)
    left, right = st.columns([4, 1])
    number = right.number_input(_("Page"), 1, pages, 1, key="funnel_people_page") if (
        pages > 1) else 1
    frame = metrics.stage_people(conn, f, stage, viewer=viewer, limit=PEOPLE_PER_PAGE,
                                 offset=(number - 1) * PEOPLE_PER_PAGE)
    left.caption(_("{count} people · page {page} of {pages}, latest first").format(
        count=i18n.number(total), page=i18n.number(number), pages=i18n.number(pages)))
    frame["reached_at"] = display.local_times(conn, frame["reached_at"])
    frame = people_frame(frame)
    ui.table_and_downloads(
        frame, key="funnel_people", file_name=f"funnel-{stage}", column_config=PEOPLE_COLUMNS,
        column_order=("name", "company", "status", "reached_at", "owner", "lists"),
        download=lambda cur: people_frame(metrics.stage_people(cur, f, stage, viewer=viewer,
                                                             limit=EXPORT_LIMIT)))
    if total > EXPORT_LIMIT:
        st.caption(_("The download holds the latest {count}.").format(
            count=i18n.number(EXPORT_LIMIT)))


def cohorts(f: FunnelFilter) -> None:
    kinds = {"list": _("Lists"), "week": _("Import weeks")}
    by = st.segmented_control(_("Rows"), metrics.COHORT_KINDS, default="list", key="funnel_by",
                              format_func=kinds.get)
    frame = metrics.cohorts(conn, f, by or "list", viewer=viewer)
    if frame.empty:
        st.info(_("Nobody in this filter."))
        return
    shown = frame.head(CHART_LISTS)
    st.plotly_chart(charts.cohort_heatmap(shown), key="funnel_cohort_chart")
    if len(frame) > len(shown):
        st.caption(_("The latest {shown} of {count}; the table below has all.").format(
            shown=i18n.number(len(shown)), count=i18n.number(len(frame))))
    with st.expander(_("Table")):
        ui.table_and_downloads(metrics.shares_shown(frame), key="funnel_cohort",
                               file_name=f"funnel-cohorts-{by}", column_config=COHORT_COLUMNS,
                               download=lambda _cur: frame)


def drop_off(f: FunnelFilter) -> None:
    frame = metrics.drop_off(conn, f, viewer=viewer)
    if frame.empty:
        st.info(_("No dead rows in this filter."))
        return
    worst, lists = metrics.worst_lists(frame, CHART_LISTS)
    left, right = st.columns(2)
    left.markdown(_("**Where they died** — the last stage they had reached"))
    left.plotly_chart(charts.drop_off(worst, "stage"), key="funnel_drop_stage")
    right.markdown(_("**Why** — the reason given when the row was cancelled"))
    right.plotly_chart(charts.drop_off(worst, "reason"), key="funnel_drop_reason")
    if lists > CHART_LISTS:
        st.caption(_("The {shown} lists with the most dead rows of {count}; the table below "
                     "has all.").format(shown=CHART_LISTS, count=i18n.number(lists)))
    table = frame.assign(stage=frame["stage"].map(metrics.stage_word))
    with st.expander(_("Table")):
        ui.table_and_downloads(table, key="funnel_drop", file_name="funnel-drop-off",
                               column_config=DROP_COLUMNS)


def criteria(f: FunnelFilter) -> None:
    frame = metrics.criteria_insight(conn, f, viewer=viewer)
    frame["stage"] = frame["stage"].map(metrics.stage_word)
    st.plotly_chart(charts.criteria(frame), key="funnel_criteria_chart")
    with st.expander(_("Table")):
        ui.table_and_downloads(metrics.shares_shown(frame), key="funnel_criteria",
                               file_name="funnel-criteria", column_config=CRITERIA_COLUMNS,
                               download=lambda _cur: frame)


st.title(_("Funnel"))
st.caption(_("Every number counts the distinct people who ever reached a stage — from the "
             "history, so a row that died later keeps the stages it reached."))
viewer = ui.current_viewer()
f = choose_filter()
summary = metrics.summary(conn, f, viewer=viewer)
headline(summary.headline, metrics.compared_with(f))
st.caption(metrics.period_caption(f))

chart, people = st.columns([5, 8], gap="large")
with chart:
    st.subheader(_("Funnel"))
    st.plotly_chart(charts.funnel(summary.funnel), key="funnel_chart", on_select=pick_stage,
                    selection_mode="points")
with people:
    st.subheader(_("People behind a stage"))
    st.session_state.setdefault("funnel_stage", "lead")
    stage = st.segmented_control(_("Stage"), metrics.STAGES, key="funnel_stage",
                                 format_func=metrics.stage_label,
                                 label_visibility="collapsed")
    if stage is None:
        st.caption(_("Click a stage in the funnel, or pick one here, to see who is behind it."))
    else:
        people_at(f, stage, summary.people_at(stage))

st.subheader(_("Which lists and weeks produce leads"))
cohorts(f)
st.subheader(_("Drop-off"))
drop_off(f)
st.subheader(_("Criteria that predict leads"))
st.caption(_("How often each criterion is ticked among people who became leads (or won) "
             "versus the rest. A high lift marks a criterion that comes with real "
             "opportunities."))
criteria(f)
