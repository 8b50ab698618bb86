"""The people, account, set-password, settings and privacy pages in German for a user who chose
German (and the choice itself on My account); lib's refusals of this area in German. English
is pinned by the other tests of these pages."""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from lib import access, audit, auth, i18n, importing, passwords, privacy, settings, users
from lib.errors import InvalidInput
from tests.apptest import computed, cursor, errors, open_page
from tests.lead_seed import ANNA, EVA, user_id
from tests.test_people_pages import set_password_page
from tests.test_privacy import ERIKA_KEY, FAIR

_LISTS = ("title", "header", "subheader", "caption", "markdown", "text", "info", "success",
          "warning", "error", "toast", "exception")
_WIDGETS = ("button", "selectbox", "text_input", "number_input", "radio", "checkbox", "tabs",
            "toggle", "multiselect")


def shown_texts(at: AppTest) -> list[str]:
    """Every text a person reads on the page: elements, widget labels, help and options."""
    texts = []
    for name in _LISTS:
        texts += [str(getattr(e, "value", "")) for e in getattr(at, name)]
    for name in _WIDGETS:
        for widget in getattr(at, name):
            texts += [str(getattr(widget, "label", "") or ""),
                      str(getattr(widget, "help", "") or "")]
            texts += [str(o) for o in (getattr(widget, "options", None) or [])]
    return [t for t in texts if t]


def assert_absent(at: AppTest, english: list[str]) -> None:
    left = [word for word in english if any(word in text for text in shown_texts(at))]
    assert not left, f"English left on the German page: {left}"


def german(path, email: str) -> int:
    """The user of ``email``, who chose German."""
    def choose(cur):
        uid = user_id(cur, email)
        users.set_language(cur, uid, "de", by=uid)
        return uid
    return computed(path, choose)


def test_my_account_in_german(demo_path, monkeypatch):
    at = open_page(demo_path, "account", monkeypatch, acting=german(demo_path, ANNA))
    assert [t.value for t in at.title] == ["Mein Konto"]
    assert [s.value for s in at.subheader] == ["Passwort", "Anmeldungen"]
    assert "Anna Schmidt · anna.schmidt@leadladder.example · Vertriebler" in [
        t.value for t in at.text]
    assert at.selectbox(key="account_language").label == "Sprache"
    assert at.text_input(key="account_new").label == "Neues Passwort (mindestens 12 Zeichen)"
    assert at.button(key="account_logout_all").label == "Überall abmelden"
    assert_absent(at, ["My account", "Save language", "Current password", "Change password",
                       "Log out everywhere", "Lost a laptop", "Like the browser", "Logins"])


def test_the_language_chosen_on_my_account_is_stored_and_used_from_then_on(demo_path,
                                                                           monkeypatch):
    anna = computed(demo_path, user_id)
    at = open_page(demo_path, "account", monkeypatch, acting=anna)
    assert at.title[0].value == "My account"
    assert "Log out everywhere" in shown_texts(at)  # what assert_absent looks through
    assert at.selectbox(key="account_language").format_func("browser") == "Like the browser"
    at.selectbox(key="account_language").set_value("de")
    at.button(key="FormSubmitter:account_language-Save language").click().run()
    assert computed(demo_path, lambda cur: users.get(cur, anna).language) == "de"
    assert at.title[0].value == "Mein Konto"  # the very next run
    assert [t.value for t in at.toast] == ["Sprache gespeichert."]
    assert at.selectbox(key="profile_language").value == "de"  # the sidebar's menu agrees

    later = open_page(demo_path, "account", monkeypatch, acting=anna)  # another session
    assert later.title[0].value == "Mein Konto"
    later.selectbox(key="account_language").set_value("browser")
    later.button(key="FormSubmitter:account_language-Sprache speichern").click().run()
    assert computed(demo_path, lambda cur: users.get(cur, anna).language) is None
    assert later.title[0].value == "My account"


def test_the_people_page_in_german_shows_each_users_language(demo_path, monkeypatch):
    eva = german(demo_path, EVA)
    at = open_page(demo_path, "people", monkeypatch, acting=eva)
    assert at.title[0].value == "Benutzer"
    assert [t.label for t in at.tabs] == ["Benutzer", "Teams", "Audit-Protokoll"]
    assert [s.value for s in at.subheader] == ["Eine Person hinzufügen", "Eine Person ändern"]
    table = at.dataframe[0].value.set_index("email")
    assert table.loc[EVA, "language"] == "Deutsch"
    assert table.loc[ANNA, "language"] == "Wie der Browser"
    assert table.loc[ANNA, "role"] == "Vertriebler"
    assert at.button(key="people_reset").label == "Passwort zurücksetzen…"
    assert at.selectbox(key="people_add_role").format_func("rep") == "Vertriebler"
    assert at.selectbox(key="people_audit").format_func("login") == "Angemeldet"
    assert_absent(at, ["Add a person", "Change a person", "Audit log", "Reset password",
                       "How they get in", "Add person", "Log out everywhere", "Reactivate",
                       "Everything", "no team", "Hand them over"])


def test_an_admin_sets_a_users_language_on_the_people_page(demo_path, monkeypatch):
    eva, anna = (computed(demo_path, lambda cur, e=e: user_id(cur, e)) for e in (EVA, ANNA))
    at = open_page(demo_path, "people", monkeypatch, acting=eva)
    at.selectbox(key="people_pick").set_value(anna).run()
    at.selectbox(key=f"people_language_{anna}").set_value("de")
    at.button(key=f"FormSubmitter:people_edit_{anna}-Save role, team and language").click().run()
    assert not errors(at)
    assert computed(demo_path, lambda cur: users.get(cur, anna).language) == "de"
    assert [t.value for t in at.toast] == [
        "Anna Schmidt: role rep, Team Nord, language: Deutsch."]
    assert at.dataframe[0].value.set_index("email").loc[ANNA, "language"] == "Deutsch"
    anna_sees = open_page(demo_path, "account", monkeypatch, acting=anna)
    assert anna_sees.title[0].value == "Mein Konto"


def test_the_set_password_page_speaks_the_language_of_the_links_user(demo_path, monkeypatch):
    eva = computed(demo_path, user_id)
    anna = german(demo_path, ANNA)
    token = computed(demo_path, lambda cur: auth.issue_link(cur, anna, "reset", by=eva))
    visitor = set_password_page(demo_path, monkeypatch, token)
    assert visitor.title[0].value == "Passwort festlegen"
    assert "Wählen Sie ein neues Passwort." in [m.value for m in visitor.markdown]
    visitor.text_input(key="set_password_new").input("annas neuer langer satz")
    visitor.text_input(key="set_password_again").input("annas anderer langer satz")
    visitor.button(key="FormSubmitter:set_password-Passwort festlegen und anmelden").click().run()
    assert errors(visitor) == ["Passwort: die beiden Passwörter stimmen nicht überein"]
    assert_absent(visitor, ["Set your password", "Choose a new password", "New password",
                            "Set password and log in"])


def test_the_settings_page_in_german(demo_path, monkeypatch):
    at = open_page(demo_path, "settings", monkeypatch, acting=german(demo_path, EVA))
    assert at.title[0].value == "Einstellungen"
    assert {"Die Leiter", "Import, Dubletten, Kalender und Zugriff"} <= {
        s.value for s in at.subheader}
    assert at.number_input(key="settings_lead_threshold").label == "Lead-Schwelle"
    visibility = at.selectbox(key="settings_visibility")
    assert visibility.label == "Wer welche Zeilen und Leads sieht"
    assert [visibility.format_func(o) for o in ("all", "team", "own")] == [
        "alle", "Team", "eigene"]
    assert at.selectbox(key="settings_managers_edit_qualification").format_func(True) == "ja"
    assert_absent(at, ["The ladder", "Lead threshold", "Save thresholds", "Save settings",
                       "Who sees which rows", "Time zone", "Largest upload",
                       "Import, duplicates", "How many lead criteria"])


def test_a_saved_setting_is_said_in_german_and_the_audit_log_keeps_english(demo_path,
                                                                           monkeypatch):
    eva = german(demo_path, EVA)
    at = open_page(demo_path, "settings", monkeypatch, acting=eva)
    at.number_input(key="settings_stale_days").set_value(21)
    at.button(key="FormSubmitter:settings_other-Einstellungen speichern").click().run()
    assert not errors(at)
    assert "Gespeicherte Einstellungen: Liegen geblieben nach (Tagen)." in [
        s.value for s in at.success]
    entry = computed(demo_path, lambda cur: audit.recent(cur, action="settings_changed"))
    assert entry["detail"].tolist()[0] == "14 → 21"


def erika(cur) -> int:
    return int(cur.execute("SELECT id FROM people WHERE email_key = ?", [ERIKA_KEY]).fetchone()[0])


@pytest.fixture
def privacy_db(db_path):
    with cursor(db_path) as cur:
        admin = users.add(cur, "Ada Admin", "ada@corp.example", "admin", language="de").id
        importing.import_file(cur, FAIR, "messe.csv", "Messe", by=admin)
        person = erika(cur)
        privacy.set_do_not_contact(cur, person, "email", "asked", by=admin)
    return admin


def test_the_privacy_page_in_german(db_path, monkeypatch, privacy_db):
    at = open_page(db_path, "privacy", monkeypatch, acting=privacy_db)
    at.text_input(key="privacy_search").set_value("mustermann").run()
    assert at.title[0].value == "Datenschutz"
    assert [s.value for s in at.subheader] == [
        "Was gespeichert ist (Auskunft)", "Nicht kontaktieren", "Löschen", "Aufbewahrung"]
    found = at.dataframe[0].value
    assert {"Person (ID)", "Name", "Firma", "E-Mail", "Status"} <= set(found.columns)
    captions = " ".join(c.value for c in at.caption)
    assert "Listen: 1" in captions
    flagged = next(c.value for c in at.caption if "keine E-Mails" in c.value)
    assert flagged.startswith("keine E-Mails (auf Wunsch der Person, seit ")
    assert flagged[-11:-1].count(".") == 2  # 03.12.2026
    assert at.selectbox(key="privacy_dnc_channel").format_func("phone") == "Telefon"
    assert at.text_input(key="privacy_erase_confirm").label.startswith("Geben Sie LÖSCHEN ein")
    assert_absent(at, ["What is held", "Do not contact", "Retention", "Erase for good",
                       "Mark do not contact", "Lift the flag", "A purge now", "Unworked"])


def test_the_subject_access_workbook_has_german_sheets_and_headers_json_stays_english(
        db_path, privacy_db):
    with cursor(db_path) as cur:
        person = erika(cur)
        data = privacy.subject_access(cur, person, viewer=access.FULL_ACCESS)
    with i18n.using("de"):
        sheets = privacy.subject_access_sheets(data)
        assert '"do_not_contact"' in privacy.subject_access_json(data).decode()
    assert {"Person", "Listen", "Nicht kontaktieren", "Historie"} <= set(sheets)
    assert list(sheets["Person"].columns) == ["Feld", "Wert"]
    assert {"Vorname", "E-Mail", "Firma"} <= set(sheets["Person"]["Feld"])
    assert {"Kanal", "Quelle", "Vermerkt am"} <= set(sheets["Nicht kontaktieren"].columns)
    english = privacy.subject_access_sheets(data)
    assert {"Person", "Lists", "Do not contact", "History"} <= set(english)
    assert {"First name", "E-mail address"} <= set(english["Person"]["Field"])
    assert {"person", "lists", "do_not_contact"} <= set(privacy.subject_access_frames(data))


# --- lib's refusals and messages, in German ------------------------------------------------


def test_a_refused_role_is_said_in_german(demo_db):
    anna = user_id(demo_db, ANNA)
    with i18n.using("de"), pytest.raises(access.NotAllowed) as refused:
        users.create_team(demo_db, "Team Süd", by=anna)
    assert str(refused.value) == "Ihre Rolle (Vertriebler) erlaubt Folgendes nicht: Teams anlegen."
    with pytest.raises(access.NotAllowed) as english:
        users.create_team(demo_db, "Team Süd", by=anna)
    assert str(english.value) == "Your role (rep) may not create teams."


def test_the_row_and_column_of_a_wrong_input_are_said_in_german():
    with i18n.using("de"):
        assert str(InvalidInput("keine E-Mail-Adresse", row=3, column="E-Mail")) == (
            "Zeile 3, E-Mail: keine E-Mail-Adresse")
    assert str(InvalidInput("not an e-mail", row=3, column="E-mail")) == (
        "row 3, E-mail: not an e-mail")


def test_login_refusals_and_password_rules_in_german(demo_db):
    with i18n.using("de"):
        with pytest.raises(auth.LoginRefused) as wrong:
            auth.log_in(demo_db, ANNA, "not her password", client=None)
        assert str(wrong.value) == (
            "E-Mail-Adresse oder Passwort ist falsch (oder das Konto ist nicht aktiv).")
        with pytest.raises(InvalidInput) as short:
            passwords.check("kurz")
        assert str(short.value) == "Passwort: das Passwort braucht mindestens 12 Zeichen"
        for _n in range(auth.FAILURE_LIMIT):
            with pytest.raises(auth.LoginRefused):
                auth.log_in(demo_db, ANNA, "still wrong", client=None)
        with pytest.raises(auth.LoginRefused) as locked:
            auth.log_in(demo_db, ANNA, "still wrong", client=None)
        assert str(locked.value).startswith("Zu viele fehlgeschlagene Anmeldungen")
        assert "15 Minuten" in str(locked.value)
    assert auth.THROTTLED.startswith("Too many failed logins")


def test_a_wrong_setting_value_and_a_blocked_next_step_in_german(db_path, privacy_db):
    with cursor(db_path) as cur, i18n.using("de"):
        with pytest.raises(InvalidInput) as refused:
            settings.put(cur, "stale_days", "viele", by=privacy_db)
        assert str(refused.value) == "„viele“ ist keine ganze Zahl"
        person = erika(cur)
        with pytest.raises(InvalidInput) as blocked:
            privacy.refuse_blocked(cur, person, "email")
        message = str(blocked.value)
        assert message.startswith("Nächster Schritt: diese Person darf keine E-Mails bekommen "
                                  "(Nicht kontaktieren: auf Wunsch der Person, seit ")
        day = message.split("seit ")[1][:10]
        assert datetime.strptime(day, "%d.%m.%Y")  # German date


def test_an_erasure_is_said_in_german_and_audited_in_english(db_path, privacy_db):
    with cursor(db_path) as cur:
        person = erika(cur)
        with i18n.using("de"):
            result = privacy.erase(cur, [person], by=privacy_db)
            assert result.message.startswith(
                "1 Person (1 Listeneintrag, 1 Kontaktsperre) gelöscht;")
            assert "1 Kontaktsperre" in result.message
            assert audit.recent(cur, action="privacy_erase")["who"].tolist() == ["Ada Admin"]
        detail = audit.recent(cur, action="privacy_erase")["detail"].tolist()[0]
        assert detail.startswith("Erased 1 person (") and "1 do-not-contact flag" in detail


def test_changes_without_a_user_are_by_the_command_line_in_the_readers_language(demo_db):
    users.create_team(demo_db, "Team Süd", by=None)
    with i18n.using("de"):
        assert audit.recent(demo_db, action="team_created")["who"][0] == "Kommandozeile"
    assert audit.recent(demo_db, action="team_created")["who"][0] == "command line"


def test_a_language_chosen_in_the_sidebar_shows_on_my_account(demo_path, monkeypatch):
    anna = computed(demo_path, user_id)
    at = open_page(demo_path, "account", monkeypatch, acting=anna)
    assert at.selectbox(key="account_language").value == "browser"
    at.selectbox(key="profile_language").set_value("de").run()
    assert computed(demo_path, lambda cur: users.get(cur, anna).language) == "de"
    assert at.title[0].value == "Mein Konto"
    assert at.selectbox(key="account_language").value == "de"
