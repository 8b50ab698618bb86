"""My account: the interface language, a new password, and log out everywhere."""

import streamlit as st

from lib import access, auth, i18n, passwords, ui, users
from lib.i18n import _

conn = ui.connection()
me = ui.require_user()
st.title(_("My account"))
ui.show_flash()
st.text(f"{me.name} · {me.email} · {_(access.ROLE_LABELS[me.role])}")

# The same choice as the sidebar's profile menu (lib/ui.py), saved with a button here.
languages = {"browser": _("Like the browser"), **i18n.LANGUAGES}
stored = me.language or "browser"
if st.session_state.get("account_language_stored", stored) != stored:
    st.session_state.pop("account_language", None)  # chosen in the sidebar since: show that
st.session_state.account_language_stored = stored
with st.form("account_language"):
    choice = st.selectbox(_("Language"), list(languages), format_func=languages.get,
                          index=list(languages).index(stored),
                          key="account_language")
    language = None if choice == "browser" else choice
    if st.form_submit_button(_("Save language")) and ui.attempt(
            users.set_language, conn, me.id, language, by=me.id):
        st.session_state.pop("profile_language", None)  # the sidebar's menu shows the new one
        with i18n.using(i18n.choose(language, st.context.locale)):
            ui.flash(_("Language saved."))
        st.rerun()

st.subheader(_("Password"), divider="gray")
with st.form("account_password", clear_on_submit=True):
    current = st.text_input(_("Current password"), type="password", key="account_current",
                            autocomplete="current-password")
    new = st.text_input(_("New password (at least {count} characters)").format(
        count=passwords.MIN_LENGTH), type="password", key="account_new",
        autocomplete="new-password")
    repeated = st.text_input(_("New password again"), type="password", key="account_repeated",
                             autocomplete="new-password")
    changed = st.form_submit_button(_("Change password"))
if changed:
    ended = ui.attempt(auth.change_password, conn, me.id, current, new, repeated,
                       keep=st.session_state.get("auth_token"), client=ui.client())
    if ended is not None:
        ui.flash(i18n.ngettext("Password changed; {count} other login session ended.",
                               "Password changed; {count} other login sessions ended.",
                               ended).format(count=ended))
        st.rerun()

st.subheader(_("Logins"), divider="gray")
st.caption(_("Lost a laptop, or logged in on a shared computer? End every login of yours, "
             "this one included."))
if st.button(_("Log out everywhere"), key="account_logout_all"):
    ui.attempt(auth.log_out_everywhere, conn, me.id, by=me.id)
    ui.log_out()
    st.stop()
