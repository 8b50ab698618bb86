"""My account: the interface language, a new password, and log out everywhere."""

import streamlit as st

from lib import auth, passwords, ui, users

conn = ui.connection()
me = ui.require_user()
st.title("My account")
ui.show_flash()
st.text(f"{me.name} · {me.email} · {me.role}")

LANGUAGES = {None: "Follow the browser", "en": "English", "de": "Deutsch"}
with st.form("account_language"):
    language = st.selectbox("Language", list(LANGUAGES), format_func=LANGUAGES.get,
                            index=list(LANGUAGES).index(me.language), key="account_language")
    if st.form_submit_button("Save language") and ui.attempt(
            users.set_language, conn, me.id, language, by=me.id):
        ui.flash("Language saved.")
        st.rerun()

st.subheader("Password", divider="gray")
with st.form("account_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", key="account_current",
                            autocomplete="current-password")
    new = st.text_input(f"New password (at least {passwords.MIN_LENGTH} characters)",
                        type="password", key="account_new", autocomplete="new-password")
    repeated = st.text_input("New password again", type="password", key="account_repeated",
                             autocomplete="new-password")
    changed = st.form_submit_button("Change password")
if changed:
    ended = ui.attempt(auth.change_password, conn, me.id, current, new, repeated,
                       keep=st.session_state.get("auth_token"), client=ui.client())
    if ended is not None:
        ui.flash(f"Password changed; {ended} other login session(s) ended.")
        st.rerun()

st.subheader("Logins", divider="gray")
st.caption("Lost a laptop, or logged in on a shared computer? End every login of yours, "
           "this one included.")
if st.button("Log out everywhere", key="account_logout_all"):
    ui.attempt(auth.log_out_everywhere, conn, me.id, by=me.id)
    ui.log_out()
    st.stop()
