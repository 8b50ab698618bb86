"""Calendars: a rep's open next steps as an .ics file and as a subscription feed.

Each open lead is one event with the UID ``lead-{id}@leadladder``: its next step changes, the
event keeps its UID and its SEQUENCE goes up, so importing again (or the calendar app polling the
feed) updates the event instead of adding a second one. A closed lead's event leaves the feed.
Nothing in the file depends on the clock, so two exports of unchanged data are identical.

The feed is a plain Starlette route (mounted beside the Streamlit app by serve.py); its URL
carries a per-user secret token (192 random bits) that can be replaced or revoked. Only its
SHA-256 is stored, compared in constant time; the address is shown once, when it is made. A
wrong or revoked token, or a deactivated user's, gets a bare 404. The feed holds what its owner
may see now (``lib.access``), nothing more. It is written in its owner's language (their
preference, else the calendar app's Accept-Language), as the download is in the session's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lib import access, i18n, leads, schedule, settings
from lib.db import Connection, scalar, transaction
from lib.errors import InvalidInput
from lib.i18n import N_, _
from lib.store import users as users_store

TIMED_MINUTES = 15
ALL_DAY_ALARM = timedelta(hours=9)
PRODID = "-//leadladder//next steps//EN"
FEED_PATH = "/calendar/{token}.ics"
TYPE_LABELS = {"call": N_("Call"), "email": N_("E-mail"), "meeting": N_("Meeting"),
               "task": N_("Task")}
TOKEN_BYTES = 24  # 192 bits

_NEXT_STEPS_SQL = """
    -- SEQUENCE: how often the event changed since the conversion (whose entry is version 0).
    WITH changes AS (
        SELECT lead_id, count(*) AS n, max(happened_at) AS last_at FROM history
        WHERE kind IN ('next_step', 'lead_edit', 'lead_status')
            AND lead_id IN (SELECT id FROM leads WHERE owner_id = ?)
        GROUP BY lead_id
    )
    SELECT l.id, l.title, l.next_type, l.next_due_date, l.next_due_time, l.next_duration_min,
        l.next_note, p.email, p.phone, p.mobile,
        CASE WHEN c.n > 1 THEN c.n - 1 ELSE 0 END AS sequence,
        coalesce(c.last_at, l.created_at) AS modified, l.created_at
    FROM leads l JOIN people p ON p.id = l.person_id
    LEFT JOIN changes c ON c.lead_id = l.id
    WHERE l.owner_id = ? AND l.status IN ('todo', 'standby') AND {visible}
    ORDER BY l.next_due_date, l.next_due_time NULLS LAST, l.id
"""


def file_name(user_name: str) -> str:
    """The download's name: "leadladder-anna-schmidt.ics"."""
    slug = re.sub(r"[^a-z0-9]+", "-", user_name.lower()).strip("-")
    return f"leadladder-{slug}.ics"


def event_count(db: Connection, user_id: int, *, viewer: access.Viewer) -> int:
    """How many events the user's calendar holds: one per open lead, as the to-do counts."""
    return sum(leads.todo_counts(db, viewer=viewer, user_id=user_id).values())


def ics_for_user(db: Connection, user_id: int, *, viewer: access.Viewer) -> bytes:
    """The user's open next steps as an iCalendar file (one event per open lead), of the leads
    the viewer may see (the feed's viewer is its owner)."""
    zone = schedule.app_zone(db)
    alarm = timedelta(minutes=int(settings.get(db, "alarm_minutes")))
    name = scalar(db, "SELECT name FROM users WHERE id = ?", [user_id]) or f"user {user_id}"
    calendar = icalendar.Calendar()
    for key, value in (("prodid", PRODID), ("version", "2.0"), ("calscale", "GREGORIAN"),
                       ("x-wr-calname", f"leadladder — {name}"), ("x-wr-timezone", zone.key)):
        calendar.add(key, value)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    columns = ("id", "title", "type", "due_date", "due_time", "duration", "note", "email",
               "phone", "mobile", "sequence", "modified", "created")
    visible, params = access.leads_clause(viewer, "l")
    steps = db.execute(_NEXT_STEPS_SQL.format(visible=visible), [user_id, user_id, *params])
    for row in steps.fetchall():
        calendar.add_component(_event(dict(zip(columns, row, strict=True)), zone, alarm))
    if calendar.walk("VEVENT"):
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _utc(naive: datetime) -> datetime:
    return naive.replace(tzinfo=UTC)


def _event(step: dict[str, Any], zone: tzinfo, alarm: timedelta) -> icalendar.Event:
    """A meeting lasts its duration, other timed steps 15 minutes; no time = an all-day event."""
    event = icalendar.Event()
    event.add("uid", f"lead-{step['id']}@leadladder")
    event.add("summary", _summary(step))
    event.add("sequence", int(step["sequence"]))
    event.add("dtstamp", _utc(step["modified"]))
    event.add("last-modified", _utc(step["modified"]))
    event.add("created", _utc(step["created"]))
    for key, value in _when(step, zone).items():
        event.add(key, value)
    if description := _description(step):
        event.add("description", description)
    event.add_component(_alarm(step, alarm))
    return event


def _when(step: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    day: date = step["due_date"]
    if step["due_time"] is None:
        return {"dtstart": day, "dtend": day + timedelta(days=1), "transp": "TRANSPARENT"}
    minutes = step["duration"] or TIMED_MINUTES
    start = datetime.combine(day, step["due_time"], tzinfo=zone)
    return {"dtstart": start, "duration": timedelta(minutes=minutes)}


def _summary(step: dict[str, Any]) -> str:
    """ "Call: Firma — Max" / "Anruf: Firma — Max"."""
    return _("{kind}: {title}").format(kind=_(TYPE_LABELS[step["type"]]), title=step["title"])


def _description(step: dict[str, Any]) -> str:
    contact = [f"{label}: {step[key]}" for key, label in
               (("phone", _("Phone")), ("mobile", _("Mobile")), ("email", _("E-mail")))
               if step[key]]
    return "\n".join(filter(None, (step["note"], *contact)))


def _alarm(step: dict[str, Any], before: timedelta) -> icalendar.Alarm:
    """Minutes before a timed step; on the morning (09:00) of an all-day one."""
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _summary(step))
    alarm.add("trigger", ALL_DAY_ALARM if step["due_time"] is None else -before)
    return alarm


# --- the subscription feed -----------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a feed token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction
def issue_token(db: Connection, user_id: int) -> str:
    """A new secret feed token for the user, returned once (only its hash is kept); the old
    one stops working at once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    if not users_store.set_calendar_token(db, user_id, token_hash(token)):
        raise InvalidInput(_("there is no active user {id}").format(id=user_id))
    return token


@transaction
def revoke_token(db: Connection, user_id: int) -> None:
    """The user's feed URL stops working (a bare 404) until a new token is issued."""
    users_store.set_calendar_token(db, user_id, None)


def has_feed(db: Connection, user_id: int) -> bool:
    """Whether the user has a working subscription address (it cannot be shown again)."""
    return scalar(db, "SELECT calendar_token_hash FROM users WHERE id = ?", [user_id]) is not None


def user_for_token(db: Connection, token: str | None) -> int | None:
    """The active user a feed token belongs to, or None.

    Every active user's stored hash is compared, each in constant time and without stopping
    at a match, so the answer takes as long for a near miss as for a wild guess.
    """
    if not token:
        return None
    wanted = token_hash(token)
    found = None
    for user_id, stored in db.execute(
            "SELECT id, calendar_token_hash FROM users WHERE active"
            " AND calendar_token_hash IS NOT NULL").fetchall():
        if hmac.compare_digest(stored.encode("ascii"), wanted.encode("ascii")):
            found = int(user_id)
    return found


def feed_language(db: Connection, user_id: int, accept_language: str | None = None) -> str:
    """The language a feed is written in: its owner's choice, else the calendar app's."""
    chosen = scalar(db, "SELECT language FROM users WHERE id = ?", [user_id])
    return i18n.choose(chosen, accept_language)


def feed_for_user(db: Connection, user_id: int, *, viewer: access.Viewer,
                  accept_language: str | None = None) -> bytes:
    """What the feed serves: the owner's calendar, of what the viewer (the owner) may see, in
    the owner's language."""
    with i18n.using(feed_language(db, user_id, accept_language)):
        return ics_for_user(db, user_id, viewer=viewer)


def feed_route(get_cursor: Callable[[], Connection]) -> Route:
    """``GET /calendar/{token}.ics``: the token owner's calendar, or a bare 404.

    ``get_cursor`` returns a NEW cursor of the app's connection for each request; the handler
    closes it. The handler is synchronous, so Starlette runs it in its thread pool.
    """

    def feed(request: Request) -> Response:
        with closing(get_cursor()) as db:
            user_id = user_for_token(db, request.path_params["token"])
            if user_id is None:
                return Response(status_code=404)
            body = feed_for_user(db, user_id, viewer=access.viewer_of(db, user_id),
                                 accept_language=request.headers.get("accept-language"))
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={"Cache-Control": "private, no-cache"})

    return Route(FEED_PATH, feed, methods=["GET"])
