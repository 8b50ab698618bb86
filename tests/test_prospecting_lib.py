"""The lib pieces the prospecting and Settings pages added: rows refreshed in place, the source
filter's choices, bulk revive, and the criteria table saved as one change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lib import access, importing, lists, rows
from lib import qualification as q
from lib.errors import InvalidInput
from tests import factories


@pytest.fixture
def anna(fresh_db) -> int:
    return factories.user(fresh_db, "Anna")


@pytest.fixture
def ada(fresh_db) -> int:
    """An admin: criteria are the admin's to edit."""
    return factories.user(fresh_db, "Ada", role="admin")


def test_rows_by_id_keeps_the_given_order_and_leaves_out_vanished_rows(fresh_db, anna):
    list_id = factories.new_list(fresh_db)
    first, second = (factories.person(fresh_db, list_id, company=c) for c in ("B GmbH", "A AG"))
    q.set_tick(fresh_db, second, "interest", True, expected=False, by=anna)
    shown = rows.rows_by_id(fresh_db, [second, 999_999, first], list_id, viewer=access.FULL_ACCESS)
    assert list(shown["person_id"]) == [second, first]
    assert list(shown["status"]) == ["prospect", "suspect"]
    assert shown["last_action"].iloc[0] == "ticked interest"
    assert rows.rows_by_id(fresh_db, [], viewer=access.FULL_ACCESS).empty


def test_sources_are_those_of_the_list_or_of_my_rows(fresh_db, anna):
    list_id, other = factories.new_list(fresh_db), factories.new_list(fresh_db)
    factories.person(fresh_db, list_id, source="trade fair")
    factories.person(fresh_db, list_id, source="webinar")
    factories.person(fresh_db, list_id, source="webinar")
    factories.person(fresh_db, list_id)
    factories.person(fresh_db, other, source="purchased", owner_id=anna)
    assert rows.sources(fresh_db, rows.RowFilter(list_id=list_id),
                        viewer=access.viewer_of(fresh_db, anna)) == [
        "trade fair", "webinar"]
    assert rows.sources(fresh_db, rows.RowFilter(),
                        viewer=access.viewer_of(fresh_db, anna)) == ["purchased"]


def test_bulk_revive_brings_dead_rows_back_and_reports_the_others(fresh_db, anna):
    dead, alive = factories.person(fresh_db), factories.person(fresh_db)
    factories.tick(fresh_db, dead, "interest", "budget")
    rows.cancel(fresh_db, dead, "no budget", by=anna)
    outcomes = rows.bulk_revive(fresh_db, [dead, alive], by=anna)
    assert [(o.person_id, o.ok) for o in outcomes] == [(dead, True), (alive, False)]
    assert outcomes[0].message == "revived: lead"
    assert outcomes[1].message == "this row is not dead"
    assert factories.stored(fresh_db, dead, "status", "dead_reason") == ("lead", None)


def test_the_criteria_table_is_saved_as_one_change_with_one_recompute(fresh_db, ada):
    pid = factories.person(fresh_db)
    factories.tick(fresh_db, pid, "interest", "budget")
    q.recompute_statuses(fresh_db, by=None)
    table = {c.key: c for c in q.criteria(fresh_db, active_only=False)}
    table["budget"] = replace(table["budget"], active=False, short_label="money")
    table["brand"] = replace(table["brand"], position=1)
    changed = q.update_criteria(fresh_db, list(table.values()), by=ada)
    assert changed == 1
    assert factories.stored(fresh_db, pid, "status") == ("prospect",)
    after = q.criteria(fresh_db, active_only=False)
    assert [c.key for c in after][:2] == ["brand", "reached"]
    assert {c.key: (c.short_label, c.active) for c in after}["budget"] == ("money", False)
    recomputes = fresh_db.execute(
        "SELECT COUNT(*) FROM history WHERE kind = 'status' AND note LIKE 'criteria switched%'"
    ).fetchone()[0]
    assert recomputes == 1
    logged = {r[0] for r in fresh_db.execute(
        "SELECT field FROM history WHERE kind = 'settings' AND user_id = ?", [ada]).fetchall()}
    assert {"criterion:budget.active", "criterion:budget.short_label",
            "criterion:brand.position"} <= logged


def test_a_wrong_criteria_table_changes_nothing(fresh_db, ada):
    table = q.criteria(fresh_db, active_only=False)
    broken = [replace(table[0], short_label="new"), replace(table[1], label_en="  ")]
    with pytest.raises(InvalidInput, match="must not be empty"):
        q.update_criteria(fresh_db, broken, by=ada)
    assert q.criteria(fresh_db, active_only=False) == table


@pytest.mark.parametrize(("kind", "field", "old", "new", "what"), [
    ("lead_step", "step_key", "new", "proposal", "lead step new → proposal"),
    ("lead_status", "status", "todo", "won", "lead todo → won"),
    ("lead_edit", "amount", "100", "200", "lead amount changed"),
    ("next_step", "next_step", None, "call 2026-12-01 10:00", "next step: call 2026-12-01 10:00"),
])
def test_lead_entries_in_a_rows_history_say_what_happened(kind, field, old, new, what):
    assert rows.describe(kind, field, old, new, None, {}) == what


def test_extra_columns_are_the_file_columns_kept_by_the_lists_imports(fresh_db):
    data = b"Firma,Vorname,E-Mail,Messestand,Interesse\nAlpha GmbH,Albert,a@alpha.de,H1,Cloud\n"
    importing.import_file(fresh_db, data, "fair.csv", "Fair", by=None)
    list_id = lists.list_id(fresh_db, "Fair")
    assert rows.extra_columns(fresh_db, list_id) == ["Messestand", "Interesse"]
    assert rows.extra_columns(fresh_db, list_id + 1) == []
