"""The app behind `streamlit run serve.py`: the Streamlit pages plus leadladder's own HTTP routes.

The calendar feed, the login cookie routes and the command line's hand-over (``lib.relay``)
read through a cursor of the same process-wide connection as the pages (on DuckDB only one
process may hold the database file; on PostgreSQL every server and command opens its own pool).
"""

import atexit
from contextlib import closing
from pathlib import Path

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


_setting = db.database_setting()
ui.new_cursor().close()  # open the database now (DuckDB: hold the file, so the CLI hands over)
_routes = [calendar.feed_route(ui.new_cursor), *login_routes.routes(ui.new_cursor)]
if not db.is_shared(_setting):  # on PostgreSQL the command line simply connects
    _secret = relay.announce(Path(_setting), _own_address())
    atexit.register(relay.withdraw, Path(_setting), _secret)
    _routes.append(relay.route(_secret, _handed_over))

app = st.App("app.py", routes=_routes)
