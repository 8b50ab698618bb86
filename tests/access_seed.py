"""A seeded sales team for the visibility tests: who is who is in the names.

Teams North and South. Users: admin Ada (no team); North: manager Mona, reps Nils and Nora,
ops Otto; South: reps Sven and Sami. Lists (really imported, so imports and reports exist):
"North list" (shared with North), "South list" (South), "Shared list" (everyone). A person's
first name says where they are and who owns them: ``N_nils`` is on the North list, owned by
Nils; ``*_free`` rows are unowned; ``X_*`` people are on no list. ``H_lead`` is on the South
list, owned by Sven, but their lead was handed to Nils. ``A_free`` is dead.

Open leads (titles = the person's code): N_nils (Nils), N_nora (Nora), S_sven (Sven), A_sven
(Sven, parked until tomorrow), H_lead (Nils). Every lead but A_sven's is overdue; each has a
call logged. Amounts: 1000, 2000, 3000, 4000, 5000 in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lib import access, importing, leads, lists, rows, schedule
from lib.db import Connection, utcnow
from lib.leads import Activity, NextStep
from lib.store import settings as settings_store

USERS = {  # name → (role, team)
    "Ada": ("admin", None), "Mona": ("manager", "North"), "Nils": ("rep", "North"),
    "Nora": ("rep", "North"), "Otto": ("ops", "North"), "Sven": ("rep", "South"),
    "Sami": ("rep", "South"),
}
LISTS = {  # list → (team it is shared with, its people)
    "North list": ("North", ("N_nils", "N_nora", "N_free", "N_sven")),
    "South list": ("South", ("S_sven", "S_free", "S_nils", "S_sami", "H_lead")),
    "Shared list": (None, ("A_nils", "A_sven", "A_free")),
}
OFF_LIST = ("X_nora", "X_free")
EVERYONE = frozenset(code for _, (_, people) in LISTS.items() for code in people) | set(OFF_LIST)
OWNERS = {"N_nils": "Nils", "N_nora": "Nora", "N_sven": "Sven", "S_sven": "Sven",
          "S_nils": "Nils", "S_sami": "Sami", "H_lead": "Sven", "A_nils": "Nils",
          "A_sven": "Sven", "X_nora": "Nora"}
LEADS = {"N_nils": ("Nils", 1000), "N_nora": ("Nora", 2000), "S_sven": ("Sven", 3000),
         "A_sven": ("Sven", 4000), "H_lead": ("Nils", 5000)}
PARKED = "A_sven"
DEAD = "A_free"


def email(name: str) -> str:
    return f"{name.lower()}@team.example"


@dataclass
class Team:
    """Ids of the seeded team, by name."""

    users: dict[str, int]
    teams: dict[str, int]
    lists: dict[str, int]
    people: dict[str, int]
    leads: dict[str, int]

    def viewer(self, db: Connection, name: str) -> access.Viewer:
        return access.viewer_of(db, self.users[name])

    def person_code(self) -> dict[int, str]:
        return {pid: code for code, pid in self.people.items()}

    def lead_code(self) -> dict[int, str]:
        return {lid: code for code, lid in self.leads.items()}


def _csv(codes: tuple[str, ...]) -> bytes:
    lines = ["First name,Last name,Company,E-mail,Source"]
    lines += [f"{c},Row,{c} GmbH,{c.lower()}@people.example,{c}" for c in codes]
    return ("\n".join(lines) + "\n").encode()


def seed(db: Connection) -> Team:
    """The team above, on a fresh database; everything written as the command line."""
    teams = {name: db.execute("INSERT INTO teams (name) VALUES (?) RETURNING id",
                              [name]).fetchone()[0] for name in ("North", "South")}
    users = {name: db.execute(
        "INSERT INTO users (name, email, role, team_id) VALUES (?, ?, ?, ?) RETURNING id",
        [name, email(name), role, teams.get(team)]).fetchone()[0]
        for name, (role, team) in USERS.items()}
    people: dict[str, int] = {}
    list_ids: dict[str, int] = {}
    for name, (team, codes) in LISTS.items():
        importing.import_file(db, _csv(codes), f"{name}.csv", name, by=None)
        list_ids[name] = lists.list_id(db, name)
        db.execute("UPDATE lists SET team_id = ? WHERE id = ?", [teams.get(team), list_ids[name]])
    for code, pid in db.execute("SELECT first_name, id FROM people").fetchall():
        people[code] = pid
    now = utcnow()
    for code in OFF_LIST:
        people[code] = db.execute(
            "INSERT INTO people (first_name, last_name, company, source, created_at, updated_at)"
            " VALUES (?, 'Row', ?, ?, ?, ?) RETURNING id",
            [code, f"{code} GmbH", code, now, now]).fetchone()[0]
    for code, owner in OWNERS.items():
        db.execute("UPDATE people SET owner_id = ? WHERE id = ?", [users[owner], people[code]])
    rows.cancel(db, people[DEAD], "no need", by=None)
    return Team(users, teams, list_ids, people, _leads(db, users, people))


def _leads(db: Connection, users: dict[str, int], people: dict[str, int]) -> dict[str, int]:
    today = schedule.today(db)
    made = {}
    for code, (owner, amount) in LEADS.items():
        result = leads.convert(db, people[code], owner_id=users[owner], title=code,
                               next_step=NextStep("call", today - timedelta(days=3)),
                               amount=amount, by=None)
        made[code] = result.lead_id
        leads.log_activity(db, result.lead_id, Activity("call", "talked", "reached"), by=None)
    leads.standby(db, made[PARKED], today + timedelta(days=2),
                  NextStep("call", today + timedelta(days=2)), by=None)
    return made


def set_visibility(db: Connection, visibility: str) -> None:
    settings_store.put_setting(db, "visibility", visibility, utcnow(), None)
