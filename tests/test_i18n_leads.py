"""The leads and manager area in German: display formats and their way back, the funnel's
numbers and periods, the lead messages lib raises, the pipeline's German step names, the
calendar feed in its owner's language, and the charts' wording. English is pinned by the
area's other tests; each test here would read English (or fail) if a translation went missing.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from lib import (
    access,
    calendar,
    charts,
    display,
    i18n,
    labels,
    lead_view,
    leads,
    metrics,
    pipeline,
    users,
)
from lib.errors import EditConflict, InvalidInput, UserError
from lib.leads import NextStep
from lib.metrics import FunnelFilter, Period
from tests import factories

TODAY = date(2025, 11, 27)  # a Thursday
DAY = date(2026, 12, 3)


@pytest.fixture
def german():
    with i18n.using("de"):
        yield


# --- display -------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "currency", "shown"), [
    (32000, "EUR", "32.000\u00a0€"), (1250.5, "CHF", "1.250,50\u00a0CHF"),
    (4000.0, "USD", "4.000\u00a0$"), (None, "EUR", "—"),
])
def test_money_reads_german(german, amount, currency, shown):
    assert display.money(amount, currency) == shown


@pytest.mark.parametrize(("day", "shown"), [
    (date(2025, 11, 26), "gestern"), (date(2025, 11, 27), "heute"),
    (date(2025, 11, 28), "morgen"), (date(2025, 12, 4), "Do., 04.12."),
    (date(2026, 1, 8), "Do., 08.01.2026"),
])
def test_a_day_reads_german_relative_to_today(german, day, shown):
    assert display.day_text(day, TODAY) == shown


def test_due_moments_next_steps_and_stored_moments_read_german(german):
    assert display.due_text(date(2025, 11, 16), None, TODAY) == "So., 16.11."
    assert display.due_text(date(2024, 11, 18), time(14, 0), TODAY) == "Mo., 18.11.2024 14:00"
    assert display.next_step_text("call", date(2025, 11, 28), time(10, 0), TODAY) == (
        "📞 Anruf · morgen 10:00")
    assert display.next_step_text("meeting", date(2025, 12, 4), None, TODAY) == (
        "🤝 Termin · Do., 04.12.")
    winter = datetime(2025, 11, 26, 13, 24)  # UTC: 14:24 in Berlin
    assert display.moment_text(winter, ZoneInfo("Europe/Berlin"), TODAY) == "gestern 14:24"


@pytest.mark.parametrize(("days", "shown"), [
    (None, "nie"), (0, "heute"), (1, "gestern"), (5.0, "vor 5 Tagen"), (1200, "vor 1.200 Tagen")])
def test_the_last_action_reads_german(german, days, shown):
    assert display.since_text(days) == shown


def test_badges_read_german_and_parse_back_in_either_language(german):
    assert display.badge("overdue") == ":red-badge[Überfällig]"
    assert display.badge("standby") == ":violet-badge[Wiedervorlage]"
    assert [display.status_badge(s) for s in display.STATUS_BADGES] == [
        "⚪ Suspect", "🟡 Interessent", "🟢 Lead", "⚫ Verworfen"]
    for status in display.STATUS_BADGES:
        assert display.status_of_badge(display.status_badge(status)) == status
        with i18n.using("en"):
            english = display.status_badge(status)
        assert display.status_of_badge(english) == status  # a grid edited before a switch
    assert display.status_of_badge("🟡 Interessent") == "prospect"


def test_a_blocked_channel_says_so_in_german(german):
    links = display.contact_links({"email": "a@b.de", "phone": "+49 30 1", "mobile": None,
                                   "do_not_contact": "e-mail, phone"})
    assert links == r"a@b.de (keine E-Mails) · \+49 30 1 (keine Anrufe)"


# --- counts, the to-do and the lead's wording ----------------------------------------------


def test_counts_and_to_do_groups_read_german(german):
    assert labels.count_line(1, labels.PEOPLE) == "1 Person"
    assert labels.count_line(1_900, labels.PEOPLE) == "1.900 Personen"
    assert labels.count_line(2, labels.OVERDUE_LEADS) == "2 überfällige offene Leads"
    assert lead_view.group_title("upcoming") == "Demnächst · nächste 7 Tage"
    assert lead_view.group_label("overdue", 3) == ":red[Überfällig]"
    assert lead_view.todo_totals({"overdue": 1, "today": 2, "upcoming": 0, "later": 0,
                                  "standby": 0}) == "3 offene Leads · 1 überfälliger offener Lead"


def test_a_leads_money_and_probability_read_german(german):
    lead = {"amount": Decimal("32000"), "currency": "EUR", "probability": 60, "step": "Neu"}
    assert lead_view.todo_amount(lead) == "Neu · **32.000\u00a0€** · 60\u00a0%"
    assert lead_view.saved_text({"amount": 1, "expected_close": None}) == (
        "Gespeichert: Betrag, erwarteter Abschluss")
    assert lead_view.saved_text({}) == "Nichts geändert"


# --- the funnel's numbers and periods ------------------------------------------------------


@pytest.mark.parametrize(("number", "text", "change"), [
    (metrics.Headline("lead", "Leads", 1234, 1200, False), "1.234", "+34"),
    (metrics.Headline("lead", "Leads", 1200, 1234, False), "1.200", "-34"),
    (metrics.Headline("rate", "Rate", 0.125, 0.1, True), "12,5\u00a0%", "+2,5 PP"),
    (metrics.Headline("rate", "Rate", 0.449, 0.449, True), "44,9\u00a0%", "±0"),
])
def test_a_headline_number_reads_german(german, number, text, change):
    assert (number.text, number.change_text) == (text, change)


def test_the_period_and_what_it_compares_with_read_german(german):
    november = FunnelFilter(events=Period(date(2025, 11, 1), date(2025, 11, 30)))
    assert metrics.period_text(november.events) == "01.11.2025 – 30.11.2025"
    assert metrics.period_caption(november) == (
        "Stufen erreicht 01.11.2025 – 30.11.2025 · Veränderungen gegenüber "
        "02.10.2025 – 31.10.2025")
    assert metrics.period_caption(FunnelFilter()) == "Stufen erreicht gesamter Zeitraum"
    assert metrics.compared_with(FunnelFilter()) == "nichts (gesamter Zeitraum)"
    compared = metrics.Headline("won", "Won", 3, 2, False)
    assert compared.help_text("x") == (
        "Personen mit einem als gewonnen markierten Lead. Die Veränderung ist gegenüber dem "
        "Zeitraum davor (x).")
    assert metrics.preset_label("Last 90 days") == "Letzte 90 Tage"


def test_the_funnel_frame_and_the_tables_read_german(german, fresh_db):
    frame = metrics.funnel(fresh_db, FunnelFilter(), viewer=access.FULL_ACCESS)
    assert frame["label"].tolist() == ["Jemals Suspect", "Jemals Interessent", "Jemals Lead",
                                       "Jemals konvertiert", "Jemals gewonnen"]
    shares = pd.DataFrame({"lead_share": [0.449, None], "lift": [1.5, None]})
    assert metrics.shares_shown(shares).to_dict("list") == {
        "lead_share": ["44,9\u00a0%", ""], "lift": ["1,5×", ""]}
    with i18n.using("en"):
        assert metrics.shares_shown(shares) is shares  # English: Streamlit formats them


def test_charts_speak_german(german):
    frame = pd.DataFrame({"user_id": [1] * 4, "name": ["Anna"] * 4,
                          "age": list(metrics.AGE_BUCKETS), "count": [1, 0, 2, 0]})
    figure = charts.overdue_by_age(frame)
    assert figure.layout.yaxis.title.text == "überfällige nächste Schritte"
    assert figure.layout.separators == ",."
    assert [bar.name for bar in figure.data[:4]] == ["bis 2 Tage", "3–7 Tage", "8–30 Tage",
                                                     "über 30 Tage"]
    assert "bis 2 Tage überfällig" in figure.data[0].hovertemplate
    funnel = charts.funnel(pd.DataFrame({
        "stage": list(metrics.STAGES), "label": ["a", "b", "c", "d", "e"],
        "people": [1200, 600, 300, 200, 100], "of_previous": [None, .5, .5, 2 / 3, .5],
        "of_top": [1, .5, .25, 1 / 6, 1 / 12]}))
    assert funnel.data[0].text[:2] == ("<b>1.200</b>", "<b>600</b> · 50\u00a0%")
    assert "Personen" in funnel.data[0].hovertemplate


# --- what lib raises -----------------------------------------------------------------------


def test_a_wrong_next_step_is_refused_in_german(german):
    with pytest.raises(InvalidInput) as refused:
        NextStep("fax", date(2026, 1, 5))
    assert str(refused.value) == (
        "nächster Schritt: der nächste Schritt ist ein Anruf, eine E-Mail, ein Termin oder "
        "eine Aufgabe, nicht 'fax'")
    with pytest.raises(InvalidInput, match="^Fälligkeitsdatum: der nächste Schritt braucht"):
        NextStep("call", None)


@pytest.fixture
def lead(fresh_db):
    owner = factories.user(fresh_db, "Anna")
    person = factories.person(fresh_db, first_name="Max", last_name="Mueller", company="Firma")
    lead_id = leads.convert(fresh_db, person, owner_id=owner, amount=1000, by=owner,
                            next_step=NextStep("call", date(2026, 12, 1), time(10))).lead_id
    return owner, lead_id


def test_a_stale_edit_is_refused_in_german(german, fresh_db, lead):
    owner, lead_id = lead
    form = {"title": "Firma — Max Mueller", "amount": 1000, "probability": None}
    leads.edit(fresh_db, lead_id, by=owner, seen=form, amount=2500)
    with pytest.raises(EditConflict) as refused:
        leads.edit(fresh_db, lead_id, by=owner, seen=form, amount=1200)
    assert str(refused.value) == ("Betrag: Jemand hat es auf '2500.00' geändert, seit Sie den "
                                  "Lead geöffnet haben; nichts wurde gespeichert.")


def test_closing_and_reopening_refusals_read_german(german, fresh_db, lead):
    owner, lead_id = lead
    with pytest.raises(InvalidInput, match="^Grund: wählen Sie eines von: kein Budget, "):
        leads.lost(fresh_db, lead_id, "bored", by=owner)
    leads.won(fresh_db, lead_id, by=owner)
    with pytest.raises(UserError, match="^„Firma — Max Mueller“ ist bereits gewonnen;"):
        leads.move_step(fresh_db, lead_id, "contacted", by=owner)


def test_the_timeline_reads_german(german, fresh_db, lead):
    owner, lead_id = lead
    leads.move_step(fresh_db, lead_id, "contacted", by=owner)
    leads.set_next_step(fresh_db, lead_id, NextStep("meeting", date(2026, 12, 4), time(14), 45,
                                                    "Demo"), by=owner)
    what = leads.timeline(fresh_db, lead_id, viewer=access.FULL_ACCESS)["what"].tolist()
    assert "Schritt: Neu → Kontaktiert" in what
    assert ("nächster Schritt: Anruf 01.12.2026 10:00 → Termin 04.12.2026 14:00 (45 Min.): "
            "Demo") in what
    assert "in den Lead „Firma — Max Mueller“ konvertiert" in what


# --- the pipeline's steps in German --------------------------------------------------------


def test_the_seeded_steps_have_german_names_shown_to_german_users(fresh_db):
    with i18n.using("de"):
        assert list(leads.active_steps(fresh_db).values()) == [
            "Neu", "Kontaktiert", "Termin vereinbart", "Angebot gesendet", "Verhandlung"]
    assert list(leads.active_steps(fresh_db).values())[0] == "New"


def test_a_manager_edits_both_names_and_the_board_follows(fresh_db, lead):
    owner, lead_id = lead
    table = pipeline.steps_table(fresh_db)
    table.loc[table["key"] == "new", "label_de"] = "Frisch"
    assert pipeline.update_steps(fresh_db, pipeline.steps_from_table(table), by=None) == 1
    added = pipeline.add_step(fresh_db, "Trial running", label_de="Testphase", by=None)
    assert (added.label, added.label_de) == ("Trial running", "Testphase")
    with i18n.using("de"):
        card = leads.pipeline(fresh_db, viewer=access.FULL_ACCESS).set_index("lead_id")
        assert card.loc[lead_id, "step"] == "Frisch"
        assert list(leads.active_steps(fresh_db).values())[-1] == "Testphase"
        totals = leads.pipeline_totals(fresh_db, viewer=access.FULL_ACCESS)
        assert totals["step"].tolist()[0] == "Frisch"
    with i18n.using("en"):
        assert leads.pipeline(fresh_db, viewer=access.FULL_ACCESS)["step"].tolist() == ["New"]


def test_german_step_names_must_differ_and_a_full_step_is_refused_in_german(german, fresh_db,
                                                                            lead):
    table = pipeline.steps_table(fresh_db)
    table.loc[table["key"] == "contacted", "label_de"] = "neu"
    with pytest.raises(InvalidInput, match="zwei Schritte haben denselben Namen"):
        pipeline.update_steps(fresh_db, pipeline.steps_from_table(table), by=None)
    table = pipeline.steps_table(fresh_db)
    table.loc[table["key"] == "new", "active"] = False
    with pytest.raises(InvalidInput, match="^aktiv: 'Neu' enthält noch 1 offenen Lead"):
        pipeline.update_steps(fresh_db, pipeline.steps_from_table(table), by=None)
    with pytest.raises(InvalidInput, match="es gibt bereits einen Schritt namens 'Neu'"):
        pipeline.add_step(fresh_db, "Fresh", label_de="Neu", by=None)


# --- the calendar feed in its owner's language ---------------------------------------------


def summaries(body: bytes) -> list[str]:
    return [str(event["summary"]) for event in icalendar.Calendar.from_ical(body).events]


@pytest.fixture
def feed(file_db):
    cur = file_db.cursor()
    app = Starlette(routes=[calendar.feed_route(file_db.cursor)])
    with TestClient(app) as client:
        yield client, cur
    cur.close()


def owner_with_a_call(cur, language: str | None) -> str:
    rep = factories.user(cur, "Anna Rep")
    users.set_language(cur, rep, language, by=rep)
    person = factories.person(cur, company="Acme", first_name="Max", last_name="Mueller",
                              phone="+49 30 123456")
    leads.convert(cur, person, owner_id=rep, by=rep,
                  next_step=NextStep("call", DAY, time(9), note="Preise"))
    return calendar.issue_token(cur, rep)


def test_the_feed_is_german_for_a_german_owner(feed):
    client, cur = feed
    token = owner_with_a_call(cur, "de")
    body = client.get(f"/calendar/{token}.ics", headers={"accept-language": "en-US"}).content
    assert summaries(body) == ["Anruf: Acme — Max Mueller"]
    event = icalendar.Calendar.from_ical(body).events[0]
    assert str(event["description"]) == "Preise\nTelefon: +49 30 123456"
    assert str(event.subcomponents[0]["description"]) == "Anruf: Acme — Max Mueller"


def test_the_feed_is_english_for_an_english_owner(feed):
    client, cur = feed
    token = owner_with_a_call(cur, "en")
    body = client.get(f"/calendar/{token}.ics", headers={"accept-language": "de-DE"}).content
    assert summaries(body) == ["Call: Acme — Max Mueller"]
    assert "Phone: +49 30 123456" in str(icalendar.Calendar.from_ical(body).events[0][
        "description"])


def test_an_owner_without_a_choice_gets_the_calendar_apps_language(feed):
    client, cur = feed
    token = owner_with_a_call(cur, None)
    german = client.get(f"/calendar/{token}.ics", headers={"accept-language": "de-DE,de;q=0.9"})
    assert summaries(german.content) == ["Anruf: Acme — Max Mueller"]
    plain = client.get(f"/calendar/{token}.ics")
    assert summaries(plain.content) == ["Call: Acme — Max Mueller"]
    assert i18n.language() == "en"  # the feed's language stayed inside the request
