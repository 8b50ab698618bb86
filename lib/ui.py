"""The only lib module that talks to Streamlit: the shared connection, the acting user, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from lib import db, export, users
from lib.errors import UserError

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger("leadladder")


@st.cache_resource(show_spinner=False)
def _database(path: str) -> db.Connection:
    """One DuckDB connection per process and database file."""
    return db.connect(path)


def connection() -> db.Connection:
    """This session's own cursor on the process-wide connection."""
    path = str(db.database_path())
    if st.session_state.get("db_path") != path:
        st.session_state.db_cursor = _database(path).cursor()
        st.session_state.db_path = path
    return st.session_state.db_cursor


def current_user() -> users.User | None:
    """Whoever the sidebar says the app is acting as (None on an empty database)."""
    user_id = st.session_state.get("sidebar_user")
    return users.get(connection(), user_id) if user_id is not None else None


def current_user_id() -> int | None:
    user = current_user()
    return user.id if user else None


def sidebar_user() -> users.User | None:
    """The 'acting as' picker; every write records this user."""
    everyone = users.all_users(connection())
    if not everyone:
        st.session_state.pop("sidebar_user", None)
        return None
    ids = [u.id for u in everyone]
    if st.session_state.get("sidebar_user") not in ids:
        st.session_state.sidebar_user = ids[0]
    names = {u.id: f"{u.name} ({u.role})" for u in everyone}
    st.sidebar.selectbox("Acting as", ids, format_func=names.__getitem__, key="sidebar_user")
    return current_user()


def attempt(action: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
    """Run a lib action; show its error instead of a traceback. None when it failed."""
    try:
        return action(*args, **kwargs)
    except UserError as exc:
        st.error(str(exc), icon="⚠️")
    except Exception:
        log.exception("action %s failed", getattr(action, "__name__", action))
        st.error("Something went wrong and nothing was saved. The error was logged.", icon="🛑")
    return None


def downloads(frame: pd.DataFrame, name: str, *, key: str) -> None:
    """CSV and XLSX download buttons side by side, both formula-safe."""
    left, right = st.columns(2)
    left.download_button(
        "⬇ CSV", export.to_csv(frame), f"{name}.csv", "text/csv", key=f"{key}_csv",
        width="stretch",
    )
    right.download_button(
        "⬇ XLSX", export.to_xlsx(frame), f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", width="stretch",
    )
