"""The People, set-password and account pages in AppTest, on the demo: the admin invites a
person whose one-time link sets a password once; deactivation hands the work over; managers see
their team read-only; reps are refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from lib import audit, auth, demo, passwords, users
from tests.apptest import ROOT, computed, errors, logged_in_as, no_errors, open_page
from tests.lead_seed import ANNA, BEN, CLARA, EVA, user_id


def who(path, email: str) -> int:
    return computed(path, lambda cur: user_id(cur, email))


def link_token(at: AppTest) -> str:
    """The token of the one-time link the page shows."""
    url = at.code[0].value
    assert urlsplit(url).path == "/set_password"
    return parse_qs(urlsplit(url).query)["token"][0]


def set_password_page(db_path, monkeypatch, token: str) -> AppTest:
    """A visitor without a session opening the link."""
    monkeypatch.setenv("LEADLADDER_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["token"] = token
    at.run()
    return at.switch_page("pages/set_password.py").run()


def change_password(at: AppTest, current: str, new: str) -> AppTest:
    """Fill the account page's password form (it clears itself after each submit)."""
    at.text_input(key="account_current").input(current)
    at.text_input(key="account_new").input(new)
    at.text_input(key="account_repeated").input(new)
    return at.button(key="FormSubmitter:account_password-Change password").click().run()


def test_the_admin_invites_a_rep_whose_link_sets_a_password_once(demo_path, monkeypatch):
    at = open_page(demo_path, "people", monkeypatch, acting=who(demo_path, EVA))
    shown = at.dataframe[0].value
    assert set(shown["email"]) == {u["email"] for u in demo.logins()}
    assert "password_hash" not in shown.columns
    at.text_input(key="people_add_name").input("Fritz Neu")
    at.text_input(key="people_add_email").input("fritz@leadladder.example")
    at.button(key="FormSubmitter:people_add-Add person").click().run()
    no_errors(at)
    token = link_token(at)
    at.run()
    assert not at.code, "the link is shown once"

    visitor = set_password_page(demo_path, monkeypatch, token)
    assert [t.value for t in visitor.text] == ["Fritz Neu · fritz@leadladder.example"]
    visitor.text_input(key="set_password_new").input("fritz's own phrase")
    visitor.text_input(key="set_password_again").input("fritz's own phrase")
    visitor.button(key="FormSubmitter:set_password-Set password and log in").click().run()
    visitor.run()
    assert logged_in_as(visitor) == "Fritz Neu"
    fritz = computed(demo_path, lambda cur: users.by_email(cur, "fritz@leadladder.example"))
    assert fritz.role == "rep"
    login = computed(demo_path, lambda cur: auth.log_in(
        cur, "fritz@leadladder.example", "fritz's own phrase", client=None))
    assert login.user.id == fritz.id

    again = set_password_page(demo_path, monkeypatch, token)
    assert errors(again) == [auth.LINK_UNUSABLE]


def test_the_admin_deactivates_a_rep_handing_over_their_work(demo_path, monkeypatch):
    anna, ben = who(demo_path, ANNA), who(demo_path, BEN)
    work = computed(demo_path, lambda cur: users.work_of(cur, anna))
    assert work.open_leads > 0 and work.rows > 0
    at = open_page(demo_path, "people", monkeypatch, acting=who(demo_path, EVA))
    at.selectbox(key="people_pick").set_value(anna).run()
    at.button(key=f"people_deactivate_{anna}").click().run()
    assert "choose who takes them over" in errors(at)[0]
    assert computed(demo_path, lambda cur: users.get(cur, anna).active)
    at.selectbox(key=f"people_hand_to_{anna}").set_value(ben).run()
    at.button(key=f"people_deactivate_{anna}").click().run()
    no_errors(at)
    assert computed(demo_path, lambda cur: users.work_of(cur, anna)) == users.Work(0, 0)
    assert not computed(demo_path, lambda cur: users.get(cur, anna).active)
    log = at.tabs[2]
    assert "User deactivated" in set(log.dataframe[0].value["action"])


def test_a_manager_sees_their_team_read_only_and_a_rep_is_refused(demo_path, monkeypatch):
    at = open_page(demo_path, "people", monkeypatch, acting=who(demo_path, CLARA))
    no_errors(at)
    assert set(at.dataframe[0].value["name"]) == {"Anna Schmidt", "Ben Okafor", "Clara Weber"}
    assert not at.main.button and not at.text_input and not at.tabs
    rep = open_page(demo_path, "people", monkeypatch, acting=who(demo_path, ANNA))
    assert not rep.dataframe and "Only admins manage people" in rep.info[0].value


def test_my_account_changes_the_password(demo_path, monkeypatch):
    """(Its language choice: tests/test_people_german.py.)"""
    anna = who(demo_path, ANNA)
    at = open_page(demo_path, "account", monkeypatch, acting=anna)
    old = next(u["password"] for u in demo.logins() if u["email"] == ANNA)
    change_password(at, "not my password", "anna's better phrase")
    assert errors(at) == [auth.CURRENT_WRONG]
    change_password(at, old, "anna's better phrase")
    no_errors(at)
    assert logged_in_as(at) == "Anna Schmidt"  # this browser stays logged in
    assert computed(demo_path, lambda cur: auth.log_in(
        cur, ANNA, "anna's better phrase", client=None)).user.id == anna


def test_guessing_the_current_password_on_my_account_is_locked_like_the_login(demo_path,
                                                                              monkeypatch):
    anna = who(demo_path, ANNA)
    old = next(u["password"] for u in demo.logins() if u["email"] == ANNA)
    at = open_page(demo_path, "account", monkeypatch, acting=anna)
    for n in range(auth.FAILURE_LIMIT):
        assert errors(change_password(at, f"guess number {n}!", "anna's better phrase")) == [
            auth.CURRENT_WRONG]
    assert errors(change_password(at, old, "anna's better phrase")) == [auth.CURRENT_WRONG]
    assert logged_in_as(at) == "Anna Schmidt"
    with pytest.raises(auth.LoginRefused, match="Too many failed logins"):
        computed(demo_path, lambda cur: auth.log_in(cur, ANNA, old, client=None))
    failed = computed(demo_path, lambda cur: audit.recent(cur, action="password_change_failed"))
    assert list(failed["who"]) == ["Anna Schmidt"] * (auth.FAILURE_LIMIT + 1)
    assert computed(demo_path, lambda cur: passwords.verify(
        cur.execute("SELECT password_hash FROM users WHERE id = ?", [anna]).fetchone()[0], old))
