"""Speed of privacy: erasing one person, and what the suppression check adds to an import (a
benchmark, not a test).

    .venv/bin/python -m bench.privacy_bench [--sizes 100000 1000000] [--known 1000000]

On the import benchmark's database of --known people (bench/import_bench.py builds it):

- **Erase**: a 100,000-row list is imported (its file stored), one person of it is ticked,
  converted, given ten activities, then erased (``privacy.erase``: suppression entries,
  every record, the stored file rewritten, one transaction). Floor: deleting that person's
  row alone plus reading the stored file once, in the same process.
- **Import with the suppression check**: the same German CSV imported end to end with no
  suppression entries (the check is skipped: the floor), with 10,000 entries none of which
  matches (every staged e-mail and phone is hashed in SQL), and with 10,000 entries of which
  one matches a row of the file (that row is kept out and the stored file rewritten without
  it). Each run in a fresh process on a fresh copy of the database.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bench import import_bench

OUT = import_bench.OUT
ENTRIES = 10_000


def _seed_suppressions(database: Path, entries: int, matching_email: str | None) -> None:
    import pandas as pd

    from lib import db, normalise, privacy

    conn = db.connect(database)
    cur = conn.cursor()
    secret = privacy._secret(cur)
    hashes = [secrets.token_hex(32) for _ in range(entries)]
    if matching_email:
        key = normalise.email_keys(pd.Series([matching_email]), workers=1)["key"].iloc[0]
        hashes[0] = privacy.keyed_hash(secret, "email", key)
    frame = pd.DataFrame({"channel": "email", "hash": hashes})
    with db.registered(cur, "seeded", frame):
        cur.execute("INSERT INTO suppressions (channel, hash, reason, created_at)"
                    " SELECT channel, hash, 'erased', now() FROM seeded")
    cur.execute("CHECKPOINT")
    conn.close()


def one_import(file: Path, database: Path) -> dict:
    """One import end to end in this fresh process."""
    from lib import db, importing, settings

    data = file.read_bytes()
    conn = db.connect(database)
    settings.put(conn.cursor(), "max_file_mb", 2000, by=None)
    started = time.perf_counter()
    result = importing.import_file(conn.cursor(), data, file.name, "Bench", by=None)
    seconds = time.perf_counter() - started
    conn.close()
    return {"import_s": seconds, "counts": result.as_dict()}


def one_erase(file: Path, database: Path) -> dict:
    """Import ``file``, work one of its people, erase them; the floor on a second person."""
    from lib import db, importing, leads, privacy, reading, settings, users
    from lib import qualification as q

    conn = db.connect(database)
    cur = conn.cursor()
    settings.put(cur, "max_file_mb", 2000, by=None)
    admin = users.add(cur, "Bench Admin", "bench@corp.example", "admin").id
    result = importing.import_file(cur, file.read_bytes(), file.name, "Bench", by=admin)
    chosen = cur.execute("SELECT person_id FROM import_rows WHERE import_id = ? AND outcome ="
                         " 'added' ORDER BY row_number LIMIT 2", [result.import_id]).fetchall()
    victim, other = int(chosen[0][0]), int(chosen[1][0])
    q.set_tick(cur, victim, "interest", True, expected=False, by=admin)
    lead = leads.convert(cur, victim, owner_id=admin, by=admin,
                         next_step=leads.NextStep("meeting", date.today() + timedelta(days=3)))
    for n in range(10):
        leads.log_activity(cur, lead.lead_id, leads.Activity("note", f"note {n}"), by=admin)
    cur.execute("CHECKPOINT")
    started = time.perf_counter()
    erased = privacy.erase(cur, [victim], by=admin)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    data, name, options = cur.execute("SELECT file_bytes, file_name, read_options FROM imports"
                                      " WHERE id = ?", [result.import_id]).fetchone()
    reading.read_table(bytes(data), name, reading.ReadOptions(**json.loads(options)),
                       max_bytes=len(data) + 1, max_rows=10**9)
    cur.execute("DELETE FROM list_rows WHERE person_id = ?", [other])
    cur.execute("DELETE FROM people WHERE id = ?", [other])
    floor = time.perf_counter() - started
    people = cur.execute("SELECT count(*) FROM people").fetchone()[0]
    conn.close()
    return {"erase_s": seconds, "floor_s": floor, "people": people,
            "files": erased.files_rewritten, "removed": erased.removed}


def _fresh(base: Path, name: str) -> Path:
    """A copy of the base database (without the write-ahead log of an interrupted run)."""
    copy = OUT / name
    Path(f"{copy}.wal").unlink(missing_ok=True)
    shutil.copy(base, copy)
    return copy


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.privacy_bench", *args],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_email(file: Path) -> str:
    import pandas as pd

    frame = pd.read_csv(file, sep=";", dtype=str, keep_default_na=False, encoding="cp1252",
                        nrows=50)
    return next(e for e in frame["E-Mail"] if "@" in e)


def imports(sizes: list[int], known: int, base: Path) -> None:
    print(f"{'import (csv)':<14}{'rows':>10}{'no entries s':>14}{'10k, none match s':>19}"
          f"{'× ':>6}{'10k, 1 matches s':>18}{'× ':>6}  kept out")
    for rows in sizes:
        file = import_bench.write_list(rows, known, "csv")
        results = []
        for entries, match in ((0, None), (ENTRIES, None), (ENTRIES, first_email(file))):
            copy = _fresh(base, "privacy-run.duckdb")
            if entries:
                _seed_suppressions(copy, entries, match)
            results.append(_child("--one-import", str(file), str(copy)))
            copy.unlink()
        floor = results[0]["import_s"]
        print(f"{'':<14}{rows:>10,}{floor:>14.2f}{results[1]['import_s']:>19.2f}"
              f"{results[1]['import_s'] / floor:>6.2f}{results[2]['import_s']:>18.2f}"
              f"{results[2]['import_s'] / floor:>6.2f}  {results[2]['counts']['suppressed']}")


def erase(known: int, base: Path) -> None:
    file = import_bench.write_list(100_000, known, "csv")
    copy = _fresh(base, "privacy-erase.duckdb")
    result = _child("--one-erase", str(file), str(copy))
    copy.unlink()
    print(f"erase one person of {result['people'] + 1:,} (a 100,000-row stored file, a lead,"
          f" 10 activities): {result['erase_s']:.2f} s; floor (read the stored file once +"
          f" delete one row): {result['floor_s']:.2f} s; × floor"
          f" {result['erase_s'] / result['floor_s']:.1f}; files rewritten {result['files']};"
          f" removed {result['removed']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--known", type=int, default=1_000_000)
    parser.add_argument("--one-import", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--one-erase", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_import:
        print(json.dumps(one_import(Path(args.one_import[0]), Path(args.one_import[1]))))
        return
    if args.one_erase:
        print(json.dumps(one_erase(Path(args.one_erase[0]), Path(args.one_erase[1]))))
        return
    OUT.mkdir(exist_ok=True)
    base = import_bench.base_database(args.known)
    print(f"database with {args.known:,} people: {base}")
    erase(args.known, base)
    imports(args.sizes, args.known, base)


if __name__ == "__main__":
    main()
