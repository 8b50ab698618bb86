"""The login gate in AppTest: without a session every page is only the login (or first-admin)
form; the forms log in, refuse without telling whether an e-mail exists, and log out."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import auth, demo
from tests.apptest import (
    ROOT,
    computed,
    create_first_admin,
    errors,
    logged_in_as,
    no_errors,
)
from tests.lead_seed import ANNA

# pages/privacy.py is registered for admins only: a visitor without a session never has it in
# the navigation (tests/test_privacy_page.py), so there is no page of it to switch to.
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py")
               if p.stem not in ("set_password", "privacy"))


def anonymous(db_path, monkeypatch, page: str | None = None) -> AppTest:
    """A visitor without a session, on the Lists page or at pages/<page>.py."""
    monkeypatch.setenv("LEADLADDER_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    return at


def only_the_form(at: AppTest, title: str) -> None:
    """The form and nothing of the data: no tables, metrics, charts, sidebar or page links."""
    no_errors(at)
    assert [t.value for t in at.title] == [title]
    assert not at.dataframe and not at.metric and not at.sidebar.children
    assert not at.get("page_link") and not at.get("plotly_chart")


def submit_login(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="auth_email").input(email)
    at.text_input(key="auth_password").input(password)
    return at.button(key="FormSubmitter:auth_login-Log in").click().run()


def log_in(at: AppTest, email: str, password: str) -> AppTest:
    return submit_login(at, email, password).run()  # the run after the cookie round trip


def password_of(email: str) -> str:
    return next(u["password"] for u in demo.logins() if u["email"] == email)


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_sees_only_the_login_form_on_every_page(page, demo_path,
                                                                     monkeypatch):
    at = anonymous(demo_path, monkeypatch, page)
    only_the_form(at, "Log in to leadladder")
    assert "demo logins exist" in at.info[0].value
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.text])
    assert "Anna" not in shown and "KW4" not in shown


def test_a_rep_logs_in_and_lands_on_the_page_they_opened(demo_path, monkeypatch):
    at = anonymous(demo_path, monkeypatch, "todo")
    log_in(at, ANNA.upper(), password_of(ANNA))
    no_errors(at)
    assert logged_in_as(at) == "Anna Schmidt"
    assert at.title[0].value == "To-do"


def test_a_wrong_password_is_refused_like_an_unknown_e_mail(demo_path, monkeypatch):
    at = anonymous(demo_path, monkeypatch)
    submit_login(at, ANNA, "not anna's password")
    wrong = errors(at)
    submit_login(at, "nobody@leadladder.example", "not anna's password")
    assert wrong == errors(at) == [
        "The e-mail or the password is wrong (or the account is not active)."]
    assert logged_in_as(at) == "" and at.title[0].value == "Log in to leadladder"


def test_log_out_ends_the_session(demo_path, monkeypatch):
    at = anonymous(demo_path, monkeypatch)
    log_in(at, ANNA, password_of(ANNA))
    token = at.session_state["auth_token"]
    at.sidebar.button(key="auth_logout").click().run()
    at.run()
    only_the_form(at, "Log in to leadladder")
    ended = computed(demo_path, lambda cur: cur.execute(
        "SELECT ended_at IS NOT NULL FROM login_sessions s JOIN users u ON u.id = s.user_id"
        " WHERE u.email = ? ORDER BY s.created_at DESC LIMIT 1", [ANNA]).fetchone()[0])
    assert ended and "auth_token" not in at.session_state
    assert token


@pytest.mark.parametrize("page", ["lists", "todo", "settings"])
def test_a_database_without_users_shows_only_the_first_admin_form(page, db_path, monkeypatch):
    at = anonymous(db_path, monkeypatch, page)
    only_the_form(at, "Create the first admin")


def test_the_first_admin_logs_in_at_once_and_the_form_is_gone_for_everyone(db_path,
                                                                          monkeypatch):
    at = anonymous(db_path, monkeypatch)
    at.text_input(key="auth_first_name").input("Ada Admin")
    at.text_input(key="auth_first_email").input("ada@example.com")
    at.text_input(key="auth_first_password").input("a long admin phrase")
    at.text_input(key="auth_first_repeated").input("a long admin phrase!")
    at.button(key="FormSubmitter:auth_first_admin-Create admin and log in").click().run()
    assert errors(at) == ["password: the two passwords differ"]
    assert computed(db_path, lambda cur: cur.execute("SELECT count(*) FROM users").fetchone()[0]) \
        == 0

    create_first_admin(at)
    no_errors(at)
    assert logged_in_as(at) == "Ada Admin"
    assert at.title[0].value == "Welcome to leadladder"
    role = computed(db_path, lambda cur: cur.execute(
        "SELECT role FROM users WHERE email = 'ada@example.com'").fetchone()[0])
    assert role == "admin"

    someone_else = anonymous(db_path, monkeypatch)
    only_the_form(someone_else, "Log in to leadladder")
    assert not someone_else.info  # not a demo database


def test_the_set_password_page_without_a_valid_link_shows_only_the_refusal(demo_path,
                                                                          monkeypatch):
    at = anonymous(demo_path, monkeypatch, "set_password")
    assert [t.value for t in at.title] == ["Set your password"]
    assert errors(at) == [auth.LINK_UNUSABLE]
    assert not at.text_input and not at.dataframe and not at.sidebar.children
