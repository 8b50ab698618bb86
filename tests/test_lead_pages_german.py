"""The leads and manager pages in German on the demo (AppTest): a user whose language is "de"
reads German headings, German dates and amounts, and none of the pages' English wording. The
English pages are pinned by test_lead_pages, test_manager_pages and test_labels."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import access, db, display, i18n, leads, metrics, pipeline, schedule, settings, users
from tests.apptest import computed, cursor, no_errors, open_page, shown_metrics, table_with
from tests.lead_seed import ANNA, CLARA, EVA, user_id

GERMAN_DAY = re.compile(r"\b(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{2}\.\d{2}\.|\b(heute|morgen|gestern)\b")
GERMAN_DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
GERMAN_AMOUNT = re.compile(r"\b\d{1,3}(\.\d{3})*(,\d{2})?\u00a0€")
ENGLISH_AMOUNT = re.compile(r"€\d")


def german_page(path: Path, name: str, monkeypatch: pytest.MonkeyPatch, email: str = CLARA,
                **query: object) -> AppTest:
    """pages/<name>.py for the demo user with that e-mail, whose language is German."""
    with cursor(path) as cur:
        acting = user_id(cur, email)
        users.set_language(cur, acting, "de", by=acting)
    at = open_page(path, name, monkeypatch, acting=acting, **query)
    no_errors(at)
    return at


def texts(at: AppTest) -> str:
    """Every text the page shows in its main area: values, labels, options, helps, placeholders
    and the tables' column labels and cells, one per line."""
    found: list[str] = []
    _collect(at.main, found)
    for table in at.main.dataframe:
        for column in json.loads(table.proto.columns or "{}").values():
            found.extend(str(column.get(k)) for k in ("label", "help") if column.get(k))
        found.extend(str(v) for v in table.value.astype(str).to_numpy().ravel())
    return "\n".join(found)


def _collect(node: Any, found: list[str]) -> None:
    for child in (getattr(node, "children", None) or {}).values():
        _collect(child, found)
    picker = getattr(node, "type", "") in ("selectbox", "multiselect", "button_group", "radio")
    for attr in ("label", "options", "help", "placeholder", *(() if picker else ("value",))):
        try:
            value = getattr(node, attr)
        except Exception:  # noqa: BLE001 (an element without that attribute)
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))


def english_left(shown: str, phrases: list[str]) -> list[str]:
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", shown)]


def test_the_to_do_page_reads_german(demo_path, monkeypatch):
    at = german_page(demo_path, "todo", monkeypatch, ANNA)
    assert at.title[0].value == "Aufgaben"
    labels = [m.label for m in at.metric]
    assert labels[1:] == ["Heute", "Demnächst", "Später", "Wiedervorlage"]
    assert "Überfällig" in labels[0]
    shown = texts(at)
    table = table_with(at, "next_step")
    assert all(GERMAN_DAY.search(step) for step in table["next_step"])
    assert all(GERMAN_AMOUNT.match(amount) for amount in table["amount"] if amount != "—")
    assert any(re.search(r"\d\u00a0%$", amount) for amount in table["amount"])
    assert set(table["when"]) <= {"Überfällig", "Heute", "Demnächst", "Später", "Wiedervorlage"}
    assert "Nächster Schritt" in shown and "Letzte Aktion" in shown
    assert not ENGLISH_AMOUNT.search(shown)
    assert english_left(shown, ["Overdue", "Upcoming", "Standby", "Last action", "Next step",
                                "open leads", "days ago", "yesterday", "tomorrow", "Call",
                                "Meeting", "Or click a row in the table"]) == []


def test_the_pipeline_reads_german_with_german_step_names_and_amounts(demo_path, monkeypatch):
    at = german_page(demo_path, "pipeline", monkeypatch)
    assert at.title[0].value == "Pipeline"
    metric = shown_metrics(at)
    totals = computed(demo_path, lambda cur: leads.pipeline_totals(cur,
                                                                  viewer=access.FULL_ACCESS))
    with i18n.using("de"):
        expected = display.money(float(totals["amount"].sum()))
    assert metric["Betrag"] == expected and GERMAN_AMOUNT.fullmatch(expected)
    assert "Offene Leads" in metric and "Gewichtet nach Wahrscheinlichkeit" in metric
    shown = texts(at)
    for step in ("**Neu** ·", "**Kontaktiert** ·", "**Termin vereinbart** ·"):
        assert step in shown
    assert "Verschieben nach" in shown and "Letzte Aktion" in shown
    assert GERMAN_DAY.search(shown) and "gewichtet" in shown
    assert not ENGLISH_AMOUNT.search(shown)
    assert english_left(shown, ["Open leads", "Amount", "Weighted by probability", "Move to",
                                "Last action", "weighted", "New", "Contacted",
                                "Meeting scheduled", "Proposal sent", "more"]) == []


def demo_lead(path: Path) -> int:
    """The demo's most urgent lead of Anna's, with an amount."""
    rows = computed(path, lambda cur: leads.todo(cur, viewer=access.FULL_ACCESS,
                                                 user_id=user_id(cur, ANNA)))
    return int(rows[rows["amount"].notna()]["lead_id"].iloc[0])


def test_the_lead_page_reads_german(demo_path, monkeypatch):
    lead_id = demo_lead(demo_path)
    at = german_page(demo_path, "lead", monkeypatch, lead=lead_id)
    shown = texts(at)
    assert [s.value for s in at.subheader] == ["Verlauf"]
    for heading in ("**Nächster Schritt**", "**Warum es ein Lead ist**", "Letzte Aktion",
                    "Lead bearbeiten", "Änderungen speichern", "Wahrscheinlichkeit (%)"):
        assert heading in shown, heading
    assert GERMAN_AMOUNT.search(at.markdown[0].value)
    assert GERMAN_DAY.search(shown)
    criteria = computed(demo_path, lambda cur: cur.execute(
        "SELECT c.label_de, c.label_en FROM ticks t JOIN criteria c ON c.key = t.criterion_key"
        " JOIN leads l ON l.person_id = t.person_id WHERE l.id = ?", [lead_id]).fetchall())
    for german, english in criteria:
        assert f"✔ {display.literal(german)}" in shown and english not in shown
    assert english_left(shown, ["Next step", "Timeline", "Why it is a lead", "Edit the lead",
                                "Last action", "Save changes", "Probability (%)",
                                "converted to the lead", "Call", "Meeting"]) == []


def test_the_calendar_page_reads_german(demo_path, monkeypatch):
    at = german_page(demo_path, "calendar", monkeypatch, ANNA)
    assert at.title[0].value == "Kalender"
    assert [s.value for s in at.subheader] == ["Herunterladen", "Abonnieren"]
    planned = computed(demo_path, lambda cur: sum(leads.todo_counts(
        cur, viewer=access.FULL_ACCESS, user_id=user_id(cur, ANNA)).values()))
    assert at.markdown[0].value.startswith(f"Ihre **{planned} offenen nächsten Schritte**")
    shown = texts(at)
    assert "Meine nächsten Schritte herunterladen (.ics)" in shown
    assert english_left(shown, ["Download", "Subscribe", "open next steps",
                                "Create my subscription address"]) == []


def test_the_funnel_reads_german_with_german_numbers_and_periods(demo_path, monkeypatch):
    at = german_page(demo_path, "funnel", monkeypatch)
    assert at.title[0].value == "Trichter"
    assert [s.value for s in at.subheader][:2] == ["Trichter", "Personen hinter einer Stufe"]
    metric = shown_metrics(at)
    today = computed(demo_path, schedule.today)
    with i18n.using("de"):
        headline = computed(demo_path, lambda cur: metrics.headline(
            cur, metrics.FunnelFilter(events=metrics.preset("Last 90 days", today)),
            viewer=access.FULL_ACCESS))
        expected = {h.label: h.text for h in headline}
    assert {label: metric[label] for label in expected} == expected
    assert "Jemals Suspect" in metric and "Suspect → Interessent" in metric
    rates = [metric[h.label] for h in headline if h.is_rate and h.value is not None]
    assert rates and all(re.fullmatch(r"\d{1,3},\d\u00a0%", rate) for rate in rates)
    caption = next(c.value for c in at.caption if c.value.startswith("Stufen erreicht"))
    assert len(GERMAN_DATE.findall(caption)) == 4
    shown = texts(at)
    people = next(t for t in at.main.dataframe if "reached_at" in t.value.columns)
    reached = json.loads(people.proto.columns)["reached_at"]
    assert (reached["label"], reached["type_config"]["format"]) == ("Erreicht", "DD.MM.YYYY")
    assert english_left(shown, ["Ever suspect", "Ever reached lead", "Stages reached",
                                "People behind a stage", "Drop-off", "Table", "Lists",
                                "All lists", "Last 90 days", "Criteria that predict leads",
                                "people"]) == []


def test_the_overdue_page_reads_german(demo_path, monkeypatch):
    at = german_page(demo_path, "overdue", monkeypatch)
    assert at.title[0].value == "Überfällig"
    with cursor(demo_path) as cur:
        today = schedule.today(cur)
        zone = settings.get(cur, "timezone")
        reps = metrics.overdue_per_rep(cur, db.utcnow(), viewer=access.FULL_ACCESS)
    with i18n.using("de"):
        long_day = i18n.day(today, "long_date")
    assert at.caption[0].value.startswith(f"Nächste Schritte, deren Fälligkeit verstrichen ist, "
                                          f"Stand {long_day} ({zone}).")
    assert re.search(r"(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d{1,2}\. "
                     r"(Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|"
                     r"November|Dezember) \d{4}", long_day)
    metric = shown_metrics(at)
    assert metric["Alle"] == i18n.number(int(reps["count"].sum()))
    late = table_with(at, "days_overdue")
    assert len(late) and all(GERMAN_DAY.search(due) for due in late["due"])
    assert set(late["next_type"]) <= {"📞 Anruf", "✉️ E-Mail", "🤝 Termin", "☑️ Aufgabe"}
    subheads = [s.value for s in at.subheader]
    assert subheads[:2] == ["Pro Vertriebler, nach Verspätung",
                            f"Überfällige offene Leads ({int(reps['count'].sum())})"]
    shown = texts(at)
    assert english_left(shown, ["Everyone", "Per rep, by how late", "Going quiet",
                                "Overdue open leads", "Back from standby this week",
                                "Most overdue first", "Quiet for", "Call", "Task"]) == []


def test_the_pipeline_steps_on_settings_are_named_in_both_languages(demo_path, monkeypatch):
    at = german_page(demo_path, "settings", monkeypatch, EVA)
    steps = table_with(at, "open_leads")
    assert dict(zip(steps["key"], steps["label_de"], strict=True))["new"] == "Neu"
    assert "Pipeline-Schritte" in [s.value for s in at.subheader]
    shown = texts(at)
    assert "Schritt (Deutsch)" in shown and "Deutscher Name" in shown
    new = int(steps.index[steps["key"] == "new"][0])
    at.session_state["settings_steps_0"] = {
        "edited_rows": {new: {"label_de": "Frisch"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="FormSubmitter:settings_steps-Schritte speichern").click().run()
    assert at.success[0].value == "Pipeline-Schritte gespeichert (1 Änderung)."
    with cursor(demo_path) as cur:
        assert {s.key: (s.label, s.label_de) for s in pipeline.steps(cur)}["new"] == (
            "New", "Frisch")
