"""The demo: a realistic, deterministic dataset so that every page shows something real.

Three weekly lists (a German-Excel CSV, an XLSX, an English CSV under data/demo/), five users
(an admin, a manager and two reps in one team, an ops user) with passwords,
and on top of them what reps and managers would have done in the weeks since.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from lib import access, importing, leads, lists, qualification, rows, schedule, users
from lib.db import Connection, transaction, utcnow
from lib.errors import UserError
from lib.i18n import N_, _
from lib.leads import Activity, NextStep
from lib.store import history as history_store
from lib.store import imports as imports_store
from lib.store import leads as leads_store
from lib.store import lists as lists_store
from lib.store import people as people_store
from lib.store import ticks as ticks_store

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"

TEAM = "Team Nord"
# name, e-mail, role, in the team, password (demo passwords only: printed by `demo --json`)
USERS = (
    ("Anna Schmidt", "anna.schmidt@leadladder.example", "rep", True, "anna-demo-ladder-26"),
    ("Ben Okafor", "ben.okafor@leadladder.example", "rep", True, "ben-demo-ladder-26"),
    ("Clara Weber", "clara.weber@leadladder.example", "manager", True, "clara-demo-ladder-26"),
    ("David Nguyen", "david.nguyen@leadladder.example", "ops", False, "david-demo-ladder-26"),
    ("Eva Becker", "eva.becker@leadladder.example", "admin", False, "eva-demo-ladder-26"),
)


def logins() -> list[dict[str, str]]:
    """The demo's users with their passwords, as `demo --json` prints them."""
    return [{"email": email, "name": name, "role": role, "password": password}
            for name, email, role, _, password in USERS]


def is_demo(db: Connection) -> bool:
    """Whether the demo's users are in this database (the login page then says so)."""
    return db.execute("SELECT count(*) FROM users WHERE email IN (SELECT unnest(?))",
                      [[email for _, email, *_ in USERS]]).fetchone()[0] > 0


@dataclass(frozen=True)
class DemoList:
    file: str
    name: str
    source: str
    weeks_ago: int


LISTS = (
    DemoList("2026-kw45-messe-nuernberg.csv", "KW45 Messe Nürnberg", "trade fair", 3),
    DemoList("2026-kw46-webinar-lager.xlsx", "KW46 Webinar Lager 4.0", "webinar", 2),
    DemoList("2026-kw47-purchased-list.csv", "KW47 Purchased list", "purchased list", 1),
)


@transaction
def load(db: Connection, now: datetime | None = None, *, by: int | None = None
         ) -> dict[str, int]:
    """Fill an empty database with the demo, as one transaction; returns what it made. It adds
    people with passwords, so only an admin (or the command line) may."""
    access.require_user(db, by, "manage_people", N_("load the demo"))
    if not lists.has_no_data(db) or is_demo(db):
        raise UserError(_("The demo needs an empty database; this one already has data."))
    now = now or utcnow()
    nord = users.create_team(db, TEAM, by=None)
    team = {email: users.add(db, name, email, role, team_id=nord.id if in_team else None,
                             password=password)
            for name, email, role, in_team, password in USERS}
    ops = team["david.nguyen@leadladder.example"]
    for demo_list in LISTS:
        data = (DEMO_DIR / demo_list.file).read_bytes()
        result = importing.import_file(db, data, demo_list.file, demo_list.name, by=ops.id,
                                       source=demo_list.source)
        _backdate_import(db, result.import_id, now - timedelta(weeks=demo_list.weeks_ago))
    reps = [u for u in team.values() if u.role == "rep"]
    _work_the_lists(db, reps, random.Random(2026), schedule.local_today(now, schedule.app_zone(db)))
    _spread_over_the_weeks(db, now)
    return {
        "users": len(team),
        "lists": len(LISTS),
        "people": int(db.execute("SELECT count(*) FROM people").fetchone()[0]),
        "leads": int(db.execute("SELECT count(*) FROM leads").fetchone()[0]),
    }


PROSPECT_KEYS = ("reached", "asked_info", "website", "social", "brand")
LEAD_KEYS = ("interest", "needs", "budget", "details", "follow_up")


def _work_the_lists(db: Connection, reps: list[users.User], rng: random.Random,
                    today: date) -> None:
    """What two reps did since the lists came in: owners, ticks, dead rows, leads."""
    people = [r[0] for r in db.execute("SELECT id FROM people ORDER BY id").fetchall()]
    qualified = []
    for n, person_id in enumerate(people):
        rep = reps[n % len(reps)]
        rows.assign_owner(db, person_id, rep.id, expected_owner_id=None, by=rep.id)
        fate = rng.random()
        if fate < 0.35:
            continue
        _tick(db, person_id, rng.sample(PROSPECT_KEYS, rng.randint(1, 2)), rep)
        if fate < 0.55:
            continue
        if fate < 0.68:
            reason = rng.choice(rows.CANCEL_REASONS[:-1])
            rows.cancel(db, person_id, reason, by=rep.id)
            continue
        _tick(db, person_id, rng.sample(LEAD_KEYS, rng.randint(1, 3)), rep)
        qualified.append((person_id, rep))
    for k, (person_id, rep) in enumerate(qualified):
        _make_lead(db, person_id, rep, k, rng, today)


def _tick(db: Connection, person_id: int, keys: list[str], rep: users.User) -> None:
    for key in keys:
        qualification.set_tick(db, person_id, key, True, expected=False, by=rep.id)


STORY = ("overdue", "overdue", "today", "upcoming", "won", "overdue", "later", "lost",
         "upcoming", "standby", "today", "cancelled", "upcoming", "overdue")
STEPS = ("new", "contacted", "meeting", "proposal", "negotiation")


def _make_lead(db: Connection, person_id: int, rep: users.User, k: int, rng: random.Random,
               today: date) -> None:
    """One lead with a believable history; the STORY gives each rep every kind of next step."""
    plot = STORY[k % len(STORY)]
    first = NextStep("call", today - timedelta(days=rng.randint(8, 15)), time(10, 0))
    result = leads.convert(db, person_id, owner_id=rep.id, next_step=first,
                           amount=rng.choice((2400, 4800, 9600, 15000, 32000)), by=rep.id)
    lead_id = result.lead_id
    leads.edit(db, lead_id, probability=rng.choice((20, 40, 60, 80)), by=rep.id)
    for step in STEPS[1:rng.randint(1, len(STEPS))]:
        leads.move_step(db, lead_id, step, by=rep.id)
    leads.log_activity_and_next_step(
        db, lead_id, Activity("call", rng.choice(("Kurz gesprochen, Interesse an Demo",
                                                  "Nicht erreicht", "Rückruf vereinbart")),
                              rng.choice(("reached", "no_answer", "voicemail"))),
        _next_step(plot, today, rng), by=rep.id)
    if rng.random() < 0.5:
        leads.log_activity(db, lead_id, Activity("email", "Angebot und Preisliste geschickt"),
                           by=rep.id)
    _close_or_park(db, lead_id, plot, today, rep)


def _next_step(plot: str, today: date, rng: random.Random) -> NextStep:
    offset = {"overdue": -rng.randint(1, 12), "today": 0, "upcoming": rng.randint(1, 6),
              "later": rng.randint(12, 30), "standby": 21}.get(plot, 3)
    kind = rng.choice(("call", "email", "meeting", "task"))
    due_time = None if kind == "task" else time(rng.choice((9, 10, 11, 14, 15, 16)), 0)
    return NextStep(kind, today + timedelta(days=offset), due_time,
                    note={"meeting": "Demo beim Kunden", "email": "Angebot nachfassen"}.get(kind))


def _close_or_park(db: Connection, lead_id: int, plot: str, today: date,
                   rep: users.User) -> None:
    if plot == "won":
        leads.won(db, lead_id, "Vertrag unterschrieben", by=rep.id)
    elif plot == "lost":
        leads.lost(db, lead_id, "went to a competitor", by=rep.id)
    elif plot == "cancelled":
        leads.cancel(db, lead_id, "not a real opportunity", by=rep.id)
    elif plot == "standby":
        leads.standby(db, lead_id, today + timedelta(days=14),
                      NextStep("call", today + timedelta(days=21), time(10, 0)), by=rep.id)


def _spread_over_the_weeks(db: Connection, now: datetime) -> None:
    """Everything above happened 'now'; move it to plausible moments between each person's
    import and now, keeping the order, so timelines, cohorts and 'days since' look real."""
    history_store.spread_after_first_seen(db, latest=now - timedelta(hours=2))
    leads_store.date_activities_by_history(db)
    leads_store.date_leads_by_history(db)
    ticks_store.date_by_history(db)
    people_store.date_deaths_by_history(db)


def _backdate_import(db: Connection, import_id: int, when: datetime) -> None:
    """Make an import look as if it happened `when` (the demo tells a story over weeks)."""
    imports_store.backdate(db, import_id, when)
    lists_store.backdate_import(db, import_id, when)
    people_store.backdate_import(db, import_id, when)
    history_store.backdate_import(db, import_id, when)
