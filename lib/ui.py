"""The only lib module that talks to Streamlit: the shared connection, the acting user, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from lib import db, export, importing, reading, users
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


def new_cursor() -> db.Connection:
    """A fresh cursor on the process-wide connection, for code outside a browser session (the
    calendar feed route): it works before any session has started; the caller closes it."""
    return _database(str(db.database_path())).cursor()


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


def memo(name: str, key: tuple, compute: Callable[[], R]) -> R:
    """Keep the last result of an expensive step (reading, matching) for this session, so a
    rerun for an unrelated widget does not redo it."""
    slot = st.session_state.setdefault(f"memo_{name}", {})
    if slot.get("key") != key:
        slot.clear()
        slot["value"], slot["key"] = compute(), key
    return slot["value"]


def forget(name: str) -> None:
    st.session_state.pop(f"memo_{name}", None)


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "mac-roman", "cp850")
DELIMITER_LABELS = {",": "comma ,", ";": "semicolon ;", "\t": "tab", "|": "pipe |",
                    "": "one column"}


def read_options(table: reading.Table, *, key: str) -> reading.ReadOptions:
    """Encoding, delimiter, sheet and header row, each showing what was detected."""
    found = table.options
    columns = st.columns(4)
    encoding, delimiter, sheet = found.encoding, found.delimiter, found.sheet
    if table.file_format == "csv":
        choices = [found.encoding, *[e for e in ENCODINGS if e != found.encoding]]
        encoding = columns[0].selectbox("Encoding", choices, key=f"{key}_encoding")
        marks = [found.delimiter, *[d for d in DELIMITER_LABELS if d != found.delimiter]]
        delimiter = columns[1].selectbox("Delimiter", marks, key=f"{key}_delimiter",
                                         format_func=lambda d: DELIMITER_LABELS.get(d, repr(d)))
    elif table.sheets:
        sheet = columns[0].selectbox("Sheet", table.sheets, key=f"{key}_sheet",
                                     index=table.sheets.index(found.sheet)
                                     if found.sheet in table.sheets else 0)
    header = columns[3].number_input("Header is on row", min_value=1, step=1,
                                     value=(found.header_row or 0) + 1, key=f"{key}_header")
    return reading.ReadOptions(encoding=encoding, delimiter=delimiter, sheet=sheet,
                               header_row=int(header) - 1)


def import_counts(counts: importing.Counts) -> None:
    """The preview's numbers, in the order an ops person reads them."""
    shown = [("Rows in file", counts.rows_in_file), ("New", counts.added),
             ("Already known", counts.already_known), ("…of them leads", counts.already_lead),
             ("…of them dead", counts.already_dead),
             ("Duplicates in file", counts.duplicates_in_file),
             ("Rejected", counts.rejected), ("Flagged", counts.flagged),
             ("Blank", counts.blank), ("Possible duplicates", counts.possible_duplicates)]
    for column, (label, value) in zip(st.columns(5) + st.columns(5), shown, strict=True):
        column.metric(label, f"{value:,}")


def import_history(conn: db.Connection) -> None:
    """Every import with its counts; the report and Undo for one of them."""
    past = importing.history_frame(conn)
    if past.empty:
        st.caption("No imports yet.")
        return
    st.dataframe(past, hide_index=True, width="stretch", key="import_history_table")
    labels = {int(r.import_id): f"#{r.import_id} {r.file_name} → {r.list}"
              + (" (undone)" if pd.notna(r.undone_at) else "")
              for r in past.itertuples()}
    chosen = st.selectbox("Import", list(labels), format_func=labels.get,
                          key="import_history_pick")
    downloads(importing.report(conn, chosen), f"import-{chosen}-report",
              key="import_history_report")
    with st.popover("Undo this import…"):
        st.write("People this import created and nobody touched since are removed; "
                 "everyone worked on since stays.")
        if st.button("Undo import", type="primary", key="import_undo"):
            result = attempt(importing.undo, conn, chosen, by=current_user_id())
            if result:
                st.session_state.import_undo_message = result.message
                st.rerun()
    if message := st.session_state.pop("import_undo_message", None):
        st.success(message)
