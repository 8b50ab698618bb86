"""What a count counts, in the same words on every page.

Several pages count "leads", and they count different things: the leads open today (Pipeline,
To-do), the people who ever reached the lead rung (Funnel), the list rows whose person is a
lead now (Lists). Each number carries the label that says which, and every page takes its
label from here. ``tests/test_labels.py`` asserts how these numbers relate on the demo.

The constants are the English wording (``N_``-marked); ``text``, ``help_text`` and
``count_line`` give them in the language of the run.
"""

from __future__ import annotations

from lib import i18n
from lib.i18n import N_, _

OPEN_LEADS = N_("Open leads")              # leads to do or on standby, one per person
OVERDUE_LEADS = N_("Overdue open leads")   # open leads whose next step is past due
ROWS = N_("Rows")                          # list rows: a person on two lists is two rows
PEOPLE = N_("People")                      # distinct people, however many lists they are on

# The funnel counts people by the highest rung they ever reached (see lib/metrics.py).
EVER_REACHED = {"suspect": N_("Ever suspect"), "prospect": N_("Ever reached prospect"),
                "lead": N_("Ever reached lead"), "converted": N_("Ever converted"),
                "won": N_("Ever won")}
# The Lists page counts rows by their person's status today.
ROWS_NOW = {"suspect": N_("Suspect rows"), "prospect": N_("Prospect rows"),
            "lead": N_("Lead rows"), "dead": N_("Dead rows")}

HELP = {
    OPEN_LEADS: N_("Leads not yet won, lost or cancelled (standby included): each has a next "
                   "step."),
    OVERDUE_LEADS: N_("Open leads whose next step is past due; parked leads are not overdue."),
    ROWS: N_("Rows of the lists: a person on two lists is counted on each."),
    PEOPLE: N_("Distinct people, however many lists they are on."),
    "now": N_("Rows whose person has this status today."),
}

# A count in running text: (one, many) per label.
_COUNTED = {
    OPEN_LEADS: (N_("{count} open lead"), N_("{count} open leads")),
    OVERDUE_LEADS: (N_("{count} overdue open lead"), N_("{count} overdue open leads")),
    ROWS: (N_("{count} row"), N_("{count} rows")),
    PEOPLE: (N_("{count} person"), N_("{count} people")),
}


def text(label: str) -> str:
    """A label of this module in the current language."""
    return _(label)


def help_text(label: str) -> str:
    """What a label's number counts, in the current language."""
    return _(HELP[label])


def count_line(count: int, label: str) -> str:
    """ "18 open leads" (or "1 open lead"): a count with its label in running text."""
    one, many = _COUNTED.get(label, ("{count} " + label, "{count} " + label))
    return _(one if count == 1 else many).format(count=i18n.number(count))
