"""How a lead reads and is worked on screen: the to-do card, the pipeline card, the lead page and
the lead dialogs' actions.

Everything here is plain: the markdown each screen shows (text from the database escaped with
``display.literal``), which actions a lead offers, and the lead actions that return what they did
(for the toast), so a unit test can read exactly what a rep will read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any

import pandas as pd

from lib import display, i18n, labels, leads, schedule
from lib.db import Connection
from lib.i18n import N_, _

GROUPS = schedule.GROUPS
GROUP_EMPTY = {"overdue": N_("Nothing overdue."), "today": N_("Nothing else due today."),
               "upcoming": N_("Nothing due in the next 7 days."),
               "later": N_("Nothing planned further out."), "standby": N_("No lead is parked.")}
ACTIVITY_LABELS = {"call": N_("📞 Call"), "email": N_("✉️ E-mail"), "meeting": N_("🤝 Meeting"),
                   "note": N_("📝 Note"), "none": N_("Nothing, only reschedule")}
CLOSED_LABELS = {"won": N_("Won"), "lost": N_("Lost"), "cancelled": N_("Cancelled")}
# A closed lead's status in running text ("None: won yesterday").
CLOSED_WORDS = {"won": N_("won"), "lost": N_("lost"), "cancelled": N_("cancelled")}
LIKELY_ACTIVITY = {"call": "call", "email": "email", "meeting": "meeting", "task": "note"}
CLOSED_BADGES = {"won": "green", "lost": "red", "cancelled": "gray"}
# What each timeline entry is; entries that name their field themselves get only an icon.
TIMELINE_KINDS = {"call": N_("📞 Call ·"), "email": N_("✉️ E-mail ·"),
                  "meeting": N_("🤝 Meeting ·"), "note": N_("📝 Note ·"), "convert": "⭐",
                  "import": N_("⬆️ Import ·"), "tick": N_("☑️ Ticked:"),
                  "untick": N_("⬜ Unticked:"), "next_step": "🗓️",
                  "lead_step": "➡️", "lead_status": "🏁", "lead_edit": "✏️", "status": "🪜",
                  "owner": "👤", "cancel": "✖️", "revive": "↩️"}
EDITABLE = ("amount", "probability", "expected_close", "tags")

Lead = Mapping[str, Any]


# --- shared by the to-do, the pipeline and the dialogs ---------------------------------------


def group_title(group: str) -> str:
    """A to-do group with its span: "Upcoming · next 7 days"."""
    return " · ".join(filter(None, (schedule.group_label(group), schedule.group_span(group))))


def group_label(group: str, count: int) -> str:
    """A to-do count's label: short, and red when something is overdue."""
    return f":red[{group_title(group)}]" if group == "overdue" and count else (
        schedule.group_label(group))


def group_empty(group: str) -> str:
    """What an empty to-do group says."""
    return _(GROUP_EMPTY[group])


def activity_labels() -> dict[str, str]:
    """Every activity a rep logs → its label in the current language (for pickers)."""
    return i18n.translated(ACTIVITY_LABELS)


def chance(lead: Lead, form: str = " · {}") -> str:
    """The probability after an amount (" · 60%", German " · 60 %"); nothing when none was
    given."""
    probability = display.given(lead["probability"])
    return "" if probability is None else form.format(i18n.percent(probability / 100))


def due_line(lead: Lead, today: date, *, group: str) -> str:
    """The next step with its badge: ":red-badge[Overdue] 📞 Call · yesterday 10:00"."""
    return f"{display.badge(group)} " + display.next_step_text(
        lead["next_type"], lead["next_due_date"], lead["next_due_time"], today)


def heading(lead: Lead, today: date) -> display.Markdown:
    """A lead dialog's first line: title, step and, for an open lead, the next step."""
    due = ("" if display.given(lead.get("next_type")) is None else " · " + _("next step:")
           + " " + display.next_step_text(lead["next_type"], lead["next_due_date"],
                                    lead["next_due_time"], today))
    return display.Markdown(
        f"**{display.literal(lead['title'])}** · {display.literal(lead['step'])}{due}")


def actions(status: str, *, detail: bool) -> tuple[str, list[str]]:
    """The button a lead offers and its menu: a closed lead can only be reopened."""
    if status in leads.CLOSED:
        primary, menu = "reopen", []
    else:
        primary, menu = "log", ["resume" if status == "standby" else "standby", "step", "won",
                                "lost", "cancelled"]
    return primary, menu + (["detail"] if detail else [])


def likely_activity(lead: Lead) -> str:
    """What a rep most likely logs: the planned step's kind (a task ends in a note)."""
    return LIKELY_ACTIVITY.get(display.given(lead.get("next_type")), "call")


# --- the to-do card --------------------------------------------------------------------------


def todo_due_note(lead: Lead, today: date) -> str | None:
    """Under the next step: when a parked lead comes back, else the step's note."""
    if lead["group"] == "standby":
        return _parked(lead, today)
    note = display.given(lead["next_note"])
    return display.literal(note) if note else None


def _parked(lead: Lead, today: date) -> str:
    return _("parked until {day}").format(day=display.day_text(lead["standby_until"], today))


def todo_amount(lead: Lead) -> str:
    """Where the lead stands: step, amount, probability."""
    amount = display.money(lead["amount"], lead["currency"])
    return f"{display.literal(lead['step'])} · **{amount}**{chance(lead)}"


def todo_totals(counts: Mapping[str, int]) -> str:
    """Under the counts: how many open leads they add up to, and how many are overdue."""
    return (f"{labels.count_line(sum(counts.values()), labels.OPEN_LEADS)} · "
            f"{labels.count_line(counts['overdue'], labels.OVERDUE_LEADS)}")


def todo_table(rows: pd.DataFrame, today: date, *, with_owner: bool) -> pd.DataFrame:
    """The to-do as one table, indexed by lead id, most urgent first (as ``leads.todo`` sorts):
    plain text, shown as text."""
    records = rows.to_dict("records")
    table = pd.DataFrame({
        "when": [schedule.group_label(r["group"]) for r in records],
        "lead": [r["title"] for r in records],
        "next_step": [display.next_step_text(r["next_type"], r["next_due_date"],
                                             r["next_due_time"], today) for r in records],
        "note": [_plain_due_note(r, today) for r in records],
        "step": [r["step"] for r in records],
        "amount": [display.money(r["amount"], r["currency"]) + chance(r) for r in records],
        "last_action": [display.since_text(r["days_since"]) for r in records],
        "owner": [r["owner"] for r in records],
    }, index=pd.Index([int(r["lead_id"]) for r in records], name="lead_id"))
    return table if with_owner else table.drop(columns="owner")


def _plain_due_note(lead: Lead, today: date) -> str:
    if lead["group"] == "standby":
        return _parked(lead, today)
    return display.given(lead["next_note"]) or ""


def choice_label(lead: Lead, today: date) -> str:
    """A lead in the to-do's picker: its section, title and next step (plain text)."""
    return (f"{schedule.group_label(lead['group'])} · {lead['title']} · "
            + display.next_step_text(lead["next_type"], lead["next_due_date"],
                                     lead["next_due_time"], today))


def shown_line(rows: pd.DataFrame, counts: Mapping[str, int]) -> str | None:
    """Under the to-do table, when some sections were cut: "Showing the first 25 of 40
    Overdue, …" (markdown, text escaped); None when every lead is shown."""
    shown = {g: int((rows["group"] == g).sum()) for g in leads.GROUPS}
    cut = [_("{shown} of {count} {group}").format(
        shown=i18n.number(shown[g]), count=i18n.number(counts[g]), group=group_title(g))
        for g in leads.GROUPS if counts[g] > shown[g]]
    return display.literal(_("Showing the first {parts}.").format(parts=", ".join(cut))
                           ) if cut else None


def chosen_line(lead: Lead, today: date) -> str:
    """The picked lead above the actions: badge and next step, contact links, money, last
    action (markdown, text escaped)."""
    contact = display.contact_links(lead) or _("no e-mail or phone")
    return (f"{due_line(lead, today, group=lead['group'])} · {contact}  \n"
            f":gray[{todo_amount(lead)} · {last_action(lead, with_owner=True)}]")


def last_action(lead: Lead, *, with_owner: bool) -> str:
    """ "Last action 3 days ago", with whose lead it is when the whole team is shown."""
    return _last_action(lead) + (
        f" · {display.literal(lead['owner'])}" if with_owner else "")


# --- the pipeline ----------------------------------------------------------------------------


def amounts(totals: pd.DataFrame, column: str) -> str:
    """A sum per currency, e.g. "€120,000" or "€120,000 + $4,000"."""
    sums = totals[totals["count"] > 0].groupby("currency")[column].sum()
    return " + ".join(display.money(value, currency) for currency, value in sums.items()) or "—"


def open_count(totals: pd.DataFrame) -> int:
    """How many open leads rows of ``leads.pipeline_totals`` hold."""
    return int(totals["count"].sum())


def steps(totals: pd.DataFrame) -> dict[str, str]:
    """The board's columns: step key → label, in the board's order."""
    return dict(zip(totals["step_key"], totals["step"], strict=False))


def _last_action(lead: Lead) -> str:
    return _("Last action {since}").format(since=display.since_text(lead["days_since"]))


def step_caption(totals: pd.DataFrame) -> str:
    """Under a step's name: its money, or that it is empty."""
    if not open_count(totals):
        return _("No open leads")
    return _("{amount} · weighted {weighted}").format(
        amount=amounts(totals, "amount"), weighted=amounts(totals, "weighted"))


def step_heading(label: str, count: int) -> display.Markdown:
    """A board column's name with how many open leads it holds: "**New** · 12"."""
    return display.Markdown(f"**{display.literal(label)}** · {i18n.number(count)}")


def more_line(count: int) -> str:
    """Under a board column that shows only some cards: "12 more"."""
    return _("{count} more").format(count=i18n.number(count))


def card_title(lead: Lead) -> str:
    """A pipeline card is named after the company (the title when there is none)."""
    return display.given(lead["company"]) or lead["title"]


def card_amount(lead: Lead, *, with_owner: bool) -> str:
    """Amount and probability, then the contact (and owner, for the whole team)."""
    who = f" · {display.literal(lead['owner'])}" if with_owner else ""
    return (f"**{display.money(lead['amount'], lead['currency'])}**{chance(lead)}  \n"
            f":gray[{display.literal(display.given(lead['name']) or '')}{who}]")


def card_body(lead: Lead, today: date, *, with_owner: bool) -> str:
    """A pipeline card under its title, as one markdown block (one element per card keeps a
    full board light in the browser): money and contact, the next step, the last action."""
    return (f"{card_amount(lead, with_owner=with_owner)}  \n"
            f"{due_line(lead, today, group=lead['group'])}  \n"
            f":gray[{_last_action(lead)}]")


def move_targets(movable: Mapping[str, str], lead: Lead) -> list[str]:
    """The steps a card can move to: every active step but its own."""
    return [key for key in movable if key != lead["step_key"]]


# --- the lead page ---------------------------------------------------------------------------


def requested(value: str) -> int | None:
    """The lead id of the page's ?lead= parameter; None when it is not a number."""
    return int(value) if value.isdigit() else None


def standing(lead: Lead) -> str:
    """Badges and facts under the title: step, due state or outcome, owner, money."""
    if lead["status"] in leads.CLOSED:
        reason = display.given(lead["close_reason"])
        state = f":{CLOSED_BADGES[lead['status']]}-badge[{_(CLOSED_LABELS[lead['status']])}" + (
            f": {display.literal(reason)}]" if reason else "]")
    else:
        state = display.badge(lead["group"])
    return (f":blue-badge[{display.literal(lead['step'])}] {state} · "
            f"{display.literal(lead['owner'])} · "
            f"**{display.money(lead['amount'], lead['currency'])}**{chance(lead, ' ({})')}")


def closed_line(lead: Lead, today: date) -> str:
    """A closed lead's next-step box: how and when it closed, and the closing note."""
    note = display.given(lead["close_note"])
    return (_("None: {state} {day}").format(state=_(CLOSED_WORDS[lead["status"]]),
                                              day=display.day_text(lead["closed_at"], today))
            + (f". {display.literal(note)}" if note else ""))


def next_step_line(step: leads.NextStep, group: str, today: date) -> str:
    """The next step with its badge and, for a meeting, how long it lasts."""
    length = " · " + _("{minutes} min").format(minutes=step.duration_min) if (
        step.duration_min) else ""
    return (f"{display.badge(group)} "
            + display.next_step_text(step.type, step.due_date, step.due_time, today) + length)


def timeline_line(entry: Mapping[str, Any], zone: tzinfo, today: date) -> str:
    """One timeline entry: what happened, then who and when in grey."""
    who = display.literal(entry["who"] or _("the command line"))
    what = display.literal(entry["what"][:1].upper() + entry["what"][1:])
    kind = TIMELINE_KINDS.get(entry["kind"])
    return (f"{_(kind) if kind else entry['kind']} {what}  \n"
            f":gray[{who} · {display.moment_text(entry['at'], zone, today)}]")


def contact_lines(contact: Mapping[str, Any]) -> list[str]:
    """The contact card's two markdown blocks: name and job title; company and links."""
    name = " ".join(filter(None, (contact[k] for k in ("salutation", "first_name",
                                                         "last_name"))))
    return [f"**{display.literal(name or '—')}**  \n{display.literal(contact['job_title'] or '')}",
            f"{display.literal(contact['company'] or '')}  \n" + display.contact_links(contact)]


def contact_facts(contact: Mapping[str, Any]) -> list[str]:
    """The card's small print: address, website, source and notes, the known ones."""
    place = " ".join(filter(None, (contact["postal_code"], contact["city"])))
    address = ", ".join(filter(None, (contact["street"], place, contact["country"])))
    facts = ((_("Address"), address), (_("Website"), contact["website"]),
             (_("Source"), contact["source"]), (_("Notes"), contact["notes"]))
    return [f"{label}: {display.literal(value)}" for label, value in facts if value]


def tick_line(tick: Mapping[str, Any], today: date) -> str:
    """A criterion that qualified the lead, who ticked it and when."""
    return (f"✔ {display.literal(tick['label'])}  \n"
            f":gray[{display.literal(tick['ticked_by'] or '—')} · "
            f"{display.day_text(tick['ticked_at'], today)}]")


def edit_values(lead: Lead) -> dict[str, Any]:
    """The edit form's starting values; blanks as None, which the inputs show empty."""
    return {key: display.given(lead[key]) for key in EDITABLE}


FIELD_LABELS = {"title": N_("title"), "owner_id": N_("owner id"), "amount": N_("amount"),
                "currency": N_("currency"), "probability": N_("probability"),
                "expected_close": N_("expected close"), "tags": N_("tags")}


def saved_text(changed: Mapping[str, Any]) -> str:
    """What an edit saved: "Saved: amount, tags"."""
    if not changed:
        return _("Nothing changed")
    names = ", ".join(_(FIELD_LABELS[f]) if f in FIELD_LABELS else f.replace("_", " ")
                      for f in changed)
    return _("Saved: {fields}").format(fields=names)


# --- the lead actions, each returning what it did --------------------------------------------


def log_and_plan(db: Connection, lead: Lead, kind: str, outcome: str | None,
                 text: str | None, step: Mapping[str, Any], *, by: int | None) -> str:
    """Log what happened (``kind`` "none": nothing, only reschedule) and set the next step."""
    next_step = leads.NextStep(**step)
    lead_id = int(lead["lead_id"])
    if kind == "none":
        leads.set_next_step(db, lead_id, next_step, by=by)
    else:
        activity = leads.Activity(kind, text, outcome)
        leads.log_activity_and_next_step(db, lead_id, activity, next_step, by=by)
    done = _("Rescheduled") if kind == "none" else _("{what} logged").format(
        what=_(ACTIVITY_LABELS[kind]))
    planned = display.next_step_text(next_step.type, next_step.due_date, next_step.due_time,
                                     schedule.today(db))
    return f"{done}: {lead['title']} → {planned}"


def move(db: Connection, lead: Lead, step_key: str, *, by: int | None) -> str:
    """Move a lead to another step (logged)."""
    leads.move_step(db, int(lead["lead_id"]), step_key, by=by)
    return f"{lead['title']} → {leads.active_steps(db).get(step_key, step_key)}"


def standby(db: Connection, lead: Lead, until: date, step: Mapping[str, Any], *,
            by: int | None) -> str:
    leads.standby(db, int(lead["lead_id"]), until, leads.NextStep(**step), by=by)
    return _("{title} parked until {day}").format(
        title=lead["title"], day=display.day_text(until, schedule.today(db)))


def resume(db: Connection, lead: Lead, *, by: int | None) -> str:
    leads.resume(db, int(lead["lead_id"]), by=by)
    return _("{title} is back in the to-do").format(title=lead["title"])


def close(db: Connection, lead: Lead, outcome: str, reason: str | None, note: str | None, *,
          by: int | None) -> str:
    """Close a lead as won, lost or cancelled (the last two with a reason)."""
    lead_id = int(lead["lead_id"])
    if outcome == "won":
        leads.won(db, lead_id, note, by=by)
    else:
        closing = leads.lost if outcome == "lost" else leads.cancel
        closing(db, lead_id, reason or "", note, by=by)
    return f"{lead['title']}: {_(CLOSED_WORDS[outcome])}" + (
        " 🎉" if outcome == "won" else f" ({leads.reason_label(reason or '')})")


def reopen(db: Connection, lead: Lead, step: Mapping[str, Any], *, by: int | None) -> str:
    leads.reopen(db, int(lead["lead_id"]), leads.NextStep(**step), by=by)
    return _("{title} is open again").format(title=lead["title"])
