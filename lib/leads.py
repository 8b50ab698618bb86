"""Leads: conversion, the next step that is never missing, activities, to-do and pipeline.

An open lead (to do or standby) always has a next step and a closed one (won, lost, cancelled)
never has one: the schema's CHECK says so, and every write here keeps it, so no sequence of
calls can break it (a property test drives random sequences). Each write is one transaction
with its history entries. Reads group leads by the effective status and due bucket of
``lib.schedule``, so every page and command agrees on what is overdue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from lib import access, history, i18n, privacy, schedule
from lib import qualification as q
from lib.db import Connection, scalar, transaction, utcnow
from lib.errors import EditConflict, InvalidInput, UserError
from lib.i18n import N_, _
from lib.pipeline import label_sql as step_label_sql
from lib.store import leads as leads_store
from lib.store import people as people_store

NEXT_TYPES = ("call", "email", "meeting", "task")
ACTIVITY_KINDS = ("call", "email", "meeting", "note")
CALL_OUTCOMES = ("reached", "no_answer", "voicemail", "wrong_number")
OPEN = ("todo", "standby")
CLOSED = ("won", "lost", "cancelled")
GROUPS = schedule.GROUPS
LOST_REASONS = (
    "no budget", "no need", "went to a competitor", "too expensive", "bad timing",
    "no decision", "unreachable", "other",
)
CANCEL_REASONS = (
    "duplicate lead", "wrong contact", "not a real opportunity", "by mistake", "other",
)
# How a stored reason (data, English) reads on screen.
REASON_LABELS = {
    "no budget": N_("no budget"), "no need": N_("no need"),
    "went to a competitor": N_("went to a competitor"), "too expensive": N_("too expensive"),
    "bad timing": N_("bad timing"), "no decision": N_("no decision"),
    "unreachable": N_("unreachable"), "other": N_("other"),
    "duplicate lead": N_("duplicate lead"), "wrong contact": N_("wrong contact"),
    "not a real opportunity": N_("not a real opportunity"), "by mistake": N_("by mistake"),
}
OWNER_ROLES = ("rep", "manager", "admin")
MEETING_MINUTES = 30
MAX_AMOUNT = Decimal("999999999999.99")


def _clean(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


# --- what a rep types ----------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """What happens next on an open lead; a meeting lasts 30 minutes unless told otherwise."""

    type: str
    due_date: date
    due_time: time | None = None
    duration_min: int | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.type not in NEXT_TYPES:
            raise InvalidInput(_("the next step is a call, email, meeting or task, not "
                                 "'{kind}'").format(kind=self.type), column=_("next step"))
        if not isinstance(self.due_date, date) or isinstance(self.due_date, datetime):
            raise InvalidInput(_("the next step needs a due date"), column=_("due date"))
        if self.due_time is not None and (
            not isinstance(self.due_time, time) or self.due_time.tzinfo is not None
        ):
            raise InvalidInput(_("the due time is a time of day such as 10:00"),
                               column=_("due time"))
        object.__setattr__(self, "duration_min", _duration(self.type, self.duration_min))
        object.__setattr__(self, "note", _clean(self.note))

    def describe(self) -> str:
        """One line for the history: "meeting 2026-05-04 10:00 (45 min): demo"."""
        when = self.due_date.isoformat()
        if self.due_time is not None:
            when += self.due_time.strftime(" %H:%M")
        length = f" ({self.duration_min} min)" if self.duration_min else ""
        return f"{self.type} {when}{length}" + (f": {self.note}" if self.note else "")


def _duration(kind: str, minutes: object) -> int | None:
    if minutes is None:
        return MEETING_MINUTES if kind == "meeting" else None
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= 1440:
        raise InvalidInput(_("the duration is 1 to 1440 minutes"), column=_("duration"))
    return minutes


@dataclass(frozen=True)
class Activity:
    """Something that happened: a call (with its outcome), an e-mail, a meeting or a note.

    ``happened_at`` is UTC (naive, or aware and converted); None means now.
    """

    kind: str
    text: str | None = None
    outcome: str | None = None
    happened_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in ACTIVITY_KINDS:
            raise InvalidInput(_("an activity is a call, email, meeting or note, not "
                                 "'{kind}'").format(kind=self.kind), column=_("activity"))
        object.__setattr__(self, "text", _clean(self.text))
        self._check_outcome()
        if self.kind == "note" and self.text is None:
            raise InvalidInput(_("a note needs a text"), column=_("text"))
        if self.happened_at is not None:
            at = schedule.as_utc(self.happened_at).replace(tzinfo=None)
            object.__setattr__(self, "happened_at", at)

    def _check_outcome(self) -> None:
        if self.kind == "call" and self.outcome not in CALL_OUTCOMES:
            raise InvalidInput(_("say how the call went: reached, no answer, voicemail or "
                                 "wrong number"), column=_("outcome"))
        if self.kind != "call" and self.outcome is not None:
            raise InvalidInput(_("only a call has an outcome"), column=_("outcome"))


@dataclass(frozen=True)
class ConvertResult:
    lead_id: int
    created: bool
    message: str


# --- reading one lead ----------------------------------------------------------------------

_LEAD_COLUMNS = (
    "id", "person_id", "title", "owner_id", "step_key", "status", "standby_until", "amount",
    "currency", "probability", "expected_close", "tags", "next_type", "next_due_date",
    "next_due_time", "next_duration_min", "next_note",
)


def _lead(db: Connection, lead_id: int) -> dict[str, Any]:
    row = db.execute(
        f"SELECT {', '.join(_LEAD_COLUMNS)} FROM leads WHERE id = ?", [lead_id]
    ).fetchone()
    if row is None:
        raise InvalidInput(_("there is no lead {id}").format(id=lead_id))
    return dict(zip(_LEAD_COLUMNS, row, strict=True))


def _lead_for(db: Connection, lead_id: int, by: int | None, what: str) -> dict[str, Any]:
    """The lead a write changes, after the check every lead write makes: ``by`` may work on
    leads and may see this one (``access.writer``)."""
    lead = _lead(db, lead_id)
    access.writer(db, by, "work_leads", what, lead_id=lead_id)
    return lead


def _open_lead(db: Connection, lead_id: int, by: int | None, what: str) -> dict[str, Any]:
    lead = _lead_for(db, lead_id, by, what)
    if lead["status"] in CLOSED:
        raise UserError(_("“{title}” is already {state}; reopen it first").format(
            title=lead["title"], state=status_word(lead["status"])))
    return lead


def next_step_of(lead: dict[str, Any]) -> NextStep | None:
    """The next step stored on a lead row (None on a closed lead)."""
    if lead["next_type"] is None:
        return None
    return NextStep(lead["next_type"], lead["next_due_date"], lead["next_due_time"],
                    lead["next_duration_min"], lead["next_note"])


def _log(db: Connection, kind: str, lead: dict[str, Any], by: int | None, **entry: Any) -> None:
    history.record(db, kind, user_id=by, person_id=lead["person_id"], lead_id=lead["id"], **entry)


def _today(db: Connection) -> date:
    return schedule.local_today(utcnow(), schedule.app_zone(db))


# --- checks shared by conversion and edits -------------------------------------------------


def _owner(db: Connection, user_id: object) -> int:
    if user_id is None or not scalar(
        db, "SELECT count(*) FROM users WHERE id = ? AND active AND role IN (?, ?, ?)",
        [user_id, *OWNER_ROLES],
    ):
        raise InvalidInput(_("user {id} is not an active rep, manager or admin").format(
            id=user_id), column=_("owner"))
    return int(user_id)  # type: ignore[arg-type]


def _step(db: Connection, step_key: str | None) -> str:
    """The given active step, or the first active one."""
    if step_key is None:
        first = scalar(db, "SELECT key FROM pipeline_steps WHERE active ORDER BY position LIMIT 1")
        if first is None:
            raise UserError(_("there is no active pipeline step"))
        return first
    if not scalar(db, "SELECT count(*) FROM pipeline_steps WHERE key = ? AND active", [step_key]):
        raise InvalidInput(_("there is no active pipeline step '{key}'").format(key=step_key),
                           column=_("step"))
    return step_key


def active_steps(db: Connection) -> dict[str, str]:
    """key → label of the active pipeline steps, in pipeline order (what a lead can move to)."""
    return dict(db.execute(
        f"SELECT s.key, {step_label_sql('s')} FROM pipeline_steps s WHERE s.active"
        " ORDER BY s.position"
    ).fetchall())


def _amount(_db: Connection, value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput(_("'{value}' is not an amount").format(value=value),
                           column=_("amount")) from None
    if not Decimal(0) <= amount <= MAX_AMOUNT:
        raise InvalidInput(_("the amount is 0 or more (and below a trillion)"),
                           column=_("amount"))
    return amount


def _probability(_db: Connection, value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(_("'{value}' is not a whole number").format(value=value),
                           column=_("probability")) from None
    if not 0 <= number <= 100:
        raise InvalidInput(_("the probability is 0 to 100 (%)"), column=_("probability"))
    return number


def _currency(_db: Connection, value: object) -> str:
    code = (_clean(value) or "").upper()
    if len(code) != 3 or not code.isalpha():
        raise InvalidInput(_("the currency is a three-letter code such as EUR"),
                           column=_("currency"))
    return code


def _title(_db: Connection, value: object) -> str:
    title = _clean(value)
    if title is None:
        raise InvalidInput(_("a lead needs a title"), column=_("title"))
    return title


def _close_date(_db: Connection, value: object) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise InvalidInput(_("the expected close is a date"), column=_("expected close"))


def _tags(_db: Connection, value: object) -> str | None:
    """Tags are stored as one comma-separated text ("fair, urgent"), trimmed and unique."""
    if value is None or isinstance(value, str):
        parts = (value or "").split(",")
    elif isinstance(value, list | tuple | set | frozenset):
        parts = [str(part) for part in value]
    else:
        raise InvalidInput(_("tags are a text such as 'fair, urgent' or a list"),
                           column=_("tags"))
    unique = dict.fromkeys(t for t in (_clean(p) for p in parts) if t)
    return ", ".join(unique) or None


EDITABLE: dict[str, Callable[[Connection, object], object]] = {
    "title": _title,
    "owner_id": _owner,
    "amount": _amount,
    "currency": _currency,
    "probability": _probability,
    "expected_close": _close_date,
    "tags": _tags,
}


# --- conversion ----------------------------------------------------------------------------


def _person(db: Connection, person_id: int) -> dict[str, Any]:
    columns = ("company", "first_name", "last_name", "email", "status", "owner_id")
    row = db.execute(
        f"SELECT {', '.join(columns)} FROM people WHERE id = ?", [person_id]
    ).fetchone()
    if row is None:
        raise InvalidInput(_("there is no row {id}").format(id=person_id))
    return dict(zip(columns, row, strict=True))


def default_title(person: dict[str, Any]) -> str:
    """ "company — name", or whichever of the two is known."""
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)
    parts = [p for p in (_clean(person.get("company")), _clean(name)) if p]
    return " — ".join(parts) or person.get("email") or "unnamed"


def _claim(db: Connection, person_id: int) -> None:
    """Write the person's row first, so that two reps converting (or reopening) the same
    person at once conflict in DuckDB: the retry then finds the other's open lead instead of
    adding a second one."""
    people_store.touch(db, person_id, utcnow())


def open_lead_of(db: Connection, person_id: int) -> int | None:
    """The person's open lead, if any (there is at most one)."""
    return scalar(
        db, "SELECT id FROM leads WHERE person_id = ? AND status IN ('todo', 'standby')"
        " ORDER BY id LIMIT 1", [person_id],
    )


@transaction
def convert(
    db: Connection, person_id: int, *, owner_id: int, next_step: NextStep,
    step_key: str | None = None, amount: object = None, note: str | None = None,
    title: str | None = None, by: int | None,
) -> ConvertResult:
    """The (+) action: make a row a lead with an owner, a step and a next step.

    A person who already has an open lead keeps it (nothing is created; the result names it);
    a dead row must be revived first.
    """
    person = _person(db, person_id)
    viewer = access.writer(db, by, "work_leads", N_("convert rows into leads"), person_id=person_id)
    _claim(db, person_id)
    existing = open_lead_of(db, person_id)
    if existing is not None:
        return ConvertResult(existing, False, _(
            "{name} already has an open lead: “{title}”; nothing new was created").format(
            name=default_title(person), title=_lead(db, existing)["title"]))
    if person["status"] == "dead":
        raise UserError(_("{name} is cancelled (dead); revive the row first").format(
            name=default_title(person)))
    if not isinstance(next_step, NextStep):
        raise InvalidInput(_("a lead needs a next step"), column=_("next step"))
    privacy.refuse_blocked(db, person_id, next_step.type)
    owner_id = _owner(db, owner_id)
    access.check_assign(db, viewer, owner_id)
    lead = _insert_lead(db, person_id, owner_id=owner_id,
                        step_key=_step(db, step_key), amount=_amount(db, amount),
                        title=_title(db, title) if title is not None else default_title(person),
                        next_step=next_step, by=by)
    _after_convert(db, lead, person, note, by)
    made = _("Lead “{title}” created").format(title=lead["title"])
    warning = "" if person["status"] == "lead" else " " + _("(the row was a {state})").format(
        state=status_word(person["status"]))
    return ConvertResult(lead["id"], True, made + warning)


def _insert_lead(
    db: Connection, person_id: int, *, owner_id: int, step_key: str, amount: Decimal | None,
    title: str, next_step: NextStep, by: int | None,
) -> dict[str, Any]:
    lead_id = leads_store.insert_lead(
        db, person_id=person_id, title=title, owner_id=owner_id, step_key=step_key,
        amount=amount, created_at=utcnow(), created_by=by, next_type=next_step.type,
        next_due_date=next_step.due_date, next_due_time=next_step.due_time,
        next_duration_min=next_step.duration_min, next_note=next_step.note)
    return _lead(db, lead_id)


def _after_convert(
    db: Connection, lead: dict[str, Any], person: dict[str, Any], note: str | None,
    by: int | None,
) -> None:
    """The person's owner when they had none and the row's status (a converted row is a lead)
    — consequences, so written first: the last action stays the conversion's — then history
    and the optional note."""
    if person["owner_id"] is None:
        people_store.set_owner(db, lead["person_id"], lead["owner_id"], utcnow())
        name = scalar(db, "SELECT name FROM users WHERE id = ?", [lead["owner_id"]])
        history.record(db, "owner", user_id=by, person_id=lead["person_id"], field="owner_id",
                       new=lead["owner_id"], note=f"nobody → {name} (with the new lead)")
    q.recompute_statuses(db, [lead["person_id"]], by=by, note="converted to a lead")
    _log(db, "convert", lead, by, new=lead["title"])
    _log(db, "next_step", lead, by, field="next_step", new=next_step_of(lead).describe())
    if _clean(note):
        _insert_activity(db, lead, Activity("note", note), by)


# --- activities and the next step ----------------------------------------------------------


def _insert_activity(db: Connection, lead: dict[str, Any], activity: Activity,
                     by: int | None) -> int:
    now = utcnow()
    at = activity.happened_at or now
    if at > now:
        raise InvalidInput(_("an activity cannot happen in the future"), column=_("when"))
    return leads_store.insert_activity(
        db, lead_id=lead["id"], person_id=lead["person_id"], kind=activity.kind,
        outcome=activity.outcome, body=activity.text, happened_at=at, user_id=by)


@transaction
def log_activity(db: Connection, lead_id: int, activity: Activity, *, by: int | None) -> int:
    """Record a call, e-mail, meeting or note on a lead (open or closed); returns its id."""
    if not isinstance(activity, Activity):
        raise InvalidInput(_("say what happened"), column=_("activity"))
    return _insert_activity(db, _lead_for(db, lead_id, by, N_("log activities")), activity, by)


@transaction
def log_activity_and_next_step(
    db: Connection, lead_id: int, activity: Activity, next_step: NextStep, *, by: int | None
) -> int:
    """"Called, no answer → call again Thursday 10:00": both or neither. Returns the activity."""
    activity_id = log_activity(db, lead_id, activity, by=by)
    set_next_step(db, lead_id, next_step, by=by)
    return activity_id


def _write_next_step(db: Connection, lead: dict[str, Any], step: NextStep,
                     by: int | None) -> None:
    privacy.refuse_blocked(db, lead["person_id"], step.type)
    leads_store.set_next_step(
        db, lead["id"], next_type=step.type, next_due_date=step.due_date,
        next_due_time=step.due_time, next_duration_min=step.duration_min, next_note=step.note)
    old = next_step_of(lead)
    if old != step:
        _log(db, "next_step", lead, by, field="next_step",
             old=old.describe() if old else None, new=step.describe())


@transaction
def set_next_step(db: Connection, lead_id: int, next_step: NextStep, *, by: int | None) -> None:
    """Replace the next step of an open lead."""
    if not isinstance(next_step, NextStep):
        raise InvalidInput(_("a lead needs a next step"), column=_("next step"))
    _write_next_step(db, _open_lead(db, lead_id, by, N_("plan next steps")), next_step, by)


# --- step and status -----------------------------------------------------------------------


@transaction
def move_step(db: Connection, lead_id: int, step_key: str, *, by: int | None) -> None:
    """Move an open lead to another pipeline step (logged)."""
    lead = _open_lead(db, lead_id, by, N_("move leads"))
    step_key = _step(db, step_key)
    if step_key == lead["step_key"]:
        return
    leads_store.set_step(db, lead_id, step_key)
    _log(db, "lead_step", lead, by, field="step_key", old=lead["step_key"], new=step_key)


def _set_status(db: Connection, lead: dict[str, Any], status: str, by: int | None,
                note: str | None = None, **columns: Any) -> None:
    leads_store.update(db, lead["id"], {"status": status, **columns})
    _log(db, "lead_status", lead, by, field="status", old=lead["status"], new=status, note=note)
    q.recompute_statuses(db, [lead["person_id"]], by=by, note=f"lead {status}")


@transaction
def standby(
    db: Connection, lead_id: int, until: date, next_step: NextStep, *, by: int | None
) -> None:
    """Park an open lead until a date after today; from that date on it reads as to do.

    The next step it comes back with cannot be due before that date.
    """
    lead = _open_lead(db, lead_id, by, N_("park leads"))
    if not isinstance(until, date) or isinstance(until, datetime) or until <= _today(db):
        raise InvalidInput(_("standby needs a date after today"), column=_("until"))
    if not isinstance(next_step, NextStep) or next_step.due_date < until:
        raise InvalidInput(_("the next step is due on or after {day}, when the lead comes back"
                             ).format(day=i18n.day(until)), column=_("next step"))
    _set_status(db, lead, "standby", by, note=f"until {until.isoformat()}", standby_until=until)
    _write_next_step(db, lead, next_step, by)


@transaction
def resume(db: Connection, lead_id: int, *, by: int | None) -> None:
    """Take a lead out of standby before its date; it keeps its next step."""
    lead = _open_lead(db, lead_id, by, N_("resume leads"))
    if lead["status"] != "standby":
        raise UserError(_("“{title}” is not on standby").format(title=lead["title"]))
    _set_status(db, lead, "todo", by, standby_until=None)


_CLEARED = dict.fromkeys(
    ("standby_until", "next_type", "next_due_date", "next_due_time", "next_duration_min",
     "next_note"))


def _close(db: Connection, lead_id: int, status: str, reason: str | None, note: str | None,
           by: int | None) -> None:
    lead = _open_lead(db, lead_id, by, N_("close leads"))
    _set_status(db, lead, status, by, note=", ".join(filter(None, (reason, note))) or None,
                closed_at=utcnow(), close_reason=reason, close_note=note, **_CLEARED)
    _log(db, "next_step", lead, by, field="next_step", old=next_step_of(lead).describe())


def _reason(reason: str, note: str | None, allowed: tuple[str, ...]) -> tuple[str, str | None]:
    note = _clean(note)
    if reason not in allowed:
        raise InvalidInput(_("choose one of: {reasons}").format(
            reasons=", ".join(map(reason_label, allowed))), column=_("reason"))
    if reason == "other" and note is None:
        raise InvalidInput(_("say in the note why, when the reason is 'other'"),
                           column=_("note"))
    return reason, note


@transaction
def won(db: Connection, lead_id: int, note: str | None = None, *, by: int | None) -> None:
    """Close an open lead as won; its next step goes."""
    _close(db, lead_id, "won", None, _clean(note), by)


@transaction
def lost(db: Connection, lead_id: int, reason: str, note: str | None = None, *,
         by: int | None) -> None:
    """Close an open lead as lost, with a reason from LOST_REASONS ("other" needs a note)."""
    _close(db, lead_id, "lost", *_reason(reason, note, LOST_REASONS), by)


@transaction
def cancel(db: Connection, lead_id: int, reason: str, note: str | None = None, *,
           by: int | None) -> None:
    """Cancel an open lead, with a reason from CANCEL_REASONS ("other" needs a note)."""
    _close(db, lead_id, "cancelled", *_reason(reason, note, CANCEL_REASONS), by)


@transaction
def reopen(db: Connection, lead_id: int, next_step: NextStep, *, by: int | None) -> None:
    """Bring a closed lead back to to do; it needs a next step like any open lead."""
    lead = _lead_for(db, lead_id, by, N_("reopen leads"))
    if lead["status"] in OPEN:
        raise UserError(_("“{title}” is open already").format(title=lead["title"]))
    if not isinstance(next_step, NextStep):
        raise InvalidInput(_("a reopened lead needs a next step"), column=_("next step"))
    privacy.refuse_blocked(db, lead["person_id"], next_step.type)
    _claim(db, lead["person_id"])
    if open_lead_of(db, lead["person_id"]) is not None:
        raise UserError(_("this person has another open lead; work on that one"))
    _set_status(
        db, lead, "todo", by, closed_at=None, close_reason=None, close_note=None,
        next_type=next_step.type, next_due_date=next_step.due_date,
        next_due_time=next_step.due_time, next_duration_min=next_step.duration_min,
        next_note=next_step.note,
    )
    _log(db, "next_step", lead, by, field="next_step", new=next_step.describe())


@transaction
def edit(db: Connection, lead_id: int, *, by: int | None,
         seen: Mapping[str, object] | None = None, **changes: object) -> dict[str, Any]:
    """Change fields of EDITABLE (open or closed lead); returns {field: new value} as stored.

    Unchanged values are skipped; each change is one history entry. With ``seen`` (the values
    the form showed), a field someone else changed since is refused, nothing is saved.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(_("cannot be edited: {fields}").format(fields=", ".join(unknown)))
    lead = _lead(db, lead_id)
    viewer = access.writer(db, by, "work_leads", N_("edit leads"), lead_id=lead_id)
    parsed = {name: EDITABLE[name](db, value) for name, value in changes.items()}
    changed = {name: value for name, value in parsed.items() if value != lead[name]}
    if "owner_id" in changed:
        access.check_assign(db, viewer, changed["owner_id"])
    if seen is not None:
        _refuse_stale(db, lead, changed, seen)
    if changed:
        leads_store.update(db, lead_id, changed)
    for name, value in changed.items():
        _log(db, "lead_edit", lead, by, field=name, old=lead[name], new=value)
    return changed


def _refuse_stale(db: Connection, lead: dict[str, Any], changed: Mapping[str, object],
                  seen: Mapping[str, object]) -> None:
    for name in changed:
        if name in seen and EDITABLE[name](db, seen[name]) != lead[name]:
            label = _(FIELD_NAMES[name]) if name in FIELD_NAMES else name.replace("_", " ")
            raise EditConflict(_("{field}: someone changed it to '{value}' since you opened the"
                                 " lead; nothing was saved.").format(
                field=label[:1].upper() + label[1:], value=lead[name]), fresh_value=lead[name])


# --- the last action -----------------------------------------------------------------------

# History kinds that count as an action taken on a lead. For a person (the prospecting list's
# "last action") the qualification work counts too: a row has no other actions before it is
# converted.
LEAD_ACTIONS = ("convert", "lead_step", "lead_status")
PERSON_ACTIONS = (*LEAD_ACTIONS, "tick", "untick", "cancel", "revive")


def _kinds(kinds: tuple[str, ...]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


def last_action_per_lead_sql(leads: str = "leads") -> str:
    """(lead_id, last_action_at) for the leads in relation ``leads`` (a table or CTE name):
    the latest activity, step or status change, or else the conversion itself."""
    return f"""
        SELECT lead_id, max(action_at) AS last_action_at FROM (
            SELECT lead_id, happened_at AS action_at FROM activities
            WHERE lead_id IN (SELECT id FROM {leads})
            UNION ALL
            SELECT lead_id, happened_at FROM history
            WHERE lead_id IN (SELECT id FROM {leads}) AND kind IN ({_kinds(LEAD_ACTIONS)})
            UNION ALL
            SELECT id, created_at FROM {leads}
        ) AS actions GROUP BY lead_id
    """


def last_action_per_person_sql(people: str = "people") -> str:
    """(person_id, last_action_at) for the people in relation ``people``: the same actions,
    plus ticks, cancel and revive."""
    return f"""
        SELECT person_id, max(action_at) AS last_action_at FROM (
            SELECT person_id, happened_at AS action_at FROM activities
            WHERE person_id IN (SELECT id FROM {people})
            UNION ALL
            SELECT person_id, happened_at FROM history
            WHERE person_id IN (SELECT id FROM {people}) AND kind IN ({_kinds(PERSON_ACTIONS)})
        ) AS actions GROUP BY person_id
    """


def last_action_per_person(db: Connection, person_ids: list[int], now: datetime, *,
                           viewer: access.Viewer) -> pd.DataFrame:
    """person_id, last_action_at, days_since for the given rows the viewer may see."""
    visible, visible_params = access.named(access.people_clause(viewer, "p"))
    sql = f"""
        WITH chosen AS (SELECT p.id FROM people p WHERE p.id IN (SELECT UNNEST($ids))
            AND {visible})
        SELECT person_id, last_action_at, {schedule.days_since_sql('last_action_at')} AS days_since
        FROM ({last_action_per_person_sql('chosen')}) AS a ORDER BY person_id
    """
    params = {**schedule.sql_params(now, schedule.app_zone(db)), "ids": person_ids,
              **visible_params}
    return schedule.query(db, sql, params).df()


# --- lead tables ---------------------------------------------------------------------------

_SCOPES = {
    "open": "l.status IN ('todo', 'standby')",
    "open_of_owner": "l.status IN ('todo', 'standby') AND l.owner_id = $owner",
    "one": "l.id = $lead",
}
# Per view: what a row limit counts per (a to-do group, a pipeline step), and the row order.
_VIEWS = {
    "todo": ('"group"', "group_rank, next_due_date, next_due_time NULLS LAST, lead_id"),
    "pipeline": ("step_key", "step_position, group_rank, next_due_date,"
                 " next_due_time NULLS LAST, lead_id"),
    "one": ("lead_id", "lead_id"),
}
_GROUP_RANK = " ".join(f"WHEN '{g}' THEN {i}" for i, g in enumerate(GROUPS))


def _grouped_sql(scope: str, visible: str) -> str:
    """CTEs ``scoped`` → ``ranked``: the leads in scope (and in sight: ``visible``, a condition
    on ``l``) with effective status, due bucket, to-do ``group`` and its rank — from the leads
    table alone, so counting stays cheap."""
    status = schedule.effective_status_sql("l.status", "l.standby_until")
    due = schedule.bucket_sql("l.next_due_date", "l.next_due_time")
    return f"""
        scoped AS (
            SELECT l.*, l.id AS lead_id, {status} AS effective_status,
                {step_label_sql('s')} AS step_label, s.position AS step_position,
                CASE WHEN l.next_due_date IS NOT NULL THEN {due} END AS due
            FROM leads l LEFT JOIN pipeline_steps s ON s.key = l.step_key
            WHERE {_SCOPES[scope]} AND {visible}
        ),
        grouped AS (
            SELECT *, CASE WHEN effective_status = 'standby' THEN 'standby' ELSE due END
                AS "group"
            FROM scoped
        ),
        ranked AS (SELECT *, CASE "group" {_GROUP_RANK} END AS group_rank FROM grouped)
    """


def _lead_table_sql(scope: str, view: str, parts: int | None, viewer: access.Viewer
                    ) -> tuple[str, dict[str, Any]]:
    """Every lead table reads these columns, so status, due and last action always agree.

    With ``parts``, only the first $limit rows of each of that many groups or steps ($part_0,
    $part_1, …) are joined and returned — one top-N query per part, which DuckDB answers far
    faster than a window function over every open lead. The last action is aggregated
    set-based for exactly the rows returned. Only leads in the viewer's sight; amounts only for
    viewers who may see them. Returns the SQL and the visibility's parameters.
    """
    column, order = _VIEWS[view]
    visible, params = access.named(access.leads_clause(viewer, "l"))
    amount = access.amount_sql(viewer, "l.amount")
    chosen = "SELECT * FROM ranked" if parts is None else " UNION ALL ".join(
        f"(SELECT * FROM ranked WHERE {column} = $part_{n} ORDER BY {order} LIMIT $limit)"
        for n in range(parts)
    )
    return f"""
        WITH {_grouped_sql(scope, visible)},
        chosen AS ({chosen}),
        last_action AS ({last_action_per_lead_sql('chosen')})
        SELECT l."group", l.lead_id, l.person_id, l.title, p.company,
            trim(concat_ws(' ', p.first_name, p.last_name)) AS name, p.email, p.phone,
            p.mobile, dnc.flags AS do_not_contact,
            l.owner_id, u.name AS owner, l.step_key, l.step_label AS step,
            l.step_position, l.effective_status AS status, l.standby_until, l.due,
            {amount} AS amount, l.currency, l.probability,
            {amount} * coalesce(l.probability, 0) / 100 AS weighted, l.expected_close,
            l.tags, l.next_type, l.next_due_date, l.next_due_time, l.next_duration_min,
            l.next_note, a.last_action_at,
            {schedule.days_since_sql('a.last_action_at')} AS days_since,
            l.created_at, l.closed_at, l.close_reason, l.close_note
        FROM chosen l
        JOIN people p ON p.id = l.person_id
        LEFT JOIN {privacy.FLAGS_SQL} dnc ON dnc.person_id = l.person_id
        LEFT JOIN users u ON u.id = l.owner_id
        LEFT JOIN last_action a ON a.lead_id = l.lead_id
        ORDER BY {order.replace("group_rank", "l.group_rank")}
    """, params


def _lead_table(db: Connection, scope: str, view: str, now: datetime | None,
                viewer: access.Viewer, limit: int | None = None,
                parts: tuple[object, ...] = (), **params: Any) -> pd.DataFrame:
    """Run ``_lead_table_sql``; ``limit`` rows for each value in ``parts`` (or all rows)."""
    sql, visible = _lead_table_sql(scope, view, None if limit is None else len(parts), viewer)
    all_params = {**schedule.sql_params(now or utcnow(), schedule.app_zone(db)), **visible,
                  "limit": limit, **{f"part_{n}": part for n, part in enumerate(parts)},
                  **params}
    return schedule.query(db, sql, all_params).df()


def _scope(owner_id: int | None) -> tuple[str, dict[str, Any]]:
    return ("open", {}) if owner_id is None else ("open_of_owner", {"owner": owner_id})


def todo(db: Connection, *, viewer: access.Viewer, user_id: int | None,
         now: datetime | None = None, limit_per_group: int | None = None) -> pd.DataFrame:
    """A rep's open leads (``user_id=None``: everyone's), one row per lead, of the leads the
    viewer may see.

    ``group``: overdue, today, upcoming (next 7 days), later or standby — rows come in that
    order, soonest due first inside a group. ``limit_per_group`` keeps the first N of each
    (a team of 100k leads is counted, not shown). Counts: ``todo_counts``.
    """
    scope, params = _scope(user_id)
    return _lead_table(db, scope, "todo", now, viewer, limit_per_group, GROUPS, **params)


def todo_counts(db: Connection, *, viewer: access.Viewer, user_id: int | None,
                now: datetime | None = None) -> dict[str, int]:
    """How many open leads in the viewer's sight each to-do group holds (every group, zeros
    included)."""
    scope, params = _scope(user_id)
    visible, visible_params = access.named(access.leads_clause(viewer, "l"))
    sql = (f'WITH {_grouped_sql(scope, visible)} SELECT "group", count(*) FROM ranked'
           ' GROUP BY "group"')
    all_params = {**schedule.sql_params(now or utcnow(), schedule.app_zone(db)), **params,
                  **visible_params}
    counts = dict(schedule.query(db, sql, all_params).fetchall())
    return {group: int(counts.get(group, 0)) for group in GROUPS}


def pipeline(db: Connection, *, viewer: access.Viewer, owner_id: int | None = None,
             now: datetime | None = None, limit_per_step: int | None = None) -> pd.DataFrame:
    """One card per open lead, by step: company, amount, ``group``, days since last action.

    ``group`` is the to-do's (``schedule.GROUPS``), so a card's badge reads as its section
    on the to-do does. Cards come most urgent first within a step; ``limit_per_step`` keeps
    the first N of each step.
    Per-step sums (over all cards): ``pipeline_totals``.
    """
    scope, params = _scope(owner_id)
    steps = tuple(row[0] for row in db.execute("SELECT key FROM pipeline_steps").fetchall())
    return _lead_table(db, scope, "pipeline", now, viewer, limit_per_step, steps, **params)


def pipeline_totals(db: Connection, *, viewer: access.Viewer,
                    owner_id: int | None = None) -> pd.DataFrame:
    """Per active step (and currency): count, amount and amount weighted by probability, of
    the open leads in the viewer's sight (amounts NULL for viewers who may not see them).

    A step without open leads has one row with count 0; a lead left in a step that was
    deactivated keeps its step on the board.
    """
    owner = "" if owner_id is None else "AND l.owner_id = $owner"
    visible, params = access.named(access.leads_clause(viewer, "l"))
    amount = access.amount_sql(viewer, "coalesce(sum(l.amount), 0)")
    weighted = access.amount_sql(viewer, "coalesce(sum(l.amount * coalesce(l.probability, 0)"
                                         " / 100), 0)")
    sql = f"""
        SELECT s.key AS step_key, {step_label_sql('s')} AS step, s.position, l.currency,
            count(l.id) AS count, {amount} AS amount, {weighted} AS weighted
        FROM pipeline_steps s
        LEFT JOIN leads l ON l.step_key = s.key AND l.status IN ('todo', 'standby') {owner}
            AND {visible}
        WHERE s.active OR l.id IS NOT NULL
        GROUP BY s.key, s.label, s.label_de, s.position, l.currency
        ORDER BY s.position, l.currency
    """
    return schedule.query(db, sql, {"owner": owner_id, **params}).df()


# --- the detail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadDetail:
    """Everything the lead page shows."""

    lead: dict[str, Any]        # the lead table columns (same as a to-do row)
    contact: dict[str, Any]     # the person's contact fields
    criteria: pd.DataFrame      # ticked criteria: key, stage, label, ticked_by, ticked_at
    timeline: pd.DataFrame      # at, who, kind, what — newest first
    next_step: NextStep | None


CONTACT_FIELDS = (
    "company", "salutation", "first_name", "last_name", "email", "phone", "mobile", "job_title",
    "website", "street", "postal_code", "city", "country", "source", "notes",
)


def lead_detail(db: Connection, lead_id: int, now: datetime | None = None, *,
                viewer: access.Viewer) -> LeadDetail:
    """One lead with its contact, the criteria that qualified it, and its whole timeline.

    A lead the viewer may not see is refused (NotAllowed) like one that does not exist.
    """
    access.check_lead(db, viewer, lead_id)
    frame = _lead_table(db, "one", "one", now, viewer, lead=lead_id)
    if frame.empty:
        raise InvalidInput(_("there is no lead {id}").format(id=lead_id))
    lead = frame.iloc[0].to_dict()
    person_id = int(lead["person_id"])
    row = db.execute(f"SELECT {', '.join(CONTACT_FIELDS)} FROM people WHERE id = ?",
                     [person_id]).fetchone()
    return LeadDetail(
        lead=lead,
        contact={**dict(zip(CONTACT_FIELDS, row, strict=True)),
                 "do_not_contact": lead["do_not_contact"]},
        criteria=_ticked_criteria(db, person_id),
        timeline=timeline(db, lead_id, viewer=viewer),
        next_step=next_step_of(_lead(db, lead_id)),
    )


def criterion_label_sql(alias: str = "c") -> str:
    """A criterion's label in the current language, as SQL on ``alias`` (a code constant)."""
    return f"{alias}.label_de" if i18n.language() == "de" else f"{alias}.label_en"


def _ticked_criteria(db: Connection, person_id: int) -> pd.DataFrame:
    return db.execute(
        f"SELECT c.key, c.stage, {criterion_label_sql('c')} AS label, u.name AS ticked_by,"
        " t.ticked_at"
        " FROM ticks t JOIN criteria c ON c.key = t.criterion_key"
        " LEFT JOIN users u ON u.id = t.ticked_by WHERE t.person_id = ?"
        " ORDER BY CASE c.stage WHEN 'prospect' THEN 0 ELSE 1 END, c.position",
        [person_id],
    ).df()


_TIMELINE_SQL = """
    SELECT h.happened_at, u.name AS who, h.kind, h.field, h.old_value, h.new_value,
        h.note, 1 AS origin, h.id
    FROM history h LEFT JOIN users u ON u.id = h.user_id
    WHERE h.lead_id = $lead OR (h.person_id = $person AND h.lead_id IS NULL)
    UNION ALL
    SELECT a.happened_at, u.name, a.kind, a.outcome, NULL, NULL, a.body, 2, a.id
    FROM activities a LEFT JOIN users u ON u.id = a.user_id
    WHERE a.lead_id = $lead OR (a.person_id = $person AND a.lead_id IS NULL)
    UNION ALL
    SELECT r.added_at, u.name, 'import', NULL, NULL, i.file_name, li.name, 0, r.list_id
    FROM list_rows r JOIN lists li ON li.id = r.list_id
    LEFT JOIN imports i ON i.id = r.import_id
    LEFT JOIN users u ON u.id = coalesce(r.added_by, i.imported_by)
    WHERE r.person_id = $person
    ORDER BY happened_at DESC, origin DESC, id DESC
"""


def timeline(db: Connection, lead_id: int, *, viewer: access.Viewer) -> pd.DataFrame:
    """at, who, kind, what: imports, qualification, conversion, activities, step and status
    changes of the lead's person, newest first (other leads of the person are left out).
    Whoever may see the lead may see its person (``access.people_clause``)."""
    access.check_lead(db, viewer, lead_id)
    person_id = _lead(db, lead_id)["person_id"]
    rows = schedule.query(db, _TIMELINE_SQL, {"lead": lead_id, "person": person_id}).fetchall()
    names = _names(db)
    return pd.DataFrame(
        [(at, who, kind, _what(kind, field, old, new, note, names))
         for at, who, kind, field, old, new, note, _origin, _id in rows],
        columns=["at", "who", "kind", "what"],
    )


_FIELD_LABELS = {"step_key": N_("step"), "owner_id": N_("owner"), "next_step": N_("next step"),
                 "expected_close": N_("expected close"), "dead_reason": N_("cancelled"),
                 "status": N_("status"), "amount": N_("amount"), "title": N_("title"),
                 "currency": N_("currency"), "probability": N_("probability"),
                 "tags": N_("tags")}
NEXT_KIND_LABELS = {"call": N_("call"), "email": N_("e-mail"), "meeting": N_("meeting"),
                    "task": N_("task")}
# A lead's status in running text, and a call's outcome.
STATUS_WORDS = {"todo": N_("to do"), "standby": N_("standby"), "won": N_("won"),
                "lost": N_("lost"), "cancelled": N_("cancelled")}
OUTCOME_WORDS = {"reached": N_("reached"), "no_answer": N_("no answer"),
                 "voicemail": N_("voicemail"), "wrong_number": N_("wrong number")}
# The field names an edit conflict names ("Amount: someone changed it …").
FIELD_NAMES = {"owner_id": N_("owner"), "amount": N_("amount"), "title": N_("title"),
               "currency": N_("currency"), "probability": N_("probability"),
               "expected_close": N_("expected close"), "tags": N_("tags")}


def q_status_words() -> dict[str, str]:
    """The ladder's statuses (a person's), as the timeline names them."""
    return {"suspect": N_("suspect"), "prospect": N_("prospect"), "lead": N_("lead"),
            "dead": N_("dead")}


def status_word(status: str) -> str:
    """A lead's or a row's status in running text, in the current language."""
    words = {**STATUS_WORDS, **q_status_words()}
    return _(words[status]) if status in words else status


def reason_label(reason: str) -> str:
    """A stored lost or cancel reason as it reads on screen."""
    return _(REASON_LABELS[reason]) if reason in REASON_LABELS else reason


def _names(db: Connection) -> dict[str, dict[str, str]]:
    """Readable names for the ids and keys that history entries store."""
    users = db.execute("SELECT id, name FROM users").fetchall()
    return {
        "step_key": dict(db.execute(
            f"SELECT s.key, {step_label_sql('s')} FROM pipeline_steps s").fetchall()),
        "status": {**i18n.translated(STATUS_WORDS), **i18n.translated(q_status_words())},
        "owner_id": {str(user_id): name for user_id, name in users},
        "criterion": dict(db.execute(
            "SELECT key, label_de FROM criteria" if i18n.language() == "de"
            else "SELECT key, short_label FROM criteria").fetchall()),
    }


def _what(kind: str, field: str | None, old: str | None, new: str | None, note: str | None,
          names: dict[str, dict[str, str]]) -> str:
    """A timeline entry in a few words."""
    if kind in ACTIVITY_KINDS:
        outcome = _(OUTCOME_WORDS[field]) if field in OUTCOME_WORDS else (
            field.replace("_", " ") if field else None)
        return ": ".join(filter(None, (outcome, note)))
    if kind == "import":
        return _("in list “{list}”").format(list=note) + " " + (
            _("(import of {file})").format(file=new) if new else _("(added by hand)"))
    if kind in ("tick", "untick"):
        return names["criterion"].get(field or "", field or "")
    if kind == "convert":
        return _("converted to the lead “{title}”").format(title=new)
    if kind == "owner" and note:  # the note already names both owners
        return _("owner: {change}").format(change=_note(note))
    shown = names.get(field or "", {})
    if field == "next_step":
        old, new = _step_text(old), _step_text(new)
    change = f"{shown.get(old or '', old or '—')} → {shown.get(new or '', new or '—')}"
    label = _FIELD_LABELS.get(field or "")
    text = f"{_(label) if label else (field or '').replace('_', ' ')}: {change}"
    return f"{text} ({_note(note)})" if note else text


# What this module writes into the history's notes and next-step entries (English data), read
# back in the current language.
_NOTES = {"converted to a lead": N_("converted to a lead"), "lead won": N_("lead won"),
          "lead lost": N_("lead lost"), "lead cancelled": N_("lead cancelled"),
          "lead todo": N_("lead to do"), "lead standby": N_("lead on standby")}
_UNTIL = re.compile(r"until (\d{4}-\d{2}-\d{2})")
_NEW_OWNER = re.compile(r"nobody → (.+) \(with the new lead\)")
_DESCRIBED = re.compile(r"(call|email|meeting|task) (\d{4}-\d{2}-\d{2})( \d{2}:\d{2})?"
                        r"(?: \((\d+) min\))?(?:: (.*))?", re.DOTALL)


def _note(note: str) -> str:
    """A history note this module wrote, in the current language (others stay as written)."""
    if note in _NOTES:
        return _(_NOTES[note])
    if until := _UNTIL.fullmatch(note):
        return _("until {day}").format(day=i18n.day(date.fromisoformat(until[1])))
    if owner := _NEW_OWNER.fullmatch(note):
        return _("nobody → {name} (with the new lead)").format(name=owner[1])
    return note


def _step_text(described: str | None) -> str | None:
    """A next step as ``NextStep.describe`` stored it, in the current language:
    "meeting 2026-05-04 10:00 (45 min): demo" → "🤝 Termin 04.05.2026 10:00 (45 Min.): demo"."""
    found = _DESCRIBED.fullmatch(described or "")
    if found is None:
        return described
    kind, day, at, minutes, note = found.groups()
    text = f"{_(NEXT_KIND_LABELS[kind])} {i18n.day(date.fromisoformat(day))}{at or ''}"
    if minutes:
        text += " (" + _("{minutes} min").format(minutes=minutes) + ")"
    return text + (f": {note}" if note else "")
