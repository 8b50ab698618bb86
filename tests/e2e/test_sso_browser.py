"""Single sign-on in Chromium: the app (Streamlit's st.login, Authlib) against a real OpenID
Connect provider that this test starts on a loopback port (tests/oidc_provider.py), no
internet. Round trip, refusals, the group claim and creating reps on first sign-in."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lib import db, settings, users
from tests.e2e.conftest import RunningApp, free_port, open_page, start_app, wait_for_app
from tests.oidc_provider import RunningProvider

BUTTON = "Sign in with Test provider"
IDENTITY_COOKIES = {"_streamlit_user", "_streamlit_user_tokens"}


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    running = RunningProvider()
    running.provider.users["max.lead@example.com"] = {"groups": ["staff", "sales-north-leads"],
                                                      "name": "Max Lead"}
    running.provider.users["nina.new@example.com"] = {"groups": ["sales-north"],
                                                      "name": "Nina New"}
    yield running
    running.stop()


def secrets_file(folder: Path, port: int, provider: RunningProvider) -> Path:
    """The app's secrets.toml: [auth] pointing at the test provider, [sso] with groups."""
    path = folder / "secrets.toml"
    path.write_text(f'''
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "{provider.provider.client_id}"
client_secret = "{provider.provider.client_secret}"
server_metadata_url = "{provider.metadata_url}"

[sso]
labels = {{ default = "Test provider" }}
group_claim = "groups"
[[sso.groups]]
group = "sales-north-leads"
role = "manager"
team = "North"
[[sso.groups]]
group = "sales-north"
team = "North"
''', encoding="utf-8")
    return path


def seeded(path: Path, *, create_reps: bool) -> dict[str, int]:
    conn = db.connect(path)
    try:
        cur = conn.cursor()
        made = {
            "ada": users.add(cur, "Ada Admin", "ada@example.com", "admin",
                             password="a long admin phrase").id,
            "anna": users.add(cur, "Anna Schmidt", "anna.schmidt@example.com", "rep").id,
            "max": users.add(cur, "Max Lead", "max.lead@example.com", "rep").id,
            "dora": users.add(cur, "Dora Gone", "dora.gone@example.com", "rep").id,
        }
        cur.execute("UPDATE users SET active = false WHERE id = ?", [made["dora"]])
        settings.put(cur, "create_reps_on_first_login", create_reps, by=made["ada"])
        return made
    finally:
        conn.close()


def sso_app(tmp_path: Path, provider: RunningProvider, *, create_reps: bool
            ) -> tuple[RunningApp, dict[str, int]]:
    path = tmp_path / "sso.duckdb"
    made = seeded(path, create_reps=create_reps)
    port = free_port()
    return start_app(path, port=port, secrets=secrets_file(tmp_path, port, provider)), made


@pytest.fixture
def app(tmp_path: Path, provider: RunningProvider) -> Iterator[tuple[RunningApp, dict]]:
    running, made = sso_app(tmp_path, provider, create_reps=False)
    yield running, made
    running.stop()


def sign_in_at_provider(page: Page, app: RunningApp, email: str) -> None:
    """From the login page: the provider's button, the provider's form, back to the app."""
    open_page(page, app)
    page.get_by_role("button", name=BUTTON).click()
    page.wait_for_selector('input[name="login_email"]')
    page.fill('input[name="login_email"]', email)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app.url}/**")
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_app(page)


def expect_logged_in_as(page: Page, shown: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Logged in as")).to_be_visible(timeout=30_000)
    expect(sidebar.get_by_text(shown, exact=True)).to_be_visible()


def cookie_names(page: Page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def audit_entries(path: Path, action: str) -> list[tuple[str, str]]:
    conn = db.connect(path)
    try:
        return conn.execute("SELECT target, detail FROM audit_log WHERE action = ? ORDER BY id",
                            [action]).fetchall()
    finally:
        conn.close()


def test_a_known_e_mail_signs_in_through_the_provider_and_stays_logged_in(app, provider, page):
    running, _ = app
    open_page(page, running)
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    sign_in_at_provider(page, running, "ANNA.Schmidt@Example.com")
    expect_logged_in_as(page, "Anna Schmidt · rep")
    assert provider.provider.signed_in[-1] == "ANNA.Schmidt@Example.com"
    names = cookie_names(page)
    assert "leadladder_session" in names and not names & IDENTITY_COOKIES
    open_page(page, running, "todo")
    expect_logged_in_as(page, "Anna Schmidt · rep")
    running.stop()
    assert ("anna.schmidt@example.com", "single sign-on; client local") in audit_entries(
        running.db_path, "login")


def test_an_unknown_or_deactivated_e_mail_is_refused_and_nothing_is_shown(app, page):
    running, _ = app
    sign_in_at_provider(page, running, "stranger@example.com")
    expect(page.get_by_text("There is no leadladder account for stranger@example.com")
           ).to_be_visible()
    expect(page.get_by_text("Logged in as")).to_have_count(0)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.get_by_role("button", name="Use another account").click()
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_app(page)
    assert not cookie_names(page) & IDENTITY_COOKIES
    sign_in_at_provider(page, running, "dora.gone@example.com")
    expect(page.get_by_text("The account dora.gone@example.com is deactivated")).to_be_visible()
    expect(page.get_by_text("Logged in as")).to_have_count(0)
    running.stop()
    refused = audit_entries(running.db_path, "login_failed")
    assert [target for target, _ in refused] == ["stranger@example.com", "dora.gone@example.com"]
    assert audit_entries(running.db_path, "login") == []


def test_the_group_claim_sets_role_and_team(app, page):
    running, made = app
    sign_in_at_provider(page, running, "max.lead@example.com")
    expect_logged_in_as(page, "Max Lead · manager")
    running.stop()
    conn = db.connect(running.db_path)
    try:
        cur = conn.cursor()
        max_ = users.get(cur, made["max"])
        assert (max_.role, users.team_names(cur)[max_.team_id]) == ("manager", "North")
    finally:
        conn.close()


def test_with_creating_reps_on_a_new_e_mail_becomes_a_rep_of_its_group_team(
        tmp_path, provider, page):
    running, _ = sso_app(tmp_path, provider, create_reps=True)
    try:
        sign_in_at_provider(page, running, "nina.new@example.com")
        expect_logged_in_as(page, "Nina New · rep")
    finally:
        running.stop()
    conn = db.connect(running.db_path)
    try:
        cur = conn.cursor()
        nina = users.by_email(cur, "nina.new@example.com")
        assert (nina.name, nina.role, users.team_names(cur)[nina.team_id]) == (
            "Nina New", "rep", "North")
        assert {u.email for u in users.all_users(cur)} == {
            "ada@example.com", "anna.schmidt@example.com", "max.lead@example.com",
            "nina.new@example.com"}
    finally:
        conn.close()
