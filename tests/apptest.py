"""The one way page tests open the app in AppTest, and the getters they share.

A page is always reached through app.py (its login gate, st.navigation and sidebar), as the
browser reaches it; the autouse fixture ``routed_by_app_py`` in conftest.py keeps it so on every
later run of the same AppTest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import auth, db, users

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def open_app(db_path: Path, monkeypatch: pytest.MonkeyPatch, *,
             acting: int | None = None, locale: str | None = None) -> AppTest:
    """The app on ``db_path`` after its first run (the Lists page), logged in as the user
    ``acting`` (None: the first active admin, else the first active user; nobody on a
    database without users, which shows the first-admin form).

    The login session is started in lib as the login form starts it; the form itself is
    tested in tests/test_login_pages.py. ``locale`` is the browser's language ("de-DE")."""
    monkeypatch.setenv("LEADLADDER_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = locale
    with cursor(db_path) as cur:
        user = users.get(cur, acting) if acting is not None else users.first_admin(cur)
        if acting is not None and user is None:
            raise LookupError(f"no user #{acting} to log in as")
        if user is not None:
            at.session_state["auth_token"] = auth.start_session(cur, user.id, client="apptest")
    return at.run()


def open_page(db_path: Path, page_name: str, monkeypatch: pytest.MonkeyPatch, *,
              acting: int | None = None, session: Mapping[str, Any] | None = None,
              locale: str | None = None, **query: object) -> AppTest:
    """The app switched to pages/<page_name>.py, as a click in the sidebar does, with
    ``session`` state set and ``query`` in the URL; it must not raise."""
    at = open_app(db_path, monkeypatch, acting=acting, locale=locale)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.query_params.update({key: str(value) for key, value in query.items()})
    at.switch_page(f"pages/{page_name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@contextmanager
def cursor(path: Path) -> Iterator[db.Connection]:
    """A cursor on the test's database file (the app's cached connection shares it)."""
    conn = db.connect(path)
    try:
        yield conn.cursor()
    finally:
        conn.close()


def computed(path: Path, fn: Callable[[db.Connection], T]) -> T:
    """What lib computes on the same file the app shows."""
    with cursor(path) as cur:
        return fn(cur)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def no_failure(at: AppTest) -> None:
    """No traceback and no "Something went wrong": a refusal a user caused is fine."""
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in errors(at) if "Something went wrong" in e]


def no_errors(at: AppTest) -> None:
    """No traceback and no error message at all."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, errors(at)


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``."""
    return next(t.value for t in at.dataframe if column in t.value.columns)


def logged_in_as(at: AppTest) -> str:
    """The name the sidebar shows as logged in ("" when nobody is): proof the page was reached
    through app.py's gate."""
    shown = [t.value for t in at.sidebar.text]
    return shown[0].split(" · ")[0] if shown else ""


def create_first_admin(at: AppTest, name: str = "Ada Admin", email: str = "ada@example.com",
                       password: str = "a long admin phrase") -> AppTest:
    """Fill the first-admin form of an empty database as a person would, and land logged in."""
    at.text_input(key="auth_first_name").input(name)
    at.text_input(key="auth_first_email").input(email)
    at.text_input(key="auth_first_password").input(password)
    at.text_input(key="auth_first_repeated").input(password)
    at.button(key="FormSubmitter:auth_first_admin-Create admin and log in").click().run()
    return at.run()
