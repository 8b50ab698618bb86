"""The demo: a realistic, deterministic dataset so that every page shows something real.

Three weekly lists (a German-Excel CSV, an XLSX, an English CSV under data/demo/), four users,
and on top of them what reps and managers would have done in the weeks since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from lib import importing, lists, users
from lib.db import Connection, transaction, utcnow
from lib.errors import UserError

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"

USERS = (
    ("Anna Schmidt", "anna.schmidt@leadladder.example", "rep"),
    ("Ben Okafor", "ben.okafor@leadladder.example", "rep"),
    ("Clara Weber", "clara.weber@leadladder.example", "manager"),
    ("David Nguyen", "david.nguyen@leadladder.example", "ops"),
)


@dataclass(frozen=True)
class DemoList:
    file: str
    name: str
    source: str
    weeks_ago: int


LISTS = (
    DemoList("2026-kw45-messe-nuernberg.csv", "KW45 Messe Nürnberg", "trade fair", 3),
    DemoList("2026-kw46-webinar-lager.xlsx", "KW46 Webinar Lager 4.0", "webinar", 2),
    DemoList("2026-kw47-purchased-list.csv", "KW47 Purchased list", "purchased list", 1),
)


@transaction
def load(db: Connection, now: datetime | None = None) -> dict[str, int]:
    """Fill an empty database with the demo, as one transaction; returns what it made."""
    if not lists.is_empty(db):
        raise UserError("The demo needs an empty database; this one already has data.")
    now = now or utcnow()
    team = {role_email[1]: users.add(db, *role_email) for role_email in USERS}
    ops = team["david.nguyen@leadladder.example"]
    for demo_list in LISTS:
        data = (DEMO_DIR / demo_list.file).read_bytes()
        result = importing.import_file(db, data, demo_list.file, demo_list.name, by=ops.id,
                                       source=demo_list.source)
        _backdate_import(db, result.import_id, now - timedelta(weeks=demo_list.weeks_ago))
    return {
        "users": len(team),
        "lists": len(LISTS),
        "people": int(db.execute("SELECT count(*) FROM people").fetchone()[0]),
    }


def _backdate_import(db: Connection, import_id: int, when: datetime) -> None:
    """Make an import look as if it happened `when` (the demo tells a story over weeks)."""
    db.execute("UPDATE imports SET imported_at = ? WHERE id = ?", [when, import_id])
    db.execute("UPDATE list_rows SET added_at = ? WHERE import_id = ?", [when, import_id])
    db.execute("UPDATE lists SET created_at = ? WHERE id = (SELECT list_id FROM imports"
               " WHERE id = ?) AND created_at > ?", [when, import_id, when])
    db.execute("UPDATE people SET created_at = ?, updated_at = ? WHERE import_id = ?",
               [when, when, import_id])
    db.execute("UPDATE history SET happened_at = ? WHERE import_id = ?", [when, import_id])
