"""Writes follow the same rule as reads: a user cannot edit, tick, convert, log on or open a row
or lead they may not see — by guessing an id in a URL, a session value, or on the command
line — and nothing is changed when they try. Also: the calendar feed and ``--as``."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from lib import access, calendar, db, importing, leads, qualification, rows, schedule
from lib.leads import Activity, NextStep
from tests import access_seed
from tests.access_seed import Team
from tests.apptest import cursor, errors, open_page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def team_db() -> Iterator[tuple[db.Connection, Team]]:
    conn = db.connect(":memory:")
    cur = conn.cursor()
    team = access_seed.seed(cur)
    access_seed.set_visibility(cur, "own")
    yield cur, team
    conn.close()


def snapshot(cur: db.Connection) -> tuple:
    """Everything a refused write could have touched."""
    return tuple(cur.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                 for table in ("people", "ticks", "leads", "activities", "history", "list_rows"))


def refused(cur: db.Connection, write, *args, **kwargs) -> str:
    before = snapshot(cur)
    with pytest.raises(access.NotAllowed) as caught:
        write(cur, *args, **kwargs)
    assert snapshot(cur) == before, "a refused write changed the database"
    return str(caught.value)


def test_a_rep_cannot_edit_tick_cancel_or_take_a_row_out_of_sight(team_db):
    cur, team = team_db
    nils, sven_row = team.users["Nils"], team.people["S_sven"]
    assert "not one you may see" in refused(cur, rows.edit_field, sven_row, "city", old=None,
                                            new="Bonn", by=nils)
    refused(cur, qualification.set_tick, sven_row, "interest", True, expected=False, by=nils)
    refused(cur, rows.cancel, sven_row, "no need", by=nils)
    refused(cur, rows.assign_owner, team.people["S_free"], nils, expected_owner_id=None, by=nils)
    refused(cur, importing.add_person, team.lists["South list"], {"first_name": "Walk"},
            by=nils)
    dead = team.people[access_seed.DEAD]  # visible to Nils (unowned, shared list)
    rows.revive(cur, dead, by=nils)


def test_a_batch_from_the_grid_saves_what_is_in_sight_and_refuses_the_rest(team_db):
    cur, team = team_db
    changes = [rows.CellChange(team.people["S_sven"], "tick:interest", False, True),
               rows.CellChange(team.people["N_nils"], "tick:interest", False, True)]
    outcomes = rows.apply_changes(cur, changes, by=team.users["Nils"])
    assert [(o.result, "not one you may see" in o.message) for o in outcomes] == [
        ("invalid", True), ("saved", False)]
    ticked = {pid for (pid,) in cur.execute("SELECT person_id FROM ticks").fetchall()}
    assert ticked == {team.people["N_nils"]}
    bulk = rows.bulk_cancel(cur, [team.people["S_sven"], team.people["N_free"]], "no need",
                            by=team.users["Nils"])
    assert [o.ok for o in bulk] == [False, True]


def test_a_rep_cannot_work_a_lead_out_of_sight_by_its_id(team_db):
    cur, team = team_db
    nils, lead_id = team.users["Nils"], team.leads["S_sven"]
    today = schedule.today(cur)
    step = NextStep("call", today + timedelta(days=1))
    refused(cur, leads.log_activity, lead_id, Activity("note", "peek"), by=nils)
    refused(cur, leads.log_activity_and_next_step, lead_id, Activity("note", "x"), step, by=nils)
    refused(cur, leads.set_next_step, lead_id, step, by=nils)
    refused(cur, leads.move_step, lead_id, "meeting", by=nils)
    refused(cur, leads.standby, lead_id, today + timedelta(days=3), step, by=nils)
    refused(cur, leads.won, lead_id, by=nils)
    refused(cur, leads.lost, lead_id, "no budget", by=nils)
    refused(cur, leads.cancel, lead_id, "by mistake", by=nils)
    refused(cur, leads.edit, lead_id, amount=1, by=nils)
    refused(cur, leads.lead_detail, lead_id, viewer=team.viewer(cur, "Nils"))
    refused(cur, leads.convert, team.people["S_free"], owner_id=nils, next_step=step, by=nils)


def test_the_same_rep_works_what_is_in_sight_including_a_lead_handed_to_them(team_db):
    cur, team = team_db
    nils = team.users["Nils"]
    leads.log_activity(cur, team.leads["H_lead"], Activity("note", "mine now"), by=nils)
    qualification.set_tick(cur, team.people["H_lead"], "interest", True, expected=False, by=nils)
    leads.won(cur, team.leads["N_nils"], by=nils)
    logged = cur.execute("SELECT user_id, body FROM activities WHERE body = 'mine now'").fetchall()
    assert logged == [(nils, "mine now")]


def test_under_visibility_all_the_rule_lets_every_rep_work_every_row(team_db):
    cur, team = team_db
    access_seed.set_visibility(cur, "all")
    rows.edit_field(cur, team.people["S_sven"], "city", old=None, new="Bonn",
                    by=team.users["Nils"])
    assert cur.execute("SELECT city FROM people WHERE id = ?",
                       [team.people["S_sven"]]).fetchone() == ("Bonn",)


def test_ops_see_rows_but_may_not_work_them(team_db):
    cur, team = team_db
    otto = team.users["Otto"]
    assert "Your role (ops) may not edit rows" in refused(
        cur, rows.edit_field, team.people["N_free"], "city", old=None, new="Bonn", by=otto)
    refused(cur, leads.log_activity, team.leads["N_nils"], Activity("note", "x"), by=otto)


def test_giving_rows_and_leads_away_is_for_managers_within_their_team(team_db):
    cur, team = team_db
    users, free = team.users, team.people["N_free"]
    assert "may not give rows" in refused(cur, rows.assign_owner, free, users["Nora"],
                                          expected_owner_id=None, by=users["Nils"])
    refused(cur, rows.assign_owner, free, users["Sven"], expected_owner_id=None,
            by=users["Mona"])
    rows.assign_owner(cur, free, users["Nora"], expected_owner_id=None, by=users["Mona"])
    rows.assign_owner(cur, team.people["A_free"], users["Nils"], expected_owner_id=None,
                      by=users["Nils"])  # taking an unowned row is work on it
    refused(cur, leads.edit, team.leads["N_nils"], owner_id=users["Nora"], by=users["Nils"])
    leads.edit(cur, team.leads["N_nils"], owner_id=users["Nora"], by=users["Mona"])
    assert cur.execute("SELECT owner_id FROM leads WHERE id = ?",
                       [team.leads["N_nils"]]).fetchone() == (users["Nora"],)


def test_a_deactivated_user_may_write_nothing(team_db):
    cur, team = team_db
    cur.execute("UPDATE users SET active = false WHERE id = ?", [team.users["Nils"]])
    assert "not active any more" in refused(cur, rows.edit_field, team.people["N_nils"], "city",
                                           old=None, new="Bonn", by=team.users["Nils"])


# --- the browser: a guessed id in the URL, a session value ----------------------------------


@pytest.fixture
def team_file(db_path: Path) -> Team:
    with cursor(db_path) as cur:
        team = access_seed.seed(cur)
        access_seed.set_visibility(cur, "own")
    return team


def test_a_guessed_lead_id_in_the_url_shows_nothing_of_the_lead(team_file, db_path,
                                                                   monkeypatch):
    nils = team_file.users["Nils"]
    at = open_page(db_path, "lead", monkeypatch, acting=nils, lead=team_file.leads["S_sven"])
    assert any("not one you may see" in e for e in errors(at))
    shown = " ".join(str(e.value) for e in (*at.title, *at.markdown, *at.caption))
    assert "S_sven" not in shown and "3000" not in shown and "3,000" not in shown
    mine = open_page(db_path, "lead", monkeypatch, acting=nils, lead=team_file.leads["N_nils"])
    assert [t.value for t in mine.title] == ["N_nils"]


def test_rows_out_of_sight_put_in_the_session_are_refused(team_file, db_path, monkeypatch):
    nils, sven_row = team_file.users["Nils"], team_file.people["S_sven"]
    at = open_page(db_path, "prospecting", monkeypatch, acting=nils,
                   session={"prospecting_open": team_file.lists["South list"]})
    assert at.selectbox(key="prospecting_list").value != team_file.lists["South list"]
    at.session_state["ui_row_dialog"] = ("cancel", {sven_row: ("S_sven", "suspect")})
    at.run()
    at.selectbox(key="prospecting_cancel_reason").set_value("no need").run()
    at.button(key="prospecting_cancel_save").click().run()
    assert any("not one you may see" in e for e in errors(at)), errors(at)
    with cursor(db_path) as cur:  # not cancelled: not dead, no reason (a lead: Sven's lead)
        assert cur.execute("SELECT status, dead_reason FROM people WHERE id = ?",
                           [sven_row]).fetchone() == ("lead", None)


# --- the calendar feed ----------------------------------------------------------------------


@pytest.fixture
def feed(file_db: db.Connection) -> Iterator[tuple[TestClient, db.Connection, Team]]:
    cur = file_db.cursor()
    team = access_seed.seed(cur)
    access_seed.set_visibility(cur, "own")
    app = Starlette(routes=[calendar.feed_route(file_db.cursor)])
    with TestClient(app) as client:
        yield client, cur, team
    cur.close()


def feed_uids(client: TestClient, token: str) -> set[str] | int:
    response = client.get(f"/calendar/{token}.ics")
    if response.status_code != 200:
        return response.status_code
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_a_feed_token_has_128_bits_or_more_and_only_its_hash_is_stored(feed):
    _, cur, team = feed
    token = calendar.issue_token(cur, team.users["Nils"])
    assert len(token) * 6 >= 128 and calendar.TOKEN_BYTES * 8 >= 128
    stored = cur.execute("SELECT calendar_token, calendar_token_hash FROM users WHERE id = ?",
                         [team.users["Nils"]]).fetchone()
    assert stored == (None, hashlib.sha256(token.encode()).hexdigest())


def test_the_feed_serves_what_its_owner_may_see_now(feed):
    client, cur, team = feed
    token = calendar.issue_token(cur, team.users["Nils"])
    assert feed_uids(client, token) == {f"lead-{team.leads[c]}@leadladder"
                                        for c in ("N_nils", "H_lead")}
    leads.edit(cur, team.leads["H_lead"], owner_id=team.users["Sven"], by=None)
    assert feed_uids(client, token) == {f"lead-{team.leads['N_nils']}@leadladder"}


def test_a_deactivated_users_feed_stops_and_a_revoked_one_too(feed):
    client, cur, team = feed
    nils = calendar.issue_token(cur, team.users["Nils"])
    sven = calendar.issue_token(cur, team.users["Sven"])
    cur.execute("UPDATE users SET active = false WHERE id = ?", [team.users["Nils"]])
    assert feed_uids(client, nils) == 404
    assert feed_uids(client, sven) == {f"lead-{team.leads[c]}@leadladder"
                                       for c in ("S_sven", "A_sven")}
    calendar.revoke_token(cur, team.users["Sven"])
    assert feed_uids(client, sven) == 404
    assert feed_uids(client, sven[:-1] + ("A" if sven[-1] != "A" else "B")) == 404


def test_tokens_are_compared_in_constant_time_against_every_stored_hash(feed, monkeypatch):
    _, cur, team = feed
    tokens = [calendar.issue_token(cur, team.users[name]) for name in ("Nils", "Sven", "Nora")]
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(calendar.hmac, "compare_digest", counting)
    assert calendar.user_for_token(cur, tokens[0]) == team.users["Nils"]
    assert len(compared) == 3, "every stored hash is compared, the search does not stop early"


# --- the command line: --as EMAIL -----------------------------------------------------------


def cli(*args: str, db_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.cli", *args, "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def last_json(done: subprocess.CompletedProcess):
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_overdue_as_a_rep_lists_only_what_that_rep_may_see(team_file, db_path):
    mine = cli("overdue", "--json", "--as", access_seed.email("Nils"), db_path=db_path)
    assert mine.returncode == 0, mine.stderr
    assert last_json(mine) == {"reps": [{"email": access_seed.email("Nils"), "name": "Nils",
                                         "count": 2}], "total": 2}
    everyone = last_json(cli("overdue", "--json", db_path=db_path))
    assert {r["name"]: r["count"] for r in everyone["reps"]} == {
        "Nils": 2, "Nora": 1, "Sven": 1, "Sami": 0}
    lists = last_json(cli("lists", "--json", "--as", access_seed.email("Sven"), db_path=db_path))
    assert {r["list"]: r["rows"] for r in lists} == {"South list": 3, "Shared list": 2}


def test_as_must_name_an_active_user_whose_role_may_do_it(team_file, db_path, tmp_path):
    unknown = cli("lists", "--as", "nobody@team.example", db_path=db_path)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2, "error: no user with the e-mail nobody@team.example")
    with cursor(db_path) as cur:
        cur.execute("UPDATE users SET active = false WHERE id = ?", [team_file.users["Nora"]])
    gone = cli("overdue", "--as", access_seed.email("Nora"), db_path=db_path)
    assert gone.returncode == 2 and len(gone.stderr.strip().splitlines()) == 1
    assert "not active any more" in gone.stderr
    walled = cli("funnel", "--list", "South list", "--as", access_seed.email("Nils"),
                 db_path=db_path)
    assert walled.returncode == 2 and "not one you may open" in walled.stderr
    sheet = tmp_path / "walk-ins.csv"
    sheet.write_text("First name,Last name,E-mail\nWalter,Walk,walter@walk.example\n")
    rep = cli("import", str(sheet), "--list", "Walk-ins", "--as", access_seed.email("Nils"),
              db_path=db_path)
    assert rep.returncode == 2 and "Your role (rep) may not import lists" in rep.stderr
    ops = cli("import", str(sheet), "--list", "Walk-ins", "--json", "--as",
              access_seed.email("Otto"), db_path=db_path)
    assert ops.returncode == 0, ops.stderr
    with cursor(db_path) as cur:
        assert cur.execute("SELECT imported_by FROM imports WHERE id = ?",
                           [last_json(ops)["import_id"]]).fetchone() == (team_file.users["Otto"],)
