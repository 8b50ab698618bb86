"""To-do: the rep's morning. Every open lead by when its next step is due, worked in place.

One table (a canvas in the browser, cheap however many leads) and one set of actions for the
picked lead: a row clicked in the table picks it, and so does the picker above, which starts
on the most urgent lead. One dialog at a time does the work.
"""

import streamlit as st

from lib import lead_view, leads, schedule, ui
from lib.i18n import _

PAGE_SIZE = 25
TABLE = "todo_table"
PICKED = "todo_lead"

conn = ui.connection()
_me, owner_id = ui.leads_heading(conn, _("To-do"), key="todo_owner", label=_("Whose to-do"))
team = owner_id is None
viewer = ui.current_viewer()

counts = leads.todo_counts(conn, viewer=viewer, user_id=owner_id)
for column, group in zip(st.columns(len(lead_view.GROUPS)), lead_view.GROUPS, strict=True):
    column.metric(lead_view.group_label(group, counts[group]), counts[group], border=True,
                  help=lead_view.group_empty(group) if not counts[group] else None)
st.caption(lead_view.todo_totals(counts))
if not any(counts.values()):
    st.info(_("No open leads here. A qualified row becomes a lead with the ➕ on its list."))
    st.page_link("pages/lists.py", label=_("Go to the lists"), icon="📋")
    st.stop()

rows = leads.todo(conn, viewer=viewer, user_id=owner_id,
                  limit_per_group=ui.limit("todo_limit", PAGE_SIZE))
today = schedule.today(conn)
table = lead_view.todo_table(rows, today, with_owner=team)
by_id = {int(r["lead_id"]): r for r in rows.to_dict("records")}


def pick_from_table() -> None:
    """A row clicked in the table becomes the picked lead."""
    chosen = st.session_state[TABLE].selection.rows
    if chosen:
        st.session_state[PICKED] = int(table.index[chosen[0]])


if st.session_state.get(PICKED) not in by_id:  # gone (closed, moved away): on the first; set,
    st.session_state[PICKED] = next(iter(by_id))  # not dropped, so the browser shows it too
with st.container(border=True, key="todo_actions"):
    picker, actions = st.columns([3, 2], vertical_alignment="bottom")
    lead_id = picker.selectbox(_("Lead"), list(by_id), key=PICKED,
                               format_func=lambda i: lead_view.choice_label(by_id[i], today),
                               help=_("Or click a row in the table"))
    with actions, st.container(horizontal=True, horizontal_alignment="right"):
        ui.lead_actions(conn, by_id[lead_id], "todo")
    st.markdown(lead_view.chosen_line(by_id[lead_id], today))

st.dataframe(table, key=TABLE, on_select=pick_from_table, selection_mode="single-row",
             hide_index=True, width="stretch", height=min(38 + 35 * len(table), 720),
             column_config={
                 "when": st.column_config.TextColumn(_("When"), width="small"),
                 "lead": st.column_config.TextColumn(_("Lead"), width="large"),
                 "next_step": st.column_config.TextColumn(_("Next step"), width="medium"),
                 "note": st.column_config.TextColumn(_("Note"), width="medium"),
                 "step": st.column_config.TextColumn(_("Step"), width="small"),
                 "amount": st.column_config.TextColumn(_("Amount"), width="small"),
                 "last_action": st.column_config.TextColumn(_("Last action"), width="small"),
                 "owner": st.column_config.TextColumn(_("Owner"), width="small"),
             })
if shown_line := lead_view.shown_line(rows, counts):
    st.caption(shown_line)
    ui.more_button("todo_more_rows", "todo_limit", PAGE_SIZE)

ui.lead_dialog(conn, "todo")
