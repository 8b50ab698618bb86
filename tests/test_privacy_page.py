"""The Privacy page in AppTest, reached through app.py as an admin: search, subject access
downloads, do not contact, erase after typing ERASE, retention dry run and purge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lib import db, importing, settings, users
from tests.apptest import computed, cursor, errors, open_page, table_with
from tests.test_privacy import ERIKA_KEY, FAIR


@pytest.fixture
def seeded(db_path):
    with cursor(db_path) as cur:
        admin = users.add(cur, "Ada Admin", "ada@corp.example", "admin").id
        users.add(cur, "Rita Rep", "rita@corp.example", "rep", by=admin)
        importing.import_file(cur, FAIR, "messe.csv", "Messe", by=admin)
    return admin


def erika_count(db_path) -> int:
    return computed(db_path, lambda cur: cur.execute(
        "SELECT count(*) FROM people WHERE email_key = ?", [ERIKA_KEY]).fetchone()[0])


def searched(db_path, monkeypatch, admin, text="mustermann"):
    at = open_page(db_path, "privacy", monkeypatch, acting=admin)
    at.text_input(key="privacy_search").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_admin_finds_a_person_and_sees_what_is_held(db_path, monkeypatch, seeded):
    at = searched(db_path, monkeypatch, seeded)
    found = table_with(at, "E-mail address")
    assert found["E-mail address"].tolist() == ["Erika.Mustermann@Muster.example"]
    assert "Lists: 1" in " ".join(c.value for c in at.caption)
    assert errors(at) == []


def test_erasing_needs_the_typed_confirmation(db_path, monkeypatch, seeded):
    at = searched(db_path, monkeypatch, seeded)
    assert at.button(key="privacy_erase").disabled
    at.text_input(key="privacy_erase_confirm").set_value("erase it").run()
    assert at.button(key="privacy_erase").disabled
    at.text_input(key="privacy_erase_confirm").set_value("ERASE").run()
    at.button(key="privacy_erase").click().run()
    assert not at.exception
    assert any("Erased 1 person" in s.value for s in at.success)
    assert erika_count(db_path) == 0


def test_do_not_contact_is_set_from_the_page(db_path, monkeypatch, seeded):
    at = searched(db_path, monkeypatch, seeded)
    at.selectbox(key="privacy_dnc_channel").set_value("phone")
    at.selectbox(key="privacy_dnc_source").set_value("legal")
    at.button(key="privacy_dnc_set").click().run()
    assert not at.exception
    assert any("do not call (legal" in c.value for c in at.caption)
    flags = computed(db_path, lambda cur: cur.execute(
        "SELECT channel, source FROM do_not_contact").fetchall())
    assert flags == [("phone", "legal")]


def test_the_purge_button_erases_the_dry_runs_rows(db_path, monkeypatch, seeded):
    with cursor(db_path) as cur:
        settings.put(cur, "retention_unworked_months", 1, by=None)
        cur.execute("UPDATE list_rows SET added_at = ? WHERE person_id = (SELECT id FROM"
                    " people WHERE email_key = ?)", [db.utcnow() - timedelta(days=90), ERIKA_KEY])
    at = open_page(db_path, "privacy", monkeypatch, acting=seeded)
    assert table_with(at, "Why purged")["Person (ID)"].tolist() == [
        computed(db_path, lambda cur: cur.execute(
            "SELECT id FROM people WHERE email_key = ?", [ERIKA_KEY]).fetchone()[0])]
    at.button(key="privacy_purge").click().run()
    assert not at.exception
    assert any("Purged 1 person" in s.value for s in at.success)
    assert erika_count(db_path) == 0


@pytest.mark.parametrize("email", ["rita@corp.example", "mia@corp.example"])
def test_no_one_but_admins_gets_a_privacy_page(db_path, monkeypatch, seeded, email):
    with cursor(db_path) as cur:
        if email.startswith("mia"):
            users.add(cur, "Mia Manager", email, "manager", by=seeded)
        acting = users.by_email(cur, email).id
    at = open_page(db_path, "lists", monkeypatch, acting=acting)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/privacy.py")


def test_a_rep_marks_do_not_call_on_the_lead_and_the_call_link_goes(db_path, monkeypatch,
                                                                    seeded):
    from datetime import date

    from lib import leads

    with cursor(db_path) as cur:
        rep = users.by_email(cur, "rita@corp.example").id
        pid = cur.execute("SELECT id FROM people WHERE email_key = ?", [ERIKA_KEY]).fetchone()[0]
        lead = leads.convert(cur, pid, owner_id=rep, by=rep, next_step=leads.NextStep(
            "email", date.today() + timedelta(days=1))).lead_id
    at = open_page(db_path, "lead", monkeypatch, acting=rep, lead=lead)
    assert "tel:" in " ".join(m.value for m in at.markdown)
    at.selectbox(key=f"lead_dnc_channel_{lead}").set_value("phone")
    at.button(key=f"lead_dnc_{lead}").click().run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "tel:" not in shown and "(do not call)" in shown and "mailto:" in shown
    flags = computed(db_path, lambda cur: cur.execute(
        "SELECT channel, source, noted_by FROM do_not_contact").fetchall())
    assert flags == [("phone", "asked", rep)]


def test_a_visitor_without_a_session_gets_no_privacy_page(db_path, monkeypatch, seeded):
    from streamlit.testing.v1 import AppTest

    from tests.apptest import ROOT

    monkeypatch.setenv("LEADLADDER_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/privacy.py")
