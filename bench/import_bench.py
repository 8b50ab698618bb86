"""Speed and memory of the import (a benchmark, not a test).

    .venv/bin/python -m bench.import_bench [--sizes 10000 100000 1000000] [--known 1000000]

Generates German-Excel style lists (CSV: cp1252, `;`; XLSX) with realistic mess — 10 % people
already known, 2 % duplicates within the file, invalid e-mails and phones, rejected and blank
rows — and imports each into a copy of a database that already holds --known people. Every run
happens in a fresh process that runs the real import end to end (read, map, validate, match,
commit) with its own peak-RSS reading, then measures the floor for the same file (pandas reads
the file, DuckDB inserts the frame into a plain table). Targets: 100k CSV ≤ 2 s and within 6×
the floor, 100k XLSX ≤ 4 s, 1M CSV ≤ 15 s with peak memory ≤ 1.5 GB. Workbooks are read in a
child process: its peak is printed beside the import's (the parent's) own. First, the refusal
of hostile 5 KB workbooks (a stray cell at XFD1048576 / ZZ200000) next to reading a tiny one.

The dense lists (--dense-sizes) put every new row at one of six large companies, so a block
of the near-duplicate search holds tens of thousands of rows: 100k dense rows within 4× the
floor, 1M dense rows within 8×, peak memory ≤ 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "out"
HEADER = ["Firma", "Anrede", "Vorname", "Nachname", "E-Mail", "Telefon", "Mobil", "Position",
          "Straße", "PLZ", "Ort", "Land", "Quelle", "Bemerkung", "Kundennummer"]
FIRST = np.array([
    "Jürgen", "Anna", "Özlem", "Lukas", "Sabine", "Matthias", "Lea", "Kai", "Birgit", "Felix",
    "Miriam", "Stefan", "Jana", "Ömer", "Petra", "Tobias", "Klaus", "Monika", "Andreas", "Julia",
    "Michael", "Katrin", "Thomas", "Sandra", "Markus", "Nicole", "Frank", "Claudia", "Uwe",
    "Heike", "Dirk", "Anja", "Sven", "Silke", "Jens", "Tanja", "Oliver", "Melanie", "Ralf",
    "Susanne", "Holger", "Martina", "Jörg", "Stefanie", "Bernd", "Kerstin", "Lars", "Ines"])
# Surnames from parts, so that names repeat as often as in real lists (a near-duplicate is a
# rare event, not a generator artefact).
LAST_START = np.array([
    "Berg", "Bach", "Brand", "Busch", "Dorn", "Eich", "Feld", "Fisch", "Gold", "Groß", "Hahn",
    "Hart", "Heil", "Hof", "Holz", "Horn", "Kamm", "Kirch", "Klein", "Koch", "Kron", "Lang",
    "Lind", "Löw", "Mai", "Mohr", "Neu", "Ober", "Rau", "Reh", "Roth", "Sand", "Schön", "Stein",
    "Sturm", "Wald", "Weiß", "Wies", "Wolf", "Zimmer"])
LAST_END = np.array([
    "", "er", "mann", "bauer", "hofer", "berger", "maier", "huber", "schmidt", "müller",
    "brecht", "hardt", "ling", "inger", "eder", "wald", "stein", "feld", "bach", "hausen",
    "meier", "lechner", "gruber", "reiter", "kamp", "horst", "dorf", "mayr", "rieder", "thaler"])
CITY = np.array(["München", "Köln", "Hamburg", "Berlin", "Frankfurt am Main", "Düsseldorf",
                 "Stuttgart", "Leipzig", "Nürnberg", "Dresden"])
AREA = np.array(["089", "0221", "040", "030", "069", "0211", "0711", "0341", "0911", "0351"])


def people_frame(ids: np.ndarray) -> pd.DataFrame:
    """Deterministic, mostly unique contacts for the given person numbers."""
    ids = ids.astype(np.int64)
    n = len(ids)
    text = pd.Series(ids.astype(str))
    company_no = pd.Series((ids % 60_000).astype(str))
    mixed = (ids.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
    first = FIRST[mixed % len(FIRST)]
    last = np.char.add(LAST_START[(mixed // len(FIRST)) % len(LAST_START)],
                       LAST_END[(mixed // (len(FIRST) * len(LAST_START))) % len(LAST_END)])
    frame = pd.DataFrame({
        "Firma": "Firma " + company_no + np.where(ids % 3 == 0, " GmbH", " AG"),
        "Anrede": np.where(ids % 2 == 0, "Herr", "Frau"),
        "Vorname": first,
        "Nachname": last,
        "E-Mail": "kontakt" + text + "@firma" + company_no + ".de",
        "Telefon": pd.Series(AREA[ids % len(AREA)]) + " "
        + (1_000_000 + ids % 8_999_999).astype(str),
        "Mobil": np.where(ids % 4 == 0, "0151 " + (10_000_000 + ids % 89_999_999).astype(str),
                          ""),
        "Position": np.where(ids % 5 == 0, "Geschäftsführer", "Einkauf"),
        "Straße": "Hauptstraße " + pd.Series((ids % 200 + 1).astype(str)),
        "PLZ": pd.Series((10_000 + ids % 89_999).astype(str)),
        "Ort": CITY[ids % len(CITY)],
        "Land": "Deutschland",
        "Quelle": "Messe",
        "Bemerkung": np.where(ids % 10 == 0, "Rückruf erwünscht", ""),
        "Kundennummer": "K" + text.str.zfill(8),
    })
    assert len(frame) == n
    return frame


def list_frame(rows: int, known: int) -> pd.DataFrame:
    """A weekly list: 10 % already known, 2 % repeated rows, a little mess."""
    rng = np.random.default_rng(rows)
    ids = known + 1 + np.arange(rows)
    known_rows = rng.random(rows) < 0.10 if known else np.zeros(rows, dtype=bool)
    ids[known_rows] = rng.integers(1, known + 1, size=int(known_rows.sum()))
    return messy(people_frame(ids), rng)


def messy(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """2 % repeated rows (e-mail in capitals), invalid e-mails and phones, rejected and blank
    rows."""
    rows = len(frame)
    repeat = rng.random(rows) < 0.02
    source = np.maximum(np.arange(rows) - rng.integers(1, 50, size=rows), 0)
    frame.loc[repeat, :] = frame.iloc[source[repeat]].to_numpy()
    frame.loc[repeat, "E-Mail"] = frame.loc[repeat, "E-Mail"].str.upper()
    frame.loc[rng.random(rows) < 0.01, "E-Mail"] = "kein-mail-vorhanden"
    frame.loc[rng.random(rows) < 0.005, "Telefon"] = "12"
    rejected = rng.random(rows) < 0.003
    frame.loc[rejected, ["Firma", "Vorname", "Nachname", "E-Mail", "Telefon", "Mobil"]] = ""
    frame.loc[rng.random(rows) < 0.002, :] = ""
    return frame


# The dense list: a purchased list in which most people work at a few large companies.
DENSE_COMPANIES = np.array([f"Großkonzern {k} {form}" for k, form in
                            enumerate(["AG", "GmbH", "SE", "AG", "GmbH & Co. KG", "AG"], 1)])
DENSE_SHARES = np.array([0.37, 0.25, 0.15, 0.11, 0.06, 0.06])


def dense_frame(rows: int, known: int) -> pd.DataFrame:
    """Every new row (90 %) at one of six large companies (the largest holds a third of the
    file: 330,000 rows of a million share one company), names drawn at random from the usual
    pools (so a big company has many namesakes, as real ones do), half of them with the
    company's switchboard number instead of a direct line; 10 % known people, the usual mess."""
    rng = np.random.default_rng(rows + 7)
    ids = known + 1 + np.arange(rows)
    known_rows = rng.random(rows) < 0.10 if known else np.zeros(rows, dtype=bool)
    ids[known_rows] = rng.integers(1, known + 1, size=int(known_rows.sum()))
    frame = people_frame(ids)
    big = ~known_rows
    company = rng.choice(len(DENSE_COMPANIES), size=rows, p=DENSE_SHARES / DENSE_SHARES.sum())
    first = FIRST[rng.integers(0, len(FIRST), rows)]
    last = np.char.add(LAST_START[rng.integers(0, len(LAST_START), rows)],
                       LAST_END[rng.integers(0, len(LAST_END), rows)])
    number = pd.Series(ids.astype(str))
    frame.loc[big, "Firma"] = DENSE_COMPANIES[company[big]]
    frame.loc[big, "Vorname"] = first[big]
    frame.loc[big, "Nachname"] = last[big]
    frame.loc[big, "E-Mail"] = ("m" + number[big] + "@konzern"
                                + pd.Series(company + 1).astype(str)[big] + ".de")
    switchboard = big & (rng.random(rows) < 0.5)
    frame.loc[switchboard, "Telefon"] = "089 " + pd.Series(
        (5_000_000 + company * 1000).astype(str))[switchboard]
    return messy(frame, rng)


def write_list(rows: int, known: int, kind: str, dense: bool = False) -> Path:
    path = OUT / f"{'dense' if dense else 'list'}-{rows}.{kind}"
    if path.exists():
        return path
    frame = (dense_frame if dense else list_frame)(rows, known)
    if kind == "csv":
        frame.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    else:
        frame.to_excel(path, index=False, engine="openpyxl")
    return path


def base_database(known: int) -> Path:
    """A database holding `known` people, normalised exactly as an import would store them."""
    path = OUT / f"base-{known}.duckdb"
    if path.exists():
        return path
    from lib import db, importing, staging

    conn = db.connect(path)
    for start in range(0, known, 250_000):
        chunk = people_frame(np.arange(start + 1, min(start + 250_000, known) + 1))
        chunk.columns = ["company", "salutation", "first_name", "last_name", "email", "phone",
                         "mobile", "job_title", "street", "postal_code", "city", "country",
                         "source", "notes", "extra"]
        chunk = staging.keyed(chunk.drop(columns="extra").replace("", None).assign(blank=False),
                              "DE")
        chunk["possible_duplicate_of"] = None
        chunk["created_at"] = chunk["updated_at"] = pd.Timestamp("2026-01-05")
        columns = [c for c in importing.PERSON_COLUMNS if c in chunk] + [
            "created_at", "updated_at"]
        with db.registered(conn, "chunk", chunk[columns]):
            conn.execute(f"INSERT INTO people ({', '.join(columns)}) SELECT"
                         f" {', '.join(columns)} FROM chunk")
    conn.execute("CHECKPOINT")
    conn.close()
    return path


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def one_run(file: Path, database: Path) -> dict:
    """The import of one file end to end, then the floor for the same file, in this (fresh)
    process; the peak memory is the import's alone."""
    import resource

    import duckdb

    from lib import db, importing, settings

    data = file.read_bytes()
    conn = db.connect(database)
    settings.put(conn.cursor(), "max_file_mb", 2000, by=None)  # 1M rows are ~150 MB
    reset_peak_rss()
    started = time.perf_counter()
    result = importing.import_file(conn.cursor(), data, file.name, "Bench", by=None)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the workbook reader
    conn.close()
    started = time.perf_counter()
    if file.suffix == ".csv":
        frame = pd.read_csv(file, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")
    else:
        frame = pd.read_excel(file, dtype=str, engine="calamine")
    floor_db = duckdb.connect()
    floor_db.register("frame", frame)
    floor_db.execute("CREATE TABLE t AS SELECT * FROM frame")
    floor = time.perf_counter() - started
    return {"floor_s": floor, "import_s": seconds, "peak_mb": peak, "child_mb": child,
            "counts": result.as_dict()}


def measure(file: Path, base: Path) -> dict:
    copy = OUT / "run.duckdb"
    shutil.copy(base, copy)
    completed = subprocess.run(
        [sys.executable, "-m", "bench.import_bench", "--one", str(file), str(copy)],
        capture_output=True, text=True, check=True)
    copy.unlink()
    return json.loads(completed.stdout.strip().splitlines()[-1])


def refusal_run(cell: str | None) -> dict:
    """Reading a 5 KB workbook with one stray cell at ``cell`` (None: no stray cell, the floor)
    in this fresh process: seconds, this process's peak and the workbook child's peak."""
    import resource

    from lib import reading
    from lib.errors import FileRefused
    from tests.workbooks import with_stray_cell

    data = with_stray_cell(cell)
    reset_peak_rss()
    started = time.perf_counter()
    try:
        reading.read_table(data, "stray.xlsx")
        outcome = "read"
    except FileRefused as refused:
        outcome = str(refused)[:60] + "…"
    seconds = time.perf_counter() - started
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_rss_mb(), "child_mb": child_mb,
            "outcome": outcome}


def refusals() -> None:
    print(f"{'workbook':<22}{'read s':>10}{'peak MB':>9}{'child MB':>10}  outcome")
    for cell in (None, "XFD1048576", "ZZ200000"):
        done = subprocess.run([sys.executable, "-m", "bench.import_bench", "--refusal",
                               cell or "-"], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{'floor: 2 rows' if cell is None else 'stray ' + cell:<22}"
              f"{result['seconds']:>10.2f}{result['peak_mb']:>9.0f}{result['child_mb']:>10.0f}"
              f"  {result['outcome']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--xlsx-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--dense-sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--known", type=int, default=1_000_000)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--refusal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(Path(args.one[0]), Path(args.one[1]))))
        return
    if args.refusal:
        print(json.dumps(refusal_run(None if args.refusal == "-" else args.refusal)))
        return
    refusals()
    OUT.mkdir(exist_ok=True)
    base = base_database(args.known)
    print(f"database with {args.known:,} people: {base}")
    print(f"{'file':<22}{'rows':>10}{'floor s':>10}{'import s':>10}{'rows/s':>11}"
          f"{'× floor':>9}{'peak MB':>9}{'child MB':>10}  outcome")
    runs = ([(n, "csv", False) for n in args.sizes] + [(n, "xlsx", False) for n in args.xlsx_sizes]
            + [(n, "csv", True) for n in args.dense_sizes])
    for rows, kind, dense in runs:
        result = measure(write_list(rows, args.known, kind, dense), base)
        counts = result["counts"]
        label = f"{'dense ' if dense else ''}{kind} {rows}"
        print(f"{label:<22}{rows:>10,}{result['floor_s']:>10.2f}"
              f"{result['import_s']:>10.2f}{rows / result['import_s']:>11,.0f}"
              f"{result['import_s'] / result['floor_s']:>9.1f}{result['peak_mb']:>9.0f}"
              f"{result['child_mb']:>10.0f}"
              f"  added {counts['added']:,}, known {counts['already_known']:,},"
              f" dup {counts['duplicates_in_file']:,}, rejected {counts['rejected']:,},"
              f" blank {counts['blank']:,}, flagged {counts['flagged']:,},"
              f" possible duplicates {counts['possible_duplicates']:,}")


if __name__ == "__main__":
    main()
