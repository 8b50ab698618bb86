"""Lead: one lead in full. Who, how it qualified, everything that happened, what is next."""

import streamlit as st

from lib import display, lead_view, leads, privacy, schedule, ui, users
from lib.i18n import _

conn = ui.connection()
ui.show_flash()
wanted = lead_view.requested(st.query_params.get("lead", ""))
detail = ui.attempt(leads.lead_detail, conn, wanted,
                    viewer=ui.current_viewer()) if wanted is not None else None
if detail is None:
    st.title(_("Lead"))
    st.info(_("Open a lead from the to-do page or the pipeline."))
    st.page_link("pages/todo.py", label=_("To-do"), icon="✅")
    st.stop()
lead, contact, today = detail.lead, detail.contact, schedule.today(conn)
lead_id = int(lead["lead_id"])


def next_step_box() -> None:
    with st.container(border=True):
        st.markdown(display.markdown("**{}**", _("Next step")))
        step = detail.next_step
        if step is None:
            st.markdown(lead_view.closed_line(lead, today))
            return
        st.markdown(lead_view.next_step_line(step, lead["group"], today))
        if lead["group"] == "standby":
            st.caption(_("Parked until {day}").format(
                day=display.day_text(lead["standby_until"], today)))
        if step.note:
            st.caption(display.literal(step.note))
        st.caption(_("Last action {since}").format(since=display.since_text(lead["days_since"])))


def timeline() -> None:
    zone = schedule.app_zone(conn)
    with st.container(height=620, border=False):
        for entry in detail.timeline.to_dict("records"):
            st.markdown(lead_view.timeline_line(entry, zone, today))


def contact_card() -> None:
    with st.container(border=True):
        for block in lead_view.contact_lines(contact):
            st.markdown(block)
        for fact in lead_view.contact_facts(contact):
            st.caption(fact)
        do_not_contact()


def do_not_contact() -> None:
    """The person asked not to be e-mailed or called (or an e-mail bounced): flag it."""
    with st.popover(_("Do not contact…"), icon="🚫"):
        channel = st.selectbox(_("Channel"), list(privacy.CHANNELS),
                               format_func=lambda c: _(privacy.CHANNELS[c]),
                               key=f"lead_dnc_channel_{lead_id}")
        source = st.selectbox(_("Why"), list(privacy.DNC_SOURCES),
                              format_func=lambda c: _(privacy.DNC_SOURCES[c]),
                              key=f"lead_dnc_source_{lead_id}")
        if st.button(_("Mark do not contact"), key=f"lead_dnc_{lead_id}"):
            ui.finish(ui.attempt(privacy.set_do_not_contact, conn, int(lead["person_id"]),
                                 channel, source, by=ui.current_user_id()))


def criteria() -> None:
    st.markdown(display.markdown("**{}**", _("Why it is a lead")))
    if detail.criteria.empty:
        st.caption(_("No criterion ticked: it was converted directly."))
    for tick in detail.criteria.to_dict("records"):
        st.markdown(lead_view.tick_line(tick, today))


def edit_form() -> None:
    """Every editable field in one form: one save, all or nothing, errors name the field."""
    names = users.owner_names(conn)
    names.setdefault(int(lead["owner_id"]), lead["owner"])  # a former owner stays a choice
    value = lead_view.edit_values(lead)
    seen = st.session_state.setdefault(f"lead_seen_{lead_id}", value)  # what the form showed
    with st.form(f"lead_edit_{lead_id}", border=False):
        title = st.text_input(_("Title"), lead["title"], key=f"lead_title_{lead_id}")
        owner = st.selectbox(_("Owner"), list(names), index=list(names).index(lead["owner_id"]),
                             format_func=names.get, key=f"lead_owner_{lead_id}")
        left, right = st.columns([3, 1])
        amount = left.number_input(_("Amount"), min_value=0.0, value=value["amount"], step=500.0,
                                   format="%.2f", key=f"lead_amount_{lead_id}")
        currency = right.text_input(_("Currency"), lead["currency"], max_chars=3,
                                    key=f"lead_currency_{lead_id}")
        left, right = st.columns(2)
        chance = left.number_input(_("Probability (%)"), 0, 100, value=value["probability"],
                                   step=10, key=f"lead_probability_{lead_id}")
        close = right.date_input(_("Expected close"), value=value["expected_close"],
                                 format="DD.MM.YYYY", key=f"lead_close_{lead_id}")
        tags = st.text_input(_("Tags"), value["tags"] or "", placeholder=_("fair, urgent"),
                             key=f"lead_tags_{lead_id}")
        if st.form_submit_button(_("Save changes"), type="primary", key=f"lead_save_{lead_id}"):
            changed = ui.attempt(leads.edit, conn, lead_id, by=ui.current_user_id(), seen=seen,
                                 title=title, owner_id=owner, amount=amount, currency=currency,
                                 probability=chance, expected_close=close, tags=tags)
            st.session_state.pop(f"lead_seen_{lead_id}")  # next time: what is stored now
            if changed is not None:
                ui.finish(lead_view.saved_text(changed))


heading, actions = st.columns([5, 2], vertical_alignment="bottom")
heading.title(lead["title"])
heading.markdown(lead_view.standing(lead))
with actions, st.container(horizontal=True, horizontal_alignment="right"):
    ui.lead_actions(conn, lead, "lead", detail=False)

main, side = st.columns([3, 2], gap="large")
with main:
    next_step_box()
    st.subheader(_("Timeline"))
    timeline()
with side:
    contact_card()
    criteria()
    with st.expander(_("Edit the lead"), icon="✏️"):
        edit_form()

ui.lead_dialog(conn, "lead")
