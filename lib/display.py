"""How stored values read on screen: money, days, badges, markdown-safe text, local times.

Plain functions, so every page says "tomorrow", "€12,000" or "🟢 lead" the same way and a unit
test can pin each wording down without a browser.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any

import pandas as pd

from lib import schedule
from lib.db import Connection

CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
NEXT_LABELS = {"call": "📞 Call", "email": "✉️ E-mail", "meeting": "🤝 Meeting", "task": "☑️ Task"}
GROUP_COLORS = {"overdue": "red", "today": "orange", "upcoming": "blue", "later": "gray",
                "standby": "violet"}
STATUS_BADGES = {"suspect": "⚪ suspect", "prospect": "🟡 prospect", "lead": "🟢 lead",
                 "dead": "⚫ dead"}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~$])")


def given(value: Any) -> Any:
    """None for the blanks a DataFrame row holds (None, NaN, NaT, <NA>), else the value."""
    return None if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else value


def md(text: Any) -> str:
    """Text shown inside markdown as it is (a company called "*Best*" stays literal)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def money(amount: Any, currency: Any = "EUR") -> str:
    """€12,000 or 1,250.50 CHF; a dash when there is no amount."""
    if given(amount) is None:
        return "—"
    value = float(amount)
    number = f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    sign = CURRENCY_SIGNS.get(str(currency))
    return f"{sign}{number}" if sign else f"{number} {currency}"


def day_text(day: Any, today: date) -> str:
    """yesterday, today, tomorrow, or "Thu 4 Dec" (with the year when it is another year)."""
    day = pd.Timestamp(day).date()
    offset = (day - today).days
    if -1 <= offset <= 1:
        return ("yesterday", "today", "tomorrow")[offset + 1]
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def due_text(day: Any, at: Any, today: date) -> str:
    """A due moment in a table, like "Mon 16 Nov 14:00": the year only when it is not this one
    (tables sort and compare better without "tomorrow")."""
    day = pd.Timestamp(day)
    text = day.strftime("%a %d %b" if day.year == today.year else "%a %d %b %Y")
    return text if given(at) is None else f"{text} {at:%H:%M}"


def next_step_text(kind: str, day: Any, at: Any, today: date) -> str:
    """'📞 Call · tomorrow 10:00'."""
    at = given(at)
    return f"{NEXT_LABELS[kind]} · {day_text(day, today)}" + (f" {at:%H:%M}" if at else "")


def moment_text(at: Any, zone: tzinfo, today: date) -> str:
    """A stored (UTC) timestamp in the app's time zone: "yesterday 14:24", "Thu 6 Nov 09:05"."""
    local = pd.Timestamp(at).tz_localize("UTC").tz_convert(zone)
    return f"{day_text(local.date(), today)} {local:%H:%M}"


def since_text(days: Any) -> str:
    """How long ago the last action was: today, yesterday, 5 days ago."""
    if given(days) is None:
        return "never"
    return {0: "today", 1: "yesterday"}.get(int(days), f"{int(days)} days ago")


def local_times(db: Connection, moments: pd.Series) -> pd.Series:
    """Stored (naive UTC) timestamps as wall-clock time of the app's time zone."""
    utc = pd.to_datetime(moments).astype("datetime64[us]").dt.tz_localize("UTC")
    return utc.dt.tz_convert(schedule.app_zone(db)).dt.tz_localize(None)


def badge(group: str) -> str:
    """A coloured markdown badge for a to-do group: overdue red, today orange, …"""
    return f":{GROUP_COLORS[group]}-badge[{schedule.GROUP_LABELS[group]}]"


def status_badge(status: str) -> str:
    """A status with a coloured dot, so the four rungs are told apart at a glance."""
    return STATUS_BADGES.get(status, status)


def status_of_badge(shown: Any) -> str:
    """The status behind a badge as the grid shows it ("🟡 prospect" → prospect)."""
    return next((s for s in STATUS_BADGES if str(shown).endswith(s)), "suspect")


def contact_links(row: Mapping[str, Any]) -> str:
    """E-mail and phone numbers of a lead row as mailto: and tel: links (markdown)."""
    links = []
    if email := given(row.get("email")):
        links.append(f"[{md(email)}](mailto:{email})")
    for key in ("phone", "mobile"):
        if number := given(row.get(key)):
            links.append(f"[{md(number)}](tel:{re.sub(r'[^+0-9]', '', number)})")
    return " · ".join(links)


def page_count(total: int, size: int) -> int:
    """How many pages a pager offers: at least one, even for nothing."""
    return max(1, math.ceil(total / size))


def by_id(frame: pd.DataFrame, column: str = "name") -> dict[int, str]:
    """A picker's options from a frame with an ``id`` column: id → name, in the frame's order."""
    return {int(i): name for i, name in zip(frame["id"], frame[column], strict=True)}
