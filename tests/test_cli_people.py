"""The command line for people and settings: real processes on a real file."""

from __future__ import annotations

import subprocess
import sys

from lib import auth, db, users
from tests.test_cli import ROOT, cli, last_json


def cli_stdin(*args: str, db_path, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.cli", *args, "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, input=stdin)


def test_users_add_with_a_password_from_stdin_or_a_one_time_link(db_path):
    added = cli_stdin("users", "add", "Ada@Example.com", "--name", "Ada Admin", "--role",
                      "admin", "--password-stdin", db_path=db_path,
                      stdin="ada's long phrase\n")
    assert added.returncode == 0, added.stderr
    invited = cli("users", "add", "ben@example.com", "--name", "Ben Rep", "--role", "rep",
                  "--team", "Nord", db_path=db_path)
    assert invited.returncode == 0, invited.stderr
    link = invited.stdout.strip().splitlines()[-1]
    assert link.startswith("http://localhost:8501/set_password?token=")
    listed = cli("users", "list", "--json", db_path=db_path)
    assert last_json(listed) == [
        {"email": "Ada@example.com", "name": "Ada Admin", "role": "admin", "team": None,
         "active": True, "has_password": True},  # kept as typed, compared without case
        {"email": "ben@example.com", "name": "Ben Rep", "role": "rep", "team": "Nord",
         "active": True, "has_password": False},
    ]
    conn = db.connect(db_path)
    try:
        cur = conn.cursor()
        assert auth.log_in(cur, "ada@example.com", "ada's long phrase", client=None).user.name \
            == "Ada Admin"
        ben, purpose = auth.link_user(cur, link.split("token=")[1])
        assert (ben.email, purpose) == ("ben@example.com", "invite")
    finally:
        conn.close()


def test_users_add_refuses_a_weak_password_a_taken_e_mail_and_a_wrong_role(db_path):
    weak = cli_stdin("users", "add", "ada@example.com", "--name", "Ada", "--role", "admin",
                     "--password-stdin", db_path=db_path, stdin="password1234\n")
    assert weak.returncode == 2 and "too easy to guess" in weak.stderr
    assert cli("users", "add", "ada@example.com", "--name", "Ada", "--role", "admin",
               db_path=db_path).returncode == 0
    taken = cli("users", "add", "ADA@example.com", "--name", "Ada 2", "--role", "rep",
                db_path=db_path)
    assert taken.returncode == 2 and "already has a user" in taken.stderr
    wrong = cli("users", "add", "x@example.com", "--name", "X", "--role", "boss",
                db_path=db_path)
    assert wrong.returncode == 2
    assert [u["email"] for u in last_json(cli("users", "list", "--json", db_path=db_path))] \
        == ["ada@example.com"]


def test_users_deactivate_hands_the_work_to_another_user(demo_path):
    refused = cli("users", "deactivate", "anna.schmidt@leadladder.example", db_path=demo_path)
    assert refused.returncode == 2 and "choose who takes them over" in refused.stderr
    done = cli("users", "deactivate", "anna.schmidt@leadladder.example", "--hand-to",
               "ben.okafor@leadladder.example", db_path=demo_path)
    assert done.returncode == 0, done.stderr
    assert "now ben.okafor@leadladder.example's" in done.stdout
    listed = {u["email"]: u["active"] for u in last_json(
        cli("users", "list", "--json", db_path=demo_path))}
    assert listed["anna.schmidt@leadladder.example"] is False
    conn = db.connect(demo_path)
    try:
        anna = users.by_email(conn.cursor(), "anna.schmidt@leadladder.example")
        assert users.work_of(conn.cursor(), anna.id) == users.Work(0, 0)
    finally:
        conn.close()


def test_settings_show_and_set(db_path):
    shown = last_json(cli("settings", "show", "--json", db_path=db_path))
    assert (shown["visibility"], shown["session_idle_minutes"]) == ("all", 480)
    assert cli("settings", "set", "visibility", "own", db_path=db_path).stdout.strip() \
        == "visibility = own"
    wrong = cli("settings", "set", "visibility", "nobody", db_path=db_path)
    assert wrong.returncode == 2 and "not one of all, team, own" in wrong.stderr
    unknown = cli("settings", "set", "colour", "blue", db_path=db_path)
    assert unknown.returncode == 2 and "unknown setting" in unknown.stderr
    assert last_json(cli("settings", "show", "--json", db_path=db_path))["visibility"] == "own"


def test_demo_json_lists_the_demo_logins_that_work(db_path):
    done = cli("demo", "--json", db_path=db_path)
    assert done.returncode == 0, done.stderr
    summary = last_json(done)
    roles = sorted(u["role"] for u in summary["users"])
    assert roles == ["admin", "manager", "ops", "rep", "rep"]
    conn = db.connect(db_path)
    try:
        cur = conn.cursor()
        for login in summary["users"]:
            user = auth.log_in(cur, login["email"], login["password"], client=None).user
            assert (user.name, user.role) == (login["name"], login["role"])
        nord = {u.team_id for u in users.all_users(cur) if u.role in ("rep", "manager")}
        assert len(nord) == 1 and None not in nord
    finally:
        conn.close()
