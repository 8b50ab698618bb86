"""leadladder: the router. Every screen is a file in pages/; this file only wires them up, behind
the login gate: without a logged-in user no page runs, whatever the URL, but the set-password
page of a one-time link."""

import streamlit as st

from lib import access, ui
from lib.i18n import _, pgettext

st.set_page_config(page_title="leadladder", page_icon="🪜", layout="wide")

ui.upload_limit_mb(ui.connection())  # Streamlit's upload cap follows the app's limit
me = ui.signed_in_user()
ui.use_language(me)
admin_only = [st.Page("pages/privacy.py", title=_("Privacy"), icon="🛡️")] if (
    me is not None and access.viewer_for(ui.connection(), me).may("privacy")) else []
set_password = st.Page("pages/set_password.py", title=_("Set your password"), icon="🔑",
                       visibility="hidden")

navigation = st.navigation(
    {
        _("Lists"): [
            st.Page("pages/lists.py", title=_("Lists"), icon="📋", default=True),
            st.Page("pages/prospecting.py", title=_("Prospecting"), icon="🎯"),
            st.Page("pages/import_file.py", title=_("Import"), icon="⬆️"),
        ],
        _("Leads"): [
            st.Page("pages/todo.py", title=_("To-do"), icon="✅"),
            st.Page("pages/pipeline.py", title=_("Pipeline"), icon="🧭"),
            st.Page("pages/calendar.py", title=_("Calendar"), icon="📅"),
            st.Page("pages/lead.py", title=_("Lead"), icon="👤", visibility="hidden"),
        ],
        _("Manager"): [
            st.Page("pages/funnel.py", title=_("Funnel"), icon="📊"),
            st.Page("pages/overdue.py", title=_("Overdue"), icon="⏰"),
        ],
        _("Admin"): [
            st.Page("pages/people.py", title=pgettext("page", "People"), icon="👥"),
            st.Page("pages/settings.py", title=_("Settings"), icon="⚙️"),
            *admin_only,
        ],
        _("Me"): [
            st.Page("pages/account.py", title=_("My account"), icon="🙂"),
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
