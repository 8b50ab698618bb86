"""Lead: one lead in full. Who, how it qualified, everything that happened, what is next."""

from typing import Any

import streamlit as st

from lib import leads, schedule, ui, users

# What each timeline entry is; entries that name their field themselves get only an icon.
KINDS = {"call": "📞 Call ·", "email": "✉️ E-mail ·", "meeting": "🤝 Meeting ·",
         "note": "📝 Note ·", "convert": "⭐", "import": "⬆️ Import ·", "tick": "☑️ Ticked:",
         "untick": "⬜ Unticked:", "next_step": "🗓️", "lead_step": "➡️", "lead_status": "🏁",
         "lead_edit": "✏️", "status": "🪜", "owner": "👤", "cancel": "✖️", "revive": "↩️"}
CLOSED_BADGES = {"won": "green", "lost": "red", "cancelled": "gray"}

conn = ui.connection()
ui.show_flash()
wanted = st.query_params.get("lead", "")
detail = ui.attempt(leads.lead_detail, conn, int(wanted)) if wanted.isdigit() else None
if detail is None:
    st.title("Lead")
    st.info("Open a lead from the to-do page or the pipeline.")
    st.page_link("pages/todo.py", label="To-do", icon="✅")
    st.stop()
lead, contact, today = detail.lead, detail.contact, ui.today(conn)
lead_id = int(lead["lead_id"])


def standing() -> str:
    """Badges and facts under the title: step, due state or outcome, owner, money."""
    if lead["status"] in leads.CLOSED:
        reason = ui.given(lead["close_reason"])
        state = f":{CLOSED_BADGES[lead['status']]}-badge[{lead['status'].title()}" + (
            f": {ui.md(reason)}]" if reason else "]")
    else:
        state = ui.badge(lead["group"])
    chance = f" ({lead['probability']}%)" if ui.given(lead["probability"]) is not None else ""
    return (f":blue-badge[{ui.md(lead['step'])}] {state} · {ui.md(lead['owner'])} · "
            f"**{ui.money(lead['amount'], lead['currency'])}**{chance}")


def next_step_box() -> None:
    with st.container(border=True):
        st.markdown("**Next step**")
        step = detail.next_step
        if step is None:
            closed = ui.day_text(lead["closed_at"], today)
            note = ui.given(lead["close_note"])
            st.markdown(f"None: {lead['status']} {closed}" + (f". {ui.md(note)}" if note else ""))
            return
        length = f" · {step.duration_min} min" if step.duration_min else ""
        st.markdown(f"{ui.badge(lead['group'])} "
                    + ui.next_step_text(step.type, step.due_date, step.due_time, today) + length)
        if lead["group"] == "standby":
            st.caption(f"Parked until {ui.day_text(lead['standby_until'], today)}")
        if step.note:
            st.caption(ui.md(step.note))
        st.caption(f"Last action {ui.since_text(lead['days_since'])}")


def timeline() -> None:
    zone = schedule.app_zone(conn)
    with st.container(height=620, border=False):
        for entry in detail.timeline.to_dict("records"):
            who = ui.md(entry["who"] or "the command line")
            what = ui.md(entry["what"][:1].upper() + entry["what"][1:])
            st.markdown(f"{KINDS.get(entry['kind'], entry['kind'])} {what}  \n"
                        f":gray[{who} · {ui.moment_text(entry['at'], zone, today)}]")


def contact_card() -> None:
    with st.container(border=True):
        name = " ".join(filter(None, (contact[k] for k in ("salutation", "first_name",
                                                             "last_name"))))
        st.markdown(f"**{ui.md(name or '—')}**  \n{ui.md(contact['job_title'] or '')}")
        st.markdown(f"{ui.md(contact['company'] or '')}  \n" + ui.contact_links(contact))
        place = " ".join(filter(None, (contact["postal_code"], contact["city"])))
        address = ", ".join(filter(None, (contact["street"], place, contact["country"])))
        for label, value in (("Address", address), ("Website", contact["website"]),
                             ("Source", contact["source"]), ("Notes", contact["notes"])):
            if value:
                st.caption(f"{label}: {ui.md(value)}")


def criteria() -> None:
    st.markdown("**Why it is a lead**")
    if detail.criteria.empty:
        st.caption("No criterion ticked: it was converted directly.")
    for tick in detail.criteria.to_dict("records"):
        st.markdown(f"✔ {ui.md(tick['label'])}  \n:gray[{ui.md(tick['ticked_by'] or '—')} · "
                    f"{ui.day_text(tick['ticked_at'], today)}]")


def edit_form() -> None:
    """Every editable field in one form: one save, all or nothing, errors name the field."""
    owners = users.owners_frame(conn)
    names = dict(zip(owners["id"].astype(int), owners["name"], strict=True))
    names.setdefault(int(lead["owner_id"]), lead["owner"])
    value: dict[str, Any] = {k: ui.given(lead[k]) for k in
                             ("amount", "probability", "expected_close", "tags")}
    with st.form(f"lead_edit_{lead_id}", border=False):
        title = st.text_input("Title", lead["title"], key=f"lead_title_{lead_id}")
        owner = st.selectbox("Owner", list(names), index=list(names).index(lead["owner_id"]),
                             format_func=names.get, key=f"lead_owner_{lead_id}")
        left, right = st.columns([3, 1])
        amount = left.number_input("Amount", min_value=0.0, value=value["amount"], step=500.0,
                                   format="%.2f", key=f"lead_amount_{lead_id}")
        currency = right.text_input("Currency", lead["currency"], max_chars=3,
                                    key=f"lead_currency_{lead_id}")
        left, right = st.columns(2)
        chance = left.number_input("Probability (%)", 0, 100, value=value["probability"],
                                   step=10, key=f"lead_probability_{lead_id}")
        close = right.date_input("Expected close", value=value["expected_close"],
                                 format="DD.MM.YYYY", key=f"lead_close_{lead_id}")
        tags = st.text_input("Tags", value["tags"] or "", placeholder="fair, urgent",
                             key=f"lead_tags_{lead_id}")
        if st.form_submit_button("Save changes", type="primary", key=f"lead_save_{lead_id}"):
            changed = ui.attempt(leads.edit, conn, lead_id, by=ui.current_user_id(),
                                 title=title, owner_id=owner, amount=amount, currency=currency,
                                 probability=chance, expected_close=close, tags=tags)
            if changed is not None:
                ui.finish(f"Saved: {', '.join(changed).replace('_', ' ')}" if changed
                          else "Nothing changed")


heading, actions = st.columns([5, 2], vertical_alignment="bottom")
heading.title(lead["title"])
heading.markdown(standing())
with actions, st.container(horizontal=True, horizontal_alignment="right"):
    ui.lead_actions(conn, lead, "lead", detail=False)

main, side = st.columns([3, 2], gap="large")
with main:
    next_step_box()
    st.subheader("Timeline")
    timeline()
with side:
    contact_card()
    criteria()
    with st.expander("Edit the lead", icon="✏️"):
        edit_form()

ui.lead_dialog(conn, "lead")
