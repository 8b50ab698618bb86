"""Ops' weekly import from the command line while the app runs and a rep has it open: the app
holds the DuckDB file, so the command hands itself over to the app (``lib.relay``), and the new
list shows in the browser after a reload. The hand-over is only for this machine's owner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lib import relay
from tests.e2e.conftest import ROOT, RunningApp, log_in, open_page
from tests.e2e.test_import_browser import german_excel_csv, grid_row


def cli(*argv: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    """``python -m lib.cli`` as ops type it, from their own directory."""
    return subprocess.run([sys.executable, "-m", "lib.cli", *argv], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_weekly_import_runs_while_the_app_runs_and_shows_in_the_browser(
        page: Page, demo_app: RunningApp, tmp_path: Path):
    log_in(page, demo_app)
    weekly = german_excel_csv(tmp_path / "KW49.csv", people=5)

    done = cli("import", "KW49.csv", "--list", "KW49 Messe", "--db", str(demo_app.db_path),
               "--json", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["list"], summary["added"], summary["duplicates_in_file"]) == (
        "KW49 Messe", 5, 1)
    open_page(page, demo_app, "")
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    row = grid_row(page, table, "KW49 Messe")
    assert row["Rows"] == "5" and row["By"] == "command line"

    again = cli("import", str(weekly), "--list", "KW49 Messe", "--db", str(demo_app.db_path),
                cwd=ROOT)
    assert again.returncode == 0 and "already imported" in again.stdout
    missing = cli("import", "KW50.csv", "--list", "KW50", "--db", str(demo_app.db_path),
                  cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: cannot read {tmp_path / 'KW50.csv'}: " \
                                     "No such file or directory"


def test_users_add_reads_the_password_from_the_callers_stdin(demo_app: RunningApp,
                                                            tmp_path: Path):
    added = cli("users", "add", "nora.neu@leadladder.example", "--name", "Nora Neu", "--role",
                "rep", "--password-stdin", "--db", str(demo_app.db_path), cwd=tmp_path,
                stdin="a-long-enough-passphrase-49\n")
    assert added.returncode == 0, added.stderr
    listed = cli("users", "list", "--json", "--db", str(demo_app.db_path), cwd=tmp_path)
    users = json.loads(listed.stdout.strip().splitlines()[-1])
    assert any(u["email"] == "nora.neu@leadladder.example" and u["role"] == "rep"
               for u in users)


def _post(app: RunningApp, token: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(
        app.url + relay.PATH, method="POST",
        data=json.dumps({"argv": ["lists", "--json"], "cwd": "/", "stdin": ""}).encode(),
        headers={"Authorization": f"Bearer {token}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_hand_over_wants_the_owners_secret_and_no_proxy(demo_app: RunningApp):
    note = relay.note_path(demo_app.db_path)
    assert note.stat().st_mode & 0o777 == 0o600
    token = json.loads(note.read_text(encoding="utf-8"))["token"]

    assert _post(demo_app, "guessed") == 403
    assert _post(demo_app, token[:-1]) == 403
    assert _post(demo_app, token, {"X-Forwarded-For": "203.0.113.9"}) == 403
    assert _post(demo_app, token) == 200
    assert token not in demo_app.stop()  # never in the server's log


@pytest.mark.parametrize("note", ["", "{not json", '{"url": "http://127.0.0.1:9", "token": "x"}'])
def test_without_an_answering_app_the_locked_file_is_reported_as_before(tmp_path: Path,
                                                                        note: str):
    database = tmp_path / "held.duckdb"
    relay.note_path(database).write_text(note, encoding="utf-8")
    assert relay.hand_over(database, ["lists"]) is None
