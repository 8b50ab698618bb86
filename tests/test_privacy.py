"""Privacy by design (issue 12) on a real DuckDB file: subject access holds every kind of record,
erasure leaves no readable trace anywhere in the store (stored files included) and keeps the
person out of every later import, do not contact blocks the next step and the link, retention
purges exactly what its dry run listed."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from datetime import date, timedelta

import pandas as pd
import pytest

from lib import access, audit, db, display, i18n, importing, leads, privacy, rows, settings, users
from lib import qualification as q
from lib.errors import InvalidInput, UserError

HEADER = ["Firma", "Vorname", "Nachname", "E-Mail", "Telefon", "Mobil", "Messe-Notiz"]
ERIKA = ["Muster GmbH", "Erika", "Mustermann", "Erika.Mustermann@Muster.example",
         "030 1234567", "0171 7654321", "Stand 12, wants a demo"]
OTTO = ["Otto AG", "Otto", "Normal", "otto@otto.example", "089 111111", "", "Halle 2"]
ERIKA_KEY = "erika.mustermann@muster.example"


def csv_bytes(*records: list[str], title: str | None = None) -> bytes:
    """A German Excel CSV (cp1252, ';'), with a title line above the header when given."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if title:
        writer.writerow([title])
        writer.writerow([])
    writer.writerows([HEADER, *records])
    return buffer.getvalue().encode("cp1252")


def xlsx_bytes(*records: list[str]) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(records, columns=HEADER).to_excel(buffer, index=False)
    return buffer.getvalue()


FAIR = csv_bytes(OTTO, ERIKA, title="Messe Nürnberg 2026")
WEBINAR = xlsx_bytes(["Muster GmbH", "Erika", "Mustermann", "erika.mustermann@muster.example",
                      "", "", "webinar"], ["Zeta KG", "Zora", "Zeta", "zora@zeta.example", "",
                                           "", ""])


@pytest.fixture
def store(db_path):
    conn = db.connect(db_path)
    yield conn.cursor()
    conn.close()


@pytest.fixture
def team(store):
    admin = users.add(store, "Ada Admin", "ada@corp.example", "admin").id
    rep = users.add(store, "Rita Rep", "rita@corp.example", "rep", by=admin).id
    return {"admin": admin, "rep": rep}


def viewer(store, user_id):
    return access.viewer_of(store, user_id)


def erika(store) -> int:
    return int(store.execute("SELECT id FROM people WHERE email_key = ?",
                             [ERIKA_KEY]).fetchone()[0])


def worked_on(store, team) -> int:
    """Erika from two files, ticked, edited, converted with a next step, with a call and a
    note, flagged do not e-mail: one record of every kind."""
    importing.import_file(store, FAIR, "messe.csv", "Messe", by=team["admin"])
    importing.import_file(store, WEBINAR, "webinar.xlsx", "Webinar", by=team["admin"])
    pid = erika(store)
    q.set_tick(store, pid, "reached", True, expected=False, by=team["rep"])
    rows.edit_field(store, pid, "job_title", old=None, new="Head of Sales", by=team["rep"])
    store.execute("UPDATE people SET notes = 'met at the fair' WHERE id = ?", [pid])
    lead = leads.convert(store, pid, owner_id=team["rep"], by=team["rep"],
                         next_step=leads.NextStep("call", date.today() + timedelta(days=2)))
    leads.log_activity(store, lead.lead_id, leads.Activity("call", "spoke about a demo",
                                                           outcome="reached"), by=team["rep"])
    leads.log_activity(store, lead.lead_id, leads.Activity("note", "prefers Tuesdays"),
                       by=team["rep"])
    privacy.set_do_not_contact(store, pid, "email", "asked", by=team["rep"])
    return pid


def every_text_and_blob(store) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text and binary value in every table of the store;
    binary values are also unpacked when they are workbooks (a ZIP of XML)."""
    found = []
    columns = store.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'main' AND (data_type = 'VARCHAR' OR data_type = 'BLOB')"
    ).fetchall()
    for table, column, kind in columns:
        for (value,) in store.execute(f'SELECT "{column}" FROM "{table}"'
                                      f' WHERE "{column}" IS NOT NULL').fetchall():
            found.append((table, column, _readable(bytes(value)) if kind == "BLOB" else value))
    return found


def _readable(data: bytes) -> str:
    import zipfile

    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(archive.read(n).decode("utf-8", "replace")
                            for n in archive.namelist())
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def traces(store, *needles: str) -> list[tuple[str, str]]:
    lowered = [n.lower() for n in needles]
    return sorted({(t, c) for t, c, v in every_text_and_blob(store)
                   if any(n in str(v).lower() for n in lowered)})


# --- subject access ---------------------------------------------------------------------------


def test_subject_access_holds_every_kind_of_record(store, team):
    pid = worked_on(store, team)
    data = privacy.subject_access(store, pid, viewer=viewer(store, team["admin"]))
    assert data["person"]["email"] == ERIKA[3] and data["person"]["job_title"] == "Head of Sales"
    assert sorted((r["list"], r["file_name"]) for r in data["lists"]) == [
        ("Messe", "messe.csv"), ("Webinar", "webinar.xlsx")]
    fair = next(r for r in data["lists"] if r["list"] == "Messe")
    assert fair["imported_at"] and fair["added_by"] == "Ada Admin"
    assert fair["other_columns"] == {"Messe-Notiz": "Stand 12, wants a demo"}
    assert sorted((r["file_name"], r["outcome"]) for r in data["file_rows"]) == [
        ("messe.csv", "added"), ("webinar.xlsx", "known")]
    assert [(t["criterion_key"], t["ticked_by"]) for t in data["ticks"]] == [
        ("reached", "Rita Rep")]
    kinds = {h["kind"] for h in data["history"]}
    assert {"tick", "status", "edit", "convert", "next_step"} <= kinds
    assert [(lead["owner"], lead["status"]) for lead in data["leads"]] == [("Rita Rep", "todo")]
    assert [s["next_type"] for s in data["next_steps"]] == ["call"]
    assert sorted((a["kind"], a["body"]) for a in data["activities"]) == [
        ("call", "spoke about a demo"), ("note", "prefers Tuesdays")]
    assert [n["text"] for n in data["notes"]] == ["met at the fair", "prefers Tuesdays"]
    assert [(d["channel"], d["source"], d["noted_by"]) for d in data["do_not_contact"]] == [
        ("email", "asked", "Rita Rep")]
    json.loads(privacy.subject_access_json(data))  # one valid JSON document
    sheets = privacy.subject_access_frames(data)
    assert {"person", "lists", "ticks", "history", "leads", "activities",
            "do_not_contact"} <= set(sheets)


def test_only_admins_answer_privacy_requests(store, team):
    pid = worked_on(store, team)
    rep = viewer(store, team["rep"])
    with pytest.raises(access.NotAllowed):
        privacy.subject_access(store, pid, viewer=rep)
    with pytest.raises(access.NotAllowed):
        privacy.find(store, "erika", viewer=rep)
    with pytest.raises(access.NotAllowed):
        privacy.erase(store, [pid], by=team["rep"])
    with pytest.raises(access.NotAllowed):
        privacy.purge(store, by=team["rep"])
    assert erika(store) == pid


def test_a_person_is_found_by_email_phone_or_name(store, team):
    pid = worked_on(store, team)
    admin = viewer(store, team["admin"])
    for text in ("ERIKA.mustermann@muster.example", "+49 30 1234567", "mustermann", "0171 7654321"):
        assert privacy.find(store, text, viewer=admin)["person_id"].tolist() == [pid], text
    assert privacy.people_with_email(store, " Erika.Mustermann@MUSTER.example ",
                                     viewer=admin) == [pid]
    with pytest.raises(UserError, match="nobody with the e-mail"):
        privacy.people_with_email(store, "nobody@nowhere.example", viewer=admin)


# --- erasure ----------------------------------------------------------------------------------


def test_erasing_leaves_no_readable_trace_in_any_column_or_stored_file(store, team):
    pid = worked_on(store, team)
    assert traces(store, ERIKA_KEY)  # the scan sees her before (people, files, history …)
    assert ("imports", "file_bytes") in traces(store, ERIKA_KEY)
    result = privacy.erase(store, [pid], by=team["admin"])
    assert result.people == 1 and result.files_rewritten == 2
    assert traces(store, ERIKA_KEY, "Mustermann", "1234567", "7654321", "wants a demo",
                  "prefers Tuesdays") == []
    for table in ("people", "list_rows", "ticks", "leads", "activities", "do_not_contact"):
        assert store.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?"
                             if table != "people" else "SELECT count(*) FROM people WHERE id = ?",
                             [pid]).fetchone()[0] == 0, table
    assert store.execute("SELECT count(*) FROM history WHERE person_id = ?",
                         [pid]).fetchone()[0] == 0
    others = store.execute("SELECT email_key FROM people ORDER BY email_key").fetchall()
    assert others == [("otto@otto.example",), ("zora@zeta.example",)]


def test_the_stored_files_keep_everyone_else_and_their_row_numbers(store, team):
    pid = worked_on(store, team)
    fair_import = store.execute("SELECT id FROM imports WHERE file_name = 'messe.csv'"
                                ).fetchone()[0]
    admin = viewer(store, team["admin"])
    before = importing.report(store, fair_import, viewer=admin)
    privacy.erase(store, [pid], by=team["admin"])
    after = importing.report(store, fair_import, viewer=admin)
    assert list(after.columns) == list(before.columns)
    assert after.iloc[0].tolist() == before.iloc[0].tolist()  # Otto, row 4, untouched
    assert after.iloc[1]["import_status"] == "erased"
    assert set(after.iloc[1][HEADER]) == {""}
    rows_left = store.execute("SELECT row_number, outcome FROM import_rows WHERE import_id = ?"
                              " ORDER BY row_number", [fair_import]).fetchall()
    assert rows_left == [(4, "added"), (5, "erased")]


def test_an_erased_person_is_kept_out_of_every_later_import(store, team):
    pid = worked_on(store, team)
    privacy.erase(store, [pid], by=team["admin"])
    again = importing.import_file(store, FAIR, "messe.csv", "Messe again", by=team["admin"])
    assert (again.counts.suppressed, again.counts.added, again.counts.already_known) == (1, 0, 1)
    assert again.as_dict()["suppressed"] == 1
    assert again.counts.rows_in_file == (again.counts.blank + again.counts.added
                                         + again.counts.already_known
                                         + again.counts.duplicates_in_file
                                         + again.counts.rejected + again.counts.suppressed)
    other = csv_bytes(["Neue Firma", "E.", "M.", "  ERIKA.MUSTERMANN@muster.example ", "", "",
                       ""], ["Alpha", "Al", "Pha", "al@alpha.example", "", "", ""])
    later = importing.import_file(store, other, "kw50.csv", "KW50", by=team["admin"])
    assert (later.counts.suppressed, later.counts.added) == (1, 1)
    assert store.execute("SELECT count(*) FROM people WHERE email_key = ?",
                         [ERIKA_KEY]).fetchone()[0] == 0
    report = importing.report(store, later.import_id, viewer=viewer(store, team["admin"]))
    assert report["import_status"].tolist() == ["suppressed", "added"]
    assert "erased on request" in report["import_issue"][0]
    assert traces(store, ERIKA_KEY, "Mustermann") == []  # the kept-out rows are not stored


def test_a_phone_of_an_erased_person_keeps_out_a_row_without_an_email(store, team):
    pid = worked_on(store, team)
    privacy.erase(store, [pid], by=team["admin"])
    by_phone = csv_bytes(["Muster GmbH", "Erika", "M.", "", "+49 171 7654321", "", ""],
                         ["Muster GmbH", "Kai", "Kollege", "kai@muster.example", "030 1234567",
                          "", ""])
    result = importing.import_file(store, by_phone, "p.csv", "Phones", by=team["admin"])
    assert (result.counts.suppressed, result.counts.added) == (1, 1)
    assert store.execute("SELECT first_name FROM people WHERE company = 'Muster GmbH'"
                         ).fetchall() == [("Kai",)]  # the colleague with his own e-mail is in


def test_the_preview_says_how_many_are_kept_out_and_shows_none_of_them(store, team):
    pid = worked_on(store, team)
    privacy.erase(store, [pid], by=team["admin"])
    table = importing.read(store, FAIR, "messe.csv")
    preview = importing.prepare(store, FAIR, "messe.csv", table,
                                importing.suggested_mapping(store, table), "Fresh")
    assert preview.counts.suppressed == 1
    assert ("Kept out (erased)", 1) in preview.counts.shown
    shown = importing.preview_rows(store, preview, viewer=viewer(store, team["admin"]))
    kept = shown[shown["outcome"] == "kept out"]
    assert len(kept) == 1 and "erased on request" in kept["issue"].iloc[0]
    assert not kept.drop(columns=["row", "outcome", "issue", "possible duplicate of"]
                         ).notna().any().any()
    assert "kept out" in privacy.kept_out_text(preview.counts.suppressed)


def test_suppression_survives_reopening_the_database(db_path, team, store):
    pid = worked_on(store, team)
    privacy.erase(store, [pid], by=team["admin"])
    secret = bytes(store.execute("SELECT secret FROM privacy_key").fetchone()[0])
    store.close()
    reopened = db.connect(db_path)
    try:
        cur = reopened.cursor()
        assert bytes(cur.execute("SELECT secret FROM privacy_key").fetchone()[0]) == secret
        result = importing.import_file(cur, FAIR, "messe.csv", "After restart", by=None)
        assert result.counts.suppressed == 1
    finally:
        reopened.close()


def test_the_entry_is_an_hmac_with_the_installation_key_not_a_plain_hash(store, team):
    pid = worked_on(store, team)
    privacy.erase(store, [pid], by=team["admin"])
    secret = bytes(store.execute("SELECT secret FROM privacy_key").fetchone()[0])
    assert len(secret) == 32
    hashes = {r[0] for r in store.execute("SELECT hash FROM suppressions WHERE channel = 'email'"
                                          ).fetchall()}
    expected = hmac.new(secret, f"email:{ERIKA_KEY}".encode(), hashlib.sha256).hexdigest()
    assert expected in hashes
    assert hashlib.sha256(ERIKA_KEY.encode()).hexdigest() not in hashes
    phones = {r[0] for r in store.execute("SELECT hash FROM suppressions WHERE channel = 'phone'"
                                          ).fetchall()}
    assert {privacy.keyed_hash(secret, "phone", "+49301234567"),
            privacy.keyed_hash(secret, "phone", "+491717654321")} <= phones
    who = store.execute("SELECT DISTINCT reason, created_by FROM suppressions").fetchall()
    assert who == [("erased", team["admin"])]


def test_the_sql_hmac_equals_pythons(fresh_db):
    secret = bytes(range(32))
    hashed = privacy._hmac_sql("email", "v", db.engine(fresh_db))
    got = fresh_db.execute(f"SELECT {hashed} FROM (SELECT $value AS v) AS given",
                           {**privacy._pads(secret), "value": "ä@b.example"}).fetchone()[0]
    assert got == privacy.keyed_hash(secret, "email", "ä@b.example")


def test_erasing_is_one_transaction(store, team, monkeypatch):
    pid = worked_on(store, team)
    before = {t: store.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("people", "leads", "history", "suppressions", "audit_log")}
    files = store.execute("SELECT file_bytes FROM imports ORDER BY id").fetchall()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "_scrub_mentions", broken)
    with pytest.raises(RuntimeError):
        privacy.erase(store, [pid], by=team["admin"])
    after = {t: store.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in before}
    assert after == before
    assert store.execute("SELECT file_bytes FROM imports ORDER BY id").fetchall() == files


def test_erasing_is_audited_without_the_persons_data(store, team):
    pid = worked_on(store, team)
    privacy.erase(store, [pid], by=team["admin"])
    entry = audit.recent(store, action="privacy_erase").iloc[0]
    assert (entry["who"], entry["target"], entry["rows"]) == ("Ada Admin", f"person #{pid}", 1)
    assert "Mustermann" not in entry["detail"]


def test_the_funnel_drops_by_the_erased_person(store, team):
    from lib import metrics

    pid = worked_on(store, team)
    admin = viewer(store, team["admin"])
    before = metrics.funnel(store, metrics.FunnelFilter(), viewer=admin).set_index("stage")
    privacy.erase(store, [pid], by=team["admin"])
    after = metrics.funnel(store, metrics.FunnelFilter(), viewer=admin).set_index("stage")
    assert after.loc["suspect", "people"] == before.loc["suspect", "people"] - 1
    assert after.loc["converted", "people"] == before.loc["converted", "people"] - 1


def test_an_unknown_person_is_refused(store, team):
    with pytest.raises(InvalidInput, match="no person #999"):
        privacy.erase(store, [999], by=team["admin"])


# --- do not contact -------------------------------------------------------------------------


def test_do_not_contact_blocks_the_next_step_of_its_kind_and_the_link(store, team):
    importing.import_file(store, FAIR, "messe.csv", "Messe", by=team["admin"])
    pid = erika(store)
    privacy.set_do_not_contact(store, pid, "phone", "legal", by=team["rep"])
    soon = date.today() + timedelta(days=1)
    with pytest.raises(InvalidInput, match="may not be called"):
        leads.convert(store, pid, owner_id=team["rep"], by=team["rep"],
                      next_step=leads.NextStep("call", soon))
    lead = leads.convert(store, pid, owner_id=team["rep"], by=team["rep"],
                         next_step=leads.NextStep("email", soon))
    privacy.set_do_not_contact(store, pid, "email", "bounced", by=team["rep"])
    with pytest.raises(InvalidInput, match="may not be e-mailed"):
        leads.set_next_step(store, lead.lead_id, leads.NextStep("email", soon), by=team["rep"])
    leads.set_next_step(store, lead.lead_id, leads.NextStep("meeting", soon), by=team["rep"])
    detail = leads.lead_detail(store, lead.lead_id, viewer=viewer(store, team["rep"]))
    links = display.contact_links(detail.contact)
    assert "mailto:" not in links and "tel:" not in links
    assert "(do not e-mail)" in links and "(do not call)" in links
    otto = store.execute("SELECT id FROM people WHERE email_key = 'otto@otto.example'"
                         ).fetchone()[0]
    page = rows.export_rows(store, rows.RowFilter(list_id=1), viewer=viewer(store, team["rep"]))
    marks = dict(zip(page["e-mail"], page["do not contact"], strict=True))
    assert marks[ERIKA[3]] == "e-mail, phone" and pd.isna(marks[OTTO[3]])
    assert otto
    todo = leads.todo(store, viewer=viewer(store, team["rep"]), user_id=team["rep"])
    assert dict(zip(todo["person_id"], todo["do_not_contact"], strict=True)) == {
        pid: "e-mail, phone"}


def test_only_admins_lift_a_do_not_contact_flag(store, team):
    importing.import_file(store, FAIR, "messe.csv", "Messe", by=team["admin"])
    pid = erika(store)
    privacy.set_do_not_contact(store, pid, "email", "asked", by=team["rep"])
    with pytest.raises(access.NotAllowed):
        privacy.clear_do_not_contact(store, pid, "email", by=team["rep"])
    privacy.clear_do_not_contact(store, pid, "email", by=team["admin"])
    assert privacy.flags(store, pid, viewer=viewer(store, team["admin"])) == {}
    assert list(audit.recent(store)["action"][:2]) == ["do_not_contact_cleared",
                                                       "do_not_contact"]


# --- retention ------------------------------------------------------------------------------


def test_the_purge_erases_exactly_what_the_dry_run_listed(store, team):
    importing.import_file(store, FAIR, "messe.csv", "Messe", by=team["admin"])
    importing.import_file(store, WEBINAR, "webinar.xlsx", "Webinar", by=team["admin"])
    ids = dict(store.execute("SELECT email_key, id FROM people").fetchall())
    long_ago = db.utcnow() - timedelta(days=400)
    store.execute("UPDATE list_rows SET added_at = ?", [long_ago])
    q.set_tick(store, ids["otto@otto.example"], "reached", True, expected=False,
               by=team["rep"])  # worked: stays
    rows.cancel(store, ids["zora@zeta.example"], "not interested", by=team["rep"])
    store.execute("UPDATE people SET died_at = ? WHERE id = ?",
                  [long_ago, ids["zora@zeta.example"]])
    privacy.set_do_not_contact(store, ids[ERIKA_KEY], "email", "asked", by=team["rep"])
    settings.put(store, "retention_unworked_months", 6, by=team["admin"])
    admin = viewer(store, team["admin"])
    only_unworked = privacy.purge_candidates(store, viewer=admin)
    assert only_unworked["person_id"].tolist() == [ids[ERIKA_KEY]]  # dead rows: not yet on
    settings.put(store, "retention_dead_months", 12, by=team["admin"])
    dry = privacy.purge_candidates(store, viewer=admin)
    assert dict(zip(dry["person_id"], dry["why"], strict=True)) == {
        ids[ERIKA_KEY]: "unworked suspect", ids["zora@zeta.example"]: "dead row"}
    done = privacy.purge(store, by=team["admin"])
    assert done.person_ids == dry["person_id"].tolist()
    assert store.execute("SELECT email_key FROM people").fetchall() == [("otto@otto.example",)]
    assert {r[0] for r in store.execute("SELECT reason FROM suppressions").fetchall()} == {
        "purged"}
    again = importing.import_file(store, WEBINAR, "webinar.xlsx", "Webinar 2", by=None)
    assert (again.counts.suppressed, again.counts.added) == (1, 1)  # Erika asked; Zora did not


def test_nothing_is_purged_while_retention_is_off(store, team):
    importing.import_file(store, FAIR, "messe.csv", "Messe", by=team["admin"])
    store.execute("UPDATE list_rows SET added_at = ?", [db.utcnow() - timedelta(days=4000)])
    assert privacy.purge_candidates(store, viewer=viewer(store, team["admin"])).empty
    assert privacy.purge(store, by=team["admin"]).erased.people == 0


@pytest.mark.parametrize(("header", "field"), [
    ("Opt-out", "do_not_contact"), ("opt-out", "do_not_contact"),
    ("Werbewiderspruch", "do_not_contact"), ("Kein Kontakt", "do_not_contact"),
    ("do not call", "do_not_call"), ("Do Not Call", "do_not_call"),
    ("E-Mail Opt-out", "do_not_email"), ("Unsubscribed", "do_not_email")])
def test_the_mapping_recognises_do_not_contact_columns(header, field):
    from lib import mapping

    found = mapping.auto_map(["Firma", "E-Mail", "Telefon", header])
    assert found[header] == field
    assert (found["E-Mail"], found["Telefon"]) == ("email", "phone")


def test_a_do_not_contact_column_flags_each_channel_on_import(store, team):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([
        ["Firma", "Vorname", "Nachname", "E-Mail", "Telefon", "Werbewiderspruch",
         "do not call"],
        ["A GmbH", "Anna", "Alt", "anna@a.example", "030 1111111", "ja", ""],
        ["B GmbH", "Bert", "Bau", "bert@b.example", "030 2222222", "nein", "x"],
        ["C GmbH", "Cleo", "Cap", "cleo@c.example", "030 3333333", "", "0"],
    ])
    importing.import_file(store, buffer.getvalue().encode("cp1252"), "dnc.csv", "DNC",
                          by=team["admin"])
    flagged = store.execute(
        "SELECT p.first_name, d.channel, d.source, d.import_id IS NOT NULL FROM do_not_contact d"
        " JOIN people p ON p.id = d.person_id ORDER BY p.first_name, d.channel").fetchall()
    assert flagged == [("Anna", "email", "asked", True), ("Anna", "phone", "asked", True),
                       ("Bert", "phone", "asked", True)]
    extras = store.execute("SELECT extras FROM list_rows").fetchall()
    assert all(e[0] is None for e in extras)  # mapped, not kept as an extra column


def test_the_calendar_feed_of_the_owner_no_longer_holds_the_erased_lead(store, team):
    from lib import calendar

    pid = worked_on(store, team)
    rep = viewer(store, team["rep"])
    assert b"Mustermann" in calendar.ics_for_user(store, team["rep"], viewer=rep)
    privacy.erase(store, [pid], by=team["admin"])
    feed = calendar.ics_for_user(store, team["rep"], viewer=rep)
    assert b"Mustermann" not in feed and b"BEGIN:VEVENT" not in feed


def test_the_person_picker_names_each_person_found_without_empty_fields(store, team):
    importing.import_file(store, FAIR, "messe.csv", "Messe", by=team["admin"])
    pid = erika(store)
    store.execute("UPDATE people SET company = NULL WHERE id = ?", [pid])
    found = privacy.find(store, ERIKA[3], viewer=viewer(store, team["admin"]))
    assert privacy.choice_labels(found) == {pid: f"#{pid} {ERIKA[1]} {ERIKA[2]} {ERIKA[3]}"}


def test_a_privacy_table_reads_in_the_readers_language():
    found = pd.DataFrame({"person_id": [1, 2], "status": ["prospect", "dead"]})
    with i18n.using("de"):
        german = privacy.readable(found)
    assert german.iloc[:, 1].tolist() == ["Interessent", "verworfen"]
    assert privacy.readable(found).iloc[:, 1].tolist() == ["prospect", "dead"]
    assert found["status"].tolist() == ["prospect", "dead"]  # the data is left as it is
