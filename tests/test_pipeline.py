"""The pipeline's steps as a manager shapes them, on a real database."""

from __future__ import annotations

from datetime import date, time

import pytest

from lib import leads, pipeline
from lib.errors import InvalidInput
from tests import factories


def rename(table, key: str, label: str):
    table.loc[table["key"] == key, "label"] = label
    return table


def test_steps_are_renamed_reordered_and_recorded(any_db):
    table = rename(pipeline.steps_table(any_db), "proposal", "Offer sent")
    table.loc[table["key"] == "negotiation", "position"] = 1
    changed = pipeline.update_steps(any_db, pipeline.steps_from_table(table), by=None)
    assert [s.key for s in pipeline.steps(any_db)] == [
        "negotiation", "new", "contacted", "meeting", "proposal"]
    assert pipeline.steps(any_db)[-1].label == "Offer sent"
    fields = [r[0] for r in any_db.execute(
        "SELECT field FROM history WHERE kind = 'settings' ORDER BY id").fetchall()]
    assert "step:proposal.label" in fields and "step:negotiation.position" in fields
    assert changed == len(fields)


def test_a_step_with_open_leads_cannot_be_switched_off(any_db):
    owner = factories.user(any_db, "Anna")
    person = factories.person(any_db, first_name="Max", last_name="Mueller", company="Firma")
    leads.convert(any_db, person, owner_id=owner, step_key="contacted",
                  next_step=leads.NextStep("call", date(2026, 12, 1), time(10)), by=owner)
    table = pipeline.steps_table(any_db)
    assert int(table.loc[table["key"] == "contacted", "open_leads"].iloc[0]) == 1
    table.loc[table["key"] == "contacted", "active"] = False
    before = pipeline.steps(any_db)
    with pytest.raises(InvalidInput, match="holds 1 open lead"):
        pipeline.update_steps(any_db, pipeline.steps_from_table(table), by=None)
    assert pipeline.steps(any_db) == before


@pytest.mark.parametrize(("label", "message"), [("", "needs a name"), ("new", "same name")])
def test_step_names_must_be_present_and_different(any_db, label, message):
    table = rename(pipeline.steps_table(any_db), "contacted", label)
    with pytest.raises(InvalidInput, match=message):
        pipeline.update_steps(any_db, pipeline.steps_from_table(table), by=None)


def test_one_step_stays_active(any_db):
    table = pipeline.steps_table(any_db).assign(active=False)
    with pytest.raises(InvalidInput, match="at least one step"):
        pipeline.update_steps(any_db, pipeline.steps_from_table(table), by=None)


def test_a_new_step_goes_to_the_end_and_leads_can_move_there(any_db):
    added = pipeline.add_step(any_db, "  Trial   running ", by=None)
    assert (added.key, added.label, added.position) == ("trial_running", "Trial running", 6)
    assert list(leads.active_steps(any_db))[-1] == "trial_running"
    with pytest.raises(InvalidInput, match="already"):
        pipeline.add_step(any_db, "trial RUNNING", by=None)
