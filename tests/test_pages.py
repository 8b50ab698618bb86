"""Every page renders without an exception, on an empty and on the demo database (AppTest),
reached through app.py as the browser reaches it: on the demo, logged in as a rep and as a
manager."""

from __future__ import annotations

import pytest

from lib import users
from tests.apptest import (
    ROOT,
    create_first_admin,
    cursor,
    logged_in_as,
    no_failure,
    open_app,
    open_page,
)
from tests.lead_seed import ANNA, CLARA, user_id

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
ADMIN_ONLY = {"privacy"}  # not in anyone else's navigation (tests/test_privacy_page.py)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_an_empty_database(page, db_path, monkeypatch):
    at = open_app(db_path, monkeypatch)
    create_first_admin(at)
    at.switch_page(f"pages/{page}.py").run()
    no_failure(at)
    assert at.title, f"{page} shows no title"
    assert logged_in_as(at) == "Ada Admin"


@pytest.mark.parametrize("email", [ANNA, CLARA], ids=["rep", "manager"])
@pytest.mark.parametrize("page", sorted(set(PAGES) - ADMIN_ONLY))
def test_page_renders_on_the_demo_database(page, email, demo_path, monkeypatch):
    with cursor(demo_path) as cur:
        acting = user_id(cur, email)
    at = open_page(demo_path, page, monkeypatch, acting=acting)
    no_failure(at)
    assert at.title, f"{page} shows no title"
    with cursor(demo_path) as cur:
        assert logged_in_as(at) == users.get(cur, acting).name, "not routed by app.py"


def test_an_empty_database_greets_with_a_welcome_and_loads_the_demo(db_path, monkeypatch):
    at = create_first_admin(open_app(db_path, monkeypatch))
    assert at.title[0].value == "Welcome to leadladder"
    at.button(key="lists_load_demo").click().run()
    no_failure(at)
    assert at.title[0].value == "Lists"
    shown = at.dataframe[0].value
    assert set(shown["list"]) == {"KW45 Messe Nürnberg", "KW46 Webinar Lager 4.0",
                                  "KW47 Purchased list"}
    assert (shown["rows"] > 0).all()
