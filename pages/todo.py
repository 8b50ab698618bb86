"""To-do: the rep's morning. Every open lead by when its next step is due, worked in place."""

from typing import Any

import streamlit as st

from lib import display, lead_view, leads, schedule, ui

PAGE_SIZE = 25

conn = ui.connection()
_, owner_id = ui.leads_heading(conn, "To-do", key="todo_owner", label="Whose to-do")
team = owner_id is None
viewer = ui.current_viewer()

counts = leads.todo_counts(conn, viewer=viewer, user_id=owner_id)
for column, group in zip(st.columns(len(lead_view.GROUP_TITLES)), lead_view.GROUP_TITLES,
                         strict=True):
    column.metric(lead_view.group_label(group, counts[group]), counts[group], border=True)
if not any(counts.values()):
    st.info("No open leads here. A qualified row becomes a lead with the ➕ on its list.")
    st.page_link("pages/lists.py", label="Go to the lists", icon="📋")
    st.stop()

rows = leads.todo(conn, viewer=viewer, user_id=owner_id,
                  limit_per_group=ui.limit("todo_limit", PAGE_SIZE))
today = schedule.today(conn)


def card(row: dict[str, Any]) -> None:
    """One lead: who, the next step, where it stands, and what to do with it."""
    with st.container(border=True, key=f"todo_lead_{row['lead_id']}"):
        who, due, state, actions = st.columns([4, 3, 2.8, 2.2], vertical_alignment="center")
        with who:
            ui.lead_link(row["lead_id"], row["title"])
            st.caption(display.contact_links(row) or "no e-mail or phone")
        due.markdown(lead_view.due_line(row, today, group=row["group"]))
        if note := lead_view.todo_due_note(row, today):
            due.caption(note)
        state.markdown(lead_view.todo_amount(row))
        state.caption(lead_view.last_action(row, with_owner=team))
        with actions, st.container(horizontal=True, horizontal_alignment="right"):
            ui.lead_actions(conn, row, "todo")


for group, title in lead_view.GROUP_TITLES.items():
    with st.container(key=f"todo_group_{group}"):
        st.subheader(display.markdown("{} ({:,})", title, counts[group]), anchor=False,
                     divider="gray" if group != "overdue" else "red")
        shown = rows[rows["group"] == group]
        for row in shown.to_dict("records"):
            card(row)
        if not counts[group]:
            st.caption(lead_view.GROUP_EMPTY[group])
        elif counts[group] > len(shown):
            st.caption(f"Showing the first {len(shown)} of {counts[group]:,}.")
            ui.more_button(f"todo_more_{group}", "todo_limit", PAGE_SIZE)

ui.lead_dialog(conn, "todo")
