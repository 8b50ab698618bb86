"""The only lib module that talks to Streamlit: the shared connection, the acting user, errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta, tzinfo
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from lib import db, export, importing, leads, qualification, reading, rows, schedule, users
from lib.errors import UserError

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger("leadladder")


@st.cache_resource(show_spinner=False)
def _database(path: str) -> db.Connection:
    """One DuckDB connection per process and database file."""
    return db.connect(path)


def connection() -> db.Connection:
    """This session's own cursor on the process-wide connection."""
    path = str(db.database_path())
    if st.session_state.get("db_path") != path:
        st.session_state.db_cursor = _database(path).cursor()
        st.session_state.db_path = path
    return st.session_state.db_cursor


def new_cursor() -> db.Connection:
    """A fresh cursor on the process-wide connection, for code outside a browser session (the
    calendar feed route): it works before any session has started; the caller closes it."""
    return _database(str(db.database_path())).cursor()


def current_user() -> users.User | None:
    """Whoever the sidebar says the app is acting as (None on an empty database)."""
    user_id = st.session_state.get("sidebar_user")
    return users.get(connection(), user_id) if user_id is not None else None


def current_user_id() -> int | None:
    user = current_user()
    return user.id if user else None


def sidebar_user() -> users.User | None:
    """The 'acting as' picker; every write records this user."""
    everyone = users.all_users(connection())
    if not everyone:
        st.session_state.pop("sidebar_user", None)
        return None
    ids = [u.id for u in everyone]
    if st.session_state.get("sidebar_user") not in ids:
        st.session_state.sidebar_user = ids[0]
    names = {u.id: f"{u.name} ({u.role})" for u in everyone}
    st.sidebar.selectbox("Acting as", ids, format_func=names.__getitem__, key="sidebar_user")
    return current_user()


def attempt(action: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
    """Run a lib action; show its error instead of a traceback. None when it failed."""
    try:
        return action(*args, **kwargs)
    except UserError as exc:
        st.error(str(exc), icon="⚠️")
    except Exception:
        log.exception("action %s failed", getattr(action, "__name__", action))
        st.error("Something went wrong and nothing was saved. The error was logged.", icon="🛑")
    return None


def downloads(frame: pd.DataFrame, name: str, *, key: str) -> None:
    """CSV and XLSX download buttons side by side, both formula-safe."""
    left, right = st.columns(2)
    left.download_button(
        "⬇ CSV", export.to_csv(frame), f"{name}.csv", "text/csv", key=f"{key}_csv",
        width="stretch",
    )
    right.download_button(
        "⬇ XLSX", export.to_xlsx(frame), f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", width="stretch",
    )


def memo(name: str, key: tuple, compute: Callable[[], R]) -> R:
    """Keep the last result of an expensive step (reading, matching) for this session, so a
    rerun for an unrelated widget does not redo it."""
    slot = st.session_state.setdefault(f"memo_{name}", {})
    if slot.get("key") != key:
        slot.clear()
        slot["value"], slot["key"] = compute(), key
    return slot["value"]


def forget(name: str) -> None:
    st.session_state.pop(f"memo_{name}", None)


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "mac-roman", "cp850")
DELIMITER_LABELS = {",": "comma ,", ";": "semicolon ;", "\t": "tab", "|": "pipe |",
                    "": "one column"}


def read_options(table: reading.Table, *, key: str) -> reading.ReadOptions:
    """Encoding, delimiter, sheet and header row, each showing what was detected."""
    found = table.options
    columns = st.columns(4)
    encoding, delimiter, sheet = found.encoding, found.delimiter, found.sheet
    if table.file_format == "csv":
        choices = [found.encoding, *[e for e in ENCODINGS if e != found.encoding]]
        encoding = columns[0].selectbox("Encoding", choices, key=f"{key}_encoding")
        marks = [found.delimiter, *[d for d in DELIMITER_LABELS if d != found.delimiter]]
        delimiter = columns[1].selectbox("Delimiter", marks, key=f"{key}_delimiter",
                                         format_func=lambda d: DELIMITER_LABELS.get(d, repr(d)))
    elif table.sheets:
        sheet = columns[0].selectbox("Sheet", table.sheets, key=f"{key}_sheet",
                                     index=table.sheets.index(found.sheet)
                                     if found.sheet in table.sheets else 0)
    header = columns[3].number_input("Header is on row", min_value=1, step=1,
                                     value=(found.header_row or 0) + 1, key=f"{key}_header")
    return reading.ReadOptions(encoding=encoding, delimiter=delimiter, sheet=sheet,
                               header_row=int(header) - 1)


def import_counts(counts: importing.Counts) -> None:
    """The preview's numbers, in the order an ops person reads them."""
    shown = [("Rows in file", counts.rows_in_file), ("New", counts.added),
             ("Already known", counts.already_known), ("…of them leads", counts.already_lead),
             ("…of them dead", counts.already_dead),
             ("Duplicates in file", counts.duplicates_in_file),
             ("Rejected", counts.rejected), ("Flagged", counts.flagged),
             ("Blank", counts.blank), ("Possible duplicates", counts.possible_duplicates)]
    for column, (label, value) in zip(st.columns(5) + st.columns(5), shown, strict=True):
        column.metric(label, f"{value:,}")


def import_history(conn: db.Connection) -> None:
    """Every import with its counts; the report and Undo for one of them."""
    past = importing.history_frame(conn)
    if past.empty:
        st.caption("No imports yet.")
        return
    st.dataframe(past, hide_index=True, width="stretch", key="import_history_table")
    labels = {int(r.import_id): f"#{r.import_id} {r.file_name} → {r.list}"
              + (" (undone)" if pd.notna(r.undone_at) else "")
              for r in past.itertuples()}
    chosen = st.selectbox("Import", list(labels), format_func=labels.get,
                          key="import_history_pick")
    downloads(importing.report(conn, chosen), f"import-{chosen}-report",
              key="import_history_report")
    with st.popover("Undo this import…"):
        st.write("People this import created and nobody touched since are removed; "
                 "everyone worked on since stays.")
        if st.button("Undo import", type="primary", key="import_undo"):
            result = attempt(importing.undo, conn, chosen, by=current_user_id())
            if result:
                st.session_state.import_undo_message = result.message
                st.rerun()
    if message := st.session_state.pop("import_undo_message", None):
        st.success(message)


# --- leads: the pieces the to-do, pipeline and lead pages share ----------------------------

GROUP_BADGES = {"overdue": ("Overdue", "red"), "today": ("Today", "orange"),
                "upcoming": ("Upcoming", "blue"), "later": ("Later", "gray"),
                "standby": ("Standby", "violet")}
NEXT_LABELS = {"call": "📞 Call", "email": "✉️ E-mail", "meeting": "🤝 Meeting", "task": "☑️ Task"}
ACTIVITY_LABELS = {"call": "📞 Call", "email": "✉️ E-mail", "meeting": "🤝 Meeting",
                   "note": "📝 Note", "none": "Nothing, only reschedule"}
OUTCOME_LABELS = {"reached": "Reached", "no_answer": "No answer", "voicemail": "Voicemail",
                  "wrong_number": "Wrong number"}
LEAD_ACTIONS = {"log": "Log & plan", "step": "Move to another step",
                "standby": "Park on standby", "resume": "Resume now", "won": "Mark won",
                "lost": "Mark lost", "cancelled": "Cancel the lead", "reopen": "Reopen…",
                "detail": "Open the lead"}
_HELP = {"log": "Log a call, e-mail, meeting or note and set the next step, in one go",
         "reopen": "Open the lead again, with a new next step"}
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
_LIKELY_ACTIVITY = {"call": "call", "email": "email", "meeting": "meeting", "task": "note"}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~$])")


def flash(message: str) -> None:
    """Keep what an action did for the rerun that shows its result (``show_flash`` toasts it)."""
    st.session_state.ui_flash = message


def show_flash() -> None:
    if message := st.session_state.pop("ui_flash", None):
        st.toast(message, icon="✅")


def given(value: Any) -> Any:
    """None for the blanks a DataFrame row holds (None, NaN, NaT, <NA>), else the value."""
    return None if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else value


def md(text: Any) -> str:
    """Text shown inside markdown as it is (a company called "*Best*" stays literal)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def today(conn: db.Connection) -> date:
    """Today in the app's time zone: what 'due today' and 'days ago' count from."""
    return schedule.local_today(db.utcnow(), schedule.app_zone(conn))


def money(amount: Any, currency: Any = "EUR") -> str:
    """€12,000 or 1,250.50 CHF; a dash when there is no amount."""
    if given(amount) is None:
        return "—"
    value = float(amount)
    number = f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    sign = CURRENCY_SIGNS.get(str(currency))
    return f"{sign}{number}" if sign else f"{number} {currency}"


def day_text(day: Any, today: date) -> str:
    """yesterday, today, tomorrow, or "Thu 4 Dec" (with the year when it is another year)."""
    day = pd.Timestamp(day).date()
    offset = (day - today).days
    if -1 <= offset <= 1:
        return ("yesterday", "today", "tomorrow")[offset + 1]
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def next_step_text(kind: str, day: Any, at: Any, today: date) -> str:
    """'📞 Call · tomorrow 10:00'."""
    at = given(at)
    return f"{NEXT_LABELS[kind]} · {day_text(day, today)}" + (f" {at:%H:%M}" if at else "")


def moment_text(at: Any, zone: tzinfo, today: date) -> str:
    """A stored (UTC) timestamp in the app's time zone: "yesterday 14:24", "Thu 6 Nov 09:05"."""
    local = pd.Timestamp(at).tz_localize("UTC").tz_convert(zone)
    return f"{day_text(local.date(), today)} {local:%H:%M}"


def since_text(days: Any) -> str:
    """How long ago the last action was: today, yesterday, 5 days ago."""
    if given(days) is None:
        return "never"
    return {0: "today", 1: "yesterday"}.get(int(days), f"{int(days)} days ago")


def badge(group: str) -> str:
    """A coloured markdown badge for a to-do group: overdue red, today orange, …"""
    label, color = GROUP_BADGES[group]
    return f":{color}-badge[{label}]"


def contact_links(row: Mapping[str, Any]) -> str:
    """E-mail and phone numbers of a lead row as mailto: and tel: links (markdown)."""
    links = []
    if email := given(row.get("email")):
        links.append(f"[{md(email)}](mailto:{email})")
    for key in ("phone", "mobile"):
        if number := given(row.get(key)):
            links.append(f"[{md(number)}](tel:{re.sub(r'[^+0-9]', '', number)})")
    return " · ".join(links)


def app_url(path: str, page_path: str) -> str:
    """The absolute URL of ``path`` in this app, from the browser's URL of the current page
    (whose own ``page_path`` is cut off); just ``path`` when the URL is unknown (tests)."""
    here = (st.context.url or "").rstrip("/")
    return here.removesuffix("/" + page_path) + path


def lead_link(lead_id: int, label: str) -> None:
    """A link to the lead's own page (in-app navigation: the session stays)."""
    st.page_link("pages/lead.py", label=f"**{md(label)}**", help=f"Open {label}",
                 query_params={"lead": int(lead_id)})


def owner_filter(conn: db.Connection, me: users.User, *, key: str, label: str,
                 anyone_may_choose: bool = False, team_first: bool = False) -> int | None:
    """Whose leads to show: the acting user's own; managers (or anyone, when allowed) pick
    another owner or the whole team (None). Each acting user keeps their own choice."""
    if not (me.sees_team or anyone_may_choose):
        return me.id
    owners = users.owners_frame(conn)
    names: dict[Any, str] = {int(i): n for i, n in zip(owners["id"], owners["name"], strict=True)}
    names[me.id] = f"Me ({me.name})"
    options = [me.id, *[i for i in names if i != me.id], "team"]
    names["team"] = "Whole team"
    chosen = st.selectbox(label, options, index=len(options) - 1 if team_first else 0,
                          format_func=names.get, key=f"{key}_{me.id}")
    return None if chosen == "team" else chosen


def lead_actions(conn: db.Connection, row: Mapping[str, Any], key: str, *,
                 detail: bool = True) -> None:
    """A lead's actions: 'Log & plan' (or 'Reopen') and a menu of the others. A choice opens
    its dialog, shown by ``lead_dialog`` later in the same run."""
    lead_id, status = int(row["lead_id"]), row["status"]
    primary, menu = ("reopen", []) if status in leads.CLOSED else (
        "log", ["resume" if status == "standby" else "standby", "step", "won", "lost",
                "cancelled"])
    menu += ["detail"] if detail else []
    chosen = primary if st.button(LEAD_ACTIONS[primary], type="primary", help=_HELP[primary],
                                  key=f"{key}_{primary}_{lead_id}") else None
    if menu:
        chosen = st.menu_button("More", menu, format_func=LEAD_ACTIONS.get,
                                key=f"{key}_more_{lead_id}") or chosen
    if chosen == "detail":
        st.switch_page("pages/lead.py", query_params={"lead": lead_id})
    elif chosen == "resume":
        finish(attempt(_resume, conn, row))
    elif chosen:
        st.session_state.ui_lead_action = {"key": key, "action": chosen, "lead": dict(row)}


def lead_dialog(conn: db.Connection, key: str) -> None:
    """The dialog of the action chosen on this page, if one is open (call once per run)."""
    chosen = st.session_state.get("ui_lead_action")
    if chosen and chosen["key"] == key:
        lead = chosen["lead"]
        _DIALOGS[chosen["action"]](conn, lead, f"{key}_{chosen['action']}_{lead['lead_id']}")


def _forget_action() -> None:
    st.session_state.pop("ui_lead_action", None)


def finish(message: str | None) -> None:
    """After a saved action: toast it, close any lead dialog, show the new state at once."""
    if message:
        flash(message)
        _forget_action()
        st.rerun()


def _heading(lead: Mapping[str, Any], conn: db.Connection) -> None:
    due = ("" if given(lead.get("next_type")) is None else " · next step: " + next_step_text(
        lead["next_type"], lead["next_due_date"], lead["next_due_time"], today(conn)))
    st.markdown(f"**{md(lead['title'])}** · {md(lead['step'])}{due}")


def next_step_inputs(key: str, kind: str | None, today: date, *,
                     due: date | None = None) -> dict[str, Any]:
    """The next step's fields as NextStep arguments; ``due`` fixes the date instead of asking."""
    st.markdown("**Next step**")
    chosen = st.segmented_control("Type", list(NEXT_LABELS), default=kind or "call",
                                  required=True, format_func=NEXT_LABELS.get, key=f"{key}_type")
    cells = iter(st.columns(3))
    day = due or next(cells).date_input("Due", value=today + timedelta(days=1), min_value=today,
                                        format="DD.MM.YYYY", key=f"{key}_date")
    at = next(cells).time_input("Time (optional)", value=None, step=timedelta(minutes=15),
                                key=f"{key}_time")
    minutes = next(cells).number_input(
        "Duration (minutes)", 5, 1440, leads.MEETING_MINUTES, step=15, key=f"{key}_minutes",
    ) if chosen == "meeting" else None
    note = st.text_input("Note", placeholder="e.g. ask who decides", key=f"{key}_note")
    return {"type": chosen, "due_date": day, "due_time": at, "duration_min": minutes,
            "note": note}


def log_and_plan(conn: db.Connection, lead: Mapping[str, Any], key: str) -> str | None:
    """What happened and the next step: one submit, one transaction. Returns what was saved
    (None before the submit or when it was refused)."""
    kind = st.segmented_control(
        "What happened?", list(ACTIVITY_LABELS), required=True, format_func=ACTIVITY_LABELS.get,
        default=_LIKELY_ACTIVITY.get(given(lead.get("next_type")), "call"), key=f"{key}_kind")
    outcome = text = None
    if kind == "call":
        outcome = st.segmented_control("How did the call go?", list(OUTCOME_LABELS),
                                       format_func=OUTCOME_LABELS.get, key=f"{key}_outcome")
    if kind != "none":
        text = st.text_area("Notes", placeholder="What was said, what was agreed", height=90,
                            key=f"{key}_text")
    step = next_step_inputs(f"{key}_next", given(lead.get("next_type")), today(conn))
    if st.button("Save", type="primary", key=f"{key}_save", width="stretch"):
        return attempt(_log_and_plan, conn, lead, kind, outcome, text, step)
    return None


def _log_and_plan(conn: db.Connection, lead: Mapping[str, Any], kind: str,
                  outcome: str | None, text: str | None, step: dict[str, Any]) -> str:
    next_step = leads.NextStep(**step)
    lead_id, by = int(lead["lead_id"]), current_user_id()
    if kind == "none":
        leads.set_next_step(conn, lead_id, next_step, by=by)
    else:
        activity = leads.Activity(kind, text, outcome)
        leads.log_activity_and_next_step(conn, lead_id, activity, next_step, by=by)
    done = "Rescheduled" if kind == "none" else ACTIVITY_LABELS[kind] + " logged"
    planned = next_step_text(next_step.type, next_step.due_date, next_step.due_time, today(conn))
    return f"{done}: {lead['title']} → {planned}"


@st.dialog("Log what happened, plan what is next", width="medium", on_dismiss=_forget_action)
def _log_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    _heading(lead, conn)
    finish(log_and_plan(conn, lead, key))


@st.dialog("Move to another step", on_dismiss=_forget_action)
def _step_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    _heading(lead, conn)
    steps = leads.active_steps(conn)
    keys = list(steps)
    chosen = st.radio("Step", keys, format_func=steps.get, key=f"{key}_to",
                      index=keys.index(lead["step_key"]) if lead["step_key"] in steps else 0)
    if st.button("Move", type="primary", key=f"{key}_save"):
        finish(attempt(move_lead, conn, lead, chosen))


def move_lead(conn: db.Connection, lead: Mapping[str, Any], step_key: str) -> str:
    """Move a lead to another step (logged); returns what happened."""
    leads.move_step(conn, int(lead["lead_id"]), step_key, by=current_user_id())
    return f"{lead['title']} → {leads.active_steps(conn).get(step_key, step_key)}"


@st.dialog("Park on standby", width="medium", on_dismiss=_forget_action)
def _standby_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    _heading(lead, conn)
    now = today(conn)
    until = st.date_input("Back on", value=now + timedelta(days=14), min_value=now +
                          timedelta(days=1), format="DD.MM.YYYY", key=f"{key}_until")
    st.caption("On that day the lead is back in the to-do, with this next step due.")
    step = next_step_inputs(f"{key}_next", given(lead.get("next_type")), now, due=until)
    if st.button("Park", type="primary", key=f"{key}_save"):
        finish(attempt(_standby, conn, lead, until, step))


def _standby(conn: db.Connection, lead: Mapping[str, Any], until: date,
             step: dict[str, Any]) -> str:
    leads.standby(conn, int(lead["lead_id"]), until, leads.NextStep(**step),
                  by=current_user_id())
    return f"{lead['title']} parked until {day_text(until, today(conn))}"


def _resume(conn: db.Connection, lead: Mapping[str, Any]) -> str:
    leads.resume(conn, int(lead["lead_id"]), by=current_user_id())
    return f"{lead['title']} is back in the to-do"


def _close_body(conn: db.Connection, lead: Mapping[str, Any], key: str, outcome: str) -> None:
    _heading(lead, conn)
    reasons = {"lost": leads.LOST_REASONS, "cancelled": leads.CANCEL_REASONS}.get(outcome)
    reason = st.selectbox("Reason", reasons, index=None, placeholder="Choose a reason",
                          key=f"{key}_reason") if reasons else None
    note = st.text_area("Note" if outcome == "won" else "Note (needed when the reason is other)",
                        height=80, key=f"{key}_note")
    if st.button(LEAD_ACTIONS[outcome], type="primary", key=f"{key}_save"):
        finish(attempt(_close, conn, lead, outcome, reason, note))


def _close(conn: db.Connection, lead: Mapping[str, Any], outcome: str, reason: str | None,
           note: str | None) -> str:
    lead_id, by = int(lead["lead_id"]), current_user_id()
    if outcome == "won":
        leads.won(conn, lead_id, note, by=by)
    else:
        close = leads.lost if outcome == "lost" else leads.cancel
        close(conn, lead_id, reason or "", note, by=by)
    return f"{lead['title']}: {outcome}" + (" 🎉" if outcome == "won" else f" ({reason})")


def _closing_dialog(outcome: str, title: str) -> Callable[..., None]:
    @st.dialog(title, on_dismiss=_forget_action)
    def show(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
        _close_body(conn, lead, key, outcome)

    return show


@st.dialog("Reopen the lead", width="medium", on_dismiss=_forget_action)
def _reopen_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    st.markdown(f"**{md(lead['title'])}** · {lead['status']}")
    step = next_step_inputs(f"{key}_next", None, today(conn))
    if st.button("Reopen", type="primary", key=f"{key}_save"):
        finish(attempt(_reopen, conn, lead, step))


def _reopen(conn: db.Connection, lead: Mapping[str, Any], step: dict[str, Any]) -> str:
    leads.reopen(conn, int(lead["lead_id"]), leads.NextStep(**step), by=current_user_id())
    return f"{lead['title']} is open again"


_DIALOGS: dict[str, Callable[..., None]] = {
    "log": _log_dialog, "step": _step_dialog, "standby": _standby_dialog,
    "won": _closing_dialog("won", "Mark the lead won"),
    "lost": _closing_dialog("lost", "Mark the lead lost"),
    "cancelled": _closing_dialog("cancelled", "Cancel the lead"),
    "reopen": _reopen_dialog,
}


# --- prospecting: the editable table and its row actions -----------------------------------

STATUS_BADGES = {"suspect": "⚪ suspect", "prospect": "🟡 prospect", "lead": "🟢 lead",
                 "dead": "⚫ dead"}


def status_badge(status: str) -> str:
    """A status with a coloured dot, so the four rungs are told apart at a glance."""
    return STATUS_BADGES.get(status, status)


def criteria_columns(criteria: Sequence[qualification.Criterion]) -> dict[str, Any]:
    """One narrow checkbox column per criterion: its short label on top, the full wording and
    the description on hover."""
    return {
        rows.tick_column(c.key): st.column_config.CheckboxColumn(
            c.short_label, width=72,
            help=f"**{c.label_en}** ({c.stage} criterion) — {c.description}")
        for c in criteria
    }


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


def editor_snapshot(name: str, view: tuple, load: Callable[[], pd.DataFrame], *,
                    reload: bool = False) -> str:
    """The STACK-NOTES data_editor pattern: feed the editor a snapshot that stays put.

    The browser keeps an editor's edits relative to the first data it received, so the
    snapshot ``{name}_base`` is loaded (and the editor gets a new key) only when ``view``
    changes or on ``reload``; ``{name}_saved`` is what is stored, the baseline of
    ``changed_cells``. Returns the editor's key.
    """
    state = st.session_state
    if reload or state.get(f"{name}_view") != view or f"{name}_base" not in state:
        state[f"{name}_base"] = load()
        state[f"{name}_saved"] = state[f"{name}_base"].copy()
        state[f"{name}_view"] = view
        state[f"{name}_version"] = state.get(f"{name}_version", -1) + 1
    return f"{name}_{state[f'{name}_version']}"


def pending_edits(key: str, base: pd.DataFrame) -> pd.DataFrame:
    """What the editor ``key`` shows now: ``base`` plus the browser's edits.

    Read from the session before the editor is drawn, so that saving them can update the
    status of the same run's table.
    """
    edited = base.astype(object)
    state = st.session_state.get(key) or {}
    for position, cells in state.get("edited_rows", {}).items():
        for column, value in cells.items():
            if column in edited.columns and int(position) < len(edited):
                edited.iloc[int(position), edited.columns.get_loc(column)] = value
    return edited


def changed_cells(edited: pd.DataFrame, saved: pd.DataFrame, columns: Sequence[str]
                  ) -> list[tuple[Any, str, Any, Any]]:
    """(index, column, stored value, shown value) of every cell that differs from what is
    stored; empty text and a missing value count as the same."""
    return [
        (index, column, old, new)
        for column in columns if column in edited.columns
        for index, new, old in zip(edited.index, edited[column].tolist(),
                                   saved[column].tolist(), strict=True)
        if _cell(new) != _cell(old)
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return given(value)


def local_times(conn: db.Connection, moments: pd.Series) -> pd.Series:
    """Stored (naive UTC) timestamps as wall-clock time of the app's time zone."""
    utc = pd.to_datetime(moments).astype("datetime64[us]").dt.tz_localize("UTC")
    return utc.dt.tz_convert(schedule.app_zone(conn)).dt.tz_localize(None)


def row_outcomes(what: str, outcomes: Sequence[rows.RowOutcome], names: Mapping[int, str]
                 ) -> None:
    """What a row action did: one line for one row, a count and the refusals for several."""
    done = [o for o in outcomes if o.ok]
    if len(outcomes) == 1:
        (only,) = outcomes
        show = st.success if only.ok else st.warning
        show(f"{names.get(only.person_id, only.person_id)}: {only.message}",
             icon="✅" if only.ok else "⚠️")
        return
    everyone = len(done) == len(outcomes)
    (st.success if everyone else st.warning)(f"{what}: {len(done)} of {len(outcomes)} rows.",
                                             icon="✅" if everyone else "⚠️")
    refused = [o for o in outcomes if not o.ok]
    if refused:
        st.dataframe(pd.DataFrame({"Row": [names.get(o.person_id, o.person_id) for o in refused],
                                   "Why not": [o.message for o in refused]}),
                     hide_index=True, width="stretch")


RowsDone = Callable[[str, list[rows.RowOutcome], Mapping[int, str]], None]


def open_row_dialog(kind: str, chosen: Mapping[int, tuple[str, str]]) -> None:
    """Open the "convert" or "cancel" dialog for these rows (person id → (name, status)).

    It stays open across reruns until it is done or dismissed; ``row_dialog`` draws it.
    """
    st.session_state.ui_row_dialog = (kind, dict(chosen))


def row_dialog(conn: db.Connection, key: str, done: RowsDone) -> None:
    """The open row dialog, if any (call once per run). ``done(kind, outcomes, names)`` gets
    what the action did, row by row."""
    if opened := st.session_state.get("ui_row_dialog"):
        kind, chosen = opened
        draw = convert_dialog if kind == "convert" else cancel_dialog
        draw(conn, chosen, f"{key}_{kind}", lambda outcomes: done(kind, outcomes, {
            pid: name for pid, (name, _) in chosen.items()}))


def _forget_row_dialog() -> None:
    st.session_state.pop("ui_row_dialog", None)


def _rows_heading(chosen: Mapping[int, tuple[str, str]]) -> None:
    listed = ", ".join(md(name) for name, _ in list(chosen.values())[:5])
    more = f" and {len(chosen) - 5} more" if len(chosen) > 5 else ""
    st.markdown(f"**{len(chosen)} rows:** {listed}{more}" if len(chosen) > 1
                else f"**{listed}**")


def _closing(outcomes: list[rows.RowOutcome] | None,
             done: Callable[[list[rows.RowOutcome]], None]) -> None:
    """Close the dialog and hand the outcomes over when at least one row succeeded; when every
    row was refused for the same reason (a missing note, a wrong amount), say it here and keep
    the dialog open."""
    if not outcomes:
        return
    if any(o.ok for o in outcomes) or len({o.message for o in outcomes}) > 1:
        _forget_row_dialog()
        done(outcomes)
    else:
        st.error(outcomes[0].message, icon="⚠️")


@st.dialog("Convert to lead", width="large", on_dismiss=_forget_row_dialog)
def convert_dialog(conn: db.Connection, chosen: Mapping[int, tuple[str, str]], key: str,
                   done: Callable[[list[rows.RowOutcome]], None]) -> None:
    """The (+) action for one or more rows: owner, step, the next step, amount and note."""
    _rows_heading(chosen)
    _convert_warnings(conn, chosen)
    owners = users.owners_frame(conn)
    names = dict(zip(owners["id"].astype(int), owners["name"], strict=True))
    me = current_user_id()
    left, right = st.columns(2)
    owner = left.selectbox("Owner", list(names), format_func=names.get, key=f"{key}_owner",
                           index=list(names).index(me) if me in names else 0)
    steps = leads.active_steps(conn)
    step = right.selectbox("Pipeline step", list(steps), format_func=steps.get,
                           key=f"{key}_step")
    next_step = next_step_inputs(f"{key}_next", None, today(conn))
    left, right = st.columns([1, 2])
    amount = left.number_input("Amount (optional)", min_value=0.0, value=None, step=500.0,
                               key=f"{key}_amount")
    note = right.text_input("Note on the lead (optional)", key=f"{key}_note")
    qualified = all(status == "lead" for _, status in chosen.values())
    if st.button("Convert" if qualified else "Convert anyway", type="primary",
                 key=f"{key}_save", width="stretch"):
        _closing(attempt(_convert, conn, list(chosen), owner, step, next_step, amount, note),
                 done)


def _convert_warnings(conn: db.Connection, chosen: Mapping[int, tuple[str, str]]) -> None:
    """Say before the click what the conversion will not do as asked."""
    early = [f"{name} ({status})" for name, status in chosen.values()
             if status in ("suspect", "prospect")]
    if early:
        st.warning(f"Not qualified as lead yet: {', '.join(early)}. You can convert anyway.",
                   icon="⚠️")
    if dead := [name for name, status in chosen.values() if status == "dead"]:
        st.info(f"Cancelled rows are skipped until revived: {', '.join(dead)}.", icon="ℹ️")
    if known := [chosen[pid][0] for pid in chosen if leads.open_lead_of(conn, pid)]:
        st.info(f"Already an open lead, so nothing new is created: {', '.join(known)}.",
                icon="ℹ️")


def _convert(conn: db.Connection, person_ids: list[int], owner: int, step: str,
             next_step: dict[str, Any], amount: float | None, note: str
             ) -> list[rows.RowOutcome]:
    return rows.bulk_convert(conn, person_ids, owner_id=owner,
                             next_step=leads.NextStep(**next_step), step_key=step,
                             amount=amount, note=note or None, by=current_user_id())


@st.dialog("Cancel rows", on_dismiss=_forget_row_dialog)
def cancel_dialog(conn: db.Connection, chosen: Mapping[int, tuple[str, str]], key: str,
                  done: Callable[[list[rows.RowOutcome]], None]) -> None:
    """Make rows dead with a reason; ticks stay, so Revive brings the status back."""
    _rows_heading(chosen)
    reason = st.selectbox("Reason", rows.CANCEL_REASONS, index=None,
                          placeholder="Choose a reason", key=f"{key}_reason")
    note = st.text_input("Note" + (" (required)" if reason == "other" else " (optional)"),
                         key=f"{key}_note")
    rows_word = "row" if len(chosen) == 1 else f"{len(chosen)} rows"
    if st.button(f"Cancel {rows_word}", type="primary", key=f"{key}_save",
                 disabled=reason is None, width="stretch"):
        _closing(attempt(rows.bulk_cancel, conn, list(chosen), reason, note or None,
                         by=current_user_id()), done)


def downloads_on_click(make: Callable[[db.Connection], pd.DataFrame], name: str, *,
                       key: str) -> None:
    """CSV and XLSX buttons (formula-safe) that build the file only when clicked: a
    100k-row list takes seconds. The file is built on another thread, with its own cursor."""
    path = str(db.database_path())

    def build(to_bytes: Callable[[pd.DataFrame], bytes]) -> Callable[[], bytes]:
        return lambda: to_bytes(make(_database(path).cursor()))

    left, right = st.columns(2)
    left.download_button("⬇ CSV", build(export.to_csv), f"{name}.csv", "text/csv",
                         key=f"{key}_csv", width="stretch", on_click="ignore")
    right.download_button(
        "⬇ XLSX", build(export.to_xlsx), f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", width="stretch", on_click="ignore")
