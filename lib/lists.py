"""Prospecting lists: what each holds and where it came from."""

from __future__ import annotations

import pandas as pd

from lib import access, i18n, labels
from lib.db import Connection, scalar
from lib.i18n import _, ngettext, pgettext

STATUSES = ("suspect", "prospect", "lead", "dead")


def overview(db: Connection, *, viewer: access.Viewer) -> pd.DataFrame:
    """Every list the viewer may open with its latest file, import date, importer, and how many
    of its rows (per status) the viewer may see."""
    people_visible, people_params = access.people_clause(viewer, "p")
    lists_visible, lists_params = access.lists_clause(viewer, "l")
    return db.execute(
        f"""
        WITH latest AS (
            SELECT list_id, file_name, imported_at, imported_by, via,
                   row_number() OVER (PARTITION BY list_id ORDER BY imported_at DESC, id DESC) AS n
            FROM imports WHERE undone_at IS NULL
        ), counts AS (
            SELECT r.list_id, count(*) AS rows,
                   count(*) FILTER (WHERE p.status = 'suspect') AS suspect,
                   count(*) FILTER (WHERE p.status = 'prospect') AS prospect,
                   count(*) FILTER (WHERE p.status = 'lead') AS lead,
                   count(*) FILTER (WHERE p.status = 'dead') AS dead
            FROM list_rows r JOIN people p ON p.id = r.person_id WHERE {people_visible}
            GROUP BY r.list_id
        )
        SELECT l.id, l.name AS list, l.source, latest.file_name, latest.imported_at,
               coalesce(u.name, CASE latest.via WHEN 'browser' THEN ?
                   WHEN 'command line' THEN ? ELSE latest.via END) AS imported_by,
               coalesce(c.rows, 0) AS rows,
               coalesce(c.suspect, 0) AS suspect, coalesce(c.prospect, 0) AS prospect,
               coalesce(c.lead, 0) AS lead, coalesce(c.dead, 0) AS dead
        FROM lists l
        LEFT JOIN latest ON latest.list_id = l.id AND latest.n = 1
        LEFT JOIN users u ON u.id = latest.imported_by
        LEFT JOIN counts c ON c.list_id = l.id
        WHERE {lists_visible}
        ORDER BY coalesce(latest.imported_at, l.created_at) DESC, l.name
        """, [*people_params, _("in the browser"), pgettext("imported via", "command line"),
              *lists_params]
    ).df()


def names(db: Connection, *, viewer: access.Viewer) -> list[str]:
    """The names of the lists the viewer may open, newest first."""
    visible, params = access.lists_clause(viewer, "l")
    return [r[0] for r in db.execute(
        f"SELECT l.name FROM lists l WHERE {visible} ORDER BY l.created_at DESC, l.name",
        params).fetchall()]


def list_id(db: Connection, name: str) -> int | None:
    row = db.execute("SELECT id FROM lists WHERE name = ?", [name]).fetchone()
    return int(row[0]) if row else None


def has_no_data(db: Connection) -> bool:
    """No lists and no people yet (users may exist: the first admin comes before any data)."""
    return not db.execute(
        "SELECT EXISTS (SELECT 1 FROM lists) OR EXISTS (SELECT 1 FROM people)"
    ).fetchone()[0]


def people_on_lists(db: Connection, *, viewer: access.Viewer) -> int:
    """Distinct people on the lists the viewer may open (as ``overview`` counts their rows): a
    person on two lists is one person and two rows."""
    people_visible, people_params = access.people_clause(viewer, "p")
    lists_visible, lists_params = access.lists_clause(viewer, "l")
    return int(scalar(db, f"""
        SELECT count(DISTINCT r.person_id) FROM list_rows r
        JOIN people p ON p.id = r.person_id JOIN lists l ON l.id = r.list_id
        WHERE {people_visible} AND {lists_visible}""", [*people_params, *lists_params]) or 0)


def totals_text(overview: pd.DataFrame, people: int) -> str:
    """The line above the lists: "3 lists · 81 rows · 70 people"."""
    lists = ngettext("{count} list", "{count} lists", len(overview)).format(
        count=i18n.number(len(overview)))
    return " · ".join((lists,
                       labels.count_line(int(overview["rows"].sum()), labels.ROWS),
                       labels.count_line(people, labels.PEOPLE)))


COLUMN_LABELS = {"rows": labels.ROWS, **labels.ROWS_NOW}
