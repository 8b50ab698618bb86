"""The words and formats a person reads, in their language: English or German.

The English text in the code is the message id; the German catalogs are gettext ``.po`` files
under ``lib/locale/de/LC_MESSAGES/``, read directly (no compiled files in the repository).
The language is looked up per script run (a context variable), never installed process-wide,
so two people on one server each read their own language. Module-level wording is marked
with ``N_`` and translated where it is shown, with ``_``.

Dates, times, numbers and amounts go through Babel with one pattern per use and language
(``FORMATS``): German follows DIN 5008 (03.12.2026, 14:00, 32.000 €, 44,9 %).
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
_BABEL_LOCALES = {"en": "en", "de": "de_DE"}
_current: ContextVar[str] = ContextVar("language", default=DEFAULT)

# Babel (CLDR) patterns, one per use: "date" for a day in running text and tables,
# "weekday_day" for a day this year ("Thu 4 Dec" / "Do., 04.12."), …
FORMATS: dict[str, dict[str, str]] = {
    "date": {"en": "yyyy-MM-dd", "de": "dd.MM.yyyy"},
    "day_month_year": {"en": "d MMM yyyy", "de": "dd.MM.yyyy"},
    "long_date": {"en": "EEEE dd MMMM yyyy", "de": "EEEE, d. MMMM yyyy"},
    "weekday_day": {"en": "EEE d MMM", "de": "EEE, dd.MM."},
    "weekday_day_year": {"en": "EEE d MMM yyyy", "de": "EEE, dd.MM.yyyy"},
    "due_day": {"en": "EEE dd MMM", "de": "EEE, dd.MM."},
    "due_day_year": {"en": "EEE dd MMM yyyy", "de": "EEE, dd.MM.yyyy"},
    "period_day": {"en": "dd MMM yyyy", "de": "dd.MM.yyyy"},
    "moment": {"en": "yyyy-MM-dd HH:mm", "de": "dd.MM.yyyy HH:mm"},
    "time": {"en": "HH:mm", "de": "HH:mm"},
}
# The same uses as Streamlit's column formats (moment.js patterns, shown by the browser in
# English words, so German uses digits only) and its date inputs.
COLUMN_FORMATS: dict[str, dict[str, str]] = {
    "date": {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"},
    "day_month_year": {"en": "D MMM YYYY", "de": "DD.MM.YYYY"},
    "weekday_day": {"en": "ddd D MMM", "de": "DD.MM."},
    "moment": {"en": "YYYY-MM-DD HH:mm", "de": "DD.MM.YYYY HH:mm"},
    "short_moment": {"en": "D MMM HH:mm", "de": "DD.MM. HH:mm"},
    "moment_seconds": {"en": "YYYY-MM-DD HH:mm:ss", "de": "DD.MM.YYYY HH:mm:ss"},
}
DATE_INPUT_FORMAT = {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"}
_MONEY = {"en": ("¤#,##0", "¤#,##0.00"), "de": ("#,##0\u00a0¤", "#,##0.00\u00a0¤")}
_PERCENT = {"en": "#,##0.#%", "de": "#,##0.#\u00a0%"}


def language() -> str:
    """The language of this script run (or command): "en" or "de"."""
    return _current.get()


def set_language(code: str | None) -> None:
    """Use ``code`` for the rest of this script run; anything unknown means English."""
    _current.set(code if code in LANGUAGES else DEFAULT)


@contextmanager
def using(code: str | None) -> Iterator[None]:
    """``code`` within the block only (a test, a calendar feed for its owner, a CLI hand-over)."""
    token = _current.set(code if code in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def from_locale(locale: str | None) -> str | None:
    """"de-DE", "de_AT.UTF-8", "de" → "de"; None when it names no language we have."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].split(".")[0].lower()
    return code if code in LANGUAGES else None


def choose(preference: str | None, browser_locale: str | None) -> str:
    """A user's own choice first, else the browser's language, else English."""
    return (preference if preference in LANGUAGES else None) or from_locale(
        browser_locale) or DEFAULT


def from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The command line's language, from the variables gettext reads (LANGUAGE first)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in environ.get(name, "").split(":"):
            if code := from_locale(part):
                return code
    return DEFAULT


def catalog_files(code: str) -> list[Path]:
    """Every catalog file of a language (one per screen area), in a fixed order."""
    return sorted((LOCALE_DIR / code / "LC_MESSAGES").glob("*.po"))


@cache
def _translations(code: str) -> gettext.NullTranslations:
    """The catalogs of ``code`` merged and compiled in memory (fuzzy entries left out)."""
    files = catalog_files(code)
    if not files:
        return gettext.NullTranslations()
    merged = None
    for path in files:
        with path.open("rb") as source:
            catalog = read_po(source, locale=code)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and merged.get(message.id, message.context) is None:
                merged[message.id] = message
    compiled = io.BytesIO()
    write_mo(compiled, merged)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translations(language()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "translate where shown")
    """Marks wording kept in a constant; ``_`` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural wording for ``count``, in the current language."""
    return _translations(language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """``message`` where one English word needs two German ones (``context`` tells them apart)."""
    return _translations(language()).pgettext(context, message)


def babel_locale() -> str:
    return _BABEL_LOCALES[language()]


def day(value: date | datetime, use: str = "date") -> str:
    """A day in the pattern of ``use`` (see FORMATS): 03.12.2026 / 2026-12-03."""
    return format_date(value, FORMATS[use][language()], locale=babel_locale())


def moment(value: datetime, use: str = "moment") -> str:
    """A day with its time: 03.12.2026 14:00 / 2026-12-03 14:00."""
    return format_datetime(value, FORMATS[use][language()], locale=babel_locale())


def clock(value: time | datetime) -> str:
    """A time of day, 24-hour in both languages: 14:00."""
    return format_time(value, FORMATS["time"][language()], locale=babel_locale())


def number(value: float | int, digits: int | None = None) -> str:
    """1.234.567 / 1,234,567; ``digits`` fixes the decimals shown."""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=babel_locale())


def money(amount: float | int, currency: str = "EUR") -> str:
    """32.000 € / €32,000; cents only when there are some."""
    whole, cents = _MONEY[language()]
    pattern = whole if float(amount).is_integer() else cents
    return format_currency(amount, currency, pattern, locale=babel_locale(),
                           currency_digits=False)


def percent(share: float, digits: int | None = None) -> str:
    """44,9 % / 44.9%: a share (0.449) with at most one decimal; ``digits`` fixes the
    decimals shown (12.0%)."""
    pattern = _PERCENT[language()]
    if digits is not None:
        pattern = pattern.replace("#,##0.#", "#,##0" + ("." + "0" * digits if digits else ""))
    return format_percent(share, pattern, locale=babel_locale())


def column_format(use: str) -> str:
    """A Streamlit date/datetime column's format for ``use`` (see COLUMN_FORMATS)."""
    return COLUMN_FORMATS[use][language()]


def date_input_format() -> str:
    """The format of a date input: DD.MM.YYYY in German."""
    return DATE_INPUT_FORMAT[language()]


def translated(texts: Mapping[Any, str]) -> dict[Any, str]:
    """A table of ``N_``-marked wording (statuses, kinds, …) in the current language."""
    return {key: _(text) for key, text in texts.items()}
