"""The language of a run and the formats of each language (lib/i18n.py), and how the app
chooses a language per session: the user's choice, else the browser's, else English."""

import threading
from datetime import date, datetime, time

import pytest

from lib import i18n, users
from lib.i18n import _, ngettext
from tests.apptest import cursor, open_app

DAY = date(2026, 12, 3)
MOMENT = datetime(2026, 12, 3, 14, 5)


def test_english_is_the_default_and_german_is_looked_up():
    assert i18n.language() == "en"
    assert _("Log out") == "Log out"
    with i18n.using("de"):
        assert _("Log out") == "Abmelden"
        assert i18n.language() == "de"
    assert _("Log out") == "Log out"


def test_an_unknown_language_means_english():
    with i18n.using("fr"):
        assert i18n.language() == "en" and _("Log out") == "Log out"


def test_an_unknown_message_stays_english_in_german():
    with i18n.using("de"):
        assert _("not a message of leadladder") == "not a message of leadladder"
        assert ngettext("{count} apple", "{count} apples", 2) == "{count} apples"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["2026-12-03", "3 Dec 2026", "Thu 3 Dec", "Thursday 03 December 2026",
            "2026-12-03 14:05", "14:05"]),
    ("de", ["03.12.2026", "03.12.2026", "Do., 03.12.", "Donnerstag, 3. Dezember 2026",
            "03.12.2026 14:05", "14:05"]),
])
def test_dates_and_times_follow_the_language(language, expected):
    with i18n.using(language):
        assert [i18n.day(DAY), i18n.day(DAY, "day_month_year"), i18n.day(DAY, "weekday_day"),
                i18n.day(DAY, "long_date"), i18n.moment(MOMENT), i18n.clock(time(14, 5))
                ] == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["€32,000", "€1,250.50", "1,234,567", "44.9%", "50%", "3.14"]),
    ("de", ["32.000\u00a0€", "1.250,50\u00a0€", "1.234.567", "44,9\u00a0%", "50\u00a0%",
            "3,14"]),
])
def test_numbers_and_amounts_follow_the_language(language, expected):
    with i18n.using(language):
        assert [i18n.money(32000), i18n.money(1250.5), i18n.number(1234567),
                i18n.percent(0.449), i18n.percent(0.5), i18n.number(3.14159, 2)] == expected


def test_column_and_input_formats_follow_the_language():
    with i18n.using("de"):
        assert (i18n.column_format("moment"), i18n.date_input_format()) == (
            "DD.MM.YYYY HH:mm", "DD.MM.YYYY")
    assert (i18n.column_format("moment"), i18n.date_input_format()) == (
        "YYYY-MM-DD HH:mm", "YYYY-MM-DD")


@pytest.mark.parametrize(("preference", "browser", "expected"), [
    ("de", "en-US", "de"), ("en", "de-DE", "en"), (None, "de-DE", "de"), (None, "de", "de"),
    (None, "de_AT", "de"), (None, "fr-FR", "en"), (None, None, "en"), ("xx", "de-CH", "de"),
])
def test_the_users_choice_comes_first_then_the_browser_then_english(preference, browser,
                                                                    expected):
    assert i18n.choose(preference, browser) == expected


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "de_DE.UTF-8"}, "de"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"LANGUAGE": "fr:de", "LANG": "en_US.UTF-8"}, "de"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
])
def test_the_command_line_reads_the_gettext_variables(environ, expected):
    assert i18n.from_environment(environ) == expected


def test_two_threads_each_keep_their_own_language():
    """As two browser sessions do: each script run sets its own, none leaks to the other."""
    barrier, seen = threading.Barrier(2), {}

    def session(code: str) -> None:
        i18n.set_language(code)
        barrier.wait()
        seen[code] = [_("Log out") for _round in range(200)]

    threads = [threading.Thread(target=session, args=(code,)) for code in ("de", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(seen["de"]) == {"Abmelden"} and set(seen["en"]) == {"Log out"}
    assert i18n.language() == "en"


def sidebar_words(at) -> set[str]:
    return {t.value for t in at.sidebar.caption} | {b.label for b in at.sidebar.button}


def test_a_user_who_never_chose_reads_the_browsers_language(demo_path, monkeypatch):
    at = open_app(demo_path, monkeypatch, locale="de-DE")
    assert {"Angemeldet als", "Abmelden"} <= sidebar_words(at)
    english = open_app(demo_path, monkeypatch, locale="en-US")
    assert {"Logged in as", "Log out"} <= sidebar_words(english)


def test_the_users_choice_beats_the_browser_and_is_stored(demo_path, monkeypatch):
    at = open_app(demo_path, monkeypatch, locale="en-US")
    assert "Log out" in sidebar_words(at)
    at.sidebar.selectbox(key="profile_language").select("de").run()
    assert "Abmelden" in sidebar_words(at)
    with cursor(demo_path) as cur:
        admin = users.first_admin(cur)
        assert admin.language == "de"
    again = open_app(demo_path, monkeypatch, locale="en-US")  # another browser, same user
    assert "Abmelden" in sidebar_words(again)
    again.sidebar.selectbox(key="profile_language").select("browser").run()
    assert "Log out" in sidebar_words(again)
    with cursor(demo_path) as cur:
        assert users.first_admin(cur).language is None


def test_two_sessions_on_one_server_each_read_their_own_language(demo_path, monkeypatch):
    german = open_app(demo_path, monkeypatch, locale="de-DE")
    english = open_app(demo_path, monkeypatch, locale="en-US")
    for _round in range(2):
        german.run()
        english.run()
        assert "Abmelden" in sidebar_words(german) and "Log out" not in sidebar_words(german)
        assert "Log out" in sidebar_words(english) and "Abmelden" not in sidebar_words(english)
