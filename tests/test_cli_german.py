"""The command line speaks the caller's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) in what
a person reads, keeps --json the same in every language, and takes the language along when it
hands a command over to the running app (``lib.relay``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

from lib import cli, db, relay

ROOT = Path(__file__).resolve().parent.parent
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def run(*args: str, db_path: Path, **locale: str) -> subprocess.CompletedProcess:
    """``python -m lib.cli`` with exactly the locale variables given (none: English)."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    return subprocess.run([sys.executable, "-m", "lib.cli", *args, "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**env, **locale})


GERMAN = {"LANG": "de_DE.UTF-8"}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli_german") / "demo.duckdb"
    loaded = run("demo", db_path=path, **GERMAN)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("Demo geladen: Benutzer 5, Listen 3, Personen ")
    assert "Demo-Anmeldungen:" in loaded.stdout
    assert "anna.schmidt@leadladder.example (Vertriebler): " in loaded.stdout
    return path


def test_lists_reads_german_with_a_german_locale_and_english_without(demo_file):
    german = run("lists", db_path=demo_file, **GERMAN)
    english = run("lists", db_path=demo_file)
    assert german.returncode == english.returncode == 0
    first_de, first_en = german.stdout.splitlines()[0], english.stdout.splitlines()[0]
    assert first_en.startswith("KW47 Purchased list: 30 rows — ")
    assert first_de.startswith("Liste KW47 Purchased list: 30 Zeilen — ")
    assert len(german.stdout.splitlines()) == len(english.stdout.splitlines()) == 3
    assert " Suspect, " in first_de and " Interessent, " in first_de and " verworfen" in first_de
    assert " suspect, " in first_en and " prospect, " in first_en


@pytest.mark.parametrize("command", [("lists",), ("users", "list"), ("settings", "show"),
                                     ("overdue",), ("funnel",)])
def test_json_output_is_the_same_in_every_language(demo_file, command):
    german = run(*command, "--json", db_path=demo_file, **GERMAN)
    english = run(*command, "--json", db_path=demo_file, LANG="en_US.UTF-8")
    assert german.returncode == english.returncode == 0, german.stderr
    assert json.loads(german.stdout.splitlines()[-1]) == json.loads(english.stdout.splitlines()[-1])


def test_the_language_variables_count_in_gettexts_order(demo_file):
    assert "Summe: " in run("overdue", db_path=demo_file, LANGUAGE="de", LANG="en_US.UTF-8").stdout
    assert "Summe: " in run("overdue", db_path=demo_file, LC_MESSAGES="de_AT.UTF-8").stdout
    assert "total: " in run("overdue", db_path=demo_file, LANG="fr_FR.UTF-8").stdout


def test_a_refusal_is_one_german_line_on_stderr(demo_file):
    refused = run("settings", "set", "stale_days", "viele", db_path=demo_file, **GERMAN)
    assert refused.returncode == 2
    assert refused.stderr.strip() == "Fehler: „viele“ ist keine ganze Zahl"
    role = run("privacy", "purge", "--dry-run", "--as", "anna.schmidt@leadladder.example",
               db_path=demo_file, **GERMAN)
    assert role.returncode == 2
    assert role.stderr.strip() == ("Fehler: Ihre Rolle (Vertriebler) erlaubt Folgendes nicht: "
                                   "Datenschutzanfragen beantworten.")


def test_the_help_is_german(demo_file):
    shown = run("users", "--help", db_path=demo_file, **GERMAN)
    assert "Benutzer hinzufügen, als Liste zeigen oder deaktivieren." in shown.stdout
    assert "Datenbankdatei (Standard: $LEADLADDER_DB" in shown.stdout


def test_a_database_held_by_another_process_is_said_in_german(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
         " print('open', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        done = run("lists", db_path=path, **GERMAN)
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"Fehler: {path} wird von einem anderen Prozess benutzt (wahrscheinlich der "
            "laufenden App); beenden Sie ihn zuerst oder geben Sie mit --db eine andere "
            "Datei an")
    finally:
        holder.kill()
        holder.wait()


# --- the hand-over to the running app ------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_holding(demo_file, tmp_path) -> Iterator[Path]:
    """The demo held by this process as the app holds it, with the relay route of serve.py
    on a loopback port and the note the command line finds."""
    path = tmp_path / "held.duckdb"
    path.write_bytes(demo_file.read_bytes())
    conn = db.connect(path)

    def handed_over(argv: list[str], cwd: str, stdin: str) -> relay.Answer:
        with closing(conn.cursor()) as cursor:
            return relay.Answer(*cli.run_handed_over(cursor, argv, cwd, stdin))

    port = free_port()
    secret = relay.announce(path, f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[relay.route(secret, handed_over)]), host="127.0.0.1", port=port,
        log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield path
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        relay.withdraw(path, secret)
        conn.close()


def test_a_handed_over_command_answers_in_the_callers_language(app_holding):
    german = run("overdue", db_path=app_holding, **GERMAN)
    english = run("overdue", db_path=app_holding)
    assert german.returncode == english.returncode == 0, german.stderr
    assert german.stdout.splitlines()[-1].startswith("Summe: ")
    assert english.stdout.splitlines()[-1].startswith("total: ")
    refused = run("settings", "set", "stale_days", "viele", db_path=app_holding, **GERMAN)
    assert (refused.returncode, refused.stderr.strip()) == (
        2, "Fehler: „viele“ ist keine ganze Zahl")
    as_json = [json.loads(run("overdue", "--json", db_path=app_holding, **lang).stdout)
               for lang in (GERMAN, {})]
    assert as_json[0] == as_json[1]
