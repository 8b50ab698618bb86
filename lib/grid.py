"""The prospecting grid: which rows and columns it holds, how a row is named, what an edit or a
row action says afterwards.

The page only draws a data_editor; every rule behind it is a plain function here, so it is
unit-tested on a real database instead of through the browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lib import access, display, i18n, leads, rows
from lib import qualification as q
from lib.db import Connection
from lib.i18n import _, pgettext

MY_ROWS = 0
PINNED = ("select", "status", "company", "row_name")
DETAILS = ("email", "phone", "mobile", "first_name", "last_name", "job_title", "website",
           "street", "postal_code", "city", "country", "source", "notes")
REFRESHED = ("status", "row_name", "converted", "why", "last_action", "last_action_at",
             "possible_duplicate")

# The status column shows a coloured dot and the status in the reader's language; the dot
# alone tells the status back (whatever language the snapshot was drawn in).
STATUS_DOTS = {"suspect": "⚪", "prospect": "🟡", "lead": "🟢", "dead": "⚫"}
HEADER_ROOM = 6  # characters a tick column's header shows at its width
MOBILE_AGENTS = ("Mobi", "Android", "iPhone", "iPad")
HISTORY_COLUMNS = ["happened_at", "who", "what", "change", "note"]
VALUE_CHANGES = ("edit", "import_fill", "import_kept", "status")

Chosen = Mapping[int, tuple[str, str]]  # person id → (row name, status)


# --- which list, which columns ---------------------------------------------------------------


def list_labels(overview: pd.DataFrame) -> dict[int, str]:
    """The list picker's entries: "All my rows", then each list with its row count."""
    return {MY_ROWS: _("All my rows"), **{
        int(i): _("{name} · {count} rows").format(name=name, count=i18n.number(count))
        for i, name, count in zip(overview["id"], overview["list"], overview["rows"],
                                  strict=True)}}


def list_to_show(labels: Mapping[int, str], *, opened: Any, shown: Any, last: Any) -> Any:
    """The list the picker shows: one just opened on the Lists page, else the one shown, else
    the one shown before the rep left the page, else the newest."""
    if opened in labels:
        return opened
    if shown in labels:
        return shown
    newest = next((i for i in labels if i != MY_ROWS), MY_ROWS)
    return newest if last is None else last


def list_name(label: str) -> str:
    """A picker entry without its row count: what a download is named after."""
    return label.split(" · ")[0]


def tick_columns(criteria: Sequence[q.Criterion]) -> list[str]:
    return [rows.tick_column(c.key) for c in criteria]


def sort_options(db: Connection, list_id: int | None, criteria: Sequence[q.Criterion]
                 ) -> list[str]:
    """Every column of the table ("" is the list's own order): contact fields, ticks, status,
    owner, last action, and (on a list) the file's extra columns."""
    extras = rows.extra_columns(db, list_id) if list_id is not None else []
    return ["", "status", "company", *tick_columns(criteria), "owner", "last_action_at",
            *DETAILS, "possible_duplicate", *extras]


def sort_label(column: str, criteria: Sequence[q.Criterion], *, on_list: bool) -> str:
    """How a sort option reads: a tick column by its criterion's short label."""
    if not column:
        return _("List order") if on_list else _("Oldest first")
    labels = {c.key: c.short for c in criteria}
    if (tick := rows.criterion_key(column)) in labels:
        return f"✓ {labels[tick]}"
    return rows.label("last_action" if column == "last_action_at" else column).capitalize()


def extra_columns(columns: Iterable[str], criteria: Sequence[q.Criterion]) -> list[str]:
    """The imported file's own columns among a page's columns (read-only, at the far right)."""
    known = {"select", "status", "row_name", "why", "converted", "owner_id", "owner",
             "last_action", "do_not_contact",
             "last_action_at", "possible_duplicate", *rows.CONTACT_FIELDS,
             *tick_columns(criteria)}
    return [c for c in columns if c not in known]


def column_order(columns: Iterable[str], criteria: Sequence[q.Criterion]) -> list[str]:
    """Who and status pinned at the left, owner, why and the lead marker next to them (in view
    at 1600 px), then the ticks the rep works, then the details."""
    return [*PINNED, "owner_id", "why", "converted", *tick_columns(criteria), "last_action",
            "last_action_at", "do_not_contact", *DETAILS, "possible_duplicate",
            *extra_columns(columns, criteria)]


def tick_header(short_label: str, room: int = HEADER_ROOM) -> str:
    """A tick column's header that fits its narrow column ("interest" → "inter."); the full
    wording is the column's help, on hover."""
    text = short_label.strip()
    return text if len(text) <= room else text[:room - 1].rstrip(" -") + "."


def narrow_screen(user_agent: str | None) -> bool:
    """Whether a browser is a phone's or tablet's, by its user agent: the card view is their
    default."""
    return any(word in (user_agent or "") for word in MOBILE_AGENTS)


def card_note(outcome: rows.ChangeOutcome) -> tuple[bool, str]:
    """What a card's toggle did: (refused?, message)."""
    if outcome.result != "saved":
        return True, outcome.message
    info = outcome.status
    if info is not None and info.changed:
        return False, _("Saved: {old} → {new}").format(old=q.status_label(info.old_status),
                                                      new=q.status_label(info.status))
    return False, _("Saved.")


def seen_ticks(saved: pd.DataFrame, person_ids: Iterable[int], key: str) -> dict[int, bool]:
    """The tick of criterion ``key`` each row showed: what a bulk tick compares against."""
    column = rows.tick_column(key)
    return {int(pid): bool(saved.loc[pid, column]) for pid in person_ids}


def editable_columns(criteria: Sequence[q.Criterion]) -> list[str]:
    """The columns whose edits are saved; every other column is read-only."""
    return [*rows.CONTACT_FIELDS, *tick_columns(criteria), "owner_id"]


# --- the rows the editor is fed --------------------------------------------------------------


def person_name(first: Any, last: Any) -> str:
    """First and last name, whichever are known."""
    return " ".join(str(p) for p in (first, last) if display.given(p) not in (None, ""))


def row_name(row: pd.Series) -> str:
    """How messages name a row: "Albert Auer · Alpha GmbH", else the e-mail."""
    parts = [p for p in (person_name(row["first_name"], row["last_name"]),
                         display.given(row["company"])) if p]
    return " · ".join(parts) or str(display.given(row["email"]) or _("unnamed row"))


def shaped(page: pd.DataFrame) -> pd.DataFrame:
    """Rows as the editor shows them: by person id, a select box first, the status as a badge
    and a read-only name column, with fixed column types."""
    shown = page.set_index("person_id")
    shown.insert(0, "select", False)
    shown["status"] = shown["status"].map(status_badge)
    shown.insert(1, "row_name", [person_name(first, last) for first, last in
                                 zip(shown["first_name"], shown["last_name"], strict=True)])
    return editor_types(shown)


def status_badge(status: str) -> str:
    """A status with its coloured dot, in the reader's language ("🟡 Interessent")."""
    dot = STATUS_DOTS.get(status)
    return f"{dot} {q.status_label(status)}" if dot else status


def status_of_badge(shown: Any) -> str:
    """The status behind a badge as the grid shows it, in either language (by its dot)."""
    text = str(shown)
    return next((s for s, dot in STATUS_DOTS.items() if text.startswith(dot)),
                next((s for s in STATUS_DOTS if text == s), "suspect"))


def rows_shown(db: Connection, f: rows.RowFilter, *, viewer: access.Viewer,
               sort_by: str | None, descending: bool, size: int, number: int) -> pd.DataFrame:
    """Page ``number`` of the rows, shaped for the editor; past the last page, the last page.

    ``attrs`` holds the total, the offset of the first row and the page number shown.
    """
    page, total = rows.rows_page(db, f, viewer=viewer, sort_by=sort_by, descending=descending,
                                 offset=(number - 1) * size, limit=size)
    last = display.page_count(total, size)
    if number > last:
        return rows_shown(db, f, viewer=viewer, sort_by=sort_by, descending=descending,
                          size=size, number=last)
    shown = shaped(page)
    shown.attrs.update(total=total, offset=(number - 1) * size, page=number)
    return shown


def editor_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Fixed column types for a data_editor: booleans, integers (nullable), UTC times, text.

    A keyed editor keeps its identity (and the rep's edits) while only values change; a column
    whose inferred type changed (all empty → some text) would silently reset it.
    """
    typed = frame.copy()
    for column in typed.columns:
        values = typed[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            if values.dt.tz is None:
                values = values.dt.tz_localize("UTC")
            typed[column] = values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
        elif pd.api.types.is_integer_dtype(values):
            typed[column] = values.astype("Int64")
        else:
            typed[column] = values.astype("string")
    return typed


def rows_caption(base: pd.DataFrame) -> str:
    """Which rows of how many the table shows: "Rows 101–200 of 1,234"."""
    total, offset = base.attrs["total"], base.attrs["offset"]
    if not total:
        return _("No rows")
    return _("Rows {first}–{last} of {total}").format(
        first=i18n.number(offset + 1), last=i18n.number(offset + len(base)),
        total=i18n.number(total))


# --- edits: what changed, what was saved, what to say ----------------------------------------


@dataclass
class Saved:
    """What saving the grid's edits did, for the page to say: the refused cells as
    (result, message) with result "conflict" or "invalid", the status moves, and whether the
    table must be reloaded (a refusal, or rows that vanished meanwhile)."""

    refusals: list[tuple[str, str]] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)
    reload: bool = False
    saved: int = 0


def save_edits(db: Connection, base: pd.DataFrame, saved: pd.DataFrame, edited: pd.DataFrame,
               criteria: Sequence[q.Criterion], owner_names: Mapping[int, str], *,
               list_id: int | None, viewer: access.Viewer) -> Saved:
    """Save every edited cell at once (each its own transaction), recorded under the viewer.
    ``saved`` takes the saved cells; ``base``, the editor's snapshot, takes the fresh status,
    why and last action."""
    changes = changed_cells(edited, saved, editable_columns(criteria))
    if not changes:
        return Saved()
    outcomes = rows.apply_changes(db, changes, by=viewer.user_id)
    mark_saved(saved, outcomes)
    refused = [(o.result, refusal(o, base, owner_names)) for o in outcomes if o.result != "saved"]
    return Saved(refused, status_moves(outcomes, base),
                 bool(refused) or not refresh(db, base, list_id, viewer=viewer),
                 sum(o.result == "saved" for o in outcomes))


def renewed(db: Connection, base: pd.DataFrame, edited: pd.DataFrame, list_id: int | None, *,
            viewer: access.Viewer) -> pd.DataFrame | None:
    """The snapshot a fresh editor gets after a save: the same rows in the same places, as
    stored now (ticks, owner, status), with the rep's selection kept; None when rows vanished
    or went out of the viewer's sight.

    A new editor after every save is what keeps a tick on the row the rep sees: the grid keeps
    its keyboard focus on the cell focused before a mouse tick, so the next Space would toggle
    that other row's criterion; a fresh editor has no focused cell.
    """
    fresh = shaped(rows.rows_by_id(db, base.index.tolist(), list_id, viewer=viewer))
    if fresh.index.tolist() != base.index.tolist():
        return None
    fresh["select"] = edited["select"].astype(bool).to_numpy()
    for column in base.columns.difference(fresh.columns):
        fresh[column] = base[column]
    fresh = fresh[base.columns]
    fresh.attrs.update(base.attrs)
    return fresh


def with_edits(base: pd.DataFrame, edited_rows: Mapping[Any, Mapping[str, Any]]
               ) -> pd.DataFrame:
    """``base`` plus the browser's edits (a data_editor's ``edited_rows``, by position)."""
    edited = base.astype(object)
    for position, cells in edited_rows.items():
        for column, value in cells.items():
            if column in edited.columns and int(position) < len(edited):
                edited.iloc[int(position), edited.columns.get_loc(column)] = value
    return edited


def changed_cells(edited: pd.DataFrame, saved: pd.DataFrame, columns: Sequence[str]
                  ) -> list[rows.CellChange]:
    """Every cell of ``columns`` that differs from what is stored, as a change to save (with
    the stored value as ``old``); empty text and a missing value count as the same."""
    return [
        rows.CellChange(int(index), column, old, new)
        for column in columns if column in edited.columns
        for index, new, old in zip(edited.index, edited[column].tolist(),
                                   saved[column].tolist(), strict=True)
        if _cell(new) != _cell(old)
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return display.given(value)


def mark_saved(saved: pd.DataFrame, outcomes: Iterable[rows.ChangeOutcome]) -> None:
    """Take the saved cells into ``saved``, the baseline the next edits are diffed against."""
    for outcome in outcomes:
        if outcome.result == "saved":
            saved.at[outcome.change.person_id, outcome.change.column] = outcome.change.new


def refresh(db: Connection, base: pd.DataFrame, list_id: int | None, *,
            viewer: access.Viewer) -> bool:
    """Bring status, why and last action of the shown rows up to date, rows kept in place;
    False when rows vanished meanwhile, or went out of the viewer's sight (the caller reloads)."""
    fresh = shaped(rows.rows_by_id(db, base.index.tolist(), list_id, viewer=viewer))
    if fresh.index.tolist() != base.index.tolist():
        return False
    for column in REFRESHED:
        base[column] = fresh[column].astype(base[column].dtype)
    return True


def status_moves(outcomes: Iterable[rows.ChangeOutcome], base: pd.DataFrame) -> list[str]:
    """One line per row whose status moved: "Albert Auer · Alpha GmbH: suspect → lead"."""
    moves: dict[int, list[str]] = {}
    for info in (o.status for o in outcomes if o.status is not None and o.status.changed):
        moves.setdefault(info.person_id, [info.old_status]).append(info.status)
    return [f"{row_name(base.loc[pid])}: {q.status_label(statuses[0])} → "
            f"{q.status_label(statuses[-1])}" for pid, statuses in moves.items()]


def refusal(outcome: rows.ChangeOutcome, base: pd.DataFrame, owner_names: Mapping[int, str]
            ) -> str:
    """Why a cell was not saved: which row (counted on the whole list), which column, and for a
    conflict the value that is stored now."""
    pid = outcome.change.person_id
    where = _("Row {number} ({name})").format(
        number=base.index.get_loc(pid) + 1 + base.attrs["offset"], name=row_name(base.loc[pid]))
    if outcome.result == "conflict":
        return _("{where}: {message} Now: {value}.").format(
            where=where, message=outcome.message, value=stored_value(outcome, owner_names))
    column = rows.label(rows.criterion_key(outcome.change.column) or outcome.change.column)
    message = outcome.message
    if not message.lower().startswith(column.lower()):
        message = f"{column}: {message}"
    return f"{where}, {message}"


def stored_value(outcome: rows.ChangeOutcome, owner_names: Mapping[int, str]) -> str:
    """The value a conflict found, as the rep reads it: an owner's name, ticked, 'text'."""
    fresh = display.given(outcome.fresh_value)
    if outcome.change.column == "owner_id":
        return owner_names.get(fresh, _("nobody")) if fresh is not None else _("nobody")
    if isinstance(fresh, bool):
        return _("ticked") if fresh else _("not ticked")
    return f"'{fresh}'" if fresh is not None else _("empty")


# --- selected rows and row actions -----------------------------------------------------------


def selected(edited: pd.DataFrame) -> list[int]:
    """The person ids whose select box is ticked."""
    return [int(i) for i in edited.index[edited["select"].astype(bool)]]


def chosen_rows(base: pd.DataFrame, person_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The selected rows' names and statuses, what the row dialogs and messages need."""
    return {pid: (row_name(base.loc[pid]),
                  status_of_badge(base.loc[pid, "status"]))
            for pid in person_ids}


def names(chosen: Chosen) -> dict[int, str]:
    return {pid: name for pid, (name, _status) in chosen.items()}


def dead(chosen: Chosen) -> list[int]:
    """The chosen rows that Revive can bring back."""
    return [pid for pid, (_name, status) in chosen.items() if status == "dead"]


def rows_heading(chosen: Chosen) -> display.Markdown:
    """The row dialogs' heading (markdown): one name, or a count and the first five names."""
    listed = ", ".join(display.literal(name) for name, _status in list(chosen.values())[:5])
    if len(chosen) == 1:
        return display.Markdown(f"**{listed}**")
    more = _(" and {count} more").format(count=len(chosen) - 5) if len(chosen) > 5 else ""
    return display.Markdown(_("**{count} rows:** {names}{more}").format(
        count=len(chosen), names=listed, more=more))


def convert_notes(db: Connection, chosen: Chosen) -> list[tuple[str, str]]:
    """What a conversion will not do as asked, said before the click: (level, text), level
    "warning" or "info"."""
    notes = []
    early = [f"{name} ({q.status_label(status)})" for name, status in chosen.values()
             if status in ("suspect", "prospect")]
    if early:
        notes.append(("warning", _("Not qualified as lead yet: {names}. You can convert anyway.")
                      .format(names=", ".join(early))))
    if gone := [name for name, status in chosen.values() if status == "dead"]:
        notes.append(("info", _("Cancelled rows are skipped until revived: {names}.").format(
            names=", ".join(gone))))
    if known := [chosen[pid][0] for pid in chosen if leads.open_lead_of(db, pid)]:
        notes.append(("info", _("Already an open lead, so nothing new is created: {names}.")
                      .format(names=", ".join(known))))
    return notes


def convert_label(chosen: Chosen) -> str:
    """The convert button says "anyway" when a row is not qualified as lead."""
    return _("Convert") if all(status == "lead" for _name, status in chosen.values()) else (
        _("Convert anyway"))


def cancel_label(chosen: Chosen) -> str:
    return _("Cancel row") if len(chosen) == 1 else _("Cancel {count} rows").format(
        count=len(chosen))


def convert(db: Connection, person_ids: list[int], owner: int, step: str,
            next_step: Mapping[str, Any], amount: float | None, note: str, *,
            by: int | None) -> list[rows.RowOutcome]:
    """The convert dialog's fields as a bulk conversion (an empty note is no note)."""
    return rows.bulk_convert(db, person_ids, owner_id=owner,
                             next_step=leads.NextStep(**next_step), step_key=step,
                             amount=amount, note=note or None, by=by)


def closes_dialog(outcomes: Sequence[rows.RowOutcome]) -> bool:
    """A row dialog closes when at least one row succeeded; when every row was refused for the
    same reason (a missing note, a wrong amount) it stays open to say so."""
    return any(o.ok for o in outcomes) or len({o.message for o in outcomes}) > 1


def outcome_summary(action: str, outcomes: Sequence[rows.RowOutcome],
                    names: Mapping[int, str]) -> tuple[bool, str]:
    """What a row action did in one line, and whether every row succeeded: the row's own
    message for one row, a count for several."""
    if len(outcomes) == 1:
        (only,) = outcomes
        return only.ok, f"{names.get(only.person_id, only.person_id)}: {only.message}"
    done = sum(o.ok for o in outcomes)
    return done == len(outcomes), _("{action}: {done} of {count} rows.").format(
        action=action_word(action), done=done, count=len(outcomes))


def action_word(action: str) -> str:
    """What a row action did, as its summary starts ("Cancelled": the rows are dead now)."""
    return {"convert": pgettext("row action", "Converted"),
            "cancel": pgettext("row action", "Cancelled"),
            "revive": pgettext("row action", "Revived"),
            "owner": pgettext("row action", "New owner"),
            "tick": pgettext("row action", "Ticked"),
            "untick": pgettext("row action", "Unticked")}[action]


def refusals(outcomes: Sequence[rows.RowOutcome], names: Mapping[int, str]) -> pd.DataFrame:
    """The rows an action refused, and why."""
    refused = [o for o in outcomes if not o.ok]
    return pd.DataFrame({_("Row"): [names.get(o.person_id, o.person_id) for o in refused],
                         _("Why not"): [o.message for o in refused]})


def history_table(db: Connection, person_id: int, *, viewer: access.Viewer) -> pd.DataFrame:
    """Who did what to a row, newest first, in local time; a value change reads "old → new"."""
    entries = rows.row_history(db, person_id, viewer=viewer)
    if entries.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    changed = entries["kind"].isin(VALUE_CHANGES)
    status = entries["kind"].eq("status")
    for column in ("old_value", "new_value"):  # a status is shown in the reader's language
        entries.loc[status, column] = entries.loc[status, column].map(
            q.status_label, na_action="ignore")
    entries["change"] = (entries["old_value"].fillna("—") + " → "
                         + entries["new_value"].fillna("—")).where(changed, "")
    entries["happened_at"] = display.local_times(db, entries["happened_at"])
    entries["note"] = entries["note"].fillna("")
    return entries[HISTORY_COLUMNS]
