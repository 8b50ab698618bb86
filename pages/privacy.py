"""Privacy: answer a person's request (what is held, erase for good), mark do not contact, and
purge under the retention settings. Admins only; lib refuses every action for other roles."""

import streamlit as st

from lib import export, i18n, privacy, settings, ui
from lib.i18n import _, ngettext

conn = ui.connection()
me = ui.require_user()
viewer = ui.current_viewer()
st.title(_("Privacy"))
if not viewer.may("privacy"):
    ui.info(_("Only admins answer privacy requests."))
    st.stop()


def chosen_person() -> int | None:
    query = st.text_input(_("Find a person by e-mail, phone or name"), key="privacy_search")
    found = ui.attempt(privacy.find, conn, query, viewer=viewer)
    if found is None or found.empty:
        if query.strip():
            ui.info(_("Nobody held matches that."))
        return None
    st.dataframe(shown(found), hide_index=True, width="stretch", key="privacy_found")
    labels = privacy.choice_labels(found)
    return st.selectbox(_("Person"), list(labels), format_func=labels.get, key="privacy_person")


def shown(frame):
    """A table in the reader's language (the same headers as the export)."""
    return privacy.readable(frame)


def subject_access(person_id: int) -> None:
    st.subheader(_("What is held (subject access)"))
    data = ui.attempt(privacy.subject_access, conn, person_id, viewer=viewer)
    if data is None:
        return
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    names = privacy.labels()
    ui.note(", ".join(f"{names.get(k, k)}: {n}" for k, n in counts.items()))
    left, right = st.columns(2)
    left.download_button(
        _("⬇ JSON"), privacy.subject_access_json(data), f"subject-access-{person_id}.json",
        "application/json", key="privacy_json", width="stretch",
        on_click=lambda: privacy.record_export(conn, [person_id], by=me.id, where="JSON"))
    right.download_button(
        _("⬇ XLSX"), export.to_xlsx_sheets(privacy.subject_access_sheets(data)),
        f"subject-access-{person_id}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="privacy_xlsx", width="stretch",
        on_click=lambda: privacy.record_export(conn, [person_id], by=me.id, where="XLSX"))


def do_not_contact(person_id: int) -> None:
    st.subheader(_("Do not contact"))
    flags = ui.attempt(privacy.flags, conn, person_id, viewer=viewer) or {}
    ui.note(privacy.flag_text(flags) or _("No channel is flagged."))
    left, middle, right = st.columns(3)
    channels, sources = i18n.translated(privacy.CHANNELS), i18n.translated(privacy.DNC_SOURCES)
    channel = left.selectbox(_("Channel"), list(channels), format_func=channels.get,
                             key="privacy_dnc_channel")
    source = middle.selectbox(_("Why"), list(sources), format_func=sources.get,
                              key="privacy_dnc_source")
    if right.button(_("Mark do not contact"), key="privacy_dnc_set", width="stretch"):
        ui.attempt(privacy.set_do_not_contact, conn, person_id, channel, source, by=me.id)
        st.rerun()
    if channel in flags and right.button(_("Lift the flag"), key="privacy_dnc_clear",
                                         width="stretch"):
        ui.attempt(privacy.clear_do_not_contact, conn, person_id, channel, by=me.id)
        st.rerun()


def erase(person_id: int) -> None:
    st.subheader(_("Erase"))
    ui.note(_("Removes every trace (row, lists, ticks, history, leads, activities, their rows in "
              "stored files); a suppression entry keeps them out of later imports. It cannot be "
              "undone."))
    word = _("ERASE")
    with st.popover(_("Erase this person…")):
        typed = st.text_input(_("Type {word} to erase person #{number}").format(
            word=word, number=person_id), key="privacy_erase_confirm")
        if st.button(_("Erase for good"), type="primary", key="privacy_erase",
                     disabled=typed.strip() != word):
            result = ui.attempt(privacy.erase, conn, [person_id], by=me.id)
            if result is not None:
                st.session_state.privacy_done = result.message
                st.session_state.pop("privacy_search", None)
                st.rerun()


def retention() -> None:
    st.subheader(_("Retention"))
    values = settings.all_values(conn)
    ui.note(_("Unworked suspects go after {unworked} months from their last import, dead rows "
              "after {dead} months (0: never; change it under Settings).").format(
        unworked=values["retention_unworked_months"], dead=values["retention_dead_months"]))
    would = ui.attempt(privacy.purge_candidates, conn, viewer=viewer)
    if would is None:
        return
    ui.say(ngettext("A purge now would erase {count} person.",
                    "A purge now would erase {count} people.", len(would)).format(
        count=i18n.number(len(would))))
    if not would.empty:
        would["why"] = would["why"].map(lambda why: _(privacy.PURGE_REASONS.get(why, why)))
        st.dataframe(shown(would), hide_index=True, width="stretch", key="privacy_purge_dry_run")
        if st.button(_("Purge them now"), key="privacy_purge"):
            result = ui.attempt(privacy.purge, conn, by=me.id)
            if result is not None:
                st.session_state.privacy_done = result.message
                st.rerun()


if done := st.session_state.pop("privacy_done", None):
    ui.success(done)
person = chosen_person()
if person is not None:
    subject_access(person)
    do_not_contact(person)
    erase(person)
retention()
