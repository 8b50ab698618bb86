"""The app behind `streamlit run serve.py`: the Streamlit pages plus leadladder's own HTTP routes.

The calendar feed, the login cookie routes and the command line's hand-over (``lib.relay``)
read through a cursor of the same process-wide DuckDB connection as the pages (only one process
may hold the database file).
"""

import atexit
from contextlib import closing

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from lib import calendar, cli, db, login_routes, relay, ui

# app.py routes every page with st.navigation. Streamlit only learns that when app.py first runs,
# so the first visitor after a start who opens a page URL (a bookmarked /todo) would get that
# page run on its own, the old pages/-folder way: no sidebar, no login gate. Say it up front.
PagesManager.uses_pages_directory = False



def _handed_over(argv: list[str], cwd: str, stdin: str) -> relay.Answer:
    with closing(ui.new_cursor()) as cursor:
        return relay.Answer(*cli.run_handed_over(cursor, argv, cwd, stdin))


def _own_address() -> str:
    """Where a command line on this machine reaches this server."""
    host = st.config.get_option("server.address") or "127.0.0.1"
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "localhost") else host
    base = (st.config.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{st.config.get_option('server.port')}" + (f"/{base}" if base else "")


_database = db.database_path()
ui.new_cursor().close()  # hold the file from the start, so the command line always hands over
_secret = relay.announce(_database, _own_address())
atexit.register(relay.withdraw, _database, _secret)

app = st.App("app.py", routes=[calendar.feed_route(ui.new_cursor),
                               *login_routes.routes(ui.new_cursor),
                               relay.route(_secret, _handed_over)])
