"""Set a password through a one-time link (an invitation or a reset); open without a login."""

import streamlit as st

from lib import auth, i18n, passwords, ui
from lib.i18n import _

conn = ui.connection()
token = st.query_params.get("token")
found = auth.link_user(conn, token)
if found is not None:  # nobody is logged in yet: the link's user chose the language
    i18n.set_language(i18n.choose(found[0].language, st.context.locale))
st.title(_("Set your password"))
if found is None:
    st.error(_(auth.LINK_UNUSABLE), icon="⚠️")
    st.page_link("pages/lists.py", label=_("Go to the login"))
    st.stop()
user, purpose = found
st.write(_("Welcome to leadladder.") if purpose == "invite" else _("Choose a new password."))
st.text(f"{user.name} · {user.email}")
with st.form("set_password"):
    password = st.text_input(_("New password (at least {count} characters)").format(
        count=passwords.MIN_LENGTH), type="password", key="set_password_new",
        autocomplete="new-password")
    repeated = st.text_input(_("New password again"), type="password", key="set_password_again",
                             autocomplete="new-password")
    submitted = st.form_submit_button(_("Set password and log in"), type="primary")
if submitted:
    login = ui.attempt(auth.use_link, conn, token, password, repeated, client=ui.client())
    if login:
        ui.logged_in(login, next_path="/")
