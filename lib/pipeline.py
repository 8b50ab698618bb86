"""The pipeline's steps: a list a manager shapes (names, order, on or off, new steps).

A step that still holds open leads cannot be switched off: its leads would drop out of every
view. Every change goes to the history.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

from lib import access, history
from lib.db import Connection, scalar, transaction
from lib.errors import InvalidInput


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    position: int
    active: bool


def steps(db: Connection, active_only: bool = False) -> list[Step]:
    """The steps in pipeline order."""
    rows = db.execute(
        "SELECT key, label, position, active FROM pipeline_steps"
        " WHERE active OR NOT ? ORDER BY position, key", [active_only]).fetchall()
    return [Step(*row) for row in rows]


def steps_table(db: Connection) -> pd.DataFrame:
    """Every step with how many open leads it holds, for the Settings page's editor."""
    return db.execute(
        "SELECT s.position, s.label, s.active, count(l.id) AS open_leads, s.key"
        " FROM pipeline_steps s LEFT JOIN leads l ON l.step_key = s.key"
        " AND l.status IN ('todo', 'standby')"
        " GROUP BY s.key, s.label, s.position, s.active ORDER BY s.position, s.key").df()


def steps_from_table(table: pd.DataFrame) -> list[Step]:
    """The edited table back as steps (what ``update_steps`` saves)."""
    return [Step(str(r["key"]), str(r["label"] or "").strip(), int(r["position"]),
                 bool(r["active"])) for r in table.to_dict("records")]


@transaction
def update_steps(db: Connection, wanted: list[Step], *, by: int | None) -> int:
    """Save names, order and on/off of the steps as one change; returns how many changed."""
    access.require_user(db, by, "edit_qualification", "edit the pipeline steps")
    old = {s.key: s for s in steps(db)}
    _check(db, wanted, old)
    # A step given the number another one has goes before it (that is what moving it meant).
    ordered = sorted(wanted, key=lambda s: (s.position, s.position == old[s.key].position,
                                            old[s.key].position))
    changed = 0
    for place, step in enumerate(ordered, start=1):
        before = asdict(old[step.key])
        after = {**asdict(step), "position": place}
        for field in ("label", "position", "active"):
            if before[field] != after[field]:
                db.execute(f"UPDATE pipeline_steps SET {field} = ? WHERE key = ?",
                           [after[field], step.key])
                history.record(db, "settings", user_id=by, field=f"step:{step.key}.{field}",
                               old=before[field], new=after[field])
                changed += 1
    return changed


def _check(db: Connection, wanted: list[Step], old: dict[str, Step]) -> None:
    unknown = [s.key for s in wanted if s.key not in old]
    if unknown:
        raise InvalidInput(f"there is no step '{unknown[0]}'")
    labels = [s.label.casefold() for s in wanted]
    if any(not label for label in labels):
        raise InvalidInput("every step needs a name", column="name")
    if len(set(labels)) < len(labels):
        raise InvalidInput("two steps have the same name", column="name")
    if not any(s.active for s in wanted):
        raise InvalidInput("at least one step must stay active", column="active")
    for step in wanted:
        if old[step.key].active and not step.active:
            holding = _open_leads(db, step.key)
            if holding:
                raise InvalidInput(f"'{old[step.key].label}' still holds {holding} open"
                                   f" lead{'s' if holding != 1 else ''}; move them first",
                                   column="active")


def _open_leads(db: Connection, key: str) -> int:
    return int(scalar(db, "SELECT count(*) FROM leads WHERE step_key = ?"
                          " AND status IN ('todo', 'standby')", [key]))


@transaction
def add_step(db: Connection, label: str, *, by: int | None) -> Step:
    """A new active step at the end of the pipeline."""
    access.require_user(db, by, "edit_qualification", "add pipeline steps")
    label = " ".join(str(label or "").split())
    if not label:
        raise InvalidInput("give the step a name", column="name")
    existing = steps(db)
    if label.casefold() in {s.label.casefold() for s in existing}:
        raise InvalidInput(f"there is a step called '{label}' already", column="name")
    key = _free_key(re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_") or "step",
                    {s.key for s in existing})
    position = max((s.position for s in existing), default=0) + 1
    db.execute("INSERT INTO pipeline_steps (key, label, position, active) VALUES (?, ?, ?, true)",
               [key, label, position])
    history.record(db, "settings", user_id=by, field=f"step:{key}", new=label)
    return Step(key, label, position, True)


def _free_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key
