"""The only lib module that talks to Streamlit: the shared connection, the login gate and the
logged-in user, errors, and the widget compositions several pages share. What they show is
decided by plain lib modules (display, grid, lead_view, …); this module only draws it."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st
from streamlit import config as st_config
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from lib import (
    access,
    audit,
    auth,
    db,
    demo,
    display,
    export,
    grid,
    i18n,
    importing,
    lead_view,
    leads,
    login_routes,
    passwords,
    qualification,
    reading,
    rows,
    schedule,
    sso,
    users,
)
from lib.errors import StorageBusy, UserError
from lib.i18n import N_, _

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger("leadladder")
SOMETHING_WENT_WRONG = N_("Something went wrong and nothing was saved. The error was logged.")


@st.cache_resource(show_spinner=False)
def _database(path: str) -> db.Connection:
    """One connection per process and database (a DuckDB file, or a pool on PostgreSQL)."""
    return db.connect(path)


class SessionCursor:
    """One session's cursor, used by one script thread at a time.

    Streamlit runs a session's script in a thread that ends with its run (or its chain of
    reruns); with fast reruns a click starts a new thread at once while the old one may still be
    inside a DuckDB call, and two threads on one cursor fail with "connection is busy". The
    cursor must stay the session's (an import preview lives in its temporary tables), so the
    session's next thread waits until the thread holding the cursor has ended."""

    WAIT_SECONDS = 120.0  # longer than the longest query (a million-row import)

    def __init__(self, cursor: db.Connection):
        self.cursor = cursor
        self._holder: threading.Thread | None = None
        self._released = threading.Condition()

    def take(self) -> db.Connection:
        """The cursor, for the calling thread until it ends."""
        me = threading.current_thread()
        deadline = time.monotonic() + self.WAIT_SECONDS
        with self._released:
            while self._holder not in (None, me) and self._holder.is_alive():
                if time.monotonic() > deadline:
                    raise StorageBusy(_("The page is still busy with an earlier request;"
                                        " reload it in a moment."))
                self._released.wait(0.02)  # a thread's end is not signalled: poll
            self._holder = me
        return self.cursor


_NEW_SESSION = threading.Lock()


def connection() -> db.Connection:
    """This session's own cursor on the process-wide connection, held by this script run."""
    path = db.database_setting()
    with _NEW_SESSION:
        held = st.session_state.get("db_session")
        if held is None or st.session_state.get("db_path") != path:
            held = st.session_state.db_session = SessionCursor(_database(path).cursor())
            st.session_state.db_path = path
    return held.take()


def new_cursor() -> db.Connection:
    """A fresh cursor on the process-wide connection, for code outside a browser session (the
    calendar feed route): it works before any session has started; the caller closes it."""
    return _database(db.database_setting()).cursor()


def client() -> str | None:
    """The browser's address as login throttling counts it (AppTest has none)."""
    address = st.context.ip_address
    return auth.client_key(address if isinstance(address, str) else None)


def signed_in_user() -> users.User | None:
    """The logged-in user of this browser, checked on every run (a session ended elsewhere, by
    "log out everywhere" or a deactivation, ends here at the next click). The token is in this
    session's state after a login in it, else in the cookie of an earlier one."""
    conn = connection()
    token = st.session_state.get("auth_token") or _cookie()
    user = auth.session_user(conn, token)
    if user is None:
        st.session_state.pop("auth_token", None)
        st.session_state.pop("auth_user_id", None)
        return None
    st.session_state.auth_token = token
    st.session_state.auth_user_id = user.id
    return user


def _cookie() -> str | None:
    """The login cookie of the request that opened this session (none in AppTest)."""
    value = st.context.cookies.get(login_routes.COOKIE)
    return value if isinstance(value, str) else None


def current_user() -> users.User | None:
    """The logged-in user (None before a login); every write records them."""
    user_id = st.session_state.get("auth_user_id")
    return users.get(connection(), user_id) if user_id is not None else None


def current_viewer() -> access.Viewer:
    """What the current user may see and do (``lib.access``): every read of a page goes
    through it. A database without any user yet (the first run) has nobody to hide anything
    from: full access, as the command line. Otherwise, without a user the page says so and
    stops; a deactivated one is refused."""
    if not users.anyone(connection()):
        return access.FULL_ACCESS
    user = require_user()
    try:
        return access.viewer_of(connection(), user.id)  # access.viewer_for, active checked
    except access.NotAllowed as exc:
        st.error(str(exc), icon="🚫")
        st.stop()
        raise


def current_user_id() -> int | None:
    user = current_user()
    return user.id if user else None


def require_user(message: str = "Log in first.") -> users.User:
    """The logged-in user; without one, say so and draw nothing more (the login gate in app.py
    normally stops earlier)."""
    me = current_user()
    if me is None:
        st.info(_(message))
        st.stop()
    return me


def _redirect(url: str) -> None:
    """Send the browser to ``url`` (the frontend follows Streamlit's own auth redirect)."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        message = ForwardMsg()
        message.auth_redirect.url = url
        ctx.enqueue(message)


def _here() -> str:
    """This page's path and query, to come back to after the cookie round trip."""
    url = st.context.url
    path = urlsplit(url if isinstance(url, str) else "").path or "/"
    query = urlencode(st.query_params.to_dict())
    return f"{path}?{query}" if query else path


def logged_in(login: auth.Login, next_path: str | None = None) -> None:
    """After a login: this session knows the user at once, and the browser gets the cookie
    through the hand-off route, then comes back to the same page (or ``next_path``)."""
    st.session_state.auth_token = login.token
    st.session_state.auth_user_id = login.user.id
    code = auth.make_handoff(login.token, client())
    _redirect(f"{login_routes.SESSION_PATH}?"
              f"{urlencode({'code': code, 'next': next_path or _here()})}")
    st.caption(_("Logging in…"))
    st.stop()  # a rerun would drop the redirect from the queue before the browser sees it


def log_out() -> None:
    """End this browser's login session and drop the cookie."""
    if token := st.session_state.pop("auth_token", None):
        attempt(auth.log_out, connection(), token)
    st.session_state.pop("auth_user_id", None)
    _redirect(login_routes.LOGOUT_PATH)


def use_language(me: users.User | None) -> str:
    """This run's language: the user's choice, else the browser's, else English. Set at the
    start of every run (per session, never process-wide)."""
    code = i18n.choose(me.language if me else None, st.context.locale)
    i18n.set_language(code)
    return code


def _language_chosen(me: users.User, key: str) -> None:
    choice = st.session_state[key]
    attempt(users.set_language, connection(), me.id, None if choice == "browser" else choice,
            by=me.id)


def sidebar_account(me: users.User) -> None:
    """The profile menu: who is logged in, their language, and Log out."""
    with st.sidebar.container(border=True):
        st.caption(_("Logged in as"))
        st.text(f"{me.name} · {_(access.ROLE_LABELS[me.role])}")
        st.text(me.email)
        options = {"browser": _("Like the browser"), **i18n.LANGUAGES}
        st.selectbox(_("Language"), list(options), format_func=options.get,
                     index=list(options).index(me.language or "browser"), key="profile_language",
                     on_change=_language_chosen, args=(me, "profile_language"),
                     label_visibility="collapsed")
        if st.button(_("Log out"), icon=":material/logout:", key="auth_logout",
                     width="stretch"):
            log_out()
            st.stop()


def login_form(*, demo: bool) -> None:
    """E-mail and password; a refusal never says whether the e-mail exists."""
    st.title(_("Log in to leadladder"))
    if demo:
        st.info(_("This is a demo database: demo logins exist (`python -m lib.cli demo --json` "
                  "printed them when the demo was loaded)."), icon=":material/info:")
    with st.form("auth_login"):
        email = st.text_input(_("E-mail"), key="auth_email", autocomplete="username")
        password = st.text_input(_("Password"), type="password", key="auth_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(_("Log in"), type="primary", width="stretch")
    if submitted:
        login = attempt(auth.log_in, connection(), email, password, client=client())
        if login:
            logged_in(login)


def first_admin_form() -> None:
    """A database without users: create the first admin (and nothing else is shown)."""
    st.title(_("Create the first admin"))
    st.write(_("This leadladder has no users yet. The first account is an admin, who then adds "
               "everyone else on the People page."))
    with st.form("auth_first_admin"):
        name = st.text_input(_("Your name"), key="auth_first_name")
        email = st.text_input(_("E-mail (your login)"), key="auth_first_email",
                              autocomplete="username")
        password = st.text_input(_("Password (at least {count} characters)").format(
                                     count=passwords.MIN_LENGTH),
                                 type="password", key="auth_first_password",
                                 autocomplete="new-password")
        repeated = st.text_input(_("Password again"), type="password", key="auth_first_repeated",
                                 autocomplete="new-password")
        submitted = st.form_submit_button(_("Create admin and log in"), type="primary",
                                          width="stretch")
    if submitted:
        login = attempt(auth.create_first_admin, connection(), name, email, password, repeated,
                        client=client())
        if login:
            logged_in(login)


def link_url(token: str, page_path: str) -> str:
    """The set-password link for a one-time token, as the person will open it."""
    return app_url(f"/set_password?{urlencode({'token': token})}", page_path)


def login_gate() -> None:
    """What a visitor without a session sees: the first-admin form on a database without
    users, else the login form. Nothing of the data."""
    conn = connection()
    if not users.exist(conn):
        first_admin_form()
    else:
        single_sign_on()
        login_form(demo=demo.is_demo(conn))
        sso_buttons()


# --- single sign-on: Streamlit's st.login, matched to a leadladder user by lib/sso.py --------


def _secret(name: str) -> dict[str, Any]:
    """A table of .streamlit/secrets.toml as a dict ({} without the file or the table)."""
    try:
        value = st.secrets.get(name)
    except FileNotFoundError:
        return {}
    return value.to_dict() if hasattr(value, "to_dict") else dict(value or {})


def sso_buttons() -> None:
    """"Sign in with …" for each provider that secrets.toml configures (none: nothing)."""
    providers = sso.providers(_secret("auth"), _secret("sso").get("labels"))
    if providers:
        st.caption(_("or"))
    for name, label in providers.items():
        if st.button(display.markdown(_("Sign in with {provider}"), provider=label),
                     key=f"auth_sso_{name}",
                     icon=":material/key:", width="stretch"):
            st.login(name)


def single_sign_on() -> None:
    """Back from the provider (``st.user`` holds the ID token's claims): log the matched user
    in, or say once why not, with a way back that drops the provider's identity."""
    if not st.user.get("is_logged_in"):
        return
    if "auth_sso_refused" not in st.session_state:
        login = _sso_login()
        if login is not None:
            logged_in(login)
    error(st.session_state.auth_sso_refused)
    if st.button(_("Use another account"), key="auth_sso_other", icon=":material/logout:"):
        _redirect(login_routes.LOGOUT_PATH)
        st.stop()


def _sso_login() -> auth.Login | None:
    """The login for the provider's claims; None (the reason kept for this session) when
    leadladder refuses them or the [sso] settings are wrong."""
    conn = connection()
    try:
        rules = sso.rules_for(conn, _secret("sso"))
        return sso.sign_in(conn, st.user.to_dict(), rules, client=client())
    except UserError as exc:
        st.session_state.auth_sso_refused = str(exc)
    except Exception:
        log.exception("single sign-on failed")
        st.session_state.auth_sso_refused = _("Single sign-on failed and nobody was logged in. "
                                               "The error was logged.")
    return None


# --- messages: whatever they hold from files or users is shown as typed ---------------------
# Each helper hands its text to Streamlit through ``display.shown``: plain text is escaped,
# ``display.Markdown`` built by lib (with its data escaped) keeps its formatting. ``where`` is
# a column or container, the page itself by default.


def say(text: str, *, where: Any = st) -> None:
    where.markdown(display.shown(text))


def note(text: str, *, where: Any = st) -> None:
    """A caption."""
    where.caption(display.shown(text))


def info(text: str, *, icon: str | None = None, where: Any = st) -> None:
    where.info(display.shown(text), icon=icon)


def warn(text: str, *, icon: str | None = "⚠️", where: Any = st) -> None:
    where.warning(display.shown(text), icon=icon)


def error(text: str, *, icon: str | None = "⚠️", where: Any = st) -> None:
    where.error(display.shown(text), icon=icon)


def success(text: str, *, icon: str | None = "✅", where: Any = st) -> None:
    where.success(display.shown(text), icon=icon)


def toast(text: str, *, icon: str | None = None) -> None:
    st.toast(display.shown(text), icon=icon)


def attempt(action: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
    """Run a lib action; show its error instead of a traceback. None when it failed."""
    try:
        return action(*args, **kwargs)
    except UserError as exc:
        error(str(exc))
    except Exception:
        log.exception("action %s failed", getattr(action, "__name__", action))
        st.error(_(SOMETHING_WENT_WRONG), icon="🛑")
    return None


def _audited(conn: db.Connection, user_id: int | None, file_name: str, rows: int) -> None:
    """A download in the audit log: who, which file, how many rows."""
    audit.record(conn, "download", user_id=user_id, target=file_name, row_count=rows)
def outcome(action: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> tuple[R | None, str]:
    """(result, "") or (None, the reason it failed): for a step whose failure the page shows
    in its own place, and that is remembered with ``memo`` like a result."""
    try:
        return action(*args, **kwargs), ""
    except UserError as exc:
        return None, str(exc)
    except Exception:
        log.exception("action %s failed", getattr(action, "__name__", action))
        return None, _(SOMETHING_WENT_WRONG)


def upload_limit_mb(conn: db.Connection) -> int:
    """The app's upload limit, made Streamlit's too: the server stops reading a request body
    beyond ``server.maxUploadSize`` (read per request), the browser refuses larger files."""
    limit = importing.max_file_mb(conn)
    if st_config.get_option("server.maxUploadSize") != limit:
        st_config.set_option("server.maxUploadSize", limit)
    return limit


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (label, file suffix, writer, MIME type) of each download button
_DOWNLOADS = (
    (N_("⬇ CSV"), ".csv", export.to_csv, "text/csv"),
    (N_("⬇ CSV for German Excel"), ".de.csv", export.to_german_excel_csv, "text/csv"),
    (N_("⬇ XLSX"), ".xlsx", export.to_xlsx, XLSX_TYPE),
)
_DOWNLOAD_HELP = N_("Semicolons, decimal commas and dates as 03.12.2026: opens as columns in "
                    "Excel set to German")


def downloads(frame: pd.DataFrame, name: str, *, key: str) -> None:
    """CSV (plain and for German Excel) and XLSX download buttons side by side, all
    formula-safe; each download is recorded in the audit log."""
    def record(file_name: str) -> Callable[[], None]:
        return lambda: _audited(connection(), current_user_id(), file_name, len(frame))

    for column, (label, suffix, write, kind) in zip(st.columns(3), _DOWNLOADS, strict=True):
        column.download_button(
            _(label), write(frame), f"{name}{suffix}", kind, key=f"{key}{_key(suffix)}",
            width="stretch", on_click=record(f"{name}{suffix}"),
            help=_(_DOWNLOAD_HELP) if suffix == ".de.csv" else None)


def _key(suffix: str) -> str:
    """The button key's ending: "_csv", "_decsv", "_xlsx" (the first and last as before)."""
    return "_" + suffix.replace(".", "")


def memo(name: str, key: tuple, compute: Callable[[], R]) -> R:
    """Keep the last result of an expensive step (reading, matching) for this session, so a
    rerun for an unrelated widget does not redo it. The language is part of the key: a
    result may hold wording (a refusal, a preview's issues)."""
    slot = st.session_state.setdefault(f"memo_{name}", {})
    key = (*key, i18n.language())
    if slot.get("key") != key:
        slot.clear()
        slot["value"], slot["key"] = compute(), key
    return slot["value"]


def forget(name: str) -> None:
    st.session_state.pop(f"memo_{name}", None)


def read_options(table: reading.Table, *, key: str) -> reading.ReadOptions:
    """Encoding, delimiter, sheet and header row, each showing what was detected."""
    found = table.options
    columns = st.columns(4)
    encoding, delimiter, sheet = found.encoding, found.delimiter, found.sheet
    if table.file_format == "csv":
        encodings = importing.detected_first(found.encoding, importing.ENCODINGS)
        encoding = columns[0].selectbox(_("Encoding"), encodings, key=f"{key}_encoding")
        marks = importing.detected_first(found.delimiter, importing.DELIMITER_LABELS)
        delimiter = columns[1].selectbox(
            _("Delimiter"), marks, key=f"{key}_delimiter",
            format_func={d: importing.delimiter_label(d) for d in marks}.get)
    elif table.sheets:
        sheet = columns[0].selectbox(_("Sheet"), table.sheets, key=f"{key}_sheet",
                                     index=table.sheets.index(found.sheet)
                                     if found.sheet in table.sheets else 0)
    header = columns[3].number_input(_("Header is on row"), min_value=1, step=1,
                                     value=(found.header_row or 0) + 1, key=f"{key}_header")
    return reading.ReadOptions(encoding=encoding, delimiter=delimiter, sheet=sheet,
                               header_row=int(header) - 1)


def import_counts(counts: importing.Counts) -> None:
    """The preview's numbers, in the order an ops person reads them."""
    for column, (label, value) in zip(st.columns(6) + st.columns(5), counts.shown, strict=True):
        column.metric(label, i18n.number(value))


HISTORY_COLUMNS = {"import_id": N_("Import"), "list": N_("List"), "file_name": N_("File"),
                   "by": N_("By"), "rows_in_file": N_("Rows in file"), "added": N_("New"),
                   "already_known": N_("Already known"),
                   "duplicates_in_file": N_("Duplicates in file"), "rejected": N_("Rejected"),
                   "flagged": N_("Flagged"), "blank": N_("Blank"),
                   "kept_out": N_("Kept out (erased)")}


def import_history(conn: db.Connection) -> None:
    """Every import with its counts; the report and Undo for one of them."""
    viewer = current_viewer()
    past = importing.history_frame(conn, viewer=viewer)
    if past.empty:
        st.caption(_("No imports yet."))
        return
    st.dataframe(past, hide_index=True, width="stretch", key="import_history_table",
                 column_config={**i18n.translated(HISTORY_COLUMNS), "imported_at":
                                st.column_config.DatetimeColumn(
                                    _("Imported"), format=i18n.column_format("moment")),
                                "undone_at": st.column_config.DatetimeColumn(
                                    _("Undone"), format=i18n.column_format("moment"))})
    labels = importing.history_labels(past)
    chosen = st.selectbox(_("Import"), list(labels), format_func=labels.get,
                          key="import_history_pick")
    if viewer.may("import"):
        downloads(importing.report(conn, chosen, viewer=viewer), f"import-{chosen}-report",
                  key="import_history_report")
    with st.popover(_("Undo this import…")):
        st.write(_("People this import created and nobody touched since are removed; "
                   "everyone worked on since stays."))
        if st.button(_("Undo import"), type="primary", key="import_undo"):
            result = attempt(importing.undo, conn, chosen, by=current_user_id())
            if result:
                audit.undone(conn, result, by=current_user_id())
                st.session_state.import_undo_message = result.message
                st.rerun()
    if message := st.session_state.pop("import_undo_message", None):
        success(message, icon=None)


def dialog(title: str, *, width: str = "small", on_dismiss: Callable[[], None] | str = "ignore"
           ) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """``st.dialog`` whose title (``N_``-marked) is translated when it opens: a decorator's
    arguments are evaluated at import, before any run's language is known."""
    def decorate(body: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(body)
        def opened(*args: P.args, **kwargs: P.kwargs) -> None:
            st.dialog(_(title), width=width, on_dismiss=on_dismiss)(body)(*args, **kwargs)

        return opened

    return decorate


# --- leads: the pieces the to-do, pipeline and lead pages share ----------------------------

OUTCOME_LABELS = {"reached": N_("Reached"), "no_answer": N_("No answer"),
                  "voicemail": N_("Voicemail"), "wrong_number": N_("Wrong number")}
LEAD_ACTIONS = {"log": N_("Log & plan"), "step": N_("Move to another step"),
                "standby": N_("Park on standby"), "resume": N_("Resume now"),
                "won": N_("Mark won"), "lost": N_("Mark lost"), "cancelled": N_("Cancel the lead"),
                "reopen": N_("Reopen…"), "detail": N_("Open the lead")}
_HELP = {"log": N_("Log a call, e-mail, meeting or note and set the next step, in one go"),
         "reopen": N_("Open the lead again, with a new next step")}


def flash(message: str) -> None:
    """Keep what an action did for the rerun that shows its result (``show_flash`` toasts it)."""
    st.session_state.ui_flash = message


def show_flash() -> None:
    if message := st.session_state.pop("ui_flash", None):
        toast(message, icon="✅")


def app_url(path: str, page_path: str) -> str:
    """The absolute URL of ``path`` in this app, from the browser's URL of the current page
    (whose own ``page_path`` is cut off); just ``path`` when the URL is unknown (tests)."""
    here = (st.context.url or "").rstrip("/")
    return here.removesuffix("/" + page_path) + path


def lead_link(lead_id: int, label: str) -> None:
    """A link to the lead's own page (in-app navigation: the session stays)."""
    st.page_link("pages/lead.py", label=display.markdown("**{}**", label),
                 help=display.markdown(_("Open {lead}"), lead=label),
                 query_params={"lead": int(lead_id)})


def owner_filter(conn: db.Connection, me: users.User, *, key: str, label: str,
                 anyone_may_choose: bool = False, team_first: bool = False) -> int | None:
    """Whose leads to show: the logged-in user's own; managers (or anyone, when allowed) pick
    another owner or the whole team (None). Each user keeps their own choice."""
    if not (me.sees_team or anyone_may_choose):
        return me.id
    names = users.owner_filter_choices(users.owner_names(conn), me)
    chosen = st.selectbox(label, list(names), index=len(names) - 1 if team_first else 0,
                          format_func=names.get, key=f"{key}_{me.id}")
    return None if chosen == "team" else chosen


def leads_heading(conn: db.Connection, title: str, *, key: str, label: str,
                  anyone_may_choose: bool = False, team_first_for_managers: bool = False
                  ) -> tuple[users.User, int | None]:
    """The to-do and pipeline top: a lead action's toast, the title with the owner picker
    beside it. Returns the logged-in user and whose leads to show (None: the whole team)."""
    show_flash()
    heading, picker = st.columns([3, 1], vertical_alignment="bottom")
    heading.title(title)
    me = require_user()
    with picker:
        return me, owner_filter(conn, me, key=key, label=label,
                                anyone_may_choose=anyone_may_choose,
                                team_first=team_first_for_managers and me.sees_team)


def limit(key: str, step: int) -> int:
    """How many cards per group a page shows now; ``more_button`` raises it by ``step``."""
    return st.session_state.setdefault(key, step)


def more_button(key: str, limit_key: str, step: int) -> None:
    """A "Show more" button that shows ``step`` more cards per group on the next run."""
    def more() -> None:
        st.session_state[limit_key] += step

    st.button(_("Show more"), key=key, on_click=more)


def lead_actions(conn: db.Connection, row: Mapping[str, Any], key: str, *,
                 detail: bool = True) -> None:
    """A lead's actions: 'Log & plan' (or 'Reopen') and one menu of the others (keys
    ``{key}_log`` / ``{key}_reopen`` and ``{key}_more``: a page has one set). A choice opens its
    dialog, shown by ``lead_dialog`` later in the same run."""
    lead_id = int(row["lead_id"])
    primary, menu = lead_view.actions(row["status"], detail=detail)
    chosen = primary if st.button(_(LEAD_ACTIONS[primary]), type="primary",
                                  help=_(_HELP[primary]),
                                  key=f"{key}_{primary}") else None
    if menu:
        chosen = st.menu_button(_("More"), menu, format_func=i18n.translated(LEAD_ACTIONS).get,
                                key=f"{key}_more") or chosen
    if chosen == "detail":
        st.switch_page("pages/lead.py", query_params={"lead": lead_id})
    elif chosen == "resume":
        finish(attempt(lead_view.resume, conn, row, by=current_user_id()))
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
    say(lead_view.heading(lead, schedule.today(conn)))


def next_step_inputs(key: str, kind: str | None, today: date, *,
                     due: date | None = None) -> dict[str, Any]:
    """The next step's fields as NextStep arguments; ``due`` fixes the date instead of asking."""
    st.markdown(_("**Next step**"))
    chosen = st.segmented_control(_("Type"), list(display.NEXT_LABELS), default=kind or "call",
                                  required=True,
                                  format_func=i18n.translated(display.NEXT_LABELS).get,
                                  key=f"{key}_type")
    cells = iter(st.columns(3))
    day = due or next(cells).date_input(_("Due"), value=today + timedelta(days=1),
                                        min_value=today, format=i18n.date_input_format(),
                                        key=f"{key}_date")
    at = next(cells).time_input(_("Time (optional)"), value=None, step=timedelta(minutes=15),
                                key=f"{key}_time")
    minutes = next(cells).number_input(
        _("Duration (minutes)"), 5, 1440, leads.MEETING_MINUTES, step=15, key=f"{key}_minutes",
    ) if chosen == "meeting" else None
    note = st.text_input(_("Note"), placeholder=_("e.g. ask who decides"), key=f"{key}_note")
    return {"type": chosen, "due_date": day, "due_time": at, "duration_min": minutes,
            "note": note}


def log_and_plan(conn: db.Connection, lead: Mapping[str, Any], key: str) -> str | None:
    """What happened and the next step: one submit, one transaction. Returns what was saved
    (None before the submit or when it was refused)."""
    kind = st.segmented_control(
        _("What happened?"), list(lead_view.ACTIVITY_LABELS), required=True,
        format_func=i18n.translated(lead_view.ACTIVITY_LABELS).get,
        default=lead_view.likely_activity(lead),
        key=f"{key}_kind")
    outcome = text = None
    if kind == "call":
        outcome = st.segmented_control(_("How did the call go?"), list(OUTCOME_LABELS),
                                       format_func=i18n.translated(OUTCOME_LABELS).get,
                                       key=f"{key}_outcome")
    if kind != "none":
        text = st.text_area(_("Notes"), placeholder=_("What was said, what was agreed"), height=90,
                            key=f"{key}_text")
    step = next_step_inputs(f"{key}_next", display.given(lead.get("next_type")),
                            schedule.today(conn))
    if st.button(_("Save"), type="primary", key=f"{key}_save", width="stretch"):
        return attempt(lead_view.log_and_plan, conn, lead, kind, outcome, text, step,
                       by=current_user_id())
    return None


@dialog(N_("Log what happened, plan what is next"), width="medium", on_dismiss=_forget_action)
def _log_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    _heading(lead, conn)
    finish(log_and_plan(conn, lead, key))


@dialog(N_("Move to another step"), on_dismiss=_forget_action)
def _step_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    _heading(lead, conn)
    steps = leads.active_steps(conn)
    keys = list(steps)
    chosen = st.radio(_("Step"), keys, format_func=lambda k: display.literal(steps[k]),
                      key=f"{key}_to",
                      index=keys.index(lead["step_key"]) if lead["step_key"] in steps else 0)
    if st.button(_("Move"), type="primary", key=f"{key}_save"):
        finish(attempt(lead_view.move, conn, lead, chosen, by=current_user_id()))


@dialog(N_("Park on standby"), width="medium", on_dismiss=_forget_action)
def _standby_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    _heading(lead, conn)
    now = schedule.today(conn)
    until = st.date_input(_("Back on"), value=now + timedelta(days=14), min_value=now +
                          timedelta(days=1), format=i18n.date_input_format(),
                          key=f"{key}_until")
    st.caption(_("On that day the lead is back in the to-do, with this next step due."))
    step = next_step_inputs(f"{key}_next", display.given(lead.get("next_type")), now, due=until)
    if st.button(_("Park"), type="primary", key=f"{key}_save"):
        finish(attempt(lead_view.standby, conn, lead, until, step, by=current_user_id()))


def _close_body(conn: db.Connection, lead: Mapping[str, Any], key: str, outcome: str) -> None:
    _heading(lead, conn)
    reasons = {"lost": leads.LOST_REASONS, "cancelled": leads.CANCEL_REASONS}.get(outcome)
    reason = st.selectbox(_("Reason"), reasons, index=None, placeholder=_("Choose a reason"),
                          format_func={r: leads.reason_label(r) for r in reasons or ()}.get,
                          key=f"{key}_reason") if reasons else None
    note = st.text_area(_("Note") if outcome == "won" else
                        _("Note (needed when the reason is other)"),
                        height=80, key=f"{key}_note")
    if st.button(_(LEAD_ACTIONS[outcome]), type="primary", key=f"{key}_save"):
        finish(attempt(lead_view.close, conn, lead, outcome, reason, note,
                       by=current_user_id()))


def _closing_dialog(outcome: str, title: str) -> Callable[..., None]:
    @dialog(title, on_dismiss=_forget_action)
    def show(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
        _close_body(conn, lead, key, outcome)

    return show


@dialog(N_("Reopen the lead"), width="medium", on_dismiss=_forget_action)
def _reopen_dialog(conn: db.Connection, lead: Mapping[str, Any], key: str) -> None:
    say(display.markdown("**{}** · {}", lead["title"], lead["status"]))
    step = next_step_inputs(f"{key}_next", None, schedule.today(conn))
    if st.button(_("Reopen"), type="primary", key=f"{key}_save"):
        finish(attempt(lead_view.reopen, conn, lead, step, by=current_user_id()))


_DIALOGS: dict[str, Callable[..., None]] = {
    "log": _log_dialog, "step": _step_dialog, "standby": _standby_dialog,
    "won": _closing_dialog("won", N_("Mark the lead won")),
    "lost": _closing_dialog("lost", N_("Mark the lead lost")),
    "cancelled": _closing_dialog("cancelled", N_("Cancel the lead")),
    "reopen": _reopen_dialog,
}


# --- prospecting: the editable table and its row actions -----------------------------------


def criteria_columns(criteria: Sequence[qualification.Criterion]) -> dict[str, Any]:
    """One narrow checkbox column per criterion: a header that fits on top, the short label,
    the full wording and the description on hover."""
    return {
        rows.tick_column(c.key): st.column_config.CheckboxColumn(
            grid.tick_header(c.short), width=76,
            help=display.markdown(_("**{short}: {label}** ({stage} criterion) — {description}"),
                                  short=c.short, label=c.label, stage=c.stage_label,
                                  description=c.explained))
        for c in criteria
    }


def card_view_toggle(key: str) -> bool:
    """The "Card view" toggle (one row at a time, for phones); on by default in a phone's
    browser."""
    agent = st.context.headers.get("User-Agent") if st.context.headers else None
    return st.toggle(_("Card view"), value=grid.narrow_screen(agent), key=key,
                     help=_("One row at a time with large toggles: for a phone"))


def editor_snapshot(name: str, view: tuple, load: Callable[[], pd.DataFrame], *,
                    reload: bool = False, renewed: pd.DataFrame | None = None) -> str:
    """The STACK-NOTES data_editor pattern: feed the editor a snapshot that stays put.

    The browser keeps an editor's edits relative to the first data it received, so the
    snapshot ``{name}_base`` is loaded (and the editor gets a new key) only when ``view``
    changes or on ``reload``; ``{name}_saved`` is what is stored, the baseline of
    ``grid.changed_cells``. ``renewed`` (the same view as stored now) replaces the snapshot
    under a new key without a reload; the replaced editor's key and snapshot stay as
    ``{name}_previous`` (see ``previous_editor``). Returns the editor's key.
    """
    state = st.session_state
    previous = None
    if renewed is not None and not reload and state.get(f"{name}_view") == view:
        previous = (f"{name}_{state[f'{name}_version']}", state[f"{name}_base"])
        load = lambda: renewed  # noqa: E731
        reload = True
    if reload or state.get(f"{name}_view") != view or f"{name}_base" not in state:
        state[f"{name}_previous"] = previous
        state[f"{name}_base"] = load()
        state[f"{name}_saved"] = state[f"{name}_base"].copy()
        state[f"{name}_view"] = view
        state[f"{name}_version"] = state.get(f"{name}_version", -1) + 1
    return f"{name}_{state[f'{name}_version']}"


def previous_editor(name: str, shown: str) -> tuple[str, pd.DataFrame] | None:
    """The editor replaced after the last save, when the browser still sends its edits: a
    tick made before the fresh editor arrived (or while the run that drew it was cut short by
    that very tick) is an edit of the old editor, relative to the old snapshot. Once the
    fresh editor ``shown`` is in the session, the old one is gone for good."""
    state = st.session_state
    previous = state.get(f"{name}_previous")
    if previous is None or shown in state:
        state[f"{name}_previous"] = None
        return None
    return previous if previous[0] in state else None


def pending_edits(key: str, base: pd.DataFrame) -> pd.DataFrame:
    """What the editor ``key`` shows now: ``base`` plus the browser's edits.

    Read from the session before the editor is drawn, so that saving them can update the
    status of the same run's table.
    """
    state = st.session_state.get(key) or {}
    return grid.with_edits(base, state.get("edited_rows", {}))


def row_outcomes(action: str, outcomes: Sequence[rows.RowOutcome], names: Mapping[int, str]
                 ) -> None:
    """What a row action did: one line for one row, a count and the refusals for several."""
    everyone, line = grid.outcome_summary(action, outcomes, names)
    (success if everyone else warn)(line)
    refused = grid.refusals(outcomes, names)
    if len(outcomes) > 1 and not refused.empty:
        st.dataframe(refused, hide_index=True, width="stretch")


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
        draw(conn, chosen, f"{key}_{kind}",
             lambda outcomes: done(kind, outcomes, grid.names(chosen)))


def _forget_row_dialog() -> None:
    st.session_state.pop("ui_row_dialog", None)


def _closing(outcomes: list[rows.RowOutcome] | None,
             done: Callable[[list[rows.RowOutcome]], None]) -> None:
    """Close the dialog and hand the outcomes over when at least one row succeeded; when every
    row was refused for the same reason (a missing note, a wrong amount), say it here and keep
    the dialog open."""
    if not outcomes:
        return
    if grid.closes_dialog(outcomes):
        _forget_row_dialog()
        done(outcomes)
    else:
        error(outcomes[0].message)


@dialog(N_("Convert to lead"), width="large", on_dismiss=_forget_row_dialog)
def convert_dialog(conn: db.Connection, chosen: Mapping[int, tuple[str, str]], key: str,
                   done: Callable[[list[rows.RowOutcome]], None]) -> None:
    """The (+) action for one or more rows: owner, step, the next step, amount and note."""
    say(grid.rows_heading(chosen))
    for level, text in grid.convert_notes(conn, chosen):
        (warn if level == "warning" else info)(text, icon="⚠️" if level == "warning" else "ℹ️")
    names = users.owner_names(conn)
    me = current_user_id()
    left, right = st.columns(2)
    owner = left.selectbox(_("Owner"), list(names), format_func=names.get, key=f"{key}_owner",
                           index=list(names).index(me) if me in names else 0)
    steps = leads.active_steps(conn)
    step = right.selectbox(_("Pipeline step"), list(steps), format_func=steps.get,
                           key=f"{key}_step")
    next_step = next_step_inputs(f"{key}_next", None, schedule.today(conn))
    left, right = st.columns([1, 2])
    amount = left.number_input(_("Amount (optional)"), min_value=0.0, value=None, step=500.0,
                               key=f"{key}_amount")
    note = right.text_input(_("Note on the lead (optional)"), key=f"{key}_note")
    if st.button(grid.convert_label(chosen), type="primary", key=f"{key}_save",
                 width="stretch"):
        _closing(attempt(grid.convert, conn, list(chosen), owner, step, next_step, amount, note,
                         by=current_user_id()), done)


@dialog(N_("Cancel rows"), on_dismiss=_forget_row_dialog)
def cancel_dialog(conn: db.Connection, chosen: Mapping[int, tuple[str, str]], key: str,
                  done: Callable[[list[rows.RowOutcome]], None]) -> None:
    """Make rows dead with a reason; ticks stay, so Revive brings the status back."""
    say(grid.rows_heading(chosen))
    reason = st.selectbox(_("Reason"), rows.CANCEL_REASONS, index=None,
                          format_func={r: qualification.reason_label(r)
                                       for r in rows.CANCEL_REASONS}.get,
                          placeholder=_("Choose a reason"), key=f"{key}_reason")
    note = st.text_input(_("Note (required)") if reason == "other" else _("Note (optional)"),
                         key=f"{key}_note")
    if st.button(grid.cancel_label(chosen), type="primary", key=f"{key}_save",
                 disabled=reason is None, width="stretch"):
        _closing(attempt(rows.bulk_cancel, conn, list(chosen), reason, note or None,
                         by=current_user_id()), done)


def downloads_on_click(make: Callable[[db.Connection], pd.DataFrame], name: str, *,
                       key: str) -> None:
    """The download buttons of ``downloads``, building the file only when clicked: a
    100k-row list takes seconds. The file is built on another thread, with its own cursor
    and this run's language, and recorded in the audit log there."""
    path, user_id, language = db.database_setting(), current_user_id(), i18n.language()

    def build(to_bytes: Callable[[pd.DataFrame], bytes], file_name: str
              ) -> Callable[[], bytes]:
        def run() -> bytes:
            with i18n.using(language):
                cursor = _database(path).cursor()
                frame = make(cursor)
                _audited(cursor, user_id, file_name, len(frame))
                return to_bytes(frame)

        return run

    for column, (label, suffix, write, kind) in zip(st.columns(3), _DOWNLOADS, strict=True):
        column.download_button(
            _(label), build(write, f"{name}{suffix}"), f"{name}{suffix}", kind,
            key=f"{key}{_key(suffix)}", width="stretch", on_click="ignore",
            help=_(_DOWNLOAD_HELP) if suffix == ".de.csv" else None)


def table_and_downloads(frame: pd.DataFrame, *, key: str, file_name: str,
                        download: Callable[[db.Connection], pd.DataFrame] | None = None,
                        **shown: Any) -> None:
    """A table with its download buttons; ``download(cursor)`` makes the file's frame when a
    button is clicked (by default the table as shown). The file's headers are the table's
    column labels, in the reader's language; columns the table hides stay out. Keys:
    ``{key}_table``, ``{key}_download``."""
    st.dataframe(frame, hide_index=True, width="stretch", key=f"{key}_table", **shown)
    make = download or (lambda _: frame)
    labels = shown.get("column_config") or {}
    downloads_on_click(lambda cursor: headed(make(cursor), labels), file_name,
                       key=f"{key}_download")


def headed(frame: pd.DataFrame, column_config: Mapping[str, Any]) -> pd.DataFrame:
    """``frame`` with the labels a table shows as its headers (a column configured as None is
    hidden on screen and left out)."""
    hidden = [c for c in frame.columns if c in column_config and column_config[c] is None]
    labels = {c: label for c, config in column_config.items()
              if (label := config if isinstance(config, str) else
                  (config or {}).get("label")) and c in frame.columns}
    return frame.drop(columns=hidden).rename(columns=labels)
