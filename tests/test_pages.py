"""Every page renders without an exception, on an empty and on the demo database (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))


def app_on(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LEADLADDER_DB", str(db_file))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at


def rendered_without_error(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.error if "Something went wrong" in e.value]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_an_empty_database(page, db_path, monkeypatch):
    at = app_on(db_path, monkeypatch)
    at.switch_page(page).run()
    rendered_without_error(at)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_the_demo_database(page, demo_path, monkeypatch):
    at = app_on(demo_path, monkeypatch)
    at.switch_page(page).run()
    rendered_without_error(at)
    assert at.title, f"{page} shows no title"


def test_an_empty_database_greets_with_a_welcome_and_loads_the_demo(db_path, monkeypatch):
    at = app_on(db_path, monkeypatch)
    assert at.title[0].value == "Welcome to leadladder"
    at.button(key="lists_load_demo").click().run()
    rendered_without_error(at)
    assert at.title[0].value == "Lists"
    shown = at.dataframe[0].value
    assert set(shown["list"]) == {"KW45 Messe Nürnberg", "KW46 Webinar Lager 4.0",
                                  "KW47 Purchased list"}
    assert (shown["rows"] > 0).all()
