"""Writes of what managers and admins configure: settings, criteria and pipeline steps."""

from __future__ import annotations

from datetime import datetime

from lib.db import Connection

CRITERION_COLUMNS = frozenset({"short_label", "label_en", "label_de", "description",
                               "short_label_de", "description_de", "position", "active"})
STEP_COLUMNS = frozenset({"label", "label_de", "position", "active"})


def put_setting(db: Connection, key: str, value: str, now: datetime, by: int | None) -> None:
    """Store a setting's text (already validated), replacing the one stored before."""
    db.execute(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [key, value, now, by])


def insert_criterion(db: Connection, key: str, stage: str, labels: list[str], position: int,
                     german: list[str]) -> None:
    """A new active criterion; ``labels`` are short label, English, German and description,
    ``german`` the German short label and description."""
    db.execute(
        "INSERT INTO criteria (key, stage, short_label, label_en, label_de, description, position,"
        " active, short_label_de, description_de) VALUES (?, ?, ?, ?, ?, ?, ?, true, ?, ?)",
        [key, stage, *labels, position, *german])


def set_criterion(db: Connection, key: str, column: str, value: object) -> None:
    """One column of a criterion; the column name is checked, it cannot be a bound value."""
    if column not in CRITERION_COLUMNS:
        raise ValueError(f"not a criterion column: {column}")
    db.execute(f"UPDATE criteria SET {column} = ? WHERE key = ?", [value, key])


def insert_step(db: Connection, key: str, label: str, position: int,
                label_de: str | None) -> None:
    db.execute("INSERT INTO pipeline_steps (key, label, position, active, label_de)"
               " VALUES (?, ?, ?, true, ?)", [key, label, position, label_de])


def set_step(db: Connection, key: str, column: str, value: object) -> None:
    """One column of a pipeline step (checked like ``set_criterion``)."""
    if column not in STEP_COLUMNS:
        raise ValueError(f"not a pipeline step column: {column}")
    db.execute(f"UPDATE pipeline_steps SET {column} = ? WHERE key = ?", [value, key])
