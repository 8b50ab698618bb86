"""leadladder: the router. Every screen is a file in pages/; this file only wires them up."""

import streamlit as st

from lib import ui

st.set_page_config(page_title="leadladder", page_icon="🪜", layout="wide")

ui.sidebar_user()

navigation = st.navigation(
    {
        "Lists": [
            st.Page("pages/lists.py", title="Lists", icon="📋", default=True),
            st.Page("pages/import_file.py", title="Import", icon="⬆️"),
        ],
    }
)
navigation.run()
