"""Login in Chromium: an anonymous visitor sees only the login form on every page URL; a rep
logs in with a password, stays logged in across a reload (the HttpOnly cookie), and logs out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, RunningApp, log_in, open_page, wait_for_app

ANNA = "anna.schmidt@leadladder.example"
PAGE_PATHS = ["", *sorted(p.stem for p in (ROOT / "pages").glob("*.py")
                          if p.stem not in ("lists", "set_password"))]


def only_the_login_form(page: Page) -> None:
    expect(page.get_by_role("heading", name="Log in to leadladder")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    for hidden in ("stDataFrame", "stMetric", "stSidebar", "stPlotlyChart", "stPageLink"):
        expect(page.get_by_test_id(hidden)).to_have_count(0)
    shown = page.get_by_test_id("stMain").inner_text()
    for private in ("Anna", "Schmidt", "KW45", "Messe", "Overdue"):
        assert private not in shown, f"{private!r} shown to an anonymous visitor"


def test_an_anonymous_visitor_sees_only_the_login_form_on_every_page(page: Page,
                                                                     demo_app: RunningApp):
    for path in PAGE_PATHS:
        open_page(page, demo_app, path)
        only_the_login_form(page)
        expect(page.get_by_text("demo logins exist")).to_be_visible()


def test_a_rep_logs_in_stays_logged_in_across_a_reload_and_logs_out(page: Page,
                                                                    demo_app: RunningApp):
    open_page(page, demo_app, "todo")
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="E-mail").fill(ANNA)
    form.get_by_role("textbox", name="Password", exact=True).fill("not anna's password")
    form.get_by_role("button", name="Log in").click()
    wait_for_app(page)
    expect(page.get_by_text("The e-mail or the password is wrong")).to_be_visible()

    log_in(page, demo_app, ANNA, path="todo")
    assert page.url == f"{demo_app.url}/todo"
    expect(page.get_by_role("heading", name="To-do")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Anna Schmidt · rep")
    cookie = next(c for c in page.context.cookies() if c["name"] == "leadladder_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("leadladder_session") == -1

    page.reload()
    page.get_by_role("button", name="Log out").wait_for()
    expect(page.get_by_role("heading", name="To-do")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Anna Schmidt · rep")

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in to leadladder").wait_for()
    wait_for_app(page)
    assert "leadladder_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{demo_app.url}/todo")
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_app(page)
    only_the_login_form(page)
