"""leadladder: the router. Every screen is a file in pages/; this file only wires them up, behind
the login gate: without a logged-in user no page runs, whatever the URL, but the set-password
page of a one-time link."""

import streamlit as st

from lib import access, ui

st.set_page_config(page_title="leadladder", page_icon="🪜", layout="wide")

ui.upload_limit_mb(ui.connection())  # Streamlit's upload cap follows the app's limit
me = ui.signed_in_user()
admin_only = [st.Page("pages/privacy.py", title="Privacy", icon="🛡️")] if (
    me is not None and access.viewer_for(ui.connection(), me).may("privacy")) else []
set_password = st.Page("pages/set_password.py", title="Set your password", icon="🔑",
                       visibility="hidden")

navigation = st.navigation(
    {
        "Lists": [
            st.Page("pages/lists.py", title="Lists", icon="📋", default=True),
            st.Page("pages/prospecting.py", title="Prospecting", icon="🎯"),
            st.Page("pages/import_file.py", title="Import", icon="⬆️"),
        ],
        "Leads": [
            st.Page("pages/todo.py", title="To-do", icon="✅"),
            st.Page("pages/pipeline.py", title="Pipeline", icon="🧭"),
            st.Page("pages/calendar.py", title="Calendar", icon="📅"),
            st.Page("pages/lead.py", title="Lead", icon="👤", visibility="hidden"),
        ],
        "Manager": [
            st.Page("pages/funnel.py", title="Funnel", icon="📊"),
            st.Page("pages/overdue.py", title="Overdue", icon="⏰"),
        ],
        "Admin": [
            st.Page("pages/people.py", title="People", icon="👥"),
            st.Page("pages/settings.py", title="Settings", icon="⚙️"),
            *admin_only,
        ],
        "Me": [
            st.Page("pages/account.py", title="My account", icon="🙂"),
            set_password,
        ],
    },
    position="sidebar" if me else "hidden",
)
if me is None and navigation.url_path != set_password.url_path:
    ui.login_gate()
else:
    if me is not None:
        ui.sidebar_account(me)
    navigation.run()
