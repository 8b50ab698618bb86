"""Every page renders without an exception, on an empty and on the demo database (AppTest),
reached through app.py as the browser reaches it: on the demo, with the sidebar acting as a rep
and as a manager."""

from __future__ import annotations

import pytest

from tests.apptest import ROOT, cursor, no_failure, open_app, open_page
from tests.lead_seed import ANNA, CLARA, user_id

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_an_empty_database(page, db_path, monkeypatch):
    at = open_page(db_path, page, monkeypatch)
    no_failure(at)
    assert at.title, f"{page} shows no title"


@pytest.mark.parametrize("email", [ANNA, CLARA], ids=["rep", "manager"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_the_demo_database(page, email, demo_path, monkeypatch):
    with cursor(demo_path) as cur:
        acting = user_id(cur, email)
    at = open_page(demo_path, page, monkeypatch, acting=acting)
    no_failure(at)
    assert at.title, f"{page} shows no title"
    assert at.sidebar.selectbox(key="sidebar_user").value == acting, "not routed by app.py"


def test_an_empty_database_greets_with_a_welcome_and_loads_the_demo(db_path, monkeypatch):
    at = open_app(db_path, monkeypatch)
    assert at.title[0].value == "Welcome to leadladder"
    at.button(key="lists_load_demo").click().run()
    no_failure(at)
    assert at.title[0].value == "Lists"
    shown = at.dataframe[0].value
    assert set(shown["list"]) == {"KW45 Messe Nürnberg", "KW46 Webinar Lager 4.0",
                                  "KW47 Purchased list"}
    assert (shown["rows"] > 0).all()
