"""`python -m lib.cli privacy …` as an admin answering a request runs it: real processes on a
real database file, exit codes, the written JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from lib import db, importing, privacy, settings, users
from tests.test_privacy import ERIKA, ERIKA_KEY, FAIR

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, db_path: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.cli", *args, "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, input=stdin)


def seeded(db_path: Path) -> None:
    conn = db.connect(db_path)
    cur = conn.cursor()
    admin = users.add(cur, "Ada Admin", "ada@corp.example", "admin").id
    users.add(cur, "Rita Rep", "rita@corp.example", "rep", by=admin)
    importing.import_file(cur, FAIR, "messe.csv", "Messe", by=admin)
    conn.close()


def test_export_writes_what_is_held_as_json(db_path, tmp_path):
    seeded(db_path)
    out = tmp_path / "erika.json"
    done = cli("privacy", "export", ERIKA[3].upper(), "--out", str(out), "--as",
               "ada@corp.example", db_path=db_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["request"] == ERIKA[3].upper()
    [person] = data["people"]
    assert person["person"]["last_name"] == "Mustermann"
    assert [(r["list"], r["file_name"]) for r in person["lists"]] == [("Messe", "messe.csv")]


def test_erase_needs_yes_without_a_terminal_then_keeps_the_person_out(db_path):
    seeded(db_path)
    asked = cli("privacy", "erase", ERIKA[3], "--as", "ada@corp.example", db_path=db_path,
                stdin="")
    assert asked.returncode == 2 and "--yes" in asked.stderr
    done = cli("privacy", "erase", ERIKA[3], "--yes", "--json", "--as", "ada@corp.example",
               db_path=db_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["people"], summary["files_rewritten"]) == (1, 1)
    again = cli("privacy", "erase", ERIKA[3], "--yes", "--as", "ada@corp.example",
                db_path=db_path)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        f"error: nobody with the e-mail {ERIKA[3]} is held"]
    conn = db.connect(db_path)
    try:
        cur = conn.cursor()
        assert cur.execute("SELECT count(*) FROM people WHERE email_key = ?",
                           [ERIKA_KEY]).fetchone()[0] == 0
    finally:
        conn.close()


def test_the_reimport_json_counts_the_suppressed_row(db_path, tmp_path):
    seeded(db_path)
    assert cli("privacy", "erase", ERIKA[3], "--yes", db_path=db_path).returncode == 0
    file = tmp_path / "messe.csv"
    file.write_bytes(FAIR)
    done = cli("import", str(file), "--list", "Messe 2", "--json", db_path=db_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["suppressed"], summary["already_known"], summary["added"]) == (1, 1, 0)


def test_privacy_commands_refuse_who_is_not_an_admin_and_unknown_people(db_path, tmp_path):
    seeded(db_path)
    rep = cli("privacy", "export", ERIKA[3], "--out", str(tmp_path / "x.json"), "--as",
              "rita@corp.example", db_path=db_path)
    assert rep.returncode == 2 and len(rep.stderr.strip().splitlines()) == 1
    assert "may not answer privacy requests" in rep.stderr
    assert not (tmp_path / "x.json").exists()
    unknown = cli("privacy", "export", "ghost@nowhere.example", "--out",
                  str(tmp_path / "y.json"), db_path=db_path)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "error: nobody with the e-mail ghost@nowhere.example is held"]


def test_purge_dry_run_lists_whom_the_purge_then_erases(db_path):
    seeded(db_path)
    conn = db.connect(db_path)
    cur = conn.cursor()
    settings.put(cur, "retention_unworked_months", 3, by=None)
    cur.execute("UPDATE list_rows SET added_at = ? WHERE person_id = (SELECT id FROM people"
                " WHERE email_key = ?)", [db.utcnow() - timedelta(days=200), ERIKA_KEY])
    erika = cur.execute("SELECT id FROM people WHERE email_key = ?", [ERIKA_KEY]).fetchone()[0]
    conn.close()
    dry = cli("privacy", "purge", "--dry-run", "--json", "--as", "ada@corp.example",
              db_path=db_path)
    assert dry.returncode == 0, dry.stderr
    listed = json.loads(dry.stdout.strip().splitlines()[-1])
    assert listed == {"would_purge": 1, "person_ids": [erika]}
    done = cli("privacy", "purge", "--json", "--as", "ada@corp.example", db_path=db_path)
    assert done.returncode == 0, done.stderr
    purged = json.loads(done.stdout.strip().splitlines()[-1])
    assert (purged["person_ids"], purged["suppression_entries"]) == ([erika], 0)
    conn = db.connect(db_path)
    try:
        assert privacy.suppression_version(conn.cursor())[0] == 0  # she had not asked
        assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 1
    finally:
        conn.close()
