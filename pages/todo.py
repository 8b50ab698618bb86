"""To-do: the rep's morning. Every open lead by when its next step is due, worked in place."""

from typing import Any

import streamlit as st

from lib import leads, ui

GROUPS = {"overdue": "Overdue", "today": "Today", "upcoming": "Upcoming · next 7 days",
          "later": "Later", "standby": "Standby"}
EMPTY = {"overdue": "Nothing overdue.", "today": "Nothing else due today.",
         "upcoming": "Nothing due in the next 7 days.", "later": "Nothing planned further out.",
         "standby": "No lead is parked."}
PAGE_SIZE = 25

conn = ui.connection()
me = ui.current_user()
ui.show_flash()
title, picker = st.columns([3, 1], vertical_alignment="bottom")
title.title("To-do")
if me is None:
    st.info("There are no users yet: load the demo or add users first.")
    st.stop()
with picker:
    owner_id = ui.owner_filter(conn, me, key="todo_owner", label="Whose to-do")
team = owner_id is None

counts = leads.todo_counts(conn, user_id=owner_id)
for column, (group, label) in zip(st.columns(len(GROUPS)), GROUPS.items(), strict=True):
    alarming = group == "overdue" and counts[group]
    column.metric(f":red[{label}]" if alarming else label.split(" · ")[0], counts[group],
                  border=True)
if not any(counts.values()):
    st.info("No open leads here. A qualified row becomes a lead with the ➕ on its list.")
    st.page_link("pages/lists.py", label="Go to the lists", icon="📋")
    st.stop()

limit = st.session_state.setdefault("todo_limit", PAGE_SIZE)
rows = leads.todo(conn, user_id=owner_id, limit_per_group=limit)
today = ui.today(conn)


def card(row: dict[str, Any]) -> None:
    """One lead: who, the next step, where it stands, and what to do with it."""
    with st.container(border=True, key=f"todo_lead_{row['lead_id']}"):
        who, due, state, actions = st.columns([4, 3, 2.8, 2.2], vertical_alignment="center")
        with who:
            ui.lead_link(row["lead_id"], row["title"])
            st.caption(ui.contact_links(row) or "no e-mail or phone")
        due.markdown(f"{ui.badge(row['group'])} " + ui.next_step_text(
            row["next_type"], row["next_due_date"], row["next_due_time"], today))
        if row["group"] == "standby":
            due.caption(f"parked until {ui.day_text(row['standby_until'], today)}")
        elif note := ui.given(row["next_note"]):
            due.caption(ui.md(note))
        amount = ui.money(row["amount"], row["currency"])
        chance = f" · {row['probability']}%" if ui.given(row["probability"]) is not None else ""
        state.markdown(f"{ui.md(row['step'])} · **{amount}**{chance}")
        state.caption(f"Last action {ui.since_text(row['days_since'])}"
                      + (f" · {ui.md(row['owner'])}" if team else ""))
        with actions, st.container(horizontal=True, horizontal_alignment="right"):
            ui.lead_actions(conn, row, "todo")


def show_more() -> None:
    st.session_state.todo_limit += PAGE_SIZE


for group, label in GROUPS.items():
    with st.container(key=f"todo_group_{group}"):
        st.subheader(f"{label} ({counts[group]})", anchor=False,
                     divider="gray" if group != "overdue" else "red")
        shown = rows[rows["group"] == group]
        for row in shown.to_dict("records"):
            card(row)
        if not counts[group]:
            st.caption(EMPTY[group])
        elif counts[group] > len(shown):
            st.caption(f"Showing the first {len(shown)} of {counts[group]}.")
            st.button("Show more", key=f"todo_more_{group}", on_click=show_more)

ui.lead_dialog(conn, "todo")
