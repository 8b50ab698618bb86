"""Every page on the demo in German and in English (AppTest, the browser's language decides
for users who never chose): no error, and no English wording of the catalog left on a German
page — each text element is compared with every English message id whose German differs."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from lib import i18n, users
from tests.apptest import cursor, open_page

PAGES = {  # page → who opens it (a demo login)
    "lists": "david.nguyen@leadladder.example", "import_file": "david.nguyen@leadladder.example",
    "prospecting": "anna.schmidt@leadladder.example", "todo": "anna.schmidt@leadladder.example",
    "pipeline": "anna.schmidt@leadladder.example", "calendar": "anna.schmidt@leadladder.example",
    "lead": "anna.schmidt@leadladder.example", "account": "anna.schmidt@leadladder.example",
    "funnel": "clara.weber@leadladder.example", "overdue": "clara.weber@leadladder.example",
    "people": "eva.becker@leadladder.example", "settings": "eva.becker@leadladder.example",
    "privacy": "eva.becker@leadladder.example",
}
HEADINGS = {"de": {"lists": "Listen", "todo": "Aufgaben", "funnel": "Trichter",
                   "overdue": "Überfällig", "settings": "Einstellungen", "account": "Mein Konto"},
            "en": {"lists": "Lists", "todo": "To-do", "funnel": "Funnel", "overdue": "Overdue",
                   "settings": "Settings", "account": "My account"}}
ELEMENTS = ("title", "header", "subheader", "caption", "markdown", "button", "metric",
            "text_input", "text_area", "selectbox", "multiselect", "radio", "checkbox",
            "toggle", "number_input", "date_input", "time_input", "info", "warning", "error",
            "success", "expander", "tabs")


def english_only() -> set[str]:
    """The English message ids whose German is different: on a German page, each is a leftover."""
    found = set()
    for path in i18n.catalog_files("de"):
        with path.open("rb") as source:
            for message in read_po(source, locale="de"):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (
                    message.string,)
                for english, german in zip(ids, strings, strict=False):
                    if english and german and english != german and "{" not in english \
                            and len(english) > 3:
                        found.add(english)
    return found


def texts(at) -> list[str]:
    """What the page shows as text: every element's label, value and body."""
    shown = []
    for kind in ELEMENTS:
        for element in getattr(at, kind):
            for attribute in ("label", "value", "body"):
                value = getattr(element, attribute, None)
                if isinstance(value, str) and value:
                    shown.append(value)
    return shown


def plain(text: str) -> str:
    """Markdown emphasis and escapes dropped: "**Next step**" reads "Next step"."""
    return re.sub(r"[*_`\\]", "", text).strip()


@pytest.fixture(scope="module")
def leftovers() -> set[str]:
    return {plain(text) for text in english_only()}


def opened(demo_path, monkeypatch, page: str, locale: str):
    with cursor(demo_path) as cur:
        user = users.by_email(cur, PAGES[page])
        query = {}
        if page == "lead":
            query["lead"] = cur.execute(
                "SELECT min(id) FROM leads WHERE owner_id = ? AND status = 'todo'",
                [user.id]).fetchone()[0]
    return open_page(demo_path, page, monkeypatch, acting=user.id, locale=locale, **query)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_reads_german_in_a_german_browser(demo_path, monkeypatch, leftovers, page):
    at = opened(demo_path, monkeypatch, page, "de-DE")
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    if page in HEADINGS["de"]:
        assert HEADINGS["de"][page] in [t.value for t in at.title], page
    english = sorted({text for text in shown if plain(text) in leftovers})
    assert not english, f"{page} shows English: {english[:20]}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_reads_english_in_an_english_browser(demo_path, monkeypatch, page):
    at = opened(demo_path, monkeypatch, page, "en-US")
    assert not at.exception, [e.value for e in at.exception]
    if page in HEADINGS["en"]:
        assert HEADINGS["en"][page] in [t.value for t in at.title], page
    assert "Abmelden" not in [b.label for b in at.sidebar.button]
