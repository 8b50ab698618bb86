"""The prospecting page (AppTest) on the demo database, with a small list of its own imported
on top through lib/, so each test knows exactly which row is where.

The editor's edits are seeded the way the browser sends them (``edited_rows`` relative to the
snapshot the editor was fed); the browser test proves the same with real clicks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import access, importing, lists, rows
from lib import qualification as q
from tests.apptest import cursor, no_failure, open_app, open_page
from tests.lead_seed import ANNA, BEN, CLARA, user_id

WALK_INS = (
    "Firma,Vorname,Nachname,E-Mail,Telefon,Messestand\n"
    "Alpha Kältetechnik GmbH,Albert,Auer,albert@alpha-kaelte.de,089 1234567,Halle 1\n"
    "Beta Bau AG,Berta,Brandt,berta@beta-bau.de,030 7654321,Halle 2\n"
    "Gamma Glas KG,Gerd,Gruber,gerd@gamma-glas.de,040 5555555,Halle 3\n"
).encode()


@pytest.fixture
def walk_ins(demo_path: Path) -> dict[str, int]:
    """A three-row list on top of the demo: its id, the people's ids by first name, the users."""
    with cursor(demo_path) as cur:
        importing.import_file(cur, WALK_INS, "walk-ins.csv", "Walk-ins", by=None)
        list_id = lists.list_id(cur, "Walk-ins")
        page, _ = rows.rows_page(cur, rows.RowFilter(list_id=list_id),
                                 viewer=access.FULL_ACCESS)
        people = dict(zip(page["first_name"], page["person_id"].astype(int), strict=True))
        return {"list": list_id, **people, "anna": user_id(cur, ANNA),
                "ben": user_id(cur, BEN), "clara": user_id(cur, CLARA)}


def prospecting(path: Path, monkeypatch: pytest.MonkeyPatch, list_id: int | None,
                acting: int) -> AppTest:
    """The page with the list opened from the Lists page (or "all my rows" for None)."""
    at = open_page(path, "prospecting", monkeypatch, acting=acting,
                   session={"prospecting_open": 0 if list_id is None else list_id})
    no_failure(at)
    return at


def shown(at: AppTest):
    """The rows the editor was fed, indexed by person id."""
    return at.session_state["prospecting_rows_base"]


def edit(at: AppTest, edited_rows: dict[int, dict]) -> AppTest:
    """What the browser sends after edits in the grid: changes relative to the snapshot."""
    key = f"prospecting_rows_{at.session_state['prospecting_rows_version']}"
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    at.run()
    no_failure(at)
    return at


def stored(path: Path, person_id: int, *columns: str) -> tuple:
    with cursor(path) as cur:
        page = rows.rows_by_id(cur, [person_id], viewer=access.FULL_ACCESS)
        return tuple(page[c].iloc[0] for c in columns)


def test_the_list_shows_a_checkbox_column_per_criterion_status_why_owner_and_extras(
        walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    assert at.title[0].value == "Prospecting"
    table = shown(at)
    assert list(table.index) == [walk_ins["Albert"], walk_ins["Berta"], walk_ins["Gerd"]]
    with cursor(demo_path) as cur:
        ticks = [rows.tick_column(c.key) for c in q.criteria(cur)]
    assert len(ticks) == 10 and all(t in table.columns for t in ticks)
    assert list(table["status"]) == ["⚪ suspect"] * 3
    assert set(table["why"]) == {"suspect: nothing ticked"}
    assert list(table["Messestand"]) == ["Halle 1", "Halle 2", "Halle 3"]
    assert "Rows 1–3 of 3" in [c.value for c in at.caption]


def test_two_lead_ticks_are_saved_at_once_and_the_status_is_lead_in_the_same_run(
        walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {0: {"tick:interest": True, "tick:budget": True}})
    assert shown(at).loc[walk_ins["Albert"], "status"] == "🟢 lead"
    assert shown(at).loc[walk_ins["Albert"], "why"] == "lead: 2 of 5 — interest, budget"
    assert stored(demo_path, walk_ins["Albert"], "status", "tick:interest", "tick:budget") == (
        "lead", True, True)
    with cursor(demo_path) as cur:
        ticked_by = cur.execute(
            "SELECT DISTINCT user_id FROM history WHERE person_id = ? AND kind = 'tick'",
            [walk_ins["Albert"]]).fetchall()
    assert ticked_by == [(walk_ins["anna"],)]


def test_a_save_gives_a_fresh_editor_on_the_same_rows_and_untick_ends_unticked(
        walk_ins, demo_path, monkeypatch):
    """After a save the grid is a new editor (no cell keeps a stale keyboard focus) fed the
    same rows in the same places as stored now, so an untick is an edit against the tick."""
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    before, version = shown(at).index.tolist(), at.session_state["prospecting_rows_version"]
    edit(at, {1: {"tick:reached": True, "select": True}})
    assert stored(demo_path, walk_ins["Berta"], "status", "tick:reached") == ("prospect", True)
    assert at.session_state["prospecting_rows_version"] == version + 1
    fresh = shown(at)
    assert fresh.index.tolist() == before
    assert bool(fresh.loc[walk_ins["Berta"], "tick:reached"]) is True
    assert bool(fresh.loc[walk_ins["Berta"], "select"]) is True  # the selection is kept
    assert fresh.loc[walk_ins["Berta"], "owner_id"] == walk_ins["anna"]  # she took the row
    edit(at, {})
    assert stored(demo_path, walk_ins["Berta"], "status", "tick:reached") == ("prospect", True)
    edit(at, {1: {"tick:reached": False}})
    assert stored(demo_path, walk_ins["Berta"], "status", "tick:reached") == ("suspect", False)
    assert shown(at).loc[walk_ins["Berta"], "status"] == "⚪ suspect"


def test_tick_reload_untick_ends_unticked(walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {2: {"tick:needs": True}})
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    assert bool(shown(at).loc[walk_ins["Gerd"], "tick:needs"]) is True
    edit(at, {2: {"tick:needs": False}})
    assert stored(demo_path, walk_ins["Gerd"], "status", "tick:needs") == ("suspect", False)


def test_a_contact_field_edit_is_saved_and_an_invalid_one_is_refused_with_row_and_column(
        walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {0: {"job_title": "Einkaufsleiter"}})
    assert stored(demo_path, walk_ins["Albert"], "job_title") == ("Einkaufsleiter",)
    edit(at, {0: {"job_title": "Einkaufsleiter", "email": "albert(at)alpha"}})
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("Row 1 (Albert Auer · Alpha Kältetechnik")
    assert "e-mail" in errors[0] and "albert(at)alpha" in errors[0]
    assert stored(demo_path, walk_ins["Albert"], "email") == ("albert@alpha-kaelte.de",)
    assert shown(at).loc[walk_ins["Albert"], "email"] == "albert@alpha-kaelte.de"


def test_a_conflicting_edit_says_who_changed_what_and_the_grid_shows_the_fresh_value(
        walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    with cursor(demo_path) as cur:
        rows.edit_field(cur, walk_ins["Berta"], "phone", old="030 7654321", new="030 1111111",
                        by=walk_ins["ben"])
        q.set_tick(cur, walk_ins["Berta"], "budget", True, expected=False, by=walk_ins["ben"])
    edit(at, {1: {"phone": "030 2222222", "tick:budget": True, "tick:details": True}})
    warnings = [w.value for w in at.warning]
    assert any("Ben Okafor changed it to '030 1111111'" in w for w in warnings), warnings
    assert any("Ben Okafor ticked 'budget'" in w for w in warnings), warnings
    assert stored(demo_path, walk_ins["Berta"], "phone") == ("030 1111111",)
    assert shown(at).loc[walk_ins["Berta"], "phone"] == "030 1111111"
    assert bool(shown(at).loc[walk_ins["Berta"], "tick:budget"]) is True


def test_an_owner_chosen_in_the_grid_is_saved(walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["clara"])
    edit(at, {2: {"owner_id": walk_ins["ben"]}})
    assert stored(demo_path, walk_ins["Gerd"], "owner_id") == (walk_ins["ben"],)


def test_filters_search_and_sort_are_done_in_the_database(walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    at.text_input(key="prospecting_search").input("beta").run()
    assert list(shown(at).index) == [walk_ins["Berta"]]
    at.text_input(key="prospecting_search").input("").run()
    at.selectbox(key="prospecting_sort").set_value("company").run()
    at.toggle(key="prospecting_descending").set_value(True).run()
    assert list(shown(at).index) == [walk_ins["Gerd"], walk_ins["Berta"], walk_ins["Albert"]]
    edit(at, {0: {"tick:reached": True}})
    at.pills(key="prospecting_status").set_value(["prospect"]).run()
    assert list(shown(at).index) == [walk_ins["Gerd"]]


def test_cancel_with_a_reason_then_revive(walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {0: {"select": True}, 1: {"select": True}})
    at.button(key="prospecting_cancel").click().run()
    at.selectbox(key="prospecting_cancel_reason").set_value("no budget").run()
    at.button(key="prospecting_cancel_save").click().run()
    no_failure(at)
    assert [s.value for s in at.success] == ["Cancelled: 2 of 2 rows."]
    assert stored(demo_path, walk_ins["Albert"], "status", "why") == ("dead", "dead: no budget")
    assert shown(at).loc[walk_ins["Berta"], "status"] == "⚫ dead"
    edit(at, {1: {"select": True}})
    at.button(key="prospecting_revive").click().run()
    assert stored(demo_path, walk_ins["Berta"], "status") == ("suspect",)
    assert stored(demo_path, walk_ins["Albert"], "status") == ("dead",)


def test_convert_through_the_dialog_warns_for_a_row_not_yet_lead(walk_ins, demo_path,
                                                                 monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {0: {"select": True, "tick:interest": True}})
    at.button(key="prospecting_convert").click().run()
    assert any("Not qualified as lead yet: Albert Auer" in w.value for w in at.warning)
    assert at.button(key="prospecting_convert_save").label == "Convert anyway"
    at.selectbox(key="prospecting_convert_step").set_value("contacted")
    at.button(key="prospecting_convert_save").click().run()
    no_failure(at)
    assert any("Albert Auer · Alpha Kältetechnik GmbH: lead #" in s.value for s in at.success)
    with cursor(demo_path) as cur:
        lead = cur.execute("SELECT owner_id, step_key, next_type FROM leads WHERE person_id = ?",
                           [walk_ins["Albert"]]).fetchall()
    assert lead == [(walk_ins["anna"], "contacted", "call")]


def test_bulk_owner_reports_each_row(walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["clara"])
    edit(at, {0: {"select": True}, 2: {"select": True}})
    at.selectbox(key="prospecting_new_owner").set_value(walk_ins["ben"])
    at.button(key="prospecting_assign").click().run()
    assert [s.value for s in at.success] == ["New owner: 2 of 2 rows."]
    assert stored(demo_path, walk_ins["Albert"], "owner_id") == (walk_ins["ben"],)
    assert pd.isna(stored(demo_path, walk_ins["Berta"], "owner_id")[0])


def test_a_selected_row_shows_its_history(walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {1: {"tick:brand": True}})
    edit(at, {1: {"tick:brand": True, "select": True}})
    assert "History · Berta Brandt · Beta Bau AG" in [h.value for h in at.subheader]
    (history,) = [d.value for d in at.dataframe if "what" in d.value.columns]
    latest = history[history["who"] == "Anna Schmidt"]
    assert {"ticked brand", "status suspect → prospect"} <= set(latest["what"])


def test_a_walk_in_is_added_to_the_list(walk_ins, demo_path, monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    at.text_input(key="prospecting_add_first_name").input("Dora")
    at.text_input(key="prospecting_add_last_name").input("Delta")
    at.text_input(key="prospecting_add_email").input("dora@delta.de")
    at.button(key="FormSubmitter:prospecting_add-Add to this list").click().run()
    no_failure(at)
    assert [s.value for s in at.success] == ["Added a new person."]
    assert sorted(shown(at)["first_name"]) == ["Albert", "Berta", "Dora", "Gerd"]


def test_all_my_rows_shows_only_the_rows_the_rep_owns(walk_ins, demo_path, monkeypatch):
    with cursor(demo_path) as cur:
        rows.assign_owner(cur, walk_ins["Gerd"], walk_ins["ben"], expected_owner_id=None,
                          by=None)
        mine, total = rows.rows_page(cur, rows.RowFilter(),
                                     viewer=access.viewer_of(cur, walk_ins["ben"]), limit=None)
    at = prospecting(demo_path, monkeypatch, None, walk_ins["ben"])
    assert walk_ins["Gerd"] in shown(at).index
    assert set(shown(at).index) == set(mine["person_id"]) and len(shown(at)) == total


def test_leaving_the_page_and_coming_back_keeps_every_saved_tick(walk_ins, demo_path,
                                                                 monkeypatch):
    """The editor's state is dropped when another page runs; the table must then start from
    the database again instead of reading the missing state as "every edit undone"."""
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {0: {"tick:interest": True, "job_title": "CEO"}})
    at.switch_page("pages/lists.py").run()
    at.session_state["prospecting_open"] = walk_ins["list"]
    at.switch_page("pages/prospecting.py").run()
    no_failure(at)
    assert stored(demo_path, walk_ins["Albert"], "tick:interest", "job_title") == (True, "CEO")
    assert bool(shown(at).loc[walk_ins["Albert"], "tick:interest"]) is True


def test_a_list_opened_on_the_lists_page_is_the_one_shown(walk_ins, demo_path, monkeypatch):
    at = open_app(demo_path, monkeypatch, acting=walk_ins["anna"])
    with cursor(demo_path) as cur:
        fair = lists.list_id(cur, "KW45 Messe Nürnberg")
    at.selectbox(key="lists_open").set_value(fair).run()
    at.button(key="lists_open_button").click().run()
    no_failure(at)
    assert at.title[0].value == "Prospecting"
    assert at.selectbox(key="prospecting_list").value == fair
    with cursor(demo_path) as cur:
        _, total = rows.rows_page(cur, rows.RowFilter(list_id=fair),
                                  viewer=access.FULL_ACCESS)
    assert len(shown(at)) == total


def test_sorting_by_a_file_column_then_switching_to_all_my_rows(walk_ins, demo_path,
                                                                 monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    at.selectbox(key="prospecting_sort").set_value("Messestand").run()
    at.toggle(key="prospecting_descending").set_value(True).run()
    assert list(shown(at)["Messestand"]) == ["Halle 3", "Halle 2", "Halle 1"]
    at.selectbox(key="prospecting_list").set_value(0).run()
    no_failure(at)
    assert "Messestand" not in shown(at).columns


def test_bulk_tick_ticks_the_selected_rows_and_names_the_dead_one(walk_ins, demo_path,
                                                                  monkeypatch):
    with cursor(demo_path) as cur:
        rows.cancel(cur, walk_ins["Gerd"], "no need", by=walk_ins["ben"])
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    edit(at, {0: {"select": True}, 2: {"select": True}})
    at.selectbox(key="prospecting_bulk_criterion").set_value("tick:budget")
    at.button(key="prospecting_bulk_tick").click().run()
    no_failure(at)
    assert [w.value for w in at.warning] == ["Ticked: 1 of 2 rows."]
    refused = at.dataframe[0].value
    assert refused["Row"].tolist() == ["Gerd Gruber · Gamma Glas KG"]
    assert refused["Why not"].iloc[0].startswith("not allowed: This row is dead")
    assert stored(demo_path, walk_ins["Albert"], "tick:budget", "status", "owner_id") == (
        True, "prospect", walk_ins["anna"])
    assert stored(demo_path, walk_ins["Berta"], "tick:budget") == (False,)
    assert stored(demo_path, walk_ins["Gerd"], "tick:budget") == (False,)
    assert bool(shown(at).loc[walk_ins["Albert"], "tick:budget"]) is True


def test_the_card_view_ticks_with_a_toggle_and_steps_through_the_rows(walk_ins, demo_path,
                                                                      monkeypatch):
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    at.toggle(key="prospecting_cards").set_value(True).run()
    no_failure(at)
    assert not at.get("arrow_data_editor")
    assert at.text[0].value == "Albert Auer · Alpha Kältetechnik GmbH"
    links = " ".join(m.value for m in at.markdown)
    assert "(tel:0891234567)" in links and "(mailto:albert@alpha-kaelte.de)" in links
    version = at.session_state["prospecting_rows_version"]
    at.toggle(key=f"prospecting_card_{version}_{walk_ins['Albert']}_interest").set_value(True)
    at.run()
    no_failure(at)
    assert stored(demo_path, walk_ins["Albert"], "tick:interest", "status") == (True, "prospect")
    assert [s.value for s in at.success] == ["Saved: suspect → prospect"]
    assert at.text[1].value.startswith("🟡 prospect · prospect: lead 1 of 2 needed")
    at.button(key="prospecting_card_next").click().run()
    assert at.text[0].value == "Berta Brandt · Beta Bau AG"


def test_a_tick_in_the_editor_replaced_by_an_interrupted_run_is_saved(walk_ins, demo_path,
                                                                     monkeypatch):
    """A tick saved, the run drawing the fresh editor cut short by the rep's next tick: the
    browser still sends the old editor's edits, relative to the old snapshot, and the fresh
    editor never reached the session. The next tick is saved, the first not undone."""
    at = prospecting(demo_path, monkeypatch, walk_ins["list"], walk_ins["anna"])
    version = at.session_state["prospecting_rows_version"]
    edit(at, {0: {"tick:reached": True}})
    assert at.session_state["prospecting_rows_version"] == version + 1
    del at.session_state[f"prospecting_rows_{version + 1}"]  # the cut-short run never drew it
    at.session_state[f"prospecting_rows_{version}"] = {
        "edited_rows": {0: {"tick:reached": True}, 2: {"tick:needs": True}},
        "added_rows": [], "deleted_rows": []}
    at.run()
    no_failure(at)
    assert stored(demo_path, walk_ins["Albert"], "tick:reached") == (True,)
    assert stored(demo_path, walk_ins["Gerd"], "status", "tick:needs") == ("prospect", True)
    assert stored(demo_path, walk_ins["Berta"], "tick:reached", "tick:needs") == (False, False)
    assert bool(shown(at).loc[walk_ins["Gerd"], "tick:needs"]) is True
