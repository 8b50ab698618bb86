"""Set a password through a one-time link (an invitation or a reset); open without a login."""

import streamlit as st

from lib import auth, passwords, ui

conn = ui.connection()
token = st.query_params.get("token")
found = auth.link_user(conn, token)
st.title("Set your password")
if found is None:
    st.error(auth.LINK_UNUSABLE, icon="⚠️")
    st.page_link("pages/lists.py", label="Go to the login")
    st.stop()
user, purpose = found
st.write("Welcome to leadladder." if purpose == "invite" else "Choose a new password.")
st.text(f"{user.name} · {user.email}")
with st.form("set_password"):
    password = st.text_input(f"New password (at least {passwords.MIN_LENGTH} characters)",
                             type="password", key="set_password_new",
                             autocomplete="new-password")
    repeated = st.text_input("New password again", type="password", key="set_password_again",
                             autocomplete="new-password")
    submitted = st.form_submit_button("Set password and log in", type="primary")
if submitted:
    login = ui.attempt(auth.use_link, conn, token, password, repeated, client=ui.client())
    if login:
        ui.logged_in(login, next_path="/")
