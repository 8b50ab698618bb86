"""Prospecting: the rep's day. Tick what you learn about each row; it climbs (or dies) at once.

The table is a data_editor fed a snapshot that stays put (``ui.editor_snapshot``): every edit
is diffed against what is stored and saved before the table is drawn, so the status column of
the same run already shows the result. Only one page of the list is ever read or sent; what the
grid holds and says is decided in lib/grid.py.
"""

import pandas as pd
import streamlit as st

from lib import display, grid, i18n, importing, lists, rows, ui, users
from lib import qualification as q
from lib.i18n import N_, _

PAGE_SIZES = (50, 100, 200)
EDITOR = "prospecting_rows"
ADD_FIELDS = (("first_name", N_("First name")), ("last_name", N_("Last name")),
              ("company", N_("Company")), ("job_title", N_("Job title")),
              ("email", N_("E-mail")), ("phone", N_("Phone")), ("city", N_("City")),
              ("notes", N_("Notes")))

conn = ui.connection()
st.title(_("Prospecting"))
me = ui.require_user(_("Nobody to act as yet: load the demo or add users first."))
viewer = ui.current_viewer()
active = q.criteria(conn)
owner_names = users.owner_names(conn)


def list_choice() -> tuple[int, str]:
    """The list picker (the chosen id and the list's name); a list opened from the Lists page
    arrives in ``prospecting_open``."""
    labels = grid.list_labels(lists.overview(conn, viewer=viewer))
    state = st.session_state
    wanted = grid.list_to_show(labels, opened=state.get("prospecting_open"),
                               shown=state.get("prospecting_list"),
                               last=state.get("prospecting_last_list"))
    if wanted == state.get("prospecting_open"):
        state.pop("prospecting_open")
    if wanted != state.get("prospecting_list"):
        state.prospecting_list = wanted
    chosen = st.selectbox(_("List"), list(labels), format_func=labels.get,
                          key="prospecting_list")
    state.prospecting_last_list = chosen
    return chosen, grid.list_name(labels[chosen])


def row_filter() -> tuple[rows.RowFilter, str | None, bool, str]:
    """The filters and the sort above the table, and the list's name."""
    top = st.columns([3, 3, 4], vertical_alignment="bottom")
    with top[0]:
        chosen, name = list_choice()
    list_id = None if chosen == grid.MY_ROWS else chosen
    text = top[1].text_input(_("Search"), placeholder=_("Name, company or e-mail"),
                             key="prospecting_search")
    badges = {status: grid.status_badge(status) for status in q.STATUSES}
    statuses = top[2].pills(_("Status"), q.STATUSES, selection_mode="multi",
                            format_func=badges.get, key="prospecting_status")
    line = st.columns([2, 2, 3, 1, 2], vertical_alignment="bottom")
    owners = {0: _("Anyone"), **owner_names}  # worded now: a format_func may run later
    owner = line[0].selectbox(_("Owner"), list(owners), key="prospecting_owner",
                              format_func=owners.get,
                              disabled=list_id is None)
    sources = rows.sources(conn, rows.RowFilter(list_id=list_id), viewer=viewer)
    any_source = _("Any source")
    source = line[1].selectbox(_("Source"), ["", *sources], key="prospecting_source",
                               format_func=lambda s: s or any_source)
    sorts = {column: grid.sort_label(column, active, on_list=list_id is not None)
             for column in grid.sort_options(conn, list_id, active)}
    sort_by = line[2].selectbox(_("Sort by"), list(sorts), key="prospecting_sort",
                                format_func=sorts.get)
    descending = line[3].toggle(_("Desc."), key="prospecting_descending",
                                help=_("Sort in descending order"))
    duplicates = line[4].toggle(_("Possible duplicates only"), key="prospecting_duplicates")
    found = rows.RowFilter(list_id=list_id, statuses=frozenset(statuses or ()),
                           owner_id=(owner or None) if list_id is not None else None,
                           source=source or None, text=text,
                           possible_duplicates_only=duplicates)
    return found, sort_by or None, descending, name


# --- the table -----------------------------------------------------------------------------


def load(f: rows.RowFilter, sort_by: str | None, descending: bool, size: int,
         number: int) -> pd.DataFrame:
    """One page of rows as the editor shows it; the pager follows when the page is gone."""
    shown = grid.rows_shown(conn, f, viewer=viewer, sort_by=sort_by, descending=descending,
                            size=size, number=number)
    if shown.attrs["page"] != number:
        st.session_state.prospecting_page = shown.attrs["page"]
    return shown


def save(key: str, list_id: int | None, edited_base: pd.DataFrame | None = None
         ) -> tuple[bool, pd.DataFrame | None]:
    """Save every edited cell at once. Returns whether the table must be reloaded (a conflict
    or an invalid edit: the table then shows what is stored) and, after a clean save, the
    snapshot a fresh editor gets (``grid.renewed``: no cell keeps a stale focus).
    ``edited_base`` is the snapshot the editor ``key`` was fed, when it is an older one."""
    base, saved = (st.session_state[f"{EDITOR}_{part}"] for part in ("base", "saved"))
    edited = ui.pending_edits(key, base if edited_base is None else edited_base)
    result = ui.attempt(grid.save_edits, conn, base, saved, edited, active, owner_names,
                        list_id=list_id, viewer=viewer)
    if result is None:
        return True, None
    for kind, message in result.refusals:
        if kind == "conflict":
            ui.warn(message)
        else:
            ui.error(message, icon="🚫")
    for move in result.moves:
        ui.toast(move, icon="🪜")
    if result.reload or not result.saved:
        return result.reload, None
    renewed = grid.renewed(conn, base, edited, list_id, viewer=viewer)
    return renewed is None, renewed


def column_config(base: pd.DataFrame) -> dict:
    text = st.column_config.TextColumn
    config = {
        "select": st.column_config.CheckboxColumn(
            "", width=36, pinned=True, help=_("Select rows to convert, cancel, revive, give to "
                                              "another owner, or (one row) to see its history")),
        "status": text(_("Status"), disabled=True, pinned=True, width=92),
        "company": text(_("Company"), pinned=True, width=130),
        "row_name": text(_("Name"), disabled=True, pinned=True, width=120,
                         help=_("Edit first and last name further right")),
        **ui.criteria_columns(active),
        "why": text(_("Why"), disabled=True, width=220),
        "converted": text(_("Lead"), disabled=True, width=76,
                          help=_("Converted: the row has an open or a won lead")),
        "do_not_contact": text(_("Do not contact"), disabled=True, width=110,
                               help=_("Channels the person may not be contacted on (Privacy)")),
        "owner_id": st.column_config.SelectboxColumn(
            _("Owner"), options=list(owner_names), format_func=owner_names.get, width=100),
        "last_action": text(_("Last action"), disabled=True, width=150),
        "last_action_at": st.column_config.DatetimeColumn(_("When"), format="distance",
                                                          disabled=True, width=120),
        "possible_duplicate": st.column_config.CheckboxColumn(
            _("Duplicate?"), disabled=True, help=_("Looks like someone already known (name and "
                                                   "company similar): check before working the "
                                                   "row")),
        **{field: text(rows.label(field).capitalize()) for field in grid.DETAILS},
    }
    extras = grid.extra_columns(base.columns, active)
    config.update({c: text(c, disabled=True, help=_("From the imported file")) for c in extras})
    return config


@st.fragment
def table(f: rows.RowFilter, sort_by: str | None, descending: bool, name: str) -> None:
    """Toolbar, grid, pager and history: reruns alone on every tick."""
    state = st.session_state
    size = state.setdefault("prospecting_page_size", PAGE_SIZES[1])
    number = state.setdefault("prospecting_page", 1)
    must_reload, renewed = state.pop("prospecting_reload", False), None
    shown = f"{EDITOR}_{state.get(f'{EDITOR}_version')}"
    cards = ui.card_view_toggle("prospecting_cards")
    previous = ui.previous_editor(EDITOR, shown)
    if previous is not None and not cards:
        reload_now, renewed = save(previous[0], f.list_id, previous[1])
        must_reload |= reload_now
    elif shown in state and not cards:
        reload_now, renewed = save(shown, f.list_id)
        must_reload |= reload_now
    elif not cards:  # the editor was not drawn last run (another page ran): its edits are gone
        must_reload = True
    key = ui.editor_snapshot(EDITOR, (f, sort_by, descending, size, number, me.id,
                                      i18n.language()),
                             lambda: load(f, sort_by, descending, size, number),
                             reload=must_reload, renewed=renewed)
    base = state[f"{EDITOR}_base"]
    if done := state.pop("prospecting_outcomes", None):
        ui.row_outcomes(*done)
    if note := state.pop("prospecting_note", None):
        ui.success(note)
    if base.empty:
        toolbar(f, base, [], name)
        st.info(_("No rows match. Clear a filter, or pick another list."), icon="🔍")
    elif cards:
        card(base)
    else:
        selected = grid.selected(ui.pending_edits(key, base))
        toolbar(f, base, selected, name)
        st.data_editor(base, key=key, hide_index=True, width="stretch", placeholder="",
                       height=min(38 + 35 * len(base), 640), column_config=column_config(base),
                       column_order=grid.column_order(base.columns, active))
        if len(selected) == 1:
            history(selected[0], base)
    pager(base)


def card(base: pd.DataFrame) -> None:
    """One row at a time, for a phone: who, how to reach them, the criteria as large toggles,
    status and why, convert or cancel, previous and next."""
    state = st.session_state
    position = min(state.get("prospecting_card", 0), len(base) - 1)
    pid = int(base.index[position])
    row, saved = base.loc[pid], state[f"{EDITOR}_saved"].loc[pid]
    if note := state.pop("prospecting_card_note", None):
        (ui.warn if note[0] else ui.success)(note[1])
    with st.container(border=True, key="prospecting_card_box"):
        st.text(grid.row_name(row))
        if links := display.contact_links(row):
            st.markdown(links)
        st.text(f"{grid.status_badge(grid.status_of_badge(row['status']))} · {row['why']}")
        for c in active:
            column = rows.tick_column(c.key)
            st.toggle(display.literal(c.short), value=bool(saved[column]),
                      help=display.literal(c.label),
                      key=f"prospecting_card_{state[f'{EDITOR}_version']}_{pid}_{c.key}",
                      on_change=tick_from_card, args=(pid, column, bool(saved[column])))
        chosen = grid.chosen_rows(base, [pid])
        left, right = st.columns(2)
        if left.button("➕ " + _("Convert"), type="primary", key="prospecting_card_convert",
                       width="stretch"):
            ui.open_row_dialog("convert", chosen)
        if right.button("✖ " + _("Cancel"), key="prospecting_card_cancel", width="stretch"):
            ui.open_row_dialog("cancel", chosen)
    back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
    back.button("◀", key="prospecting_card_back", disabled=position == 0, width="stretch",
                on_click=lambda: state.update(prospecting_card=position - 1))
    where.caption(_("Row {number} of {total}").format(
        number=i18n.number(base.attrs["offset"] + position + 1),
        total=i18n.number(base.attrs["total"])))
    forward.button("▶", key="prospecting_card_next", disabled=position + 1 >= len(base),
                   width="stretch", on_click=lambda: state.update(prospecting_card=position + 1))
    ui.row_dialog(conn, "prospecting", done)


def tick_from_card(pid: int, column: str, seen: bool) -> None:
    """A card's toggle: the same compare-and-set as a grid tick, then a fresh load."""
    wanted = st.session_state[f"prospecting_card_{st.session_state[f'{EDITOR}_version']}"
                              f"_{pid}_{rows.criterion_key(column)}"]
    (outcome,) = rows.apply_changes(conn, [rows.CellChange(pid, column, seen, wanted)], by=me.id)
    st.session_state.prospecting_card_note = grid.card_note(outcome)
    st.session_state.prospecting_reload = True


def toolbar(f: rows.RowFilter, base: pd.DataFrame, selected: list[int], file_name: str
            ) -> None:
    """Actions on the selected rows at the left, on the whole list at the right."""
    bar = st.columns([1.6, 1, 1, 1.1, 1, 1.6, 1.4, 1.2, 0.5], vertical_alignment="center")
    row_actions(bar[:6], grid.chosen_rows(base, selected))
    with bar[6].popover("➕ " + _("Add person"), disabled=f.list_id is None, width="stretch",
                        help=None if f.list_id else _("Pick a list to add someone to it")):
        add_person(f.list_id)
    with bar[7].popover("⬇ " + _("Download"), width="stretch"):
        st.caption(_("The whole list as filtered: contact fields, ticks, status, owner, "
                     "last action."))
        ui.downloads_on_click(lambda cursor: rows.export_rows(cursor, f, viewer=viewer),
                              file_name, key="prospecting_download")
    if bar[8].button("↻", key="prospecting_refresh", help=_("Reload: see what others changed")):
        finish_now()
    ui.row_dialog(conn, "prospecting", done)


def row_actions(bar: list, chosen: grid.Chosen) -> None:
    """Convert, cancel, revive, give to another owner: each opens its dialog or acts."""
    dead = grid.dead(chosen)
    convert = bar[0].button("➕ " + _("Convert to lead"), type="primary", disabled=not chosen,
                            key="prospecting_convert", width="stretch")
    cancel = bar[1].button("✖ " + _("Cancel"), disabled=not chosen, key="prospecting_cancel",
                           width="stretch", help=_("Mark the selected rows dead, with a reason"))
    revive = bar[2].button("↺ " + _("Revive"), disabled=not dead, key="prospecting_revive",
                           width="stretch", help=_("Bring cancelled rows back"))
    with bar[3].popover("👤 " + _("Owner"), disabled=not chosen, width="stretch"):
        assign_owner(chosen)
    with bar[4].popover("☑ " + _("Tick"), disabled=not chosen, width="stretch"):
        bulk_tick(chosen)
    bar[5].caption(_("**{count} selected**").format(count=len(chosen)) if chosen else
                   _("Select rows with the first column"))
    if convert or cancel:
        ui.open_row_dialog("convert" if convert else "cancel", chosen)
    if revive:
        done("revive", ui.attempt(rows.bulk_revive, conn, dead, by=me.id), grid.names(chosen))


def assign_owner(chosen: grid.Chosen) -> None:
    owner = st.selectbox(_("New owner"), list(owner_names), format_func=owner_names.get,
                         key="prospecting_new_owner",
                         index=list(owner_names).index(me.id) if me.id in owner_names else 0)
    if st.button(_("Give {count} row(s) to {name}").format(
            count=len(chosen), name=owner_names.get(owner, "")),
                 type="primary", key="prospecting_assign"):
        done("owner", ui.attempt(rows.bulk_assign_owner, conn, list(chosen), owner, by=me.id),
             grid.names(chosen))


def bulk_tick(chosen: grid.Chosen) -> None:
    """One criterion ticked (or unticked) on every selected row, in one transaction; each row
    is compared with what the rep saw on it."""
    labels = {rows.tick_column(c.key): f"{c.short}: {c.label}" for c in active}
    column = st.selectbox(_("Criterion"), list(labels), format_func=labels.get,
                          key="prospecting_bulk_criterion")
    key = rows.criterion_key(column)
    states = {True: _("tick"), False: _("untick")}
    ticked = st.segmented_control(_("Set to"), list(states), default=True,
                                  format_func=states.get,
                                  key="prospecting_bulk_state") is not False
    wording = _("Tick on {count} row(s)") if ticked else _("Untick on {count} row(s)")
    if st.button(wording.format(count=len(chosen)), type="primary",
                 key="prospecting_bulk_tick"):
        seen = grid.seen_ticks(st.session_state[f"{EDITOR}_saved"], chosen, key)
        done("tick" if ticked else "untick",
             ui.attempt(rows.bulk_tick, conn, list(chosen), key, ticked, seen=seen, by=me.id),
             grid.names(chosen))


def add_person(list_id: int | None) -> None:
    """A walk-in contact, checked like an imported row (validation, duplicates)."""
    with st.form("prospecting_add", clear_on_submit=True, border=False):
        fields = {}
        for (field, label), column in zip(ADD_FIELDS, st.columns(2) * 4, strict=True):
            fields[field] = column.text_input(_(label), key=f"prospecting_add_{field}")
        if st.form_submit_button(_("Add to this list"), type="primary"):
            added = ui.attempt(importing.add_person, conn, list_id, fields, by=me.id)
            if added:
                st.session_state.prospecting_note = added.message
                finish_now()


def done(action: str, outcomes: list[rows.RowOutcome] | None, names: dict[int, str]) -> None:
    """After a row action: its outcomes, row by row, above a freshly loaded table."""
    if outcomes is not None:
        st.session_state.prospecting_outcomes = (action, outcomes, names)
        finish_now()


def finish_now() -> None:
    st.session_state.prospecting_reload = True
    st.rerun()


def pager(base: pd.DataFrame) -> None:
    left, middle, right = st.columns([6, 1, 1], vertical_alignment="bottom")
    left.caption(grid.rows_caption(base))
    middle.selectbox(_("Rows per page"), PAGE_SIZES, key="prospecting_page_size")
    pages = display.page_count(base.attrs["total"], st.session_state.prospecting_page_size)
    right.number_input(_("Page"), min_value=1, max_value=pages, key="prospecting_page")


def history(person_id: int, base: pd.DataFrame) -> None:
    """Who did what to the selected row, newest first."""
    st.subheader(display.markdown(_("History · {name}"), name=grid.row_name(base.loc[person_id])),
                 divider="gray")
    entries = grid.history_table(conn, person_id, viewer=viewer)
    if entries.empty:
        st.caption(_("Nothing has happened to this row yet."))
        return
    st.dataframe(entries, hide_index=True, width="stretch", key="prospecting_history",
                 column_config={
                     "happened_at": st.column_config.DatetimeColumn(
                         _("When"), format=i18n.column_format("moment")),
                     "who": _("Who"), "what": _("What"), "change": _("Old → new"),
                     "note": _("Note")})


table(*row_filter())
