"""How stored values read on screen: money, days, badges, literal text, local times.

Plain functions, so every page says "tomorrow", "€12,000" or "🟢 lead" the same way (in German
"morgen", "12.000 €", "🟢 Lead") and a unit test can pin each wording down without a browser.
Formats come from ``lib.i18n`` (Babel), in the language of the run.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Mapping
from datetime import date, time, tzinfo
from typing import Any
from urllib.parse import quote

import pandas as pd

from lib import i18n, schedule
from lib.db import Connection
from lib.i18n import N_, _, ngettext

CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
NEXT_LABELS = {"call": N_("📞 Call"), "email": N_("✉️ E-mail"), "meeting": N_("🤝 Meeting"),
               "task": N_("☑️ Task")}
GROUP_COLORS = {"overdue": "red", "today": "orange", "upcoming": "blue", "later": "gray",
                "standby": "violet"}
STATUS_BADGES = {"suspect": N_("⚪ suspect"), "prospect": N_("🟡 prospect"),
                 "lead": N_("🟢 lead"), "dead": N_("⚫ dead")}
# What Markdown, GFM and Streamlit give a meaning to, and only that (so "Saved: 3 rows." stays
# as it is): these characters anywhere; ":" before a letter or "/" (a :directive[…]); and
# what opens a list, a rule or a heading underline at the start of a line. Every one of them
# may be backslash-escaped in CommonMark. ("#" only heads a line: "lead #12" stays.)
_SPECIAL = re.compile(r"[\\`*_\[\]<>|~$&]|:(?=[A-Za-z/])")
_LINE_START = re.compile(r"^([^\S\n]*)([-+=#]|\d{1,9}[.)])", re.MULTILINE)
# Some text is rewritten after parsing, where no backslash reaches: Streamlit's :emoji:,
# :material/icon: and :streamlit: shortcodes and its "--", "->", "<=" … between spaces, and
# GFM's links made of bare "https://…" and "www.…". An invisible WORD JOINER (U+2060) after
# the first character of such a pattern keeps it as typed. (A bare e-mail address may still
# show as a mailto: link of itself: the text is the same, and a copied address stays usable.)
_REWRITTEN = re.compile(r":(?=[\w+-][\w+-]*[:/])|(?<!\S)(?:<->|->|<-|--|>=|<=|~=)(?!\S)"
                        r"|(?i:https?:(?=//)|\bwww(?=\.))")
JOINER = "\u2060"
_LINE_BREAK = re.compile(r"\r\n?|\n")
_EDGE_SPACE = re.compile(r"^[^\S\n]+|[^\S\n]+$", re.MULTILINE)


def given(value: Any) -> Any:
    """None for the blanks a DataFrame row holds (None, NaN, NaT, <NA>), else the value."""
    return None if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else value


class Markdown(str):
    """Markdown meant as such: built here or in lib from fixed wording, with every piece of
    data in it passed through ``literal``. Anything else that reaches the screen is text."""

    __slots__ = ()


def literal(text: Any) -> str:
    """Markdown that shows ``text`` exactly as typed: no link, image, HTML, emphasis, heading,
    list, emoji or colour from data (a company called "*Best*" stays "*Best*").

    Line breaks stay line breaks; spaces at the start or end of a line stay (as character
    references) instead of turning the line into a code block or being dropped.
    """
    lines = _LINE_BREAK.sub("\n", str(text)).rstrip("\n")
    lines = _REWRITTEN.sub(_joined, lines)
    escaped = _SPECIAL.sub(lambda special: "\\" + special.group(), lines)
    escaped = _LINE_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}", escaped)
    return _EDGE_SPACE.sub(_references, escaped).replace("\n", "\\\n")


def _joined(pattern: re.Match[str]) -> str:
    """The joiner after a shortcode's colon or an arrow's first character, or after a link's
    "https:" or "www"."""
    text = pattern.group()
    return text + JOINER if text[-1] in ":wW" else text[0] + JOINER + text[1:]


def _references(spaces: re.Match[str]) -> str:
    """Spaces as numeric references (control characters have none: they stay as they are)."""
    return "".join(c if c < " " and c != "\t" or "\x7f" <= c < "\xa0" else f"&#{ord(c)};"
                   for c in spaces.group())


def markdown(template: str, *values: Any, **named: Any) -> Markdown:
    """``template`` (fixed wording with Markdown) filled with ``values`` shown literally;
    numbers and dates keep their format specs (``{:,}``, ``{:%d %b}``)."""
    return Markdown(template.format(*map(_filled, values),
                                    **{key: _filled(v) for key, v in named.items()}))


def _filled(value: Any) -> Any:
    """A value as ``markdown`` fills it in: numbers and dates as they are (no text from data
    can hide in them), everything else literal."""
    plain = isinstance(value, numbers.Number | date | time) and not isinstance(value, bool)
    return value if plain else literal(value)


def shown(text: Any) -> str:
    """What Streamlit gets for a message: ``Markdown`` as it is, anything else literally.

    The one place every message with data passes through (``ui.say``, ``ui.warn``, …).
    """
    return text if isinstance(text, Markdown) else literal(text)


def chart_text(text: Any) -> str:
    """A label from data as a Plotly chart shows it literally: Plotly reads labels as a small
    HTML (<b>, <a href>, <br>; unknown tags vanish), so ``<`` and ``&`` become references."""
    return html.escape(str(text), quote=False)


def money(amount: Any, currency: Any = "EUR") -> str:
    """€12,000 or 1,250.50 CHF (German: 12.000 €, 1.250,50 CHF); a dash when there is no
    amount."""
    if given(amount) is None:
        return "—"
    value = float(amount)
    if i18n.language() != "en":
        return i18n.money(value, str(currency))
    number = i18n.number(value, 0 if value.is_integer() else 2)
    sign = CURRENCY_SIGNS.get(str(currency))
    return f"{sign}{number}" if sign else f"{number} {currency}"


def relative_days() -> tuple[str, str, str]:
    """Yesterday, today and tomorrow, in the current language."""
    return _("yesterday"), _("today"), _("tomorrow")


def day_text(day: Any, today: date) -> str:
    """yesterday, today, tomorrow, or "Thu 4 Dec" (with the year when it is another year);
    German: gestern, heute, morgen, "Do., 04.12.", "Do., 08.01.2026"."""
    day = pd.Timestamp(day).date()
    offset = (day - today).days
    if -1 <= offset <= 1:
        return relative_days()[offset + 1]
    return i18n.day(day, "weekday_day" if day.year == today.year else "weekday_day_year")


def due_text(day: Any, at: Any, today: date) -> str:
    """A due moment in a table, like "Mon 16 Nov 14:00" (German "Mo., 16.11. 14:00"): the
    year only when it is not this one (tables sort and compare better without "tomorrow")."""
    day = pd.Timestamp(day).date()
    text = i18n.day(day, "due_day" if day.year == today.year else "due_day_year")
    return text if given(at) is None else f"{text} {i18n.clock(at)}"


def next_label(kind: str) -> str:
    """A next step's kind with its icon: "📞 Call" / "📞 Anruf"."""
    return _(NEXT_LABELS[kind])


def next_labels() -> dict[str, str]:
    """Every next-step kind → its label in the current language (for pickers)."""
    return i18n.translated(NEXT_LABELS)


def next_step_text(kind: str, day: Any, at: Any, today: date) -> str:
    """'📞 Call · tomorrow 10:00' / '📞 Anruf · morgen 10:00'."""
    at = given(at)
    return f"{next_label(kind)} · {day_text(day, today)}" + (
        f" {i18n.clock(at)}" if at else "")


def moment_text(at: Any, zone: tzinfo, today: date) -> str:
    """A stored (UTC) timestamp in the app's time zone: "yesterday 14:24", "Thu 6 Nov 09:05"."""
    local = pd.Timestamp(at).tz_localize("UTC").tz_convert(zone)
    return f"{day_text(local.date(), today)} {i18n.clock(local.to_pydatetime())}"


def since_text(days: Any) -> str:
    """How long ago the last action was: today, yesterday, 5 days ago."""
    if given(days) is None:
        return _("never")
    n = int(days)
    if n in (0, 1):
        return (_("today"), _("yesterday"))[n]
    return ngettext("{count} day ago", "{count} days ago", n).format(count=i18n.number(n))


def local_times(db: Connection, moments: pd.Series) -> pd.Series:
    """Stored (naive UTC) timestamps as wall-clock time of the app's time zone."""
    utc = pd.to_datetime(moments).astype("datetime64[us]").dt.tz_localize("UTC")
    return utc.dt.tz_convert(schedule.app_zone(db)).dt.tz_localize(None)


def badge(group: str) -> str:
    """A coloured markdown badge for a to-do group: overdue red, today orange, …"""
    return f":{GROUP_COLORS[group]}-badge[{schedule.group_label(group)}]"


def status_badge(status: str) -> str:
    """A status with a coloured dot, so the four rungs are told apart at a glance."""
    return _(STATUS_BADGES[status]) if status in STATUS_BADGES else status


def status_of_badge(shown: Any) -> str:
    """The status behind a badge as the grid shows it, in the current language or in English
    ("🟡 prospect" or "🟡 Interessent" → prospect)."""
    text = str(shown)
    for status, badge_text in STATUS_BADGES.items():
        if text in (badge_text, _(badge_text)):
            return status
    return next((s for s in STATUS_BADGES if text.endswith(s)), "suspect")


def contact_links(row: Mapping[str, Any]) -> Markdown:
    """E-mail and phone numbers of a lead row as mailto: and tel: links (markdown). The shown
    part is literal, the address percent-encoded: no e-mail can end the link early. A channel
    flagged do not contact (``do_not_contact``: "e-mail, phone") shows as text, without a link."""
    blocked = str(given(row.get("do_not_contact")) or "").split(", ")
    links, no_email, no_call = [], _("do not e-mail"), _("do not call")
    if email := given(row.get("email")):
        links.append(f"{literal(email)} ({no_email})" if "e-mail" in blocked else
                     f"[{literal(email)}](mailto:{quote(str(email), safe='@')})")
    for key in ("phone", "mobile"):
        if number := given(row.get(key)):
            links.append(f"{literal(number)} ({no_call})" if "phone" in blocked else
                         f"[{literal(number)}](tel:{re.sub(r'[^+0-9]', '', str(number))})")
    return Markdown(" · ".join(links))


def page_count(total: int, size: int) -> int:
    """How many pages a pager offers: at least one, even for nothing."""
    return max(1, math.ceil(total / size))


def by_id(frame: pd.DataFrame, column: str = "name") -> dict[int, str]:
    """A picker's options from a frame with an ``id`` column: id → name, in the frame's order."""
    return {int(i): name for i, name in zip(frame["id"], frame[column], strict=True)}
