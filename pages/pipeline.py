"""Pipeline: every open lead on its step, the money per step, and a lead moved in one click."""

from typing import Any

import streamlit as st

from lib import display, labels, lead_view, leads, schedule, ui
from lib.i18n import _

PAGE_SIZE = 8

conn = ui.connection()
me, owner_id = ui.leads_heading(conn, _("Pipeline"), key="pipeline_owner", label=_("Owner"),
                                anyone_may_choose=True, team_first_for_managers=True)

viewer = ui.current_viewer()
totals = leads.pipeline_totals(conn, viewer=viewer, owner_id=owner_id)
cards = leads.pipeline(conn, viewer=viewer, owner_id=owner_id,
                       limit_per_step=ui.limit("pipeline_limit", PAGE_SIZE))
movable = leads.active_steps(conn)
today = schedule.today(conn)


def card(row: dict[str, Any]) -> None:
    """Company, amount, the next step's badge, days since the last action; a move menu."""
    with st.container(border=True, key=f"pipeline_lead_{row['lead_id']}"):
        ui.lead_link(row["lead_id"], lead_view.card_title(row))
        st.markdown(lead_view.card_body(row, today, with_owner=owner_id is None))
        target = st.menu_button(_("Move to"), lead_view.move_targets(movable, row),
                                format_func=lambda key: display.literal(movable[key]),
                                type="tertiary", icon="➡️",
                                key=f"pipeline_move_{row['lead_id']}")
        if target:
            ui.finish(ui.attempt(lead_view.move, conn, row, target, by=me.id))


overall = st.columns(3)
overall[0].metric(labels.text(labels.OPEN_LEADS), lead_view.open_count(totals), border=True,
                  help=labels.help_text(labels.OPEN_LEADS))
overall[1].metric(_("Amount"), lead_view.amounts(totals, "amount"), border=True)
overall[2].metric(_("Weighted by probability"), lead_view.amounts(totals, "weighted"),
                  border=True)

steps = lead_view.steps(totals)
for column, (key, label) in zip(st.columns(len(steps)), steps.items(), strict=True):
    step_totals = totals[totals["step_key"] == key]
    count = lead_view.open_count(step_totals)
    shown = cards[cards["step_key"] == key]
    with column, st.container(key=f"pipeline_step_{key}"):
        st.markdown(lead_view.step_heading(label, count))
        st.caption(lead_view.step_caption(step_totals))
        for row in shown.to_dict("records"):
            card(row)
        if count > len(shown):
            st.caption(lead_view.more_line(count - len(shown)))
            ui.more_button(f"pipeline_more_{key}", "pipeline_limit", PAGE_SIZE)
