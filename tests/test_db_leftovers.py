"""After a crash during a big import: the spilled temporary files go on the next start (9.11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from lib import db

SPILLER = textwrap.dedent("""
    import sys, duckdb
    conn = duckdb.connect(sys.argv[1], config={"memory_limit": "40MB", "threads": "1"})
    conn.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s"
                 " FROM range(20000000) ORDER BY s")
""")


def spill_and_crash(path: Path) -> list[Path]:
    """A process that spills a big sort next to the database, killed -9 while it does."""
    spiller = subprocess.Popen([sys.executable, "-c", SPILLER, str(path)])
    folder = Path(f"{path}.tmp")
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and spiller.poll() is None:
            spilled = [f for f in folder.glob("*") if f.is_file() and f.stat().st_size > 2**20]
            if spilled:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the sort finished or hung without spilling")
    finally:
        os.kill(spiller.pid, signal.SIGKILL)
        spiller.wait()
    return sorted(folder.iterdir())


def test_a_crash_leaves_spilled_files_and_the_next_start_removes_them(db_path):
    db.connect(db_path).close()
    leftovers = spill_and_crash(db_path)
    assert any(f.stat().st_size > 2**20 for f in leftovers), leftovers
    conn = db.connect(db_path)
    try:
        assert not Path(f"{db_path}.tmp").exists()
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] >= 1
    finally:
        conn.close()


def test_files_this_process_still_spills_into_are_kept(db_path):
    conn = db.connect(db_path)
    try:
        conn.execute("SET memory_limit = '40MB'")
        conn.execute("SET threads = 1")
        rows = conn.cursor().execute("SELECT range AS i, md5(range::VARCHAR) AS s"
                                     " FROM range(3000000) ORDER BY s")
        in_use = [Path(p) for (p,) in conn.execute(
            "SELECT path FROM duckdb_temporary_files()").fetchall()]
        assert in_use, "the sorted result should live in spilled files"
        assert db.remove_leftover_spills(conn) == []
        assert all(f.exists() for f in in_use)
        assert len(rows.fetchall()) == 3_000_000
    finally:
        conn.close()
