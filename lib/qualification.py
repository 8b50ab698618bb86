"""The ladder: criteria, thresholds, the status rule (in Python and in SQL) and ticking.

A status is never typed by hand. ``people.status`` is stored (history-based funnel counts and
fast lists need it) but always equals the rule applied to the person's ticks of ACTIVE criteria
and to whether the person was converted (an open or won lead makes a lead whatever the ticks
and thresholds): every change that can move it calls ``recompute_statuses`` in the same
transaction.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import pandas as pd

from lib import access, history, i18n, settings
from lib.db import Connection, scalar, transaction, utcnow
from lib.errors import EditConflict, InvalidInput, UserError
from lib.i18n import N_, _, ngettext
from lib.store import history as history_store
from lib.store import people as people_store
from lib.store import settings as settings_store
from lib.store import ticks as ticks_store

STAGES = ("prospect", "lead")
STATUSES = ("suspect", "prospect", "lead", "dead")
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
LABEL_FIELDS = ("short_label", "label_en", "label_de", "description")
GERMAN_FIELDS = ("short_label_de", "description_de")  # optional: the English when left out
THRESHOLD_KEYS = ("prospect_threshold", "lead_threshold")
CONVERTED_LEAD_STATUSES = ("todo", "standby", "won")  # a lead of these keeps its row a lead
CONVERTED_SQL = ("SELECT DISTINCT person_id FROM leads"
                 " WHERE status IN ('todo', 'standby', 'won')")
# What a reader sees for a stored status (the stored value stays English).
STATUS_LABELS = {"suspect": N_("suspect"), "prospect": N_("prospect"), "lead": N_("lead"),
                 "dead": N_("dead")}
# The reasons a row is cancelled for (stored as they are; rows.CANCEL_REASONS).
REASON_LABELS = {
    "not interested": N_("not interested"), "no budget": N_("no budget"),
    "no need": N_("no need"), "wrong contact": N_("wrong contact"),
    "unreachable": N_("unreachable"), "went to a competitor": N_("went to a competitor"),
    "other": N_("other"),
}


def status_label(status: str) -> str:
    """A stored status in the reader's language ("prospect" → "Interessent")."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def reason_label(reason: str) -> str:
    """A stored cancel reason in the reader's language; any other text stays as it is."""
    return _(REASON_LABELS[reason]) if reason in REASON_LABELS else reason


@dataclass(frozen=True)
class Criterion:
    key: str
    stage: str
    short_label: str
    label_en: str
    label_de: str
    description: str
    position: int
    active: bool
    short_label_de: str = ""
    description_de: str = ""

    @property
    def short(self) -> str:
        """The short label in the reader's language (the English one when no German is set)."""
        return _german(self.short_label_de) or self.short_label

    @property
    def label(self) -> str:
        """The full wording in the reader's language."""
        return _german(self.label_de) or self.label_en

    @property
    def explained(self) -> str:
        """The description in the reader's language."""
        return _german(self.description_de) or self.description

    @property
    def stage_label(self) -> str:
        return status_label(self.stage)


def _german(text: str | None) -> str | None:
    """``text`` when the reader reads German and there is some, else None."""
    return text.strip() or None if text and i18n.language() == "de" else None


@dataclass(frozen=True)
class Thresholds:
    """How many prospect / lead criteria a row needs to climb a rung."""

    prospect: int = 1
    lead: int = 2

    @property
    def by_key(self) -> dict[str, int]:
        """The thresholds under their setting keys (THRESHOLD_KEYS)."""
        return dict(zip(THRESHOLD_KEYS, (self.prospect, self.lead), strict=True))


@dataclass(frozen=True)
class Conversion:
    """The lead that keeps a row a lead: open (to do or standby) or won, its step and owner."""

    lead_id: int
    status: str
    step: str
    owner: str

    @property
    def open(self) -> bool:
        return self.status != "won"

    def describe(self) -> str:
        """"open lead, step Qualified, owner Anna" or "won lead, owner Anna"."""
        if self.open:
            return _("open lead, step {step}, owner {name}").format(step=self.step,
                                                                   name=self.owner)
        return _("won lead, owner {name}").format(name=self.owner)


@dataclass(frozen=True)
class StatusInfo:
    """Where a row stands after a change: the status before and after, and why."""

    person_id: int
    old_status: str
    status: str
    why: str

    @property
    def changed(self) -> bool:
        return self.old_status != self.status


# --- reading -------------------------------------------------------------------------------


def criteria(db: Connection, active_only: bool = True) -> list[Criterion]:
    """Criteria in display order: the prospect stage first, then by position."""
    rows = db.execute(
        "SELECT key, stage, short_label, label_en, label_de, description, position, active,"
        " coalesce(short_label_de, ''), coalesce(description_de, '')"
        " FROM criteria WHERE active OR NOT ?"
        " ORDER BY CASE stage WHEN 'prospect' THEN 0 ELSE 1 END, position, key",
        [active_only],
    ).fetchall()
    return [Criterion(*row) for row in rows]


def criterion(db: Connection, key: str) -> Criterion:
    """One criterion (active or not); InvalidInput when there is none with that key."""
    found = [c for c in criteria(db, active_only=False) if c.key == key]
    if not found:
        raise InvalidInput(_("there is no criterion '{key}'").format(key=key))
    return found[0]


def thresholds(db: Connection) -> Thresholds:
    values = settings.all_values(db)
    return Thresholds(prospect=int(values["prospect_threshold"]),
                      lead=int(values["lead_threshold"]))


# --- the rule, in Python -------------------------------------------------------------------


def status_of(prospect_ticks: int, lead_ticks: int, dead: bool, limits: Thresholds,
              converted: bool = False) -> str:
    """The ladder rule; counts are of ACTIVE criteria only, ``converted`` says the person has
    an open or won lead (a lead whatever the thresholds). Mirrored by ``status_case_sql``."""
    if dead:
        return "dead"
    if converted or lead_ticks >= limits.lead:
        return "lead"
    if prospect_ticks >= limits.prospect or lead_ticks >= 1:
        return "prospect"
    return "suspect"


def why(
    ticked: Collection[str],
    dead_reason: str | None,
    active: Sequence[Criterion],
    limits: Thresholds,
    conversion: Conversion | None = None,
) -> str:
    """Say why a row has its status, e.g. "lead: 3 of 5 — interest, budget, demo", or for a
    converted row "lead: converted — open lead, step Qualified, owner Anna; 2 of 5 — …".

    ``ticked`` holds criterion keys; ticks of criteria that are not active are ignored.
    """
    if dead_reason is not None:
        return dead_text(dead_reason)
    counted = [c for c in active if c.active]
    hits = {s: [c.short for c in counted if c.stage == s and c.key in ticked] for s in STAGES}
    totals = {s: sum(c.stage == s for c in counted) for s in STAGES}
    if conversion is not None:
        ticks = f"; {_tally(hits['lead'], totals['lead'])}" if hits["lead"] else ""
        return _("lead: converted — {conversion}{ticks}").format(
            conversion=conversion.describe(), ticks=ticks)
    status = status_of(len(hits["prospect"]), len(hits["lead"]), False, limits)
    if status == "lead":
        return _("lead: {tally}").format(tally=_tally(hits["lead"], totals["lead"]))
    if status == "suspect":
        if not hits["prospect"]:
            return _("suspect: nothing ticked")
        return _("suspect: {tally} ({needed} needed)").format(
            tally=_tally(hits["prospect"], totals["prospect"]), needed=limits.prospect)
    parts = [_tally(hits["prospect"], totals["prospect"])] if hits["prospect"] else []
    if hits["lead"]:
        parts.append(_("lead {count} of {needed} needed — {labels}").format(
            count=len(hits["lead"]), needed=limits.lead, labels=", ".join(hits["lead"])))
    return _("prospect: {parts}").format(parts="; ".join(parts))


def dead_text(reason: str) -> str:
    """Why a cancelled row is dead: "dead: no budget"."""
    return _("dead: {reason}").format(reason=reason_label(reason))


def _tally(labels: Sequence[str], total: int) -> str:
    return _("{count} of {total} — {labels}").format(count=len(labels), total=total,
                                                     labels=", ".join(labels))


# --- the rule, in SQL ----------------------------------------------------------------------


def status_case_sql(prospect_ticks: str, lead_ticks: str, dead: str,
                    converted: str = "FALSE") -> str:
    """The ladder rule as a CASE over SQL expressions (column names chosen by code).

    Needs the named parameters ``$prospect_threshold`` and ``$lead_threshold``
    (see ``threshold_params``). Mirrors ``status_of``.
    """
    return (
        f"CASE WHEN {dead} THEN 'dead'"
        f" WHEN {converted} OR {lead_ticks} >= $lead_threshold THEN 'lead'"
        f" WHEN {prospect_ticks} >= $prospect_threshold OR {lead_ticks} >= 1 THEN 'prospect'"
        " ELSE 'suspect' END"
    )


def threshold_params(limits: Thresholds) -> dict[str, int]:
    return {"prospect_threshold": limits.prospect, "lead_threshold": limits.lead}


def tick_counts_sql(ticks_filter: str = "TRUE") -> str:
    """SELECT person_id, prospect_ticks, lead_ticks: ticks of ACTIVE criteria per person
    (only ticks ``t`` passing ``ticks_filter``)."""
    return (
        "SELECT t.person_id,"
        " SUM(CASE WHEN c.stage = 'prospect' THEN 1 ELSE 0 END) AS prospect_ticks,"
        " SUM(CASE WHEN c.stage = 'lead' THEN 1 ELSE 0 END) AS lead_ticks"
        " FROM ticks t JOIN criteria c ON c.key = t.criterion_key AND c.active"
        f" WHERE {ticks_filter} GROUP BY t.person_id"
    )


def statuses_sql(people_filter: str = "TRUE", ticks_filter: str = "TRUE") -> str:
    """SELECT person_id, old_status, status: the rule's status of every person ``p`` passing
    ``people_filter`` (give the same condition on ``t.person_id`` as ``ticks_filter`` so that
    a few people do not aggregate every tick).

    The one place the rule meets the tables; recompute, lists and the funnel build on it.
    Named parameters: those of ``threshold_params`` plus whatever the filters use.
    """
    rule = status_case_sql(
        "COALESCE(n.prospect_ticks, 0)", "COALESCE(n.lead_ticks, 0)", "p.dead_reason IS NOT NULL",
        "cl.person_id IS NOT NULL",
    )
    return (
        f"SELECT p.id AS person_id, p.status AS old_status, {rule} AS status"
        f" FROM people p LEFT JOIN ({tick_counts_sql(ticks_filter)}) n ON n.person_id = p.id"
        f" LEFT JOIN ({CONVERTED_SQL}) cl ON cl.person_id = p.id"
        f" WHERE {people_filter}"
    )


# --- keeping people.status equal to the rule -----------------------------------------------


@transaction
def recompute_statuses(
    db: Connection, person_ids: Collection[int] | None = None, *, by: int | None,
    note: str | None = None,
) -> int:
    """Store the rule's status wherever it differs; one "status" history entry per change.

    Set-based, never a loop over people: the changes are computed once into a temporary
    table, then one INSERT … SELECT into the history and one UPDATE … FROM. Joins the
    caller's transaction when there is one. Returns how many statuses changed.
    """
    params: dict[str, object] = threshold_params(thresholds(db))
    filters = ("TRUE", "TRUE")
    if person_ids is not None:
        filters = ("p.id = ANY($ids)", "t.person_id = ANY($ids)")
        params["ids"] = [int(i) for i in person_ids]
    db.execute("DROP TABLE IF EXISTS status_changes")
    db.execute(
        "CREATE TEMPORARY TABLE status_changes AS SELECT person_id, old_status, status"
        f" FROM ({statuses_sql(*filters)}) s WHERE s.status <> s.old_status",
        params,
    )
    history_store.record_status_changes(db, "status_changes", at=utcnow(), by=by, note=note)
    changed = people_store.set_statuses(db, "status_changes")
    db.execute("DROP TABLE status_changes")  # a rollback drops it too
    return int(changed)


def standing(db: Connection, person_id: int, dead_reason: str | None) -> tuple[str, str]:
    """The rule's status of one person, and why.

    For one row the Python rule is cheaper than the set-based SQL (a few point reads);
    ``test_sql_rule_equals_python_rule_on_every_combination`` keeps the two equal.
    """
    crits, limits = criteria(db), thresholds(db)
    ticked = {r[0] for r in db.execute(
        "SELECT criterion_key FROM ticks WHERE person_id = ?", [person_id]
    ).fetchall()}
    counts = [sum(c.stage == stage and c.key in ticked for c in crits) for stage in STAGES]
    conversion = conversions(db, [person_id]).get(person_id)
    status = status_of(counts[0], counts[1], dead_reason is not None, limits,
                       conversion is not None)
    return status, why(ticked, dead_reason, crits, limits, conversion)


def conversions(db: Connection, person_ids: Sequence[int]) -> dict[int, Conversion]:
    """The lead that keeps each of these people a lead (the open one, else the latest won)."""
    found = db.execute(
        "SELECT l.person_id, l.id, l.status, COALESCE(s.label, l.step_key), u.name FROM ("
        " SELECT *, ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY status = 'won', id DESC)"
        " AS n FROM leads WHERE person_id = ANY(?) AND status = ANY(?)) l"
        " LEFT JOIN pipeline_steps s ON s.key = l.step_key"
        " LEFT JOIN users u ON u.id = l.owner_id WHERE l.n = 1",
        [[int(i) for i in person_ids], list(CONVERTED_LEAD_STATUSES)],
    ).fetchall()
    return {int(pid): Conversion(int(lid), status, step, owner or _("nobody"))
            for pid, lid, status, step, owner in found}


def record_status(
    db: Connection, person_id: int, old: str, new: str, *, by: int | None,
    at: datetime | None = None,
) -> None:
    """The "status" history entry that goes with every change of a stored status."""
    history.record(db, "status", user_id=by, person_id=person_id, field="status", old=old,
                   new=new, at=at)


# --- ticking -------------------------------------------------------------------------------


@transaction
def set_tick(
    db: Connection, person_id: int, criterion_key: str, ticked: bool, *, expected: bool,
    by: int | None,
) -> StatusInfo:
    """Tick or untick one criterion, refusing if someone changed that tick since it was loaded.

    ``expected`` is the state the rep saw. Dead rows are refused: revive them first.
    """
    wanted = criterion(db, criterion_key)
    if not wanted.active:
        raise InvalidInput(switched_off_text(wanted))
    access.writer(db, by, "work_rows", N_("tick criteria"), person_id=person_id)
    row = touch(db, person_id)
    if row is None:
        raise UserError(_("row {id} no longer exists").format(id=person_id))
    old_status, dead_reason = row
    if dead_reason is not None:
        raise UserError(_("This row is dead ({reason}); revive it before changing its ticks.")
                        .format(reason=reason_label(dead_reason)))
    current = bool(scalar(
        db, "SELECT COUNT(*) FROM ticks WHERE person_id = ? AND criterion_key = ?",
        [person_id, criterion_key],
    ))
    if current != bool(expected):
        raise _tick_conflict(db, person_id, wanted, current)
    if current != bool(ticked):
        _take_unowned(db, person_id, by)
        _write_tick(db, person_id, criterion_key, bool(ticked), by)
    status, reason = standing(db, person_id, None)
    if status != old_status:
        people_store.set_status(db, person_id, status)
        record_status(db, person_id, old_status, status, by=by)
    return StatusInfo(person_id, old_status, status, reason)


def switched_off_text(wanted: Criterion) -> str:
    return _("'{label}' is switched off; it cannot be ticked").format(label=wanted.short)


def touch(db: Connection, person_id: int) -> tuple[str, str | None] | None:
    """Mark the person as changed, FIRST in a transaction that changes their ticks.

    Two reps ticking two lead criteria at once would otherwise each see one tick and neither
    would make the row a lead; writing the person's row makes DuckDB refuse one of them (the
    transaction is retried), and doing it first makes that refusal cheap.
    Returns (status, dead_reason), or None when there is no such person.

    No ``UPDATE … RETURNING`` here: in DuckDB 2.0.1 it writes back the whole row as this
    transaction saw it, silently undoing another rep's committed edit of another field.
    """
    people_store.touch(db, person_id, utcnow())
    return db.execute(
        "SELECT status, dead_reason FROM people WHERE id = ?", [person_id]
    ).fetchone()


OWNER_ROLES = ("rep", "manager", "admin")


def _take_unowned(db: Connection, person_id: int, by: int | None) -> None:
    """Whoever works an unowned row becomes its owner (so the funnel by owner counts their
    work); a row that belongs to someone else keeps its owner."""
    if by is None or not scalar(
        db, "SELECT COUNT(*) FROM users WHERE id = ? AND active AND role = ANY(?)",
        [by, list(OWNER_ROLES)],
    ):
        return
    now = utcnow()
    taken = people_store.take_if_unowned(db, person_id, by, now)
    if taken:
        name = scalar(db, "SELECT name FROM users WHERE id = ?", [by])
        history.record(db, "owner", user_id=by, person_id=person_id, field="owner_id",
                       new=by, at=now, note=f"nobody → {name} (took the unowned row by ticking it)")


def _write_tick(db: Connection, person_id: int, key: str, ticked: bool, by: int | None) -> None:
    """Store or remove the tick and log it."""
    now = utcnow()
    if ticked:
        ticks_store.tick(db, person_id, key, by, now)
    else:
        ticks_store.untick(db, person_id, key)
    history.record(db, "tick" if ticked else "untick", user_id=by, person_id=person_id,
                   field=key, old=not ticked, new=ticked, at=now)


def _tick_conflict(
    db: Connection, person_id: int, wanted: Criterion, current: bool
) -> EditConflict:
    who = last_changer(db, person_id, ("tick", "untick"), wanted.key)
    text = (_("{who} ticked '{label}' since you loaded the list; it is ticked now.")
            if current else
            _("{who} unticked '{label}' since you loaded the list; it is unticked now."))
    return EditConflict(text.format(who=who, label=wanted.short), fresh_value=current)


def last_changer(db: Connection, person_id: int, kinds: Sequence[str], field: str) -> str:
    """Name of whoever last changed ``field`` of the person (for conflict messages)."""
    name = scalar(
        db,
        "SELECT COALESCE(u.name, ?) FROM history h LEFT JOIN users u ON u.id = h.user_id"
        " WHERE h.person_id = ? AND h.field = ? AND h.kind = ANY(?)"
        " ORDER BY h.happened_at DESC, h.id DESC LIMIT 1",
        [_("someone"), person_id, field, list(kinds)],
    )
    return name or _("Someone")


# --- manager changes -----------------------------------------------------------------------


@transaction
def change_threshold(db: Connection, key: str, value: int, *, by: int | None) -> int:
    """Store ``prospect_threshold`` or ``lead_threshold`` and recompute every status.

    Returns how many statuses changed (each with a "status" history entry).
    """
    access.require_user(db, by, "edit_qualification", N_("change the thresholds"))
    if key not in THRESHOLD_KEYS:
        raise InvalidInput(_("'{key}' is not a threshold").format(key=key))
    settings.put(db, key, value, by=by)
    return recompute_statuses(db, by=by, note=f"{key} changed to {value}")


@transaction
def relabel(
    db: Connection, key: str, *, short_label: str, label_en: str, label_de: str,
    description: str, short_label_de: str | None = None, description_de: str | None = None,
    by: int | None,
) -> Criterion:
    """Change the wording of a criterion; each changed text is one history entry. The German
    short label and description stay as they are when not given."""
    old = criterion(db, key)
    new = {"short_label": short_label, "label_en": label_en, "label_de": label_de,
           "description": description, "short_label_de": short_label_de,
           "description_de": description_de}
    new = {field: _label(text, field) for field, text in new.items() if text is not None}
    for field, text in new.items():
        if text != getattr(old, field):
            _set_criterion(db, old.key, field, getattr(old, field), text, by)
    return criterion(db, key)


@transaction
def set_active(db: Connection, key: str, active: bool, *, by: int | None) -> int:
    """Switch a criterion on or off (ticks are kept); returns how many statuses changed."""
    old = criterion(db, key)
    if old.active == bool(active):
        return 0
    _set_criterion(db, key, "active", old.active, bool(active), by)
    switched = "on" if active else "off"
    return recompute_statuses(db, by=by, note=f"criterion {key} switched {switched}")


@transaction
def reorder(db: Connection, keys: Sequence[str], *, by: int | None) -> list[Criterion]:
    """Give every criterion a new position: ``keys`` lists all of them in the wanted order."""
    old = {c.key: c for c in criteria(db, active_only=False)}
    if sorted(keys) != sorted(old):
        raise InvalidInput(_("the new order must list every criterion exactly once"))
    for position, key in enumerate(keys, start=1):
        if old[key].position != position:
            _set_criterion(db, key, "position", old[key].position, position, by)
    return criteria(db, active_only=False)


def changed_thresholds(wanted: dict[str, int], limits: Thresholds) -> dict[str, int]:
    """The thresholds of ``wanted`` that differ from the stored ones, prospect first."""
    current = limits.by_key
    return {key: int(wanted[key]) for key in THRESHOLD_KEYS if int(wanted[key]) != current[key]}


def moved_text(changed: int) -> str:
    """What a recompute did, in words: "1 status changed.", "12 statuses changed."."""
    return ngettext("{count} status changed.", "{count} statuses changed.", changed).format(
        count=i18n.number(changed))


def criteria_table(db: Connection) -> pd.DataFrame:
    """Every criterion (active or not) as a row of the Settings page's editable table."""
    return pd.DataFrame([asdict(c) for c in criteria(db, active_only=False)])


def criteria_from_table(table: pd.DataFrame) -> list[Criterion]:
    """The edited table back as criteria (what ``update_criteria`` saves)."""
    return [Criterion(**{**row, "position": int(row["position"]), "active": bool(row["active"])})
            for row in table.to_dict("records")]


@transaction
def update_criteria(db: Connection, wanted: Sequence[Criterion], *, by: int | None) -> int:
    """Save the Settings page's table of criteria as one change: wording, order and on/off.

    Every status is recomputed once, and only when a criterion was switched on or off.
    ``position`` only orders: a criterion given the number another one has goes before it.
    Returns how many statuses changed.
    """
    access.require_user(db, by, "edit_qualification", N_("edit the criteria"))
    old = {c.key: c for c in criteria(db, active_only=False)}
    switched = []
    for new in wanted:
        if new.key not in old:
            raise InvalidInput(_("there is no criterion '{key}'").format(key=new.key))
        relabel(db, new.key, short_label=new.short_label, label_en=new.label_en,
                label_de=new.label_de, description=new.description,
                short_label_de=new.short_label_de, description_de=new.description_de, by=by)
        if bool(new.active) != old[new.key].active:
            _set_criterion(db, new.key, "active", old[new.key].active, bool(new.active), by)
            switched.append(f"{new.key} {'on' if new.active else 'off'}")
    order = sorted(old, key=lambda k: (old[k].position, k))
    places = {k: (old[k].position, 1, i) for i, k in enumerate(order)}
    places.update({c.key: (c.position, int(c.position == old[c.key].position), order.index(c.key))
                   for c in wanted})
    reorder(db, sorted(order, key=places.__getitem__), by=by)
    if not switched:
        return 0
    return recompute_statuses(db, by=by, note="criteria switched " + ", ".join(switched))


@transaction
def add_criterion(
    db: Connection, key: str, stage: str, *, short_label: str, label_en: str, label_de: str,
    description: str, short_label_de: str | None = None, description_de: str | None = None,
    by: int | None,
) -> Criterion:
    """A new active criterion at the end of its stage. Nobody has ticked it, so no status moves.
    Without a German short label or description the English one serves for both."""
    access.require_user(db, by, "edit_qualification", N_("add criteria"))
    key = key.strip()
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(_("use lower-case letters, digits and _, starting with a letter"),
                           column=_("key"))
    if stage not in STAGES:
        raise InvalidInput(_("stage must be prospect or lead"), column=_("stage"))
    if scalar(db, "SELECT COUNT(*) FROM criteria WHERE key = ?", [key]):
        raise InvalidInput(_("there is already a criterion '{key}'").format(key=key),
                           column=_("key"))
    labels = [_label(t, f) for t, f in
              zip((short_label, label_en, label_de, description), LABEL_FIELDS, strict=True)]
    german = [_label(t or english, f) for t, english, f in
              zip((short_label_de, description_de), (labels[0], labels[3]), GERMAN_FIELDS,
                  strict=True)]
    position = scalar(db, "SELECT COALESCE(MAX(position), 0) + 1 FROM criteria")
    settings_store.insert_criterion(db, key, stage, labels, position, german)
    history.record(db, "settings", user_id=by, field=f"criterion:{key}",
                   new=f"{stage}: {labels[1]}")
    return criterion(db, key)


def _label(text: str, field: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput(_("must not be empty"), column=_(FIELD_NAMES[field]))
    return cleaned


FIELD_NAMES = {"short_label": N_("short label"), "label_en": N_("label en"),
               "label_de": N_("label de"), "description": N_("description"),
               "short_label_de": N_("short label (German)"),
               "description_de": N_("description (German)")}


def _set_criterion(
    db: Connection, key: str, field: str, old: object, new: object, by: int | None
) -> None:
    """Update one column of a criterion (the store whitelists it); log "criterion:key.field"."""
    settings_store.set_criterion(db, key, field, new)
    history.record(db, "settings", user_id=by, field=f"criterion:{key}.{field}", old=old, new=new)
