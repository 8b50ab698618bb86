"""Pipeline: every open lead on its step, the money per step, and a lead moved in one click."""

from typing import Any

import pandas as pd
import streamlit as st

from lib import leads, ui

PAGE_SIZE = 15

conn = ui.connection()
me = ui.current_user()
ui.show_flash()
title, picker = st.columns([3, 1], vertical_alignment="bottom")
title.title("Pipeline")
if me is None:
    st.info("There are no users yet: load the demo or add users first.")
    st.stop()
with picker:
    owner_id = ui.owner_filter(conn, me, key="pipeline_owner", label="Owner",
                               anyone_may_choose=True, team_first=me.sees_team)

totals = leads.pipeline_totals(conn, owner_id=owner_id)
limit = st.session_state.setdefault("pipeline_limit", PAGE_SIZE)
cards = leads.pipeline(conn, owner_id=owner_id, limit_per_step=limit)
steps = dict(zip(totals["step_key"], totals["step"], strict=False))
movable = leads.active_steps(conn)
today = ui.today(conn)


def money(frame: pd.DataFrame, column: str) -> str:
    """A sum per currency, e.g. "€120,000" or "€120,000 + $4,000"."""
    sums = frame[frame["count"] > 0].groupby("currency")[column].sum()
    return " + ".join(ui.money(value, currency) for currency, value in sums.items()) or "—"


def card(row: dict[str, Any]) -> None:
    """Company, amount, the next step's badge, days since the last action; a move menu."""
    with st.container(border=True, key=f"pipeline_lead_{row['lead_id']}"):
        ui.lead_link(row["lead_id"], ui.given(row["company"]) or row["title"])
        chance = f" · {row['probability']}%" if ui.given(row["probability"]) is not None else ""
        who = f" · {ui.md(row['owner'])}" if owner_id is None else ""
        st.markdown(f"**{ui.money(row['amount'], row['currency'])}**{chance}  \n"
                    f":gray[{ui.md(ui.given(row['name']) or '')}{who}]")
        st.markdown(f"{ui.badge(row['badge'])} " + ui.next_step_text(
            row["next_type"], row["next_due_date"], row["next_due_time"], today))
        st.caption(f"Last action {ui.since_text(row['days_since'])}")
        targets = [key for key in movable if key != row["step_key"]]
        target = st.menu_button("Move to", targets, format_func=movable.get, type="tertiary",
                                icon="➡️", key=f"pipeline_move_{row['lead_id']}")
        if target:
            ui.finish(ui.attempt(ui.move_lead, conn, row, target))


def show_more() -> None:
    st.session_state.pipeline_limit += PAGE_SIZE


open_leads = totals[totals["count"] > 0]
overall = st.columns(3)
overall[0].metric("Open leads", int(totals["count"].sum()), border=True)
overall[1].metric("Amount", money(open_leads, "amount"), border=True)
overall[2].metric("Weighted by probability", money(open_leads, "weighted"), border=True)

for column, (key, label) in zip(st.columns(len(steps)), steps.items(), strict=True):
    step_totals = totals[totals["step_key"] == key]
    count = int(step_totals["count"].sum())
    shown = cards[cards["step_key"] == key]
    with column, st.container(key=f"pipeline_step_{key}"):
        st.markdown(f"**{ui.md(label)}** · {count}")
        st.caption(f"{money(step_totals, 'amount')} · weighted {money(step_totals, 'weighted')}"
                   if count else "No open leads")
        for row in shown.to_dict("records"):
            card(row)
        if count > len(shown):
            st.caption(f"{count - len(shown)} more")
            st.button("Show more", key=f"pipeline_more_{key}", on_click=show_more)
