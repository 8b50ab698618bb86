"""Numbers that count different things say so, in the same words on every page, and relate as
they must: read off the pages themselves (AppTest) on the demo."""

from __future__ import annotations

import re

import pytest

from lib import labels
from tests import lead_seed
from tests.apptest import cursor, open_page


def number(text: str, label: str) -> int:
    """The count in front of ``label`` in running text ("18 open leads" → 18)."""
    found = re.search(rf"([\d,]+) {re.escape(labels.count_line(2, label)[2:])}", text)
    assert found, f"no '{label}' count in {text!r}"
    return int(found.group(1).replace(",", ""))


def metric(at, label: str) -> int:
    values = [m.value for m in at.metric if m.label.replace(":red[", "").rstrip("]") == label]
    assert len(values) == 1, f"one metric labelled {label!r}: {[m.label for m in at.metric]}"
    return int(values[0].replace(",", ""))


@pytest.fixture
def clara(demo_path) -> int:
    """The demo's manager: sees the whole team."""
    with cursor(demo_path) as cur:
        return lead_seed.user_id(cur, lead_seed.CLARA)


def test_every_page_labels_what_it_counts_and_the_numbers_relate(demo_path, monkeypatch,
                                                                 clara):
    pipeline = open_page(demo_path, "pipeline", monkeypatch, acting=clara)
    open_on_pipeline = metric(pipeline, labels.OPEN_LEADS)

    todo = open_page(demo_path, "todo", monkeypatch, acting=clara)
    todo.selectbox(key=f"todo_owner_{clara}").select("team").run()
    sections = {m.label.replace(":red[", "").rstrip("]"): int(m.value) for m in todo.metric}
    totals = todo.caption[0].value
    open_on_todo = number(totals, labels.OPEN_LEADS)
    overdue_on_todo = number(totals, labels.OVERDUE_LEADS)

    overdue = open_page(demo_path, "overdue", monkeypatch, acting=clara)
    heading = next(h.value for h in overdue.subheader if h.value.startswith(labels.OVERDUE_LEADS))
    overdue_on_overdue = int(heading.rsplit("(", 1)[1].rstrip(")").replace(",", ""))

    funnel = open_page(demo_path, "funnel", monkeypatch, acting=clara)
    ever_lead = metric(funnel, labels.EVER_REACHED["lead"])
    ever_converted = metric(funnel, labels.EVER_REACHED["converted"])

    lists_page = open_page(demo_path, "lists", monkeypatch, acting=clara)
    line = lists_page.caption[0].value
    rows, people = number(line, labels.ROWS), number(line, labels.PEOPLE)
    per_list = lists_page.dataframe[0].value

    assert open_on_pipeline == open_on_todo == sum(sections.values()) > 0
    assert overdue_on_todo == sections["Overdue"] == overdue_on_overdue > 0
    assert open_on_todo == overdue_on_overdue + sum(
        n for section, n in sections.items() if section != "Overdue")
    assert ever_lead >= ever_converted >= open_on_pipeline
    assert people <= rows == int(per_list["rows"].sum())
    assert int(per_list[["suspect", "prospect", "lead", "dead"]].sum().sum()) == rows
    with cursor(demo_path) as cur:
        leads_now = cur.execute("SELECT count(*) FROM people WHERE status = 'lead' AND id IN"
                                " (SELECT person_id FROM list_rows)").fetchone()[0]
    assert int(per_list["lead"].sum()) >= leads_now  # rows at lead count a person per list


def test_the_labels_are_the_ones_each_page_shows(demo_path, monkeypatch, clara):
    pipeline = open_page(demo_path, "pipeline", monkeypatch, acting=clara)
    assert labels.OPEN_LEADS in [m.label for m in pipeline.metric]
    funnel = open_page(demo_path, "funnel", monkeypatch, acting=clara)
    shown = [m.label for m in funnel.metric]
    assert [labels.EVER_REACHED[s] for s in ("suspect", "prospect", "lead", "converted",
                                             "won")] == shown[:5]
    assert "Leads" not in shown  # the bare word said nothing about what it counted
    assert labels.count_line(1, labels.PEOPLE) == "1 person"
    assert labels.count_line(1_900, labels.PEOPLE) == "1,900 people"
