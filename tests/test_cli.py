"""The command line as ops automation uses it: real processes, real files, exit codes, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
COUNT_KEYS = ("blank", "added", "already_known", "duplicates_in_file", "rejected", "suppressed")


def cli(*args: str, db_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.cli", *args, "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def last_json(completed: subprocess.CompletedProcess):
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_import_prints_one_json_object_whose_counts_add_up(db_path):
    done = cli("import", str(DEMO / "2026-kw45-messe-nuernberg.csv"), "--list", "KW45", "--json",
               db_path=db_path)
    assert done.returncode == 0, done.stderr
    summary = last_json(done)
    assert {"import_id", "list", "rows_in_file", "flagged", "already_imported"} <= set(summary)
    assert summary["rows_in_file"] == sum(summary[k] for k in COUNT_KEYS) == 28
    assert (summary["list"], summary["already_imported"], summary["added"]) == ("KW45", False, 27)

    again = cli("import", str(DEMO / "2026-kw45-messe-nuernberg.csv"), "--list", "KW45",
                db_path=db_path)
    assert again.returncode == 0
    assert "already imported" in again.stdout and "nothing changed" in again.stdout


def test_a_workbook_sheet_can_be_chosen(db_path):
    done = cli("import", str(DEMO / "2026-kw46-webinar-lager.xlsx"), "--list", "KW46",
               "--sheet", "Anmeldungen", "--json", db_path=db_path)
    assert done.returncode == 0, done.stderr
    assert last_json(done)["added"] == 24
    missing = cli("import", str(DEMO / "2026-kw46-webinar-lager.xlsx"), "--list", "KW46b",
                  "--sheet", "Nope", db_path=db_path)
    assert missing.returncode == 2 and "Nope" in missing.stderr


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not a table"),
     (b"Firma;Vorname\r\n", "no data rows")],
)
def test_a_refused_file_exits_2_with_one_line_and_no_traceback(db_path, tmp_path, content,
                                                               reason):
    bad = tmp_path / "liste.csv"
    bad.write_bytes(content)
    done = cli("import", str(bad), "--list", "KW48", db_path=db_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert reason in done.stderr and "Traceback" not in done.stderr
    listed = cli("lists", "--json", db_path=db_path)
    assert last_json(listed) == []


def test_lists_gives_each_list_with_rows_per_status(db_path):
    for name in ("2026-kw45-messe-nuernberg.csv", "2026-kw47-purchased-list.csv"):
        cli("import", str(DEMO / name), "--list", name[:9], db_path=db_path)
    listed = last_json(cli("lists", "--json", db_path=db_path))
    assert {r["list"] for r in listed} == {"2026-kw45", "2026-kw47"}
    for entry in listed:
        assert set(entry) == {"list", "rows", "suspect", "prospect", "lead", "dead"}
        assert entry["rows"] == entry["suspect"] > 0


def test_demo_fills_an_empty_database_only(db_path):
    first = cli("demo", db_path=db_path)
    assert first.returncode == 0 and "demo loaded" in first.stdout
    second = cli("demo", db_path=db_path)
    assert second.returncode == 2 and "empty database" in second.stderr


def test_a_database_held_by_the_running_app_is_named_in_one_line(db_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
         " print('open', flush=True); time.sleep(60)", str(db_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        started = time.monotonic()
        done = cli("lists", db_path=db_path)
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1
        assert "in use by another process" in done.stderr
        assert time.monotonic() - started < 60
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("file_format", ["csv", "csv-de", "xlsx"])
def test_export_writes_the_prospecting_download_of_a_list(db_path, tmp_path, file_format):
    from lib import access, db, export, lists, rows

    assert cli("demo", db_path=db_path).returncode == 0
    out = tmp_path / f"kw45.{file_format}"
    done = cli("export", "--list", "KW45 Messe Nürnberg", "--format", file_format,
               "--out", str(out), db_path=db_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote 27 rows of 'KW45 Messe Nürnberg' to {out}"
    conn = db.connect(db_path)
    cur = conn.cursor()
    f = rows.RowFilter(list_id=lists.list_id(cur, "KW45 Messe Nürnberg"))
    frame = rows.export_rows(cur, f, viewer=access.FULL_ACCESS)  # the page's download
    conn.close()
    assert {"Standbesuch", "status", "why", "owner", "✓ budget", "e-mail"} <= set(frame.columns)
    if file_format == "csv":
        assert out.read_bytes() == export.to_csv(frame)
    elif file_format == "csv-de":
        assert out.read_bytes() == export.to_german_excel_csv(frame)
        assert out.read_bytes().decode("utf-8-sig").splitlines()[0].count(";") == len(
            frame.columns) - 1
    else:
        read = pd.read_excel(out, dtype=object, engine="openpyxl")
        assert read.columns.tolist() == frame.columns.tolist()
        assert read["company"].tolist() == frame["company"].tolist()
        assert read["Standbesuch"].fillna("").tolist() == frame["Standbesuch"].fillna("").tolist()


def test_export_of_an_unknown_list_exits_2_with_one_line(db_path, tmp_path):
    out = tmp_path / "nope.csv"
    done = cli("export", "--list", "Nope", "--format", "csv", "--out", str(out), db_path=db_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "error: there is no list named 'Nope'\n"
    assert not out.exists()


def test_export_as_a_rep_writes_only_the_rows_she_may_see(db_path, tmp_path):
    from lib import access, db, lists, rows, users

    assert cli("demo", db_path=db_path).returncode == 0
    assert cli("settings", "set", "visibility", "own", db_path=db_path).returncode == 0
    anna = "anna.schmidt@leadladder.example"
    out = tmp_path / "anna.csv"
    done = cli("export", "--list", "KW45 Messe Nürnberg", "--format", "csv", "--out", str(out),
               "--as", anna, db_path=db_path)
    assert done.returncode == 0, done.stderr
    conn = db.connect(db_path)
    cur = conn.cursor()
    f = rows.RowFilter(list_id=lists.list_id(cur, "KW45 Messe Nürnberg"))
    mine = rows.export_rows(cur, f, viewer=access.viewer_of(cur, users.by_email(cur, anna).id))
    everyone = rows.export_rows(cur, f, viewer=access.FULL_ACCESS)
    conn.close()
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert written["company"].tolist() == mine["company"].tolist()
    assert 0 < len(mine) < len(everyone)
    others = {o for o in everyone["owner"] if isinstance(o, str) and o} - {"Anna Schmidt"}
    assert others and not set(written["owner"]) & others  # nobody else's row comes along
    assert done.stdout.strip() == f"wrote {len(mine)} rows of 'KW45 Messe Nürnberg' to {out}"
