"""The pipeline's steps: a list a manager shapes (names in English and German, order, on or
off, new steps).

A step that still holds open leads cannot be switched off: its leads would drop out of every
view. Every change goes to the history. Every query that shows a step's name reads it through
``label_sql``, so a step reads in the user's language everywhere.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

from lib import access, history, i18n
from lib.db import Connection, scalar, transaction
from lib.errors import InvalidInput
from lib.i18n import N_, _, ngettext
from lib.store import settings as settings_store


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    position: int
    active: bool
    label_de: str = ""


def label_sql(alias: str = "s") -> str:
    """The step's name in the current language, as SQL on ``alias`` (a code constant): the
    German name where there is one, else the English."""
    if i18n.language() == "de":
        return f"coalesce(nullif({alias}.label_de, ''), {alias}.label)"
    return f"{alias}.label"


def steps(db: Connection, active_only: bool = False) -> list[Step]:
    """The steps in pipeline order (``label``: English, ``label_de``: German)."""
    rows = db.execute(
        "SELECT key, label, position, active, coalesce(label_de, '') FROM pipeline_steps"
        " WHERE active OR NOT ? ORDER BY position, key", [active_only]).fetchall()
    return [Step(*row) for row in rows]


def steps_table(db: Connection) -> pd.DataFrame:
    """Every step with how many open leads it holds, for the Settings page's editor."""
    return db.execute(
        "SELECT s.position, s.label, coalesce(s.label_de, '') AS label_de, s.active,"
        " count(l.id) AS open_leads, s.key"
        " FROM pipeline_steps s LEFT JOIN leads l ON l.step_key = s.key"
        " AND l.status IN ('todo', 'standby')"
        " GROUP BY s.key, s.label, s.label_de, s.position, s.active"
        " ORDER BY s.position, s.key").df()


def steps_from_table(table: pd.DataFrame) -> list[Step]:
    """The edited table back as steps (what ``update_steps`` saves)."""
    return [Step(str(r["key"]), str(r["label"] or "").strip(), int(r["position"]),
                 bool(r["active"]), _german(r.get("label_de")))
            for r in table.to_dict("records")]


def _german(value: object) -> str:
    return "" if value is None or value != value else " ".join(str(value).split())


@transaction
def update_steps(db: Connection, wanted: list[Step], *, by: int | None) -> int:
    """Save names, order and on/off of the steps as one change; returns how many changed."""
    access.require_user(db, by, "edit_qualification", N_("edit the pipeline steps"))
    old = {s.key: s for s in steps(db)}
    _check(db, wanted, old)
    # A step given the number another one has goes before it (that is what moving it meant).
    ordered = sorted(wanted, key=lambda s: (s.position, s.position == old[s.key].position,
                                            old[s.key].position))
    changed = 0
    for place, step in enumerate(ordered, start=1):
        before = asdict(old[step.key])
        after = {**asdict(step), "position": place}
        for field in ("label", "label_de", "position", "active"):
            if before[field] != after[field]:
                settings_store.set_step(db, step.key, field, after[field])
                history.record(db, "settings", user_id=by, field=f"step:{step.key}.{field}",
                               old=before[field], new=after[field])
                changed += 1
    return changed


def _check(db: Connection, wanted: list[Step], old: dict[str, Step]) -> None:
    unknown = [s.key for s in wanted if s.key not in old]
    if unknown:
        raise InvalidInput(_("there is no step '{key}'").format(key=unknown[0]))
    labels = [s.label.casefold() for s in wanted]
    if any(not label for label in labels):
        raise InvalidInput(_("every step needs a name"), column=_("name"))
    german = [s.label_de.casefold() for s in wanted if s.label_de]
    if len(set(labels)) < len(labels) or len(set(german)) < len(german):
        raise InvalidInput(_("two steps have the same name"), column=_("name"))
    if not any(s.active for s in wanted):
        raise InvalidInput(_("at least one step must stay active"), column=_("active"))
    for step in wanted:
        if old[step.key].active and not step.active:
            holding = _open_leads(db, step.key)
            if holding:
                raise InvalidInput(ngettext(
                    "'{step}' still holds {count} open lead; move them first",
                    "'{step}' still holds {count} open leads; move them first", holding,
                ).format(step=_shown(old[step.key]), count=i18n.number(holding)),
                    column=_("active"))


def _shown(step: Step) -> str:
    """A step's name as the current language reads it."""
    return step.label_de or step.label if i18n.language() == "de" else step.label


def _open_leads(db: Connection, key: str) -> int:
    return int(scalar(db, "SELECT count(*) FROM leads WHERE step_key = ?"
                          " AND status IN ('todo', 'standby')", [key]))


@transaction
def add_step(db: Connection, label: str, *, by: int | None, label_de: str = "") -> Step:
    """A new active step at the end of the pipeline (``label_de``: its German name)."""
    access.require_user(db, by, "edit_qualification", N_("add pipeline steps"))
    label, label_de = " ".join(str(label or "").split()), _german(label_de)
    if not label:
        raise InvalidInput(_("give the step a name"), column=_("name"))
    existing = steps(db)
    taken = {s.label.casefold() for s in existing} | {
        s.label_de.casefold() for s in existing if s.label_de}
    for name in filter(None, (label, label_de)):
        if name.casefold() in taken:
            raise InvalidInput(_("there is a step called '{name}' already").format(name=name),
                               column=_("name"))
    key = _free_key(re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_") or "step",
                    {s.key for s in existing})
    position = max((s.position for s in existing), default=0) + 1
    settings_store.insert_step(db, key, label, position, label_de or None)
    history.record(db, "settings", user_id=by, field=f"step:{key}", new=label)
    return Step(key, label, position, True, label_de)


def _free_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key
