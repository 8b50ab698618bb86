"""German and English in Chromium: a browser set to German (de-DE) gets the login page, the
to-do, the pipeline, the funnel and the overdue page in German, with German dates, amounts and
percentages; one set to English (en-US) gets them in English. The users never chose a
language, so the browser's decides."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from lib import db
from tests.e2e.conftest import RunningApp, demo_password, start_app, wait_for_app
from tests.e2e.test_manager_browser import with_overdue_steps

ANNA = "anna.schmidt@leadladder.example"
CLARA = "clara.weber@leadladder.example"
GERMAN_DAY = re.compile(r"\b\d{2}\.\d{2}\.(\d{4})?")
GERMAN_AMOUNT = re.compile(r"\b\d{1,3}(\.\d{3})*(,\d{2})?\s€")
GERMAN_PERCENT = re.compile(r"\b\d{1,3}(,\d)?\s%")
GERMAN_WEEKDAY = re.compile(r"\b(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag)\b")
ENGLISH_DAY = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul"
                         r"|Aug|Sep|Oct|Nov|Dec)\b")
ENGLISH_AMOUNT = re.compile(r"€\d{1,3}(,\d{3})*(\.\d{2})?\b")
ENGLISH_PERCENT = re.compile(r"\b\d{1,3}(\.\d)?%")
ENGLISH_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")

WORDS = {  # what each page says in each language (page heading and one word of its body)
    "de": {"todo": ["Aufgaben", "Letzte Aktion", "Überfällig"],
           "pipeline": ["Pipeline", "Verantwortlich", "gewichtet"],
           "funnel": ["Trichter", "Jede Zahl zählt", "Kriterien, die Leads vorhersagen"],
           "overdue": ["Überfällig", "Diese Woche zurück aus der Wiedervorlage"]},
    "en": {"todo": ["To-do", "Last action", "Overdue"],
           "pipeline": ["Pipeline", "Owner", "weighted"],
           "funnel": ["Funnel", "Every number counts", "Criteria that predict leads"],
           "overdue": ["Overdue", "Back from standby this week"]},
}
CHARTED = {"funnel"}
NOT = {"de": ["Log out", "Last action", "Open leads", "open leads", "Overdue", "Funnel",
              "Upcoming", "days ago"],
       "en": ["Abmelden", "Letzte Aktion", "Offene Leads", "Überfällig", "Trichter"]}


@pytest.fixture
def app(demo_path: Path) -> Iterator[RunningApp]:
    """The demo with an overdue step for each rep (written before the app holds the file)."""
    conn = db.connect(demo_path)
    with_overdue_steps(conn.cursor())
    conn.close()
    running = start_app(demo_path)
    yield running
    running.stop()


def tab(browser: Browser, locale: str) -> Page:
    context = browser.new_context(viewport={"width": 1600, "height": 1400}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def log_in(page: Page, app: RunningApp, email: str, *, german: bool, path: str) -> None:
    """The login form in the browser's language."""
    page.goto(f"{app.url}/{path}")
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="E-Mail" if german else "E-mail").fill(email)
    form.get_by_role("textbox", name="Passwort" if german else "Password", exact=True).fill(
        demo_password(email))
    form.get_by_role("button", name="Anmelden" if german else "Log in").click()
    page.get_by_role("button", name="Abmelden" if german else "Log out").wait_for()
    wait_for_app(page)


def main_text(page: Page, path: str, app: RunningApp, language: str) -> str:
    """The page's text once its last part (the last of its WORDS) is on screen."""
    page.goto(f"{app.url}/{path}")
    main = page.get_by_test_id("stMain")
    main.get_by_text(WORDS[language][path][-1]).first.wait_for()
    wait_for_app(page)
    if path in CHARTED:  # charts draw after the run, their numbers last
        main.locator(".js-plotly-plot text").filter(has_text="%").first.wait_for()
    drawn = main.locator(".js-plotly-plot text").all_text_contents()  # SVG: not in innerText
    metrics = main.get_by_test_id("stMetric").all_text_contents()
    return "\n".join([main.inner_text(), *metrics, *drawn])


def check_words(text: str, language: str, path: str) -> None:
    for word in WORDS[language][path]:
        assert word in text, f"{path}: {word!r} missing"
    for word in NOT[language]:
        assert not re.search(rf"\b{re.escape(word)}\b", text), f"{path}: {word!r} shown"


def test_a_browser_set_to_german_gets_german_words_dates_and_amounts(browser: Browser, app):
    page = tab(browser, "de-DE")
    page.goto(app.url)
    expect(page.get_by_role("heading", name="Bei leadladder anmelden")).to_be_visible()
    log_in(page, app, ANNA, german=True, path="todo")
    todo = main_text(page, "todo", app, "de")
    check_words(todo, "de", "todo")
    assert GERMAN_DAY.search(todo) and not ENGLISH_DAY.search(todo)
    pipeline = main_text(page, "pipeline", app, "de")
    check_words(pipeline, "de", "pipeline")
    assert GERMAN_AMOUNT.search(pipeline) and not ENGLISH_AMOUNT.search(pipeline)

    clara = tab(browser, "de-DE")
    log_in(clara, app, CLARA, german=True, path="funnel")
    funnel = main_text(clara, "funnel", app, "de")
    check_words(funnel, "de", "funnel")
    assert GERMAN_PERCENT.search(funnel) and not ENGLISH_PERCENT.search(funnel)
    overdue = main_text(clara, "overdue", app, "de")
    check_words(overdue, "de", "overdue")
    assert GERMAN_WEEKDAY.search(overdue) and not ENGLISH_WEEKDAY.search(overdue)
    with clara.expect_download() as download:
        clara.locator(".st-key-overdue_leads_download_csv button").click()
    header = next(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert "Verantwortlich" in header and "owner" not in header


def test_a_browser_set_to_english_gets_english(browser: Browser, app):
    page = tab(browser, "en-US")
    log_in(page, app, ANNA, german=False, path="todo")
    todo = main_text(page, "todo", app, "en")
    check_words(todo, "en", "todo")
    assert ENGLISH_DAY.search(todo) or "tomorrow" in todo or "today" in todo
    assert not GERMAN_DAY.search(todo)
    pipeline = main_text(page, "pipeline", app, "en")
    check_words(pipeline, "en", "pipeline")
    assert ENGLISH_AMOUNT.search(pipeline) and not GERMAN_AMOUNT.search(pipeline)

    clara = tab(browser, "en-US")
    log_in(clara, app, CLARA, german=False, path="funnel")
    funnel = main_text(clara, "funnel", app, "en")
    check_words(funnel, "en", "funnel")
    assert ENGLISH_PERCENT.search(funnel) and not GERMAN_PERCENT.search(funnel), funnel
    overdue = main_text(clara, "overdue", app, "en")
    check_words(overdue, "en", "overdue")
    assert ENGLISH_WEEKDAY.search(overdue)
    with clara.expect_download() as download:
        clara.locator(".st-key-overdue_leads_download_csv button").click()
    header = next(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert "Owner" in header
