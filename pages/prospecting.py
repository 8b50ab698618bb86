"""Prospecting: the rep's day. Tick what you learn about each row; it climbs (or dies) at once.

The table is a data_editor fed a snapshot that stays put (``ui.editor_snapshot``): every edit
is diffed against what is stored and saved before the table is drawn, so the status column of
the same run already shows the result. Only one page of the list is ever read or sent.
"""

import math

import pandas as pd
import streamlit as st

from lib import importing, lists, rows, ui, users
from lib import qualification as q

MY_ROWS = 0
PAGE_SIZES = (50, 100, 200)
EDITOR = "prospecting_rows"
REFRESHED = ("status", "row_name", "why", "last_action", "last_action_at", "possible_duplicate")
PINNED = ("select", "status", "company", "row_name")
DETAILS = ("email", "phone", "mobile", "first_name", "last_name", "job_title", "website",
           "street", "postal_code", "city", "country", "source", "notes")
ADD_FIELDS = (("first_name", "First name"), ("last_name", "Last name"), ("company", "Company"),
              ("job_title", "Job title"), ("email", "E-mail"), ("phone", "Phone"),
              ("city", "City"), ("notes", "Notes"))

conn = ui.connection()
me = ui.current_user()
st.title("Prospecting")
if me is None:
    st.info("Nobody to act as yet: load the demo or add users first.")
    st.stop()
active = q.criteria(conn)
owners = users.owners_frame(conn)
owner_names = dict(zip(owners["id"].astype(int), owners["name"], strict=True))


def list_choice() -> tuple[int, str]:
    """The list picker (the chosen id and name); a list opened from the Lists page arrives in
    ``prospecting_open``."""
    overview = lists.overview(conn)
    names = {MY_ROWS: "All my rows", **{
        int(i): f"{name} · {count:,} rows"
        for i, name, count in zip(overview["id"], overview["list"], overview["rows"],
                                  strict=True)}}
    state = st.session_state
    if state.get("prospecting_open") in names:
        state.prospecting_list = state.pop("prospecting_open")
    elif state.get("prospecting_list") not in names:
        newest = next(iter(overview["id"].astype(int)), MY_ROWS)
        state.prospecting_list = state.get("prospecting_last_list", newest)
    chosen = st.selectbox("List", list(names), format_func=names.get, key="prospecting_list")
    state.prospecting_last_list = chosen
    return chosen, names[chosen].split(" · ")[0]


def row_filter() -> tuple[rows.RowFilter, str | None, bool, str]:
    """The filters and the sort above the table, and the list's name."""
    top = st.columns([3, 3, 4], vertical_alignment="bottom")
    with top[0]:
        chosen, name = list_choice()
    list_id = None if chosen == MY_ROWS else chosen
    text = top[1].text_input("Search", placeholder="Name, company or e-mail",
                             key="prospecting_search")
    statuses = top[2].pills("Status", q.STATUSES, selection_mode="multi",
                            format_func=ui.status_badge, key="prospecting_status")
    line = st.columns([2, 2, 3, 1, 2], vertical_alignment="bottom")
    owner = line[0].selectbox("Owner", [0, *owner_names], key="prospecting_owner",
                              format_func=lambda i: owner_names.get(i, "Anyone"),
                              disabled=list_id is None)
    sources = rows.sources(conn, rows.RowFilter(list_id=list_id), user_id=me.id)
    source = line[1].selectbox("Source", ["", *sources], key="prospecting_source",
                               format_func=lambda s: s or "Any source")
    sort_by = line[2].selectbox("Sort by", sort_options(list_id), key="prospecting_sort",
                                format_func=lambda c: sort_label(c, list_id))
    descending = line[3].toggle("Desc.", key="prospecting_descending",
                                help="Sort in descending order")
    duplicates = line[4].toggle("Possible duplicates only", key="prospecting_duplicates")
    found = rows.RowFilter(list_id=list_id, statuses=frozenset(statuses or ()),
                           owner_id=(owner or None) if list_id is not None else None,
                           source=source or None, text=text,
                           possible_duplicates_only=duplicates)
    return found, sort_by or None, descending, name


def sort_options(list_id: int | None) -> list[str]:
    """Every column of the table: contact fields, ticks, status, owner, last action, and (on a
    list) the file's extra columns."""
    extras = rows.extra_columns(conn, list_id) if list_id is not None else []
    return ["", "status", "company", *(rows.tick_column(c.key) for c in active), "owner",
            "last_action_at", *DETAILS, "possible_duplicate", *extras]


def known_columns() -> set[str]:
    return {"select", "status", "row_name", "why", "owner_id", "owner", "last_action",
            "last_action_at", "possible_duplicate", *rows.CONTACT_FIELDS,
            *(rows.tick_column(c.key) for c in active)}


def sort_label(column: str, list_id: int | None) -> str:
    if not column:
        return "List order" if list_id is not None else "Oldest first"
    tick = rows.criterion_key(column)
    labels = {c.key: c.short_label for c in active}
    if tick in labels:
        return f"✓ {labels[tick]}"
    return {"last_action_at": "last action"}.get(column, rows.label(column)).capitalize()


# --- the table -----------------------------------------------------------------------------


def load(f: rows.RowFilter, sort_by: str | None, descending: bool, size: int,
         number: int) -> pd.DataFrame:
    """One page of rows as the editor shows it; past the last page, the last page."""
    page, total = rows.rows_page(conn, f, user_id=me.id, sort_by=sort_by,
                                 descending=descending, offset=(number - 1) * size, limit=size)
    last = max(1, math.ceil(total / size))
    if number > last:
        st.session_state.prospecting_page = last
        return load(f, sort_by, descending, size, last)
    shown = shape(page)
    shown.attrs.update(total=total, offset=(number - 1) * size)
    return shown


def shape(page: pd.DataFrame) -> pd.DataFrame:
    shown = page.set_index("person_id")
    shown.insert(0, "select", False)
    shown["status"] = shown["status"].map(ui.status_badge)
    shown.insert(1, "row_name", [" ".join(str(p) for p in names if ui.given(p) is not None)
                             for names in zip(shown["first_name"], shown["last_name"],
                                              strict=True)])
    return ui.editor_types(shown)


def editable() -> list[str]:
    return [*rows.CONTACT_FIELDS, *(rows.tick_column(c.key) for c in active), "owner_id"]


def row_name(row: pd.Series) -> str:
    name = " ".join(str(p) for p in (ui.given(row["first_name"]), ui.given(row["last_name"]))
                    if p)
    parts = [p for p in (name, ui.given(row["company"])) if p]
    return " · ".join(parts) or str(ui.given(row["email"]) or "unnamed row")


def save(key: str, list_id: int | None) -> bool:
    """Save every edited cell at once; True when the table must be reloaded (a conflict or an
    invalid edit: the table then shows what is stored)."""
    base, saved = (st.session_state[f"{EDITOR}_{part}"] for part in ("base", "saved"))
    edited = ui.pending_edits(key, base)
    cells = ui.changed_cells(edited, saved, editable())
    if not cells:
        return False
    changes = [rows.CellChange(int(pid), column, old, new) for pid, column, old, new in cells]
    outcomes = ui.attempt(rows.apply_changes, conn, changes, by=me.id)
    if outcomes is None:
        return True
    for outcome in outcomes:
        report(outcome, base)
        if outcome.result == "saved":
            saved.at[outcome.change.person_id, outcome.change.column] = outcome.change.new
    toast_moves(outcomes, base)
    if any(o.result != "saved" for o in outcomes):
        return True
    return not refresh(base, list_id)


def toast_moves(outcomes: list[rows.ChangeOutcome], base: pd.DataFrame) -> None:
    """One toast per row whose status moved: "Albert Auer · Alpha GmbH: suspect → lead"."""
    moves: dict[int, list[str]] = {}
    for info in (o.status for o in outcomes if o.status is not None and o.status.changed):
        moves.setdefault(info.person_id, [info.old_status]).append(info.status)
    for pid, statuses in moves.items():
        st.toast(f"{row_name(base.loc[pid])}: {statuses[0]} → {statuses[-1]}", icon="🪜")


def report(outcome: rows.ChangeOutcome, base: pd.DataFrame) -> None:
    """Say why a cell was not saved: which row, which column, and for a conflict the value
    that is stored now."""
    pid = outcome.change.person_id
    where = f"Row {base.index.get_loc(pid) + 1 + base.attrs['offset']} ({row_name(base.loc[pid])})"
    if outcome.result == "conflict":
        st.warning(f"{where}: {outcome.message} Now: {shown_value(outcome)}.", icon="⚠️")
    elif outcome.result == "invalid":
        column = rows.label(rows.criterion_key(outcome.change.column) or outcome.change.column)
        message = outcome.message
        if not message.lower().startswith(column.lower()):
            message = f"{column}: {message}"
        st.error(f"{where}, {message}", icon="🚫")


def shown_value(outcome: rows.ChangeOutcome) -> str:
    fresh = ui.given(outcome.fresh_value)
    if outcome.change.column == "owner_id":
        return owner_names.get(fresh, "nobody") if fresh is not None else "nobody"
    if isinstance(fresh, bool):
        return "ticked" if fresh else "not ticked"
    return f"'{fresh}'" if fresh is not None else "empty"


def refresh(base: pd.DataFrame, list_id: int | None) -> bool:
    """Bring status, why and last action of the shown rows up to date, rows kept in place;
    False when rows vanished meanwhile (the caller reloads)."""
    fresh = shape(rows.rows_by_id(conn, base.index.tolist(), list_id))
    if fresh.index.tolist() != base.index.tolist():
        return False
    for column in REFRESHED:
        base[column] = fresh[column].astype(base[column].dtype)
    return True


def column_config(base: pd.DataFrame) -> dict:
    text = st.column_config.TextColumn
    config = {
        "select": st.column_config.CheckboxColumn(
            "", width=36, pinned=True, help="Select rows to convert, cancel, revive, give to "
            "another owner, or (one row) to see its history"),
        "status": text("Status", disabled=True, pinned=True, width=92),
        "company": text("Company", pinned=True, width=150),
        "row_name": text("Name", disabled=True, pinned=True, width=128,
                     help="Edit first and last name further right"),
        **ui.criteria_columns(active),
        "why": text("Why", disabled=True, width="medium"),
        "owner_id": st.column_config.SelectboxColumn(
            "Owner", options=list(owner_names), format_func=owner_names.get, width=130),
        "last_action": text("Last action", disabled=True, width=150),
        "last_action_at": st.column_config.DatetimeColumn("When", format="distance",
                                                          disabled=True, width=120),
        "possible_duplicate": st.column_config.CheckboxColumn(
            "Duplicate?", disabled=True, help="Looks like someone already known (name and "
            "company similar): check before working the row"),
        **{field: text(rows.label(field).capitalize()) for field in DETAILS},
    }
    extras = [c for c in base.columns if c not in known_columns()]
    config.update({c: text(c, disabled=True, help="From the imported file") for c in extras})
    return config


def column_order(base: pd.DataFrame) -> list[str]:
    ticks = [rows.tick_column(c.key) for c in active]
    extras = [c for c in base.columns if c not in known_columns()]
    return [*PINNED, *ticks, "why", "owner_id", "last_action", "last_action_at", *DETAILS,
            "possible_duplicate", *extras]


@st.fragment
def table(f: rows.RowFilter, sort_by: str | None, descending: bool, name: str) -> None:
    """Toolbar, grid, pager and history: reruns alone on every tick."""
    state = st.session_state
    size = state.setdefault("prospecting_page_size", PAGE_SIZES[1])
    number = state.setdefault("prospecting_page", 1)
    must_reload = state.pop("prospecting_reload", False)
    shown = f"{EDITOR}_{state.get(f'{EDITOR}_version')}"
    if shown in state:
        must_reload |= save(shown, f.list_id)
    else:  # the editor was not drawn last run (another page ran): its edits are gone
        must_reload = True
    key = ui.editor_snapshot(EDITOR, (f, sort_by, descending, size, number, me.id),
                             lambda: load(f, sort_by, descending, size, number),
                             reload=must_reload)
    base = state[f"{EDITOR}_base"]
    if done := state.pop("prospecting_outcomes", None):
        ui.row_outcomes(*done)
    if note := state.pop("prospecting_note", None):
        st.success(note, icon="✅")
    edited = ui.pending_edits(key, base)
    selected = [int(i) for i in edited.index[edited["select"].astype(bool)]]
    toolbar(f, base, selected, name)
    if base.empty:
        st.info("No rows match. Clear a filter, or pick another list.", icon="🔍")
    else:
        st.data_editor(base, key=key, hide_index=True, width="stretch", placeholder="",
                       height=min(38 + 35 * len(base), 640), column_config=column_config(base),
                       column_order=column_order(base))
    pager(base)
    if len(selected) == 1:
        history(selected[0], base)


def toolbar(f: rows.RowFilter, base: pd.DataFrame, selected: list[int], file_name: str
            ) -> None:
    """Actions on the selected rows at the left, on the whole list at the right."""
    bar = st.columns([1.6, 1, 1, 1.1, 2.3, 1.4, 1.2, 0.5], vertical_alignment="center")
    row_actions(bar[:5], base, selected)
    with bar[5].popover("➕ Add person", disabled=f.list_id is None, width="stretch",
                        help=None if f.list_id else "Pick a list to add someone to it"):
        add_person(f.list_id)
    with bar[6].popover("⬇ Download", width="stretch"):
        st.caption("The whole list as filtered: contact fields, ticks, status, owner, "
                   "last action.")
        ui.downloads_on_click(lambda cursor: rows.export_rows(cursor, f, user_id=me.id),
                              file_name, key="prospecting_download")
    if bar[7].button("↻", key="prospecting_refresh", help="Reload: see what others changed"):
        finish_now()
    ui.row_dialog(conn, "prospecting", done)


def row_actions(bar: list, base: pd.DataFrame, selected: list[int]) -> None:
    """Convert, cancel, revive, give to another owner: each opens its dialog or acts."""
    chosen = {pid: (row_name(base.loc[pid]), status_of(base.loc[pid])) for pid in selected}
    dead = [pid for pid, (_, status) in chosen.items() if status == "dead"]
    convert = bar[0].button("➕ Convert to lead", type="primary", disabled=not selected,
                            key="prospecting_convert", width="stretch")
    cancel = bar[1].button("✖ Cancel", disabled=not selected, key="prospecting_cancel",
                           width="stretch", help="Mark the selected rows dead, with a reason")
    revive = bar[2].button("↺ Revive", disabled=not dead, key="prospecting_revive",
                           width="stretch", help="Bring cancelled rows back")
    with bar[3].popover("👤 Owner", disabled=not selected, width="stretch"):
        assign_owner(selected, chosen)
    bar[4].caption(f"**{len(selected)} selected**" if selected else
                   "Select rows with the first column")
    if convert or cancel:
        ui.open_row_dialog("convert" if convert else "cancel", chosen)
    if revive:
        names = {pid: name for pid, (name, _) in chosen.items()}
        done("revive", ui.attempt(rows.bulk_revive, conn, dead, by=me.id), names)


def status_of(row: pd.Series) -> str:
    return next((s for s in q.STATUSES if str(row["status"]).endswith(s)), "suspect")


def assign_owner(selected: list[int], chosen: dict) -> None:
    owner = st.selectbox("New owner", list(owner_names), format_func=owner_names.get,
                         key="prospecting_new_owner",
                         index=list(owner_names).index(me.id) if me.id in owner_names else 0)
    if st.button(f"Give {len(selected)} row(s) to {owner_names.get(owner, '')}",
                 type="primary", key="prospecting_assign"):
        names = {pid: name for pid, (name, _) in chosen.items()}
        done("owner", ui.attempt(rows.bulk_assign_owner, conn, selected, owner, by=me.id),
             names)


def add_person(list_id: int | None) -> None:
    """A walk-in contact, checked like an imported row (validation, duplicates)."""
    with st.form("prospecting_add", clear_on_submit=True, border=False):
        fields = {}
        for (field, label), column in zip(ADD_FIELDS, st.columns(2) * 4, strict=True):
            fields[field] = column.text_input(label, key=f"prospecting_add_{field}")
        if st.form_submit_button("Add to this list", type="primary"):
            added = ui.attempt(importing.add_person, conn, list_id, fields, by=me.id)
            if added:
                st.session_state.prospecting_note = added.message
                finish_now()


DONE = {"convert": "Converted", "cancel": "Cancelled", "revive": "Revived",
        "owner": "New owner"}


def done(action: str, outcomes: list[rows.RowOutcome] | None, names: dict[int, str]) -> None:
    """After a row action: its outcomes, row by row, above a freshly loaded table."""
    if outcomes is not None:
        st.session_state.prospecting_outcomes = (DONE[action], outcomes, names)
        finish_now()


def finish_now() -> None:
    st.session_state.prospecting_reload = True
    st.rerun()


def pager(base: pd.DataFrame) -> None:
    total, offset = base.attrs["total"], base.attrs["offset"]
    left, middle, right = st.columns([6, 1, 1], vertical_alignment="bottom")
    shown = f"Rows {offset + 1:,}–{offset + len(base):,} of {total:,}" if total else "No rows"
    left.caption(shown)
    middle.selectbox("Rows per page", PAGE_SIZES, key="prospecting_page_size")
    pages = max(1, math.ceil(total / st.session_state.prospecting_page_size))
    right.number_input("Page", min_value=1, max_value=pages, key="prospecting_page")


def history(person_id: int, base: pd.DataFrame) -> None:
    """Who did what to the selected row, newest first."""
    st.subheader(f"History · {row_name(base.loc[person_id])}", divider="gray")
    entries = rows.row_history(conn, person_id)
    if entries.empty:
        st.caption("Nothing has happened to this row yet.")
        return
    changed = entries["kind"].isin(["edit", "import_fill", "import_kept", "status"])
    entries["change"] = (entries["old_value"].fillna("—") + " → "
                         + entries["new_value"].fillna("—")).where(changed, "")
    entries["happened_at"] = ui.local_times(conn, entries["happened_at"])
    entries["note"] = entries["note"].fillna("")
    st.dataframe(entries[["happened_at", "who", "what", "change", "note"]], hide_index=True,
                 width="stretch", key="prospecting_history", column_config={
                     "happened_at": st.column_config.DatetimeColumn(
                         "When", format="YYYY-MM-DD HH:mm"),
                     "who": "Who", "what": "What", "change": "Old → new", "note": "Note"})


table(*row_filter())
