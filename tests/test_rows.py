"""The prospecting table: pages out of DuckDB, cell edits, owner, cancel/revive, bulk, export."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from lib import access, export, leads, rows
from lib import qualification as q
from lib.db import utcnow
from lib.errors import EditConflict, InvalidInput, UserError
from tests import factories

CRITERIA = ["reached", "asked_info", "website", "social", "brand",
            "interest", "needs", "budget", "details", "follow_up"]
TICKS = [rows.tick_column(k) for k in CRITERIA]


@pytest.fixture
def team(fresh_db):
    """Two reps, a manager and an ops person (who cannot own rows)."""
    return {name: factories.user(fresh_db, name, role) for name, role in
            [("Anna", "rep"), ("Ben", "rep"), ("Mia", "manager"), ("Otto", "ops")]}


def page(db, f, **kwargs):
    kwargs.setdefault("viewer", access.FULL_ACCESS)
    return rows.rows_page(db, f, **kwargs)


# --- rows_page -----------------------------------------------------------------------------


def test_a_page_has_contacts_ticks_status_why_owner_last_action_and_extras(fresh_db, team):
    list_id = factories.new_list(fresh_db)
    pid = factories.person(fresh_db, list_id, extras={"Booth": "A7", "Interest": "cloud"},
                           company="ACME GmbH", email="anna@acme.de", owner_id=team["Anna"])
    q.set_tick(fresh_db, pid, "interest", True, expected=False, by=team["Anna"])
    q.set_tick(fresh_db, pid, "budget", True, expected=False, by=team["Anna"])
    frame, total = page(fresh_db, rows.RowFilter(list_id=list_id))
    assert total == 1
    assert list(frame.columns) == [
        "person_id", *rows.CONTACT_FIELDS, *TICKS, "status", "converted", "why", "owner_id",
        "owner", "last_action", "last_action_at", "possible_duplicate", "do_not_contact",
        "Booth", "Interest",
    ]
    row = frame.iloc[0]
    assert [bool(row[t]) for t in TICKS] == [k in ("interest", "budget") for k in CRITERIA]
    assert (row["status"], row["why"], row["owner"]) == ("lead", "lead: 2 of 5 — interest, budget",
                                                         "Anna")
    assert row["last_action"] == "ticked budget"
    assert isinstance(row["last_action_at"], pd.Timestamp)
    assert (row["Booth"], row["possible_duplicate"]) == ("A7", False)


def test_extras_are_expanded_per_page_and_a_clashing_name_is_marked(fresh_db):
    list_id = factories.new_list(fresh_db)
    factories.person(fresh_db, list_id, row_number=1, extras={"Booth": "A7"})
    factories.person(fresh_db, list_id, row_number=2, extras={"Fair": "CeBIT", "status": "VIP"})
    first, _ = page(fresh_db, rows.RowFilter(list_id=list_id), limit=1)
    second, _ = page(fresh_db, rows.RowFilter(list_id=list_id), limit=1, offset=1)
    assert list(first.columns)[-1] == "Booth" and "Fair" not in first
    assert list(second.columns)[-2:] == ["Fair", "status (file)"]
    assert second.iloc[0]["status"] == "suspect"


def test_paging_and_sorting_happen_in_the_database(fresh_db, team):
    list_id = factories.new_list(fresh_db)
    ids = [factories.person(fresh_db, list_id, row_number=n, last_name=name)
           for n, name in enumerate(["Zeller", "adler", "Meier", "Becker", None], start=1)]
    by_file, total = page(fresh_db, rows.RowFilter(list_id=list_id), limit=2, offset=2)
    assert (total, list(by_file["person_id"])) == (5, ids[2:4])
    beyond, total = page(fresh_db, rows.RowFilter(list_id=list_id), limit=2, offset=10)
    assert (total, len(beyond)) == (5, 0)
    by_name, _ = page(fresh_db, rows.RowFilter(list_id=list_id), sort_by="last_name")
    assert list(by_name["last_name"].fillna("-")) == ["adler", "Becker", "Meier", "Zeller", "-"]
    backwards, _ = page(fresh_db, rows.RowFilter(list_id=list_id), sort_by="last_name",
                        descending=True, limit=2)
    assert list(backwards["last_name"]) == ["Zeller", "Meier"]


def test_sorting_by_status_criterion_owner_extra_and_last_action(fresh_db, team):
    list_id = factories.new_list(fresh_db)
    lead = factories.person(fresh_db, list_id, owner_id=team["Ben"], extras={"Score": "2"})
    suspect = factories.person(fresh_db, list_id, owner_id=team["Anna"], extras={"Score": "9"})
    prospect = factories.person(fresh_db, list_id, extras={"Score": "5"})
    q.set_tick(fresh_db, prospect, "website", True, expected=False, by=None)
    for key in ("interest", "needs"):
        q.set_tick(fresh_db, lead, key, True, expected=False, by=None)
    f = rows.RowFilter(list_id=list_id)

    def order(**kwargs):
        return list(page(fresh_db, f, **kwargs)[0]["person_id"])

    assert order(sort_by="status") == [lead, prospect, suspect]  # the ladder, leads first
    assert order(sort_by="why", descending=True) == [suspect, prospect, lead]
    assert order(sort_by="tick:interest", descending=True)[0] == lead
    assert order(sort_by="owner") == [suspect, lead, prospect]  # no owner sorts last
    assert order(sort_by="Score") == [lead, prospect, suspect]
    assert order(sort_by="last_action", descending=True) == [lead, prospect, suspect]
    with pytest.raises(InvalidInput, match="cannot sort"):
        page(fresh_db, rows.RowFilter(), sort_by="Score")


def test_filters_by_status_owner_source_text_and_possible_duplicate(fresh_db, team):
    list_id = factories.new_list(fresh_db)
    anna = factories.person(fresh_db, list_id, first_name="Anna", last_name="Groß",
                            company="Müller_AG", source="fair", owner_id=team["Anna"])
    ben = factories.person(fresh_db, list_id, first_name="Ben", last_name="Kurz",
                           email="ben@100%.de", source="web", owner_id=team["Ben"],
                           possible_duplicate_of=anna)
    dead = factories.person(fresh_db, list_id, dead_reason="no need", source="web")
    factories.person(fresh_db, factories.new_list(fresh_db), first_name="Anna")  # other list

    def found(**kwargs):
        return set(page(fresh_db, rows.RowFilter(list_id=list_id, **kwargs))[0]["person_id"])

    assert found() == {anna, ben, dead}
    assert found(statuses=frozenset({"dead"})) == {dead}
    assert found(statuses=frozenset({"suspect", "dead"})) == {anna, ben, dead}
    assert found(owner_id=team["Ben"]) == {ben}
    assert found(source="web") == {ben, dead}
    assert found(text="anna gr") == {anna}
    assert found(text="MÜLLER_") == {anna}
    assert found(text="_") == {anna}  # a wildcard typed by the rep is a plain character
    assert found(text="100%") == {ben}
    assert found(possible_duplicates_only=True) == {ben}
    with pytest.raises(InvalidInput, match="unknown status"):
        found(statuses=frozenset({"hot"}))


def test_all_my_rows_are_the_rows_the_user_owns_in_any_list(fresh_db, team):
    mine = factories.person(fresh_db, factories.new_list(fresh_db), owner_id=team["Anna"])
    also = factories.person(fresh_db, factories.new_list(fresh_db), owner_id=team["Anna"])
    factories.person(fresh_db, owner_id=team["Ben"])
    frame, total = rows.rows_page(fresh_db, rows.RowFilter(),
                                  viewer=access.viewer_of(fresh_db, team["Anna"]))
    assert (total, set(frame["person_id"])) == (2, {mine, also})


def test_an_empty_list_gives_an_empty_page_with_the_columns(fresh_db):
    frame, total = page(fresh_db, rows.RowFilter(list_id=factories.new_list(fresh_db)))
    assert total == 0 and frame.empty
    assert {"status", "why", "tick:interest", "last_action"} <= set(frame.columns)


# --- editing fields ------------------------------------------------------------------------


def test_an_edit_is_saved_with_its_keys_and_a_history_entry(fresh_db, team):
    pid = factories.person(fresh_db, email="old@example.com", phone="030 1234567")
    rows.edit_field(fresh_db, pid, "email", old="old@example.com", new=" New@Example.COM ",
                    by=team["Anna"])
    rows.edit_field(fresh_db, pid, "phone", old="030 1234567", new="+49 (89) 123456",
                    by=team["Anna"])
    stored = factories.stored(fresh_db, pid, "email", "email_key", "email_valid", "phone",
                              "phone_key", "phone_valid")
    assert stored == ("New@Example.COM", "new@example.com", True, "+49 (89) 123456",
                      "+4989123456", True)
    assert factories.history_kinds(fresh_db, pid) == [
        ("edit", "email", "old@example.com", "New@Example.COM"),
        ("edit", "phone", "030 1234567", "+49 (89) 123456"),
    ]


def test_name_and_company_edits_recompute_the_matching_keys(fresh_db):
    pid = factories.person(fresh_db, first_name="Georg", last_name="Weiß", company="Old AG")
    before = factories.stored(fresh_db, pid, "name_key", "company_key")
    rows.edit_field(fresh_db, pid, "company", old="Old AG", new="Neue Technik GmbH", by=None)
    name_key, company_key = factories.stored(fresh_db, pid, "name_key", "company_key")
    assert company_key and "gmbh" not in company_key and "neue" in company_key
    assert name_key and name_key != before[0]
    rows.edit_field(fresh_db, pid, "first_name", old="Georg", new="Jörg", by=None)
    assert factories.stored(fresh_db, pid, "name_key")[0] != name_key


def test_clearing_an_email_clears_its_key(fresh_db):
    pid = factories.person(fresh_db, email="a@b.de", email_key="a@b.de", email_valid=True)
    rows.edit_field(fresh_db, pid, "email", old="a@b.de", new="  ", by=None)
    assert factories.stored(fresh_db, pid, "email", "email_key", "email_valid") == (
        None, None, None)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("email", "not-an-email", "not a valid e-mail"), ("phone", "12", "not a valid phone"),
     ("mobile", "call me", "not a valid mobile"), ("status", "lead", "cannot be edited"),
     ("email_key", "x", "cannot be edited")],
)
def test_an_invalid_edit_is_refused_and_changes_nothing(fresh_db, column, value, message):
    pid = factories.person(fresh_db, email="a@b.de", phone="+49 30 1234567", mobile=None)
    before = factories.stored(fresh_db, pid, "*")
    old = {"email": "a@b.de", "phone": "+49 30 1234567"}.get(column)
    with pytest.raises(InvalidInput, match=message):
        rows.edit_field(fresh_db, pid, column, old=old, new=value, by=None)
    assert factories.stored(fresh_db, pid, "*") == before
    assert factories.history_kinds(fresh_db, pid) == []


def test_an_edit_of_a_stale_value_is_a_conflict_that_names_who_and_what(fresh_db, team):
    pid = factories.person(fresh_db, city="Köln")
    rows.edit_field(fresh_db, pid, "city", old="Köln", new="Bonn", by=team["Anna"])
    with pytest.raises(EditConflict, match="City: Anna changed it to 'Bonn'") as caught:
        rows.edit_field(fresh_db, pid, "city", old="Köln", new="Aachen", by=team["Ben"])
    assert caught.value.fresh_value == "Bonn"
    assert factories.stored(fresh_db, pid, "city") == ("Bonn",)
    assert len(factories.history_kinds(fresh_db, pid)) == 1


def test_an_empty_cell_and_a_missing_value_are_the_same_old_value(fresh_db):
    pid = factories.person(fresh_db, city=None)
    rows.edit_field(fresh_db, pid, "city", old="", new="Bonn", by=None)
    rows.edit_field(fresh_db, pid, "notes", old=float("nan"), new="met at fair", by=None)
    assert factories.stored(fresh_db, pid, "city", "notes") == ("Bonn", "met at fair")


# --- owner ---------------------------------------------------------------------------------


def test_owner_changes_are_compare_and_set_and_logged_with_names(fresh_db, team):
    pid = factories.person(fresh_db)
    rows.assign_owner(fresh_db, pid, team["Anna"], expected_owner_id=None, by=team["Mia"])
    with pytest.raises(EditConflict, match="Mia gave this row to Anna") as caught:
        rows.assign_owner(fresh_db, pid, team["Ben"], expected_owner_id=None, by=team["Ben"])
    assert caught.value.fresh_value == team["Anna"]
    with pytest.raises(InvalidInput, match="cannot own"):
        rows.assign_owner(fresh_db, pid, team["Otto"], expected_owner_id=team["Anna"], by=None)
    assert factories.stored(fresh_db, pid, "owner_id") == (team["Anna"],)
    assert fresh_db.execute(
        "SELECT kind, old_value, new_value, note FROM history WHERE person_id = ?", [pid]
    ).fetchall() == [("owner", None, str(team["Anna"]), "nobody → Anna")]


# --- cancel and revive ---------------------------------------------------------------------


def test_cancel_and_revive_write_history_and_restore_the_status_from_the_ticks(fresh_db, team):
    pid = factories.person(fresh_db)
    q.set_tick(fresh_db, pid, "website", True, expected=False, by=team["Anna"])
    info = rows.cancel(fresh_db, pid, "no budget", by=team["Anna"])
    assert (info.status, info.why) == ("dead", "dead: no budget")
    assert factories.stored(fresh_db, pid, "status", "dead_reason", "dead_note") == (
        "dead", "no budget", None)
    assert factories.stored(fresh_db, pid, "died_at")[0] is not None
    info = rows.revive(fresh_db, pid, by=team["Ben"])
    assert (info.old_status, info.status) == ("dead", "prospect")
    assert factories.stored(fresh_db, pid, "dead_reason", "died_at") == (None, None)
    assert factories.history_kinds(fresh_db, pid)[3:] == [
        ("cancel", "dead_reason", None, "no budget"),
        ("status", "status", "prospect", "dead"),
        ("revive", "dead_reason", "no budget", None),
        ("status", "status", "dead", "prospect"),
    ]


def test_cancel_refuses_bad_reasons_other_without_note_and_dead_rows(fresh_db):
    pid = factories.person(fresh_db)
    with pytest.raises(InvalidInput, match="choose one of"):
        rows.cancel(fresh_db, pid, "bored", by=None)
    with pytest.raises(InvalidInput, match="note"):
        rows.cancel(fresh_db, pid, "other", "  ", by=None)
    assert factories.history_kinds(fresh_db, pid) == []
    rows.cancel(fresh_db, pid, "other", "moved abroad", by=None)
    assert factories.stored(fresh_db, pid, "dead_note") == ("moved abroad",)
    with pytest.raises(UserError, match="already dead"):
        rows.cancel(fresh_db, pid, "no need", by=None)
    with pytest.raises(UserError, match="not dead"):
        rows.revive(fresh_db, factories.person(fresh_db), by=None)


# --- a batch of changes from the table -----------------------------------------------------


def test_a_batch_saves_what_it_can_and_reports_each_change(fresh_db, team):
    pid = factories.person(fresh_db, city="Köln", email="a@b.de")
    dead = factories.person(fresh_db, dead_reason="no need")
    rows.edit_field(fresh_db, pid, "city", old="Köln", new="Bonn", by=team["Ben"])
    changes = [
        rows.CellChange(pid, "tick:interest", False, True),
        rows.CellChange(pid, "city", "Köln", "Aachen"),  # Ben changed it meanwhile
        rows.CellChange(pid, "email", "a@b.de", "broken"),
        rows.CellChange(pid, "job_title", None, "CTO"),
        rows.CellChange(pid, "owner_id", None, team["Anna"]),
        rows.CellChange(pid, "status", "prospect", "lead"),
        rows.CellChange(dead, "tick:website", False, True),
    ]
    outcomes = rows.apply_changes(fresh_db, changes, by=team["Anna"])
    assert [o.result for o in outcomes] == [
        "saved", "conflict", "invalid", "saved", "saved", "invalid", "invalid"]
    assert outcomes[0].status.status == "prospect"
    assert outcomes[1].fresh_value == "Bonn"
    assert "revive" in outcomes[6].message
    assert factories.stored(fresh_db, pid, "city", "email", "job_title", "owner_id", "status") == (
        "Bonn", "a@b.de", "CTO", team["Anna"], "prospect")


# --- bulk ----------------------------------------------------------------------------------


def test_bulk_owner_and_bulk_cancel_report_each_row(fresh_db, team):
    alive = factories.person(fresh_db, owner_id=team["Ben"])
    dead = factories.person(fresh_db, dead_reason="unreachable")
    outcomes = rows.bulk_cancel(fresh_db, [alive, dead, 999], "no need", by=team["Mia"])
    assert [(o.person_id, o.ok) for o in outcomes] == [(alive, True), (dead, False), (999, False)]
    assert "already dead (unreachable)" in outcomes[1].message
    assert "no longer exists" in outcomes[2].message
    assert factories.stored(fresh_db, alive, "status") == ("dead",)

    outcomes = rows.bulk_assign_owner(fresh_db, [alive, dead], team["Anna"], by=team["Mia"])
    assert all(o.ok for o in outcomes) and outcomes[0].message == "owner: Anna"
    refused = rows.bulk_assign_owner(fresh_db, [alive], team["Otto"], by=team["Mia"])
    assert not refused[0].ok and "cannot own" in refused[0].message
    assert factories.stored(fresh_db, alive, "owner_id") == (team["Anna"],)


def test_bulk_convert_makes_leads_and_says_why_not_per_row(fresh_db, team):
    fresh, dead = factories.person(fresh_db), factories.person(fresh_db, dead_reason="no need")
    has_lead = factories.person(fresh_db)
    call = leads.NextStep("call", date.today() + timedelta(days=1))
    existing = leads.convert(fresh_db, has_lead, owner_id=team["Ben"], next_step=call, by=None)
    outcomes = rows.bulk_convert(fresh_db, [fresh, has_lead, dead], owner_id=team["Anna"],
                                 next_step=call, by=team["Anna"])
    assert [o.ok for o in outcomes] == [True, False, False]
    assert outcomes[1].message == (
        f"has an open lead #{existing.lead_id}; nothing new was created")
    assert "revive" in outcomes[2].message
    assert fresh_db.execute("SELECT person_id, owner_id FROM leads ORDER BY id").fetchall() == [
        (has_lead, team["Ben"]), (fresh, team["Anna"])]
    assert ("convert", None) in [(k, f) for k, f, *_ in factories.history_kinds(fresh_db, fresh)]


# --- history and export --------------------------------------------------------------------


def test_row_history_says_who_did_what(fresh_db, team):
    pid = factories.person(fresh_db, city="Köln")
    q.set_tick(fresh_db, pid, "details", True, expected=False, by=team["Anna"])
    rows.edit_field(fresh_db, pid, "city", old="Köln", new="Bonn", by=team["Ben"])
    fresh_db.execute(
        "INSERT INTO activities (person_id, kind, outcome, happened_at, user_id)"
        " VALUES (?, 'call', 'no_answer', ?, ?)", [pid, utcnow(), team["Anna"]])
    entries = rows.row_history(fresh_db, pid, viewer=access.FULL_ACCESS)
    assert list(zip(entries["who"], entries["what"], strict=True)) == [
        ("Ben", "edited city"), ("Anna", "status suspect → prospect"), ("Anna", "ticked demo"),
        ("Anna", "owner: nobody → Anna (took the unowned row by ticking it)")]
    on_list = factories.new_list(fresh_db)
    factories.add_to_list(fresh_db, on_list, pid)
    frame, _ = page(fresh_db, rows.RowFilter(list_id=on_list))
    assert frame.iloc[0]["last_action"] == "call: no answer"


def test_export_is_the_whole_filtered_list_with_readable_headers(fresh_db, team):
    list_id = factories.new_list(fresh_db)
    for n in range(250):
        factories.person(fresh_db, list_id, row_number=n, company=f"=HYPERLINK({n})",
                         extras={"Booth": str(n)})
    factories.person(fresh_db, list_id, dead_reason="no need")
    frame = rows.export_rows(fresh_db, rows.RowFilter(list_id=list_id,
                                                      statuses=frozenset({"suspect"})),
                             viewer=access.FULL_ACCESS)
    assert len(frame) == 250
    assert list(frame.columns[:5]) == ["company", "salutation", "first name", "last name",
                                       "e-mail"]
    assert {"✓ demo", "✓ website", "website", "status", "why", "owner", "last action"} <= set(
        frame.columns)
    assert list(frame.columns[-1:]) == ["Booth"]  # the file's extra columns come last
    assert b"'=HYPERLINK(0)" in export.to_csv(frame)


# --- search by phone, bulk ticking -----------------------------------------------------------


@pytest.mark.parametrize("query", ["089 1234567", "+49 89 1234567", "0049891234567", "1234567",
                                   "(089) 123-4567", "0171 555"])
def test_search_finds_phone_and_mobile_numbers_however_they_are_typed(fresh_db, query):
    list_id = factories.new_list(fresh_db)
    phone = factories.person(fresh_db, list_id, phone="+49 89 1234567",
                             phone_key="+49891234567")
    mobile = factories.person(fresh_db, list_id, mobile="0171 5551234",
                              mobile_key="+491715551234")
    factories.person(fresh_db, list_id, phone="+49 30 999999", phone_key="+4930999999")
    found = set(page(fresh_db, rows.RowFilter(list_id=list_id, text=query))[0]["person_id"])
    assert found == ({mobile} if query.startswith("0171") else {phone})


def test_a_short_or_mixed_query_is_no_phone_search(fresh_db):
    assert rows.phone_digits("12") == [] and rows.phone_digits("Alpha 12345") == []
    assert rows.phone_digits("089 12") == ["08912", "8912"]
    list_id = factories.new_list(fresh_db)
    factories.person(fresh_db, list_id, phone="+49 89 1234567", company="Alpha")
    assert page(fresh_db, rows.RowFilter(list_id=list_id, text="Alpha 1234"))[1] == 0


def test_bulk_tick_saves_the_rows_it_may_in_one_go_and_names_stale_and_dead_ones(fresh_db,
                                                                                  team):
    fresh, stale, dead, done = (factories.person(fresh_db) for _ in range(4))
    rows.cancel(fresh_db, dead, "no need", by=team["Ben"])
    q.set_tick(fresh_db, stale, "budget", True, expected=False, by=team["Ben"])
    q.set_tick(fresh_db, done, "budget", True, expected=False, by=team["Ben"])
    seen = {fresh: False, stale: True, dead: False, done: False}  # what Anna loaded
    q.set_tick(fresh_db, stale, "budget", False, expected=True, by=team["Ben"])  # after that
    outcomes = rows.bulk_tick(fresh_db, [fresh, stale, dead, done, 999], "budget", True,
                              seen=seen, by=team["Anna"])
    by_row = {o.person_id: o for o in outcomes}
    assert [by_row[p].ok for p in (fresh, stale, dead, done, 999)] == [
        True, False, False, True, False]
    assert by_row[stale].message.startswith("stale: Ben unticked 'budget'")
    assert by_row[dead].message.startswith("not allowed: This row is dead")
    assert by_row[999].message.startswith("not allowed:")
    assert by_row[done].message == "budget already ticked"
    assert by_row[fresh].message == "budget ticked; prospect"
    ticked = {p for (p,) in fresh_db.execute(
        "SELECT person_id FROM ticks WHERE criterion_key = 'budget'").fetchall()}
    assert ticked == {fresh, done}
    assert factories.stored(fresh_db, fresh, "owner_id") == (team["Anna"],)


def test_bulk_untick_refuses_a_row_someone_ticked_meanwhile(fresh_db, team):
    a, b = factories.person(fresh_db), factories.person(fresh_db)
    q.set_tick(fresh_db, a, "details", True, expected=False, by=team["Anna"])
    q.set_tick(fresh_db, b, "website", True, expected=False, by=team["Ben"])  # b: nothing seen
    outcomes = rows.bulk_tick(fresh_db, [a, b], "website", False, seen={a: False, b: False},
                              by=team["Anna"])
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[1].message.startswith("stale: Ben ticked 'website'")
    assert factories.stored(fresh_db, b, "status") == ("prospect",)


def test_bulk_tick_of_a_switched_off_criterion_changes_nothing(fresh_db, team):
    pid = factories.person(fresh_db)
    q.set_active(fresh_db, "brand", False, by=None)
    with pytest.raises(InvalidInput, match="switched off"):
        rows.bulk_tick(fresh_db, [pid], "brand", True, seen={}, by=team["Anna"])
    assert factories.history_kinds(fresh_db, pid) == []


def test_a_converted_row_says_so_in_its_why_and_marker(fresh_db, team):
    from datetime import timedelta

    from lib import leads, schedule
    list_id = factories.new_list(fresh_db)
    converted, qualified = (factories.person(fresh_db, list_id) for _ in range(2))
    for pid in (converted, qualified):
        for key in ("interest", "budget"):
            q.set_tick(fresh_db, pid, key, True, expected=False, by=team["Anna"])
    leads.convert(fresh_db, converted, owner_id=team["Ben"], by=team["Mia"],  # a manager assigns
                  next_step=leads.NextStep("call", schedule.today(fresh_db) + timedelta(1)))
    frame = page(fresh_db, rows.RowFilter(list_id=list_id))[0].set_index("person_id")
    assert frame.loc[converted, ["status", "converted"]].tolist() == ["lead", "open lead"]
    assert frame.loc[converted, "why"].startswith("lead: converted — open lead, step New, "
                                                  "owner Ben")
    assert frame.loc[qualified, ["status", "why"]].tolist() == [
        "lead", "lead: 2 of 5 — interest, budget"]
    assert pd.isna(frame.loc[qualified, "converted"])


def test_bulk_tick_is_one_transaction_a_failure_midway_keeps_nothing(fresh_db, team,
                                                                     monkeypatch):
    first, second = factories.person(fresh_db), factories.person(fresh_db)
    real = q.set_tick

    def failing_on_second(db, pid, *args, **kwargs):
        if pid == second:
            raise RuntimeError("the machine went away")
        return real(db, pid, *args, **kwargs)

    monkeypatch.setattr(q, "set_tick", failing_on_second)
    with pytest.raises(RuntimeError):
        rows.bulk_tick(fresh_db, [first, second], "budget", True, seen={}, by=team["Anna"])
    assert factories.history_kinds(fresh_db, first) == []
    assert factories.stored(fresh_db, first, "status", "owner_id") == ("suspect", None)
