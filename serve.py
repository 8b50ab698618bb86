"""The app behind `streamlit run serve.py`: the Streamlit pages plus leadladder's own HTTP routes.

The calendar feed and the login cookie routes read through a cursor of the same process-wide
DuckDB connection as the pages (only one process may hold the database file).
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from lib import calendar, login_routes, ui

# app.py routes every page with st.navigation. Streamlit only learns that when app.py first runs,
# so the first visitor after a start who opens a page URL (a bookmarked /todo) would get that
# page run on its own, the old pages/-folder way: no sidebar, no login gate. Say it up front.
PagesManager.uses_pages_directory = False

app = st.App("app.py", routes=[calendar.feed_route(ui.new_cursor),
                               *login_routes.routes(ui.new_cursor)])
