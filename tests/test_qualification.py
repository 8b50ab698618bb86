"""The ladder: the status rule (Python and SQL agree), ticking, thresholds and criteria changes."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from lib import qualification as q
from lib import settings
from lib.access import NotAllowed
from lib.db import utcnow
from lib.errors import EditConflict, InvalidInput, UserError
from tests import factories

PROSPECT_KEYS = ["reached", "asked_info", "website", "social", "brand"]
LEAD_KEYS = ["interest", "needs", "budget", "details", "follow_up"]


@pytest.mark.parametrize(
    ("prospect_ticks", "lead_ticks", "dead", "limits", "expected"),
    [
        (0, 0, False, q.Thresholds(), "suspect"),
        (1, 0, False, q.Thresholds(), "prospect"),
        (5, 0, False, q.Thresholds(), "prospect"),
        (0, 1, False, q.Thresholds(), "prospect"),  # a lead criterion without prospect criteria
        (0, 2, False, q.Thresholds(), "lead"),  # lead criteria alone make a lead
        (3, 1, False, q.Thresholds(), "prospect"),
        (5, 5, True, q.Thresholds(), "dead"),
        (0, 0, True, q.Thresholds(), "dead"),
        (1, 0, False, q.Thresholds(prospect=2), "suspect"),
        (2, 0, False, q.Thresholds(prospect=2), "prospect"),
        (0, 1, False, q.Thresholds(prospect=3), "prospect"),
        (0, 1, False, q.Thresholds(lead=1), "lead"),
        (5, 2, False, q.Thresholds(lead=3), "prospect"),
        (0, 3, False, q.Thresholds(lead=3), "lead"),
    ],
)
def test_status_rule_table(prospect_ticks, lead_ticks, dead, limits, expected):
    assert q.status_of(prospect_ticks, lead_ticks, dead, limits) == expected


def test_criteria_come_prospect_stage_first_then_by_position(fresh_db):
    keys = [c.key for c in q.criteria(fresh_db)]
    assert keys == PROSPECT_KEYS + LEAD_KEYS
    q.set_active(fresh_db, "social", False, by=None)
    assert "social" not in [c.key for c in q.criteria(fresh_db)]
    assert "social" in [c.key for c in q.criteria(fresh_db, active_only=False)]


@pytest.mark.parametrize(
    ("ticked", "dead_reason", "expected"),
    [
        (set(), None, "suspect: nothing ticked"),
        ({"website"}, None, "prospect: 1 of 5 — website"),
        ({"interest", "budget", "details", "reached"}, None,
         "lead: 3 of 5 — interest, budget, demo"),
        ({"interest"}, None, "prospect: lead 1 of 2 needed — interest"),
        ({"website", "budget"}, None, "prospect: 1 of 5 — website; lead 1 of 2 needed — budget"),
        ({"budget", "interest"}, "no budget", "dead: no budget"),
    ],
)
def test_why_explains_the_status(fresh_db, ticked, dead_reason, expected):
    assert q.why(ticked, dead_reason, q.criteria(fresh_db), q.Thresholds()) == expected


def test_why_ignores_inactive_criteria_and_names_a_missing_threshold(fresh_db):
    q.set_active(fresh_db, "budget", False, by=None)
    active = q.criteria(fresh_db)
    assert q.why({"budget", "interest"}, None, active, q.Thresholds()) == (
        "prospect: lead 1 of 2 needed — interest"
    )
    assert q.why({"website"}, None, active, q.Thresholds(prospect=2)) == (
        "suspect: 1 of 5 — website (2 needed)"
    )
    assert q.why({"interest", "needs"}, None, active, q.Thresholds()) == (
        "lead: 2 of 4 — interest, needs"
    )


# --- SQL ≡ Python --------------------------------------------------------------------------

ALL_KEYS = PROSPECT_KEYS + LEAD_KEYS
SUBSETS = 2 ** len(ALL_KEYS)


def _every_combination(db) -> None:
    """Person i ticks the criteria whose bits are set in i % 1024; persons ≥ 1024 are dead."""
    now = utcnow()
    people = pd.DataFrame({"id": range(2 * SUBSETS)})
    people["dead"] = people["id"] >= SUBSETS
    db.register("combos", people)
    db.execute(
        "INSERT INTO people (id, first_name, status, dead_reason, created_at, updated_at)"
        " SELECT id, 'P', CASE WHEN dead THEN 'dead' ELSE 'suspect' END,"
        " CASE WHEN dead THEN 'other' END, ?, ? FROM combos",
        [now, now],
    )
    ticks = pd.DataFrame(
        [(i, key) for i in range(2 * SUBSETS) for bit, key in enumerate(ALL_KEYS)
         if (i % SUBSETS) >> bit & 1],
        columns=["person_id", "criterion_key"],
    )
    db.register("combo_ticks", ticks)
    db.execute("INSERT INTO ticks (person_id, criterion_key, ticked_at)"
               " SELECT person_id, criterion_key, ? FROM combo_ticks", [now])


def _python_statuses(inactive: set[str], limits: q.Thresholds) -> dict[int, str]:
    expected = {}
    for i in range(2 * SUBSETS):
        ticked = {k for bit, k in enumerate(ALL_KEYS) if (i % SUBSETS) >> bit & 1} - inactive
        expected[i] = q.status_of(
            len(ticked & set(PROSPECT_KEYS)), len(ticked & set(LEAD_KEYS)), i >= SUBSETS, limits
        )
    return expected


@pytest.mark.parametrize(
    "inactive",
    [set(), {"brand", "budget"}, set(LEAD_KEYS[2:]), set(PROSPECT_KEYS)],
    ids=["all-active", "two-off", "three-lead-off", "prospect-stage-off"],
)
def test_sql_rule_equals_python_rule_on_every_combination(fresh_db, inactive):
    _every_combination(fresh_db)
    for key in inactive:
        fresh_db.execute("UPDATE criteria SET active = false WHERE key = ?", [key])
    for prospect, lead in itertools.product(range(1, 4), range(1, 6)):
        limits = q.Thresholds(prospect=prospect, lead=lead)
        got = dict(fresh_db.execute(
            f"SELECT person_id, status FROM ({q.statuses_sql()}) s", q.threshold_params(limits)
        ).fetchall())
        assert got == _python_statuses(inactive, limits), limits


def test_recompute_stores_the_rule_for_everyone_with_one_history_entry_per_change(fresh_db):
    _every_combination(fresh_db)
    changed = q.recompute_statuses(fresh_db, by=None, note="test")
    expected = _python_statuses(set(), q.Thresholds())
    stored = dict(fresh_db.execute("SELECT id, status FROM people").fetchall())
    assert stored == expected
    assert changed == sum(s != "suspect" for s in expected.values() if s != "dead")
    logged = fresh_db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT person_id) FROM history WHERE kind = 'status'"
    ).fetchone()
    assert logged == (changed, changed)
    assert q.recompute_statuses(fresh_db, by=None) == 0


def test_recompute_can_be_limited_to_some_people(fresh_db):
    a, b = factories.person(fresh_db), factories.person(fresh_db)
    factories.tick(fresh_db, a, "website")
    factories.tick(fresh_db, b, "website")
    assert q.recompute_statuses(fresh_db, [a], by=None) == 1
    assert factories.stored(fresh_db, a, "status") == ("prospect",)
    assert factories.stored(fresh_db, b, "status") == ("suspect",)


# --- ticking -------------------------------------------------------------------------------


def test_tick_and_untick_move_the_status_and_write_history(fresh_db):
    rep = factories.user(fresh_db, "Rita")
    pid = factories.person(fresh_db)
    info = q.set_tick(fresh_db, pid, "interest", True, expected=False, by=rep)
    assert (info.old_status, info.status) == ("suspect", "prospect")
    info = q.set_tick(fresh_db, pid, "budget", True, expected=False, by=rep)
    assert (info.status, info.why) == ("lead", "lead: 2 of 5 — interest, budget")
    info = q.set_tick(fresh_db, pid, "interest", False, expected=True, by=rep)
    assert (info.old_status, info.status, info.changed) == ("lead", "prospect", True)
    assert factories.history_kinds(fresh_db, pid) == [
        ("owner", "owner_id", None, str(rep)),  # the rep took the unowned row
        ("tick", "interest", "False", "True"),
        ("status", "status", "suspect", "prospect"),
        ("tick", "budget", "False", "True"),
        ("status", "status", "prospect", "lead"),
        ("untick", "interest", "True", "False"),
        ("status", "status", "lead", "prospect"),
    ]
    assert fresh_db.execute(
        "SELECT DISTINCT user_id FROM history WHERE person_id = ?", [pid]
    ).fetchall() == [(rep,)]


def test_a_tick_changed_by_someone_else_is_a_conflict_and_nothing_changes(fresh_db):
    anna, ben = factories.user(fresh_db, "Anna"), factories.user(fresh_db, "Ben")
    pid = factories.person(fresh_db)
    q.set_tick(fresh_db, pid, "website", True, expected=False, by=anna)
    before = factories.history_kinds(fresh_db, pid)
    with pytest.raises(EditConflict, match="Anna ticked 'website'") as caught:
        q.set_tick(fresh_db, pid, "website", True, expected=False, by=ben)
    assert caught.value.fresh_value is True
    with pytest.raises(EditConflict):
        q.set_tick(fresh_db, pid, "brand", False, expected=True, by=ben)
    assert factories.history_kinds(fresh_db, pid) == before


def test_a_dead_row_cannot_be_ticked(fresh_db):
    pid = factories.person(fresh_db, dead_reason="no budget")
    with pytest.raises(UserError, match="revive it"):
        q.set_tick(fresh_db, pid, "website", True, expected=False, by=None)
    assert fresh_db.execute("SELECT COUNT(*) FROM ticks").fetchone() == (0,)


def test_unknown_or_switched_off_criteria_cannot_be_ticked(fresh_db):
    pid = factories.person(fresh_db)
    with pytest.raises(InvalidInput, match="no criterion"):
        q.set_tick(fresh_db, pid, "nonsense", True, expected=False, by=None)
    q.set_active(fresh_db, "brand", False, by=None)
    with pytest.raises(InvalidInput, match="switched off"):
        q.set_tick(fresh_db, pid, "brand", True, expected=False, by=None)


# --- manager changes -----------------------------------------------------------------------


def test_a_threshold_change_recomputes_every_status_with_history(fresh_db):
    manager = factories.user(fresh_db, "Mia", role="admin")
    one, two = factories.person(fresh_db), factories.person(fresh_db)
    factories.tick(fresh_db, one, "interest", "needs", "budget")
    factories.tick(fresh_db, two, "interest", "needs")
    q.recompute_statuses(fresh_db, by=None)
    assert q.change_threshold(fresh_db, "lead_threshold", 3, by=manager) == 1
    assert factories.stored(fresh_db, one, "status") == ("lead",)
    assert factories.stored(fresh_db, two, "status") == ("prospect",)
    assert settings.get(fresh_db, "lead_threshold") == 3
    assert fresh_db.execute(
        "SELECT person_id, old_value, new_value, user_id, note FROM history"
        " WHERE kind = 'status' AND user_id IS NOT NULL"
    ).fetchall() == [(two, "lead", "prospect", manager, "lead_threshold changed to 3")]
    assert fresh_db.execute(
        "SELECT field, old_value, new_value FROM history WHERE kind = 'settings'"
    ).fetchall() == [("lead_threshold", "2", "3")]


def test_an_invalid_threshold_changes_nothing(fresh_db):
    pid = factories.person(fresh_db)
    factories.tick(fresh_db, pid, "website")
    with pytest.raises(InvalidInput):
        q.change_threshold(fresh_db, "prospect_threshold", 0, by=None)
    with pytest.raises(InvalidInput):
        q.change_threshold(fresh_db, "timezone", 1, by=None)
    assert fresh_db.execute("SELECT COUNT(*) FROM history").fetchone() == (0,)
    assert factories.stored(fresh_db, pid, "status") == ("suspect",)


def test_switching_a_criterion_off_and_on_recomputes_and_is_logged(fresh_db):
    pid = factories.person(fresh_db)
    factories.tick(fresh_db, pid, "interest", "budget")
    q.recompute_statuses(fresh_db, by=None)
    assert q.set_active(fresh_db, "budget", False, by=None) == 1
    assert factories.stored(fresh_db, pid, "status") == ("prospect",)
    assert q.set_active(fresh_db, "budget", True, by=None) == 1
    assert factories.stored(fresh_db, pid, "status") == ("lead",)
    assert fresh_db.execute(
        "SELECT field, old_value, new_value FROM history WHERE kind = 'settings' ORDER BY id"
    ).fetchall() == [
        ("criterion:budget.active", "True", "False"),
        ("criterion:budget.active", "False", "True"),
    ]


def test_relabel_logs_each_changed_text_and_refuses_empty_labels(fresh_db):
    old = q.criterion(fresh_db, "details")
    q.relabel(fresh_db, "details", short_label="details", label_en=old.label_en,
              label_de="Details angefragt", description=old.description, by=None)
    new = q.criterion(fresh_db, "details")
    assert (new.short_label, new.label_de) == ("details", "Details angefragt")
    assert fresh_db.execute(
        "SELECT field, old_value, new_value FROM history ORDER BY id"
    ).fetchall() == [
        ("criterion:details.short_label", "demo", "details"),
        ("criterion:details.label_de", "Anfrage nach mehr Details", "Details angefragt"),
    ]
    with pytest.raises(InvalidInput, match="label en: must not be empty"):
        q.relabel(fresh_db, "details", short_label="x", label_en=" ", label_de="x",
                  description="x", by=None)
    assert q.criterion(fresh_db, "details") == new


def test_reorder_moves_criteria_within_their_stage(fresh_db):
    keys = [c.key for c in q.criteria(fresh_db, active_only=False)]
    wanted = ["brand", *keys[:4], *reversed(keys[5:])]
    q.reorder(fresh_db, wanted, by=None)
    assert [c.key for c in q.criteria(fresh_db)] == wanted
    assert fresh_db.execute(
        "SELECT new_value FROM history WHERE field = 'criterion:brand.position'"
    ).fetchall() == [("1",)]
    with pytest.raises(InvalidInput, match="every criterion"):
        q.reorder(fresh_db, wanted[:-1], by=None)


def test_add_criterion_validates_and_appends_to_its_stage(fresh_db):
    labels = {"short_label": "trial", "label_en": "Trial running", "label_de": "Test läuft",
              "description": "A trial installation is running."}
    added = q.add_criterion(fresh_db, "trial", "lead", **labels, by=None)
    assert (added.stage, added.active, added.position) == ("lead", True, 11)
    assert [c.key for c in q.criteria(fresh_db)][-1] == "trial"
    assert fresh_db.execute(
        "SELECT field, new_value FROM history WHERE kind = 'settings'"
    ).fetchall() == [("criterion:trial", "lead: Trial running")]
    for key, stage, message in [
        ("trial", "lead", "already"), ("Trial!", "lead", "lower-case"),
        ("9lives", "lead", "lower-case"), ("other", "deal", "stage"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            q.add_criterion(fresh_db, key, stage, **labels, by=None)
    with pytest.raises(InvalidInput, match="description"):
        q.add_criterion(fresh_db, "other", "lead", **{**labels, "description": ""}, by=None)
    assert len(q.criteria(fresh_db)) == 11


# --- the Settings page's tables and messages -------------------------------------------------


def test_only_the_thresholds_that_differ_are_changed_prospect_first():
    limits = q.Thresholds(prospect=1, lead=2)
    assert limits.by_key == {"prospect_threshold": 1, "lead_threshold": 2}
    assert q.changed_thresholds({"lead_threshold": 3, "prospect_threshold": 2}, limits) == {
        "prospect_threshold": 2, "lead_threshold": 3}
    assert q.changed_thresholds({"prospect_threshold": 1.0, "lead_threshold": 2}, limits) == {}


@pytest.mark.parametrize(("changed", "text"), [
    (0, "0 statuses changed."), (1, "1 status changed."), (1200, "1,200 statuses changed.")])
def test_a_recompute_says_how_many_statuses_moved(changed, text):
    assert q.moved_text(changed) == text


def test_the_criteria_table_goes_back_as_the_same_criteria(fresh_db):
    everything = q.criteria(fresh_db, active_only=False)
    table = q.criteria_table(fresh_db)
    assert list(table["key"]) == [c.key for c in everything]
    table["position"] = table["position"].astype(float)
    assert q.criteria_from_table(table) == everything
    assert all(type(c.position) is int and type(c.active) is bool
               for c in q.criteria_from_table(table))


# --- a converted row is a lead -------------------------------------------------------------


def _convert(db, person_id: int, owner: int) -> int:
    from datetime import timedelta

    from lib import leads, schedule
    step = leads.NextStep("call", schedule.today(db) + timedelta(days=2))
    return leads.convert(db, person_id, owner_id=owner, next_step=step, by=owner).lead_id


@pytest.mark.parametrize(("prospect_ticks", "lead_ticks", "dead", "expected"), [
    (0, 0, False, "lead"), (1, 1, False, "lead"), (0, 5, False, "lead"), (3, 3, True, "dead"),
])
def test_a_converted_row_is_a_lead_whatever_its_ticks(prospect_ticks, lead_ticks, dead,
                                                     expected):
    limits = q.Thresholds(prospect=3, lead=5)
    assert q.status_of(prospect_ticks, lead_ticks, dead, limits, converted=True) == expected


def test_an_open_lead_keeps_its_row_a_lead_after_the_threshold_is_raised(fresh_db):
    from lib import leads
    anna = factories.user(fresh_db, "Anna")
    converted, qualified = factories.person(fresh_db), factories.person(fresh_db)
    for pid in (converted, qualified):
        for key in ("interest", "budget"):
            q.set_tick(fresh_db, pid, key, True, expected=False, by=anna)
    lead_id = _convert(fresh_db, converted, anna)
    q.change_threshold(fresh_db, "lead_threshold", 3,
                       by=factories.user(fresh_db, "Ada", "admin"))
    assert factories.stored(fresh_db, converted, "status") == ("lead",)
    assert factories.stored(fresh_db, qualified, "status") == ("prospect",)
    assert q.standing(fresh_db, converted, None) == (
        "lead", "lead: converted — open lead, step New, owner Anna; 2 of 5 — interest, budget")
    assert q.standing(fresh_db, qualified, None)[1] == (
        "prospect: lead 2 of 3 needed — interest, budget")
    leads.won(fresh_db, lead_id, by=anna)
    assert q.standing(fresh_db, converted, None)[1].startswith("lead: converted — won lead")
    assert factories.stored(fresh_db, converted, "status") == ("lead",)


def test_a_lost_lead_gives_its_row_back_to_the_ticks_and_a_convert_anyway_makes_a_lead(
        fresh_db):
    from lib import leads
    anna = factories.user(fresh_db, "Anna")
    pid = factories.person(fresh_db)
    q.set_tick(fresh_db, pid, "website", True, expected=False, by=anna)
    lead_id = _convert(fresh_db, pid, anna)  # converted while a prospect
    assert factories.stored(fresh_db, pid, "status") == ("lead",)
    assert ("status", "status", "prospect", "lead") in factories.history_kinds(fresh_db, pid)
    leads.lost(fresh_db, lead_id, "no budget", by=anna)
    assert factories.stored(fresh_db, pid, "status") == ("prospect",)
    assert q.recompute_statuses(fresh_db, by=None) == 0  # stored = rule, for everyone


def test_the_sql_rule_counts_open_and_won_leads_as_the_python_rule_does(fresh_db):
    _every_combination(fresh_db)
    anna = factories.user(fresh_db, "Anna")
    step = {"todo": 3, "standby": 5, "won": 6, "lost": 7, "cancelled": 9}
    now = utcnow()
    for status, pid in step.items():
        closed = status in ("won", "lost", "cancelled")
        fresh_db.execute(
            "INSERT INTO leads (person_id, title, owner_id, step_key, status, standby_until,"
            " created_at, closed_at, close_reason, next_type, next_due_date)"
            " VALUES (?, 'L', ?, 'new', ?, ?, ?, ?, ?, ?, ?)",
            [pid, anna, status, now.date() if status == "standby" else None, now,
             now if closed else None, "other" if status in ("lost", "cancelled") else None,
             None if closed else "call", None if closed else now.date()])
    limits = q.Thresholds(prospect=2, lead=4)
    got = dict(fresh_db.execute(f"SELECT person_id, status FROM ({q.statuses_sql()}) s",
                                q.threshold_params(limits)).fetchall())
    expected = _python_statuses(set(), limits)
    converted = set(q.conversions(fresh_db, list(step.values())))
    assert converted == {3, 5, 6}
    for pid in converted:
        ticked = {k for bit, k in enumerate(ALL_KEYS) if pid >> bit & 1}
        expected[pid] = q.status_of(len(ticked & set(PROSPECT_KEYS)),
                                    len(ticked & set(LEAD_KEYS)), False, limits, True)
    assert got == expected
    assert {got[p] for p in converted} == {"lead"} and got[7] != "lead"


def test_ticking_an_unowned_row_makes_the_rep_its_owner_but_not_someone_elses(fresh_db):
    anna, ben = factories.user(fresh_db, "Anna"), factories.user(fresh_db, "Ben")
    ops = factories.user(fresh_db, "Otto", "ops")
    unowned, bens = factories.person(fresh_db), factories.person(fresh_db, owner_id=ben)
    by_ops = factories.person(fresh_db)
    q.set_tick(fresh_db, unowned, "website", True, expected=False, by=anna)
    q.set_tick(fresh_db, bens, "website", True, expected=False, by=anna)
    with pytest.raises(NotAllowed):  # ops do not work rows: nothing ticked, nothing taken
        q.set_tick(fresh_db, by_ops, "website", True, expected=False, by=ops)
    assert factories.stored(fresh_db, unowned, "owner_id") == (anna,)
    assert factories.stored(fresh_db, bens, "owner_id") == (ben,)
    assert factories.stored(fresh_db, by_ops, "owner_id") == (None,)  # ops cannot own rows
    assert ("owner", "owner_id", None, str(anna)) in factories.history_kinds(fresh_db, unowned)
    with pytest.raises(EditConflict):  # a refused tick takes nothing either
        q.set_tick(fresh_db, by_ops, "website", False, expected=True, by=anna)
    assert factories.stored(fresh_db, by_ops, "owner_id") == (None,)


def test_thresholds_are_the_stored_ones_each_on_its_own(fresh_db):
    assert q.thresholds(fresh_db) == q.Thresholds(prospect=1, lead=2)
    settings.put(fresh_db, "prospect_threshold", 3, by=None)
    assert q.thresholds(fresh_db) == q.Thresholds(prospect=3, lead=2)
    settings.put(fresh_db, "lead_threshold", 4, by=None)
    assert q.thresholds(fresh_db) == q.Thresholds(prospect=3, lead=4)
    assert q.status_of(2, 0, False, q.thresholds(fresh_db)) == "suspect"


def test_a_switched_off_criterion_stays_in_the_settings_table_and_the_change_names_its_admin(
        fresh_db):
    admin = factories.user(fresh_db, "Ada", "admin")
    q.set_active(fresh_db, "budget", False, by=admin)
    table = q.criteria_table(fresh_db)
    assert list(table["key"]) == [c.key for c in q.criteria(fresh_db, active_only=False)]
    assert table.set_index("key").loc["budget", "active"] == False  # noqa: E712 (numpy bool)
    assert "budget" not in [c.key for c in q.criteria(fresh_db)]
    assert q.criteria_from_table(table) == q.criteria(fresh_db, active_only=False)
    assert fresh_db.execute(
        "SELECT user_id, field FROM history WHERE kind = 'settings'").fetchall() == [
        (admin, "criterion:budget.active")]


def test_a_conflict_names_who_unticked_and_says_it_is_unticked_now(fresh_db):
    anna, ben = factories.user(fresh_db, "Anna"), factories.user(fresh_db, "Ben")
    pid = factories.person(fresh_db)
    q.set_tick(fresh_db, pid, "website", True, expected=False, by=anna)
    q.set_tick(fresh_db, pid, "website", False, expected=True, by=ben)
    with pytest.raises(EditConflict) as caught:  # Anna still sees her tick and unticks it
        q.set_tick(fresh_db, pid, "website", False, expected=True, by=anna)
    assert str(caught.value) == (
        "Ben unticked 'website' since you loaded the list; it is unticked now.")
    assert caught.value.fresh_value is False


def test_a_conflict_with_the_command_line_or_without_history_names_someone(fresh_db):
    anna = factories.user(fresh_db, "Anna")
    pid, untouched = factories.person(fresh_db), factories.person(fresh_db)
    q.set_tick(fresh_db, pid, "website", True, expected=False, by=None)
    with pytest.raises(EditConflict) as caught:
        q.set_tick(fresh_db, pid, "website", True, expected=False, by=anna)
    assert str(caught.value).startswith("someone ticked 'website' since you loaded the list")
    assert q.last_changer(fresh_db, untouched, ("tick", "untick"), "website") == "Someone"


def test_the_row_taken_by_ticking_says_who_took_it_in_its_history(fresh_db):
    anna = factories.user(fresh_db, "Anna Alt")
    pid = factories.person(fresh_db)
    q.set_tick(fresh_db, pid, "website", True, expected=False, by=anna)
    assert fresh_db.execute(
        "SELECT user_id, new_value, note FROM history WHERE person_id = ? AND kind = 'owner'",
        [pid]).fetchall() == [
        (anna, str(anna), "nobody → Anna Alt (took the unowned row by ticking it)")]


def test_the_standing_of_a_dead_row_is_dead_with_its_reason(fresh_db):
    pid = factories.person(fresh_db)
    factories.tick(fresh_db, pid, "interest", "budget")
    assert q.standing(fresh_db, pid, None) == ("lead", "lead: 2 of 5 — interest, budget")
    assert q.standing(fresh_db, pid, "no budget") == ("dead", "dead: no budget")
