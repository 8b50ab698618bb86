"""The prospecting grid's rules, without the browser: which list and columns, how rows are named
and typed, what an edit saves and says, what the row actions say."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import access, display, grid, importing, leads, lists, rows
from lib import qualification as q
from tests import factories

WALK_INS = (
    b"Firma,Vorname,Nachname,E-Mail,Stand\n"
    b"Alpha GmbH,Albert,Auer,albert@alpha.de,Halle 1\n"
    b"Beta AG,Berta,Brandt,,Halle 2\n"
    b",,,info@gamma.de,\n"
)


@pytest.fixture
def anna(fresh_db) -> int:
    return factories.user(fresh_db, "Anna")


@pytest.fixture
def walk_ins(fresh_db, anna) -> dict[str, int]:
    """An imported list of three rows in list order: Albert, Berta, and a row that has only an
    e-mail; the file's column "Stand" stays on the rows."""
    importing.import_file(fresh_db, WALK_INS, "walk-ins.csv", "Walk-ins", by=None)
    list_id = lists.list_id(fresh_db, "Walk-ins")
    page, _ = rows.rows_page(fresh_db, rows.RowFilter(list_id=list_id),
                             viewer=access.FULL_ACCESS)
    albert, berta, mail = page["person_id"].astype(int)
    return {"list": list_id, "Albert": albert, "Berta": berta, "mail": mail}


def table(db, list_id: int, size: int = 100, number: int = 1) -> pd.DataFrame:
    return grid.rows_shown(db, rows.RowFilter(list_id=list_id),
                           viewer=access.FULL_ACCESS, sort_by=None,
                           descending=False, size=size, number=number)


# --- which list, which columns ---------------------------------------------------------------


def test_the_list_picker_offers_my_rows_then_each_list_with_its_count():
    overview = pd.DataFrame({"id": [7, 3], "list": ["KW47", "KW45"], "rows": [1234, 1]})
    labels = grid.list_labels(overview)
    assert labels == {0: "All my rows", 7: "KW47 · 1,234 rows", 3: "KW45 · 1 rows"}
    assert grid.list_name(labels[7]) == "KW47" and grid.list_name(labels[0]) == "All my rows"


def test_the_list_shown_is_the_opened_one_else_the_shown_else_the_last_else_the_newest():
    labels = {0: "All my rows", 7: "KW47", 3: "KW45"}
    assert grid.list_to_show(labels, opened=3, shown=7, last=7) == 3
    assert grid.list_to_show(labels, opened=None, shown=7, last=3) == 7
    assert grid.list_to_show(labels, opened=99, shown=None, last=0) == 0
    assert grid.list_to_show(labels, opened=None, shown=None, last=None) == 7
    assert grid.list_to_show({0: "All my rows"}, opened=None, shown=None, last=None) == 0


def test_every_column_can_sort_and_a_tick_sorts_by_its_short_label(fresh_db, walk_ins):
    active = q.criteria(fresh_db)
    on_list = grid.sort_options(fresh_db, walk_ins["list"], active)
    assert on_list[:4] == ["", "status", "company", "tick:reached"]
    assert on_list[-1] == "Stand" and "Stand" not in grid.sort_options(fresh_db, None, active)
    assert grid.sort_label("", active, on_list=True) == "List order"
    assert grid.sort_label("", active, on_list=False) == "Oldest first"
    assert grid.sort_label("tick:asked_info", active, on_list=True) == "✓ info"
    assert grid.sort_label("last_action_at", active, on_list=True) == "Last action"
    assert grid.sort_label("postal_code", active, on_list=True) == "Postal code"


def test_the_grid_pins_who_first_and_keeps_the_files_columns_last(fresh_db):
    active = q.criteria(fresh_db)[:2]
    columns = ["status", "Stand", "email", "tick:reached", "tick:asked_info", "Notiz"]
    assert grid.extra_columns(columns, active) == ["Stand", "Notiz"]
    order = grid.column_order(columns, active)
    assert order[:9] == ["select", "status", "company", "row_name", "owner_id", "why",
                         "converted", "tick:reached", "tick:asked_info"]
    assert order[-3:] == ["possible_duplicate", "Stand", "Notiz"]
    editable = grid.editable_columns(active)
    assert {"email", "tick:reached", "owner_id"} <= set(editable)
    assert not {"status", "why", "row_name", "select"} & set(editable)


# --- the rows the editor is fed --------------------------------------------------------------


def test_a_row_is_named_by_person_and_company_else_by_its_email():
    def row(**fields):
        return pd.Series({"first_name": None, "last_name": None, "company": None,
                          "email": None, **fields})

    assert grid.row_name(row(first_name="Albert", last_name="Auer", company="Alpha")) == (
        "Albert Auer · Alpha")
    assert grid.row_name(row(last_name="Auer", first_name=pd.NA)) == "Auer"
    assert grid.row_name(row(email="info@gamma.de")) == "info@gamma.de"
    assert grid.row_name(row()) == "unnamed row"
    assert grid.person_name("", "Auer") == "Auer"


def test_a_page_is_shaped_for_the_editor_with_fixed_types(fresh_db, walk_ins):
    shown = table(fresh_db, walk_ins["list"])
    assert list(shown.index) == [walk_ins["Albert"], walk_ins["Berta"], walk_ins["mail"]]
    assert list(shown.columns[:2]) == ["select", "row_name"]
    assert list(shown["row_name"]) == ["Albert Auer", "Berta Brandt", ""]
    assert list(shown["status"]) == ["⚪ suspect"] * 3
    assert shown["select"].dtype == bool and shown["tick:reached"].dtype == bool
    assert shown["email"].dtype == "string" and shown["owner_id"].dtype == "Int64"
    assert str(shown["last_action_at"].dtype) == "datetime64[us, UTC]"
    assert shown.attrs == {"total": 3, "offset": 0, "page": 1}
    assert grid.rows_caption(shown) == "Rows 1–3 of 3"


def test_past_the_last_page_the_last_page_is_shown(fresh_db, walk_ins):
    shown = table(fresh_db, walk_ins["list"], size=2, number=5)
    assert shown.attrs == {"total": 3, "offset": 2, "page": 2}
    assert list(shown.index) == [walk_ins["mail"]]
    assert grid.rows_caption(shown) == "Rows 3–3 of 3"
    empty = table(fresh_db, factories.new_list(fresh_db))
    assert empty.empty and grid.rows_caption(empty) == "No rows"


# --- edits -----------------------------------------------------------------------------------


def test_the_browsers_edits_apply_by_position_and_only_real_changes_count(fresh_db, walk_ins):
    base = table(fresh_db, walk_ins["list"])
    edited = grid.with_edits(base, {"0": {"tick:reached": True, "job_title": "  "},
                                    1: {"email": "berta@beta.de", "unknown": 1},
                                    9: {"email": "nobody"}})
    assert edited.loc[walk_ins["Albert"], "tick:reached"] is True
    changes = grid.changed_cells(edited, base, grid.editable_columns(q.criteria(fresh_db)))
    assert [(c.person_id, c.column, c.new) for c in changes] == [
        (walk_ins["Berta"], "email", "berta@beta.de"),
        (walk_ins["Albert"], "tick:reached", True),
    ]
    assert display.given(changes[0].old) is None and changes[1].old is False


def test_saving_edits_moves_the_status_in_the_same_snapshot_and_names_refusals(
        fresh_db, walk_ins, anna):
    base = table(fresh_db, walk_ins["list"])
    saved = base.copy()
    edited = grid.with_edits(base, {0: {"tick:interest": True, "tick:budget": True},
                                    1: {"email": "berta(at)beta"}})
    result = grid.save_edits(fresh_db, base, saved, edited, q.criteria(fresh_db), {},
                             list_id=walk_ins["list"], viewer=access.viewer_of(fresh_db, anna))
    assert result.moves == ["Albert Auer · Alpha GmbH: suspect → lead"]
    ((result_of_berta, message),) = result.refusals
    assert result_of_berta == "invalid"
    assert message.startswith("Row 2 (Berta Brandt · Beta AG), e-mail")
    assert result.reload
    assert bool(saved.loc[walk_ins["Albert"], "tick:budget"]) is True
    assert factories.stored(fresh_db, walk_ins["Albert"], "status") == ("lead",)
    same_ticks = grid.with_edits(base, {0: {"tick:interest": True, "tick:budget": True}})
    again = grid.save_edits(fresh_db, base, saved, same_ticks, q.criteria(fresh_db), {},
                            list_id=walk_ins["list"], viewer=access.viewer_of(fresh_db, anna))
    assert again == grid.Saved()


def test_a_clean_save_refreshes_status_and_why_in_place(fresh_db, walk_ins, anna):
    base = table(fresh_db, walk_ins["list"])
    edited = grid.with_edits(base, {1: {"tick:reached": True}})
    result = grid.save_edits(fresh_db, base, base.copy(), edited, q.criteria(fresh_db), {},
                             list_id=walk_ins["list"], viewer=access.viewer_of(fresh_db, anna))
    assert not result.reload and not result.refusals
    assert base.loc[walk_ins["Berta"], "status"] == "🟡 prospect"
    assert base.loc[walk_ins["Berta"], "last_action"] == "ticked reached"


def test_a_refresh_after_rows_vanished_asks_for_a_reload(fresh_db, walk_ins):
    base = table(fresh_db, walk_ins["list"])
    fresh_db.execute("DELETE FROM history WHERE person_id = ?", [walk_ins["Berta"]])
    fresh_db.execute("DELETE FROM list_rows WHERE person_id = ?", [walk_ins["Berta"]])
    fresh_db.execute("DELETE FROM people WHERE id = ?", [walk_ins["Berta"]])
    assert grid.refresh(fresh_db, base, walk_ins["list"], viewer=access.FULL_ACCESS) is False


def test_a_conflict_says_the_value_stored_now():
    def conflict(column: str, fresh: object) -> rows.ChangeOutcome:
        return rows.ChangeOutcome(rows.CellChange(5, column, None, "x"), "conflict",
                                  "Ben changed it.", fresh)

    base = pd.DataFrame({"first_name": ["Albert"], "last_name": ["Auer"], "company": [None],
                         "email": [None]}, index=[5])
    base.attrs["offset"] = 100
    assert grid.refusal(conflict("phone", "030 1"), base, {}) == (
        "Row 101 (Albert Auer): Ben changed it. Now: '030 1'.")
    assert grid.stored_value(conflict("owner_id", 2), {2: "Ben"}) == "Ben"
    assert grid.stored_value(conflict("owner_id", None), {2: "Ben"}) == "nobody"
    assert grid.stored_value(conflict("tick:brand", False), {}) == "not ticked"
    assert grid.stored_value(conflict("city", pd.NA), {}) == "empty"


# --- selected rows and row actions -----------------------------------------------------------


def test_the_selected_rows_are_named_with_their_status(fresh_db, walk_ins):
    base = table(fresh_db, walk_ins["list"])
    base.loc[walk_ins["Berta"], "status"] = "⚫ dead"
    edited = grid.with_edits(base, {1: {"select": True}, 2: {"select": True}})
    chosen = grid.chosen_rows(base, grid.selected(edited))
    assert chosen == {walk_ins["Berta"]: ("Berta Brandt · Beta AG", "dead"),
                      walk_ins["mail"]: ("info@gamma.de", "suspect")}
    assert grid.dead(chosen) == [walk_ins["Berta"]]
    assert grid.names(chosen) == {walk_ins["Berta"]: "Berta Brandt · Beta AG",
                                  walk_ins["mail"]: "info@gamma.de"}
    assert grid.cancel_label(chosen) == "Cancel 2 rows"
    assert grid.convert_label(chosen) == "Convert anyway"


def test_the_row_dialogs_heading_lists_five_names_at_most():
    many = {i: (f"Row *{i}*", "lead") for i in range(7)}
    assert grid.rows_heading(many) == (
        r"**7 rows:** Row \*0\*, Row \*1\*, Row \*2\*, Row \*3\*, Row \*4\* and 2 more")
    assert grid.rows_heading({1: ("Albert", "lead")}) == "**Albert**"
    assert grid.convert_label({1: ("Albert", "lead")}) == "Convert"
    assert grid.cancel_label({1: ("Albert", "lead")}) == "Cancel row"


def test_converting_says_beforehand_what_it_will_not_do(fresh_db, walk_ins, anna):
    step = leads.NextStep("call", date.today())
    leads.convert(fresh_db, walk_ins["mail"], owner_id=anna, next_step=step, by=anna)
    chosen = {walk_ins["Albert"]: ("Albert", "prospect"), walk_ins["Berta"]: ("Berta", "dead"),
              walk_ins["mail"]: ("info@gamma.de", "lead")}
    assert grid.convert_notes(fresh_db, chosen) == [
        ("warning", "Not qualified as lead yet: Albert (prospect). You can convert anyway."),
        ("info", "Cancelled rows are skipped until revived: Berta."),
        ("info", "Already an open lead, so nothing new is created: info@gamma.de."),
    ]
    assert grid.convert_notes(fresh_db, {walk_ins["Berta"]: ("Berta", "lead")}) == []


def test_the_convert_dialogs_fields_make_leads(fresh_db, walk_ins, anna):
    step = {"type": "meeting", "due_date": date.today(), "due_time": None,
            "duration_min": None, "note": ""}
    outcomes = grid.convert(fresh_db, [walk_ins["Albert"]], anna, "new", step, None, "", by=anna)
    assert [o.ok for o in outcomes] == [True]
    assert fresh_db.execute("SELECT next_type, next_duration_min FROM leads WHERE person_id = ?",
                            [walk_ins["Albert"]]).fetchone() == ("meeting", 30)


def test_an_action_on_several_rows_reads_as_a_count_and_the_refusals():
    ok, refused = rows.RowOutcome(1, True, "dead: no budget"), rows.RowOutcome(2, False, "gone")
    names = {1: "Albert", 2: "Berta"}
    assert grid.outcome_summary("cancel", [ok, refused], names) == (
        False, "Cancelled: 1 of 2 rows.")
    assert grid.outcome_summary("owner", [ok], names) == (True, "Albert: dead: no budget")
    assert grid.refusals([ok, refused], names).to_dict("records") == [
        {"Row": "Berta", "Why not": "gone"}]
    assert grid.closes_dialog([ok, refused])
    assert not grid.closes_dialog([refused, rows.RowOutcome(3, False, "gone")])
    assert grid.closes_dialog([refused, rows.RowOutcome(3, False, "other")])


def test_a_rows_history_shows_old_and_new_and_no_blanks(fresh_db, walk_ins, anna):
    assert list(grid.history_table(fresh_db, walk_ins["Berta"],
                                   viewer=access.FULL_ACCESS).columns) == (
        grid.HISTORY_COLUMNS)
    rows.edit_field(fresh_db, walk_ins["Berta"], "city", old=None, new="Bonn", by=anna)
    q.set_tick(fresh_db, walk_ins["Berta"], "brand", True, expected=False, by=anna)
    history = grid.history_table(fresh_db, walk_ins["Berta"], viewer=access.FULL_ACCESS)
    assert list(history.columns) == grid.HISTORY_COLUMNS
    assert "— → Bonn" in set(history["change"]) and "suspect → prospect" in set(history["change"])
    assert (history.loc[history["what"] == "ticked brand", "change"] == "").all()
    assert history["note"].notna().all()
