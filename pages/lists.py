"""Lists: where ops land. Every prospecting list with its origin and status counts."""

import streamlit as st

from lib import demo, display, i18n, labels, lists, ui
from lib.i18n import _

conn = ui.connection()

if lists.has_no_data(conn):
    st.title(_("Welcome to leadladder"))
    st.markdown(_(
        "Upload this week's lead list (CSV or Excel), tick what you learn about each person, "
        "turn the qualified ones into **leads with a next step**, and see the funnel.\n\n"
        "Start with your own file, or look around with demo data first."
    ))
    left, right = st.columns(2)
    if left.button(_("Load demo data"), type="primary", key="lists_load_demo", width="stretch",
                   disabled=not ui.current_viewer().may("manage_people"),
                   help=_("Adds the demo's lists and its five users (admins only)")):
        with st.spinner(_("Loading the demo…")):
            made = ui.attempt(demo.load, conn, by=ui.current_user_id())
        if made:
            st.toast(_("Demo loaded: {lists} lists, {people} people").format(
                lists=i18n.number(made["lists"]), people=i18n.number(made["people"])))
            st.rerun()
    right.page_link("pages/import_file.py", label=_("Upload a list"), icon="⬆️")
    st.stop()

st.title(_("Lists"))
viewer = ui.current_viewer()
overview = lists.overview(conn, viewer=viewer)
st.caption(lists.totals_text(overview, lists.people_on_lists(conn, viewer=viewer)))
st.dataframe(
    overview.drop(columns="id"),
    hide_index=True,
    width="stretch",
    column_config={
        "list": st.column_config.TextColumn(_("List")),
        "source": st.column_config.TextColumn(_("Source")),
        "file_name": st.column_config.TextColumn(_("Latest file")),
        "imported_at": st.column_config.DatetimeColumn(_("Imported"),
                                                       format=i18n.column_format("moment")),
        "imported_by": st.column_config.TextColumn(_("By")),
        "rows": st.column_config.NumberColumn(_(lists.COLUMN_LABELS["rows"]),
                                              help=_(labels.HELP[labels.ROWS])),
        **{status: st.column_config.NumberColumn(_(lists.COLUMN_LABELS[status]),
                                                 help=_(labels.HELP["now"]))
           for status in lists.STATUSES},
    },
    key="lists_overview",
)
names = display.by_id(overview, "list")
if names:
    pick, go = st.columns([2, 1, 2], vertical_alignment="bottom")[:2]
    chosen = pick.selectbox(_("Work on a list"), list(names), format_func=names.get,
                            key="lists_open")
    if go.button(_("Open in Prospecting"), icon="🎯", type="primary", key="lists_open_button",
                 width="stretch"):
        st.session_state.prospecting_open = chosen
        st.switch_page("pages/prospecting.py")
st.page_link("pages/import_file.py", label=_("Import another list"), icon="⬆️")
