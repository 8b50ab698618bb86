"""The audit log is append-only from the app's side, and says who did what to how many rows."""

from __future__ import annotations

import re

from lib import audit, db, i18n, importing
from tests.apptest import ROOT
from tests.test_cli import DEMO, cli


def test_no_code_in_lib_or_pages_changes_or_deletes_audit_entries():
    writes = re.compile(r"(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|TRUNCATE\s+audit_log"
                        r"|DROP\s+TABLE\s+audit_log)", re.IGNORECASE)
    offenders = [str(path.relative_to(ROOT)) for folder in ("lib", "pages")
                 for path in (ROOT / folder).rglob("*.py") if writes.search(path.read_text())]
    assert offenders == []


def test_an_import_and_its_undo_are_logged_with_their_row_counts(fresh_db):
    data = (DEMO / "2026-kw45-messe-nuernberg.csv").read_bytes()
    result = importing.import_file(fresh_db, data, "kw45.csv", "KW45", by=None)
    audit.imported(fresh_db, result, by=None, file_name="kw45.csv")
    undone = importing.undo(fresh_db, result.import_id, by=None)
    audit.undone(fresh_db, undone, by=None)
    log = audit.recent(fresh_db)
    assert list(log[["who", "action", "target", "rows"]].itertuples(index=False, name=None)) \
        == [("command line", "import_undone", f"import #{result.import_id}",
             undone.removed_people + undone.removed_from_list),
            ("command line", "import", f"KW45 (import #{result.import_id})", 28)]


def test_the_command_line_import_and_calendar_export_are_logged(demo_path, tmp_path):
    walk_ins = tmp_path / "walk-ins.csv"
    walk_ins.write_text("Firma,Vorname,Nachname,E-Mail\nEins GmbH,Erik,Eins,erik@eins.de\n")
    done = cli("import", str(walk_ins), "--list", "Walk-ins", "--as",
               "david.nguyen@leadladder.example", db_path=demo_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "anna.ics"
    assert cli("calendar", "--user", "anna.schmidt@leadladder.example", "--out", str(out),
               db_path=demo_path).returncode == 0
    conn = db.connect(demo_path)
    try:
        rows = conn.execute(
            "SELECT coalesce(u.name, 'command line'), a.action, a.target, a.row_count"
            " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
            " WHERE a.action IN ('import', 'export') ORDER BY a.id").fetchall()
    finally:
        conn.close()
    assert [row[:3] for row in rows] == [
        ("David Nguyen", "import", "Walk-ins (import #4)"),
        ("command line", "export", "calendar of anna.schmidt@leadladder.example")]
    assert rows[0][3] == 1 and rows[1][3] > 0


def test_an_undo_by_a_german_reader_is_logged_in_english_like_every_entry(fresh_db):
    data = (DEMO / "2026-kw45-messe-nuernberg.csv").read_bytes()
    result = importing.import_file(fresh_db, data, "kw45.csv", "KW45", by=None)
    with i18n.using("de"):
        undone = importing.undo(fresh_db, result.import_id, by=None)
        shown = undone.message
        audit.undone(fresh_db, undone, by=None)
    assert shown.startswith(f"Import #{result.import_id} rückgängig")
    assert audit.recent(fresh_db)["detail"].iloc[0] == (
        f"Import #{result.import_id} undone: {undone.removed_people} people removed, "
        f"{undone.removed_from_list} known people taken off the list.")
