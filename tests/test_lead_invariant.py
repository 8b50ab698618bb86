"""The lead invariant under random sequences of actions through lib/leads.

After every step: an open lead (to do, standby) has a next step, a closed one has none, a person
has at most one open lead — and an action that was refused left the database exactly as it was.
Refusals must be ``UserError``s: a database error (a CHECK the API let through) fails the test.
"""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from lib import access, db, leads, schedule
from lib.errors import UserError
from lib.leads import Activity, NextStep
from tests import factories

TODAY = schedule.local_today(db.utcnow(), ZoneInfo("Europe/Berlin"))
STEPS = ("new", "contacted", "meeting", "proposal", "negotiation", "nowhere")

days = st.integers(min_value=-5, max_value=20).map(lambda n: TODAY + timedelta(days=n))
times = st.none() | st.sampled_from([time(0, 0), time(9, 30), time(23, 59)])


def mostly(valid: st.SearchStrategy, invalid: object) -> st.SearchStrategy:
    """``valid`` nine times in ten, else ``invalid``: random input that is mostly usable."""
    return st.integers(0, 9).flatmap(lambda n: st.just(invalid) if n == 0 else valid)


next_steps = st.fixed_dictionaries({
    "type": mostly(st.sampled_from(leads.NEXT_TYPES), "fax"),
    "due_date": mostly(days, None),
    "due_time": times,
    "duration_min": mostly(st.none() | st.integers(min_value=1, max_value=120), 0),
    "note": st.none() | st.text(max_size=5),
})


@st.composite
def activities(draw) -> dict:
    """A call with an outcome, another kind without one, a note with a text — mostly."""
    kind = draw(mostly(st.sampled_from(leads.ACTIVITY_KINDS), "smoke signal"))
    outcome = draw(st.sampled_from(leads.CALL_OUTCOMES)) if kind == "call" else None
    text = draw(st.text(min_size=1, max_size=5)) if kind == "note" else None
    if draw(st.integers(0, 9)) == 0:
        outcome, text = draw(st.sampled_from([(None, text), ("reached", text), (outcome, " ")]))
    return {"kind": kind, "text": text, "outcome": outcome}


def reasons(allowed: tuple[str, ...]) -> st.SearchStrategy:
    return mostly(st.sampled_from(allowed), "bored")


notes = st.none() | st.sampled_from(["", "why not", "  "])


class LeadLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.conn = db.connect(":memory:")
        self.db = self.conn.cursor()
        self.rep = factories.user(self.db)
        self.people = [factories.person(self.db, company=f"Co {n}") for n in range(3)]
        self.people.append(factories.person(self.db, dead_reason="not interested"))
        self.ids: list[int] = []  # lead ids so far (leads are never deleted)

    def teardown(self) -> None:
        self.conn.close()

    def state(self) -> tuple:
        return tuple(self.db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                     for table in ("leads", "activities", "history", "people"))

    def attempt(self, action) -> None:
        """Run an action; when it is refused, nothing may have changed."""
        before = self.state()
        try:
            action()
        except UserError:
            assert self.state() == before

    def pick(self, index: int) -> int:
        return self.ids[index % len(self.ids)]

    @rule(person=st.integers(0, 3), step=next_steps, key=st.none() | st.sampled_from(STEPS),
          amount=st.none() | st.sampled_from(["10", "-1", "x"]), note=notes)
    def convert(self, person, step, key, amount, note):
        self.attempt(lambda: leads.convert(
            self.db, self.people[person], owner_id=self.rep, next_step=NextStep(**step),
            step_key=key, amount=amount, note=note, by=self.rep))
        rows = self.db.execute("SELECT id FROM leads ORDER BY id").fetchall()
        self.ids = [row[0] for row in rows]

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), activity=activities(), step=next_steps)
    def log_and_next(self, lead, activity, step):
        self.attempt(lambda: leads.log_activity_and_next_step(
            self.db, self.pick(lead), Activity(**activity), NextStep(**step), by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), step=next_steps)
    def set_next(self, lead, step):
        self.attempt(lambda: leads.set_next_step(self.db, self.pick(lead), NextStep(**step),
                                                 by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), key=st.sampled_from(STEPS))
    def move(self, lead, key):
        self.attempt(lambda: leads.move_step(self.db, self.pick(lead), key, by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), until=mostly(days, None), lag=st.integers(-1, 5),
          step=next_steps)
    def standby(self, lead, until, lag, step):
        if until is not None and step["due_date"] is not None:
            step = {**step, "due_date": until + timedelta(days=lag)}
        self.attempt(lambda: leads.standby(self.db, self.pick(lead), until, NextStep(**step),
                                           by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9))
    def resume(self, lead):
        self.attempt(lambda: leads.resume(self.db, self.pick(lead), by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), note=notes)
    def won(self, lead, note):
        self.attempt(lambda: leads.won(self.db, self.pick(lead), note, by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), reason=reasons(leads.LOST_REASONS), note=notes)
    def lost(self, lead, reason, note):
        self.attempt(lambda: leads.lost(self.db, self.pick(lead), reason, note, by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), reason=reasons(leads.CANCEL_REASONS), note=notes)
    def cancel(self, lead, reason, note):
        self.attempt(lambda: leads.cancel(self.db, self.pick(lead), reason, note, by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), step=next_steps)
    def reopen(self, lead, step):
        self.attempt(lambda: leads.reopen(self.db, self.pick(lead), NextStep(**step),
                                          by=self.rep))

    @precondition(lambda self: self.ids)
    @rule(lead=st.integers(0, 9), probability=st.integers(-5, 105),
          close=st.none() | days, tags=st.none() | st.text(max_size=6))
    def edit(self, lead, probability, close, tags):
        self.attempt(lambda: leads.edit(self.db, self.pick(lead), by=self.rep,
                                        probability=probability, expected_close=close, tags=tags))

    @invariant()
    def open_leads_have_a_next_step_and_closed_ones_none(self):
        broken = self.db.execute(
            "SELECT id, status FROM leads WHERE (status IN ('todo', 'standby')) <>"
            " (next_type IS NOT NULL AND next_due_date IS NOT NULL)"
        ).fetchall()
        assert broken == []

    @invariant()
    def a_person_has_at_most_one_open_lead(self):
        assert self.db.execute(
            "SELECT person_id FROM leads WHERE status IN ('todo', 'standby')"
            " GROUP BY person_id HAVING count(*) > 1"
        ).fetchall() == []

    @rule()
    def read_the_todo_page(self):
        """Every open lead shows in exactly one to-do group (a rule, not an invariant: the
        query costs more than the checks above)."""
        frame = leads.todo(self.db, user_id=self.rep, viewer=access.FULL_ACCESS)
        assert set(frame["group"]) <= set(leads.GROUPS)
        open_count = self.db.execute(
            "SELECT count(*) FROM leads WHERE status IN ('todo', 'standby')").fetchone()[0]
        assert len(frame) == open_count

LeadLife.TestCase.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_lead_life = LeadLife.TestCase


def test_the_machine_reaches_every_status():
    """Guard against a machine whose actions are all refused: one scripted run of its rules."""
    machine = LeadLife()
    try:
        valid = {"type": "call", "due_date": TODAY + timedelta(days=2), "due_time": None,
                 "duration_min": None, "note": None}
        machine.convert(0, valid, None, "10", None)
        machine.convert(1, valid, None, None, None)
        machine.convert(2, valid, None, None, None)
        machine.standby(0, TODAY + timedelta(days=2), 0, valid)
        machine.lost(1, "no need", None)
        machine.cancel(2, "other", "why not")
        statuses = {row[0] for row in machine.db.execute("SELECT status FROM leads").fetchall()}
        assert statuses == {"standby", "lost", "cancelled"}
    finally:
        machine.teardown()

