"""Leads with known next steps on top of the demo, made through lib/ as a rep would make them.

The demo's own leads move with the clock; these give the page tests a lead whose group they know.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from lib import leads, schedule, users
from lib.db import Connection, utcnow
from lib.leads import NextStep
from tests import factories

ANNA = "anna.schmidt@leadladder.example"
BEN = "ben.okafor@leadladder.example"
CLARA = "clara.weber@leadladder.example"
EVA = "eva.becker@leadladder.example"  # the admin


def user_id(db: Connection, email: str = ANNA) -> int:
    found = users.by_email(db, email)
    assert found is not None, f"the demo has no user {email}"
    return found.id


def local_today(db: Connection) -> date:
    return schedule.local_today(utcnow(), schedule.app_zone(db))


def lead(db: Connection, company: str, *, days: int, at: time | None = time(10, 0),
         owner: int | None = None, kind: str = "call", amount: object = None) -> int:
    """A new person of ``company`` converted into a lead whose next step is due in ``days``
    (negative: overdue); returns the lead's id."""
    owner = owner or user_id(db)
    person = factories.person(db, company=company, first_name="Lena", last_name="Vogt",
                              email=f"lena.vogt@{company.split()[0].lower()}.example",
                              phone="+49 89 1234567")
    step = NextStep(kind, local_today(db) + timedelta(days=days), at)
    return leads.convert(db, person, owner_id=owner, next_step=step, amount=amount,
                         by=owner).lead_id
