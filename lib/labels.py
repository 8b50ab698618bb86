"""What a count counts, in the same words on every page.

Several pages count "leads", and they count different things: the leads open today (Pipeline,
To-do), the people who ever reached the lead rung (Funnel), the list rows whose person is a
lead now (Lists). Each number carries the label that says which, and every page takes its
label from here. ``tests/test_labels.py`` asserts how these numbers relate on the demo.
"""

from __future__ import annotations

OPEN_LEADS = "Open leads"              # leads to do or on standby, one per person (Pipeline, To-do)
OVERDUE_LEADS = "Overdue open leads"   # open leads whose next step is past due (To-do, Overdue)
ROWS = "Rows"                          # list rows: a person on two lists is two rows
PEOPLE = "People"                      # distinct people, however many lists they are on

# The funnel counts people by the highest rung they ever reached (see lib/metrics.py).
EVER_REACHED = {"suspect": "Ever suspect", "prospect": "Ever reached prospect",
                "lead": "Ever reached lead", "converted": "Ever converted", "won": "Ever won"}
# The Lists page counts rows by their person's status today.
ROWS_NOW = {"suspect": "Suspect rows", "prospect": "Prospect rows", "lead": "Lead rows",
            "dead": "Dead rows"}

HELP = {
    OPEN_LEADS: "Leads not yet won, lost or cancelled (standby included): each has a next step.",
    OVERDUE_LEADS: "Open leads whose next step is past due; parked leads are not overdue.",
    ROWS: "Rows of the lists: a person on two lists is counted on each.",
    PEOPLE: "Distinct people, however many lists they are on.",
    "now": "Rows whose person has this status today.",
}


_ONE = {OPEN_LEADS: "Open lead", OVERDUE_LEADS: "Overdue open lead", ROWS: "Row",
        PEOPLE: "Person"}


def count_line(count: int, label: str) -> str:
    """ "18 open leads" (or "1 open lead"): a count with its label in running text."""
    word = _ONE.get(label, label) if count == 1 else label
    return f"{count:,} {word[:1].lower()}{word[1:]}"
