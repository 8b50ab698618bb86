"""Command line for ops automation: `python -m lib.cli COMMAND --help`.

Each command is a small function that calls the same lib/ functions as the app. Exit codes:
0 done, 2 refused (a one-line reason on stderr, never a traceback). Commands that read or write
data take ``--as EMAIL``: they then see what that user may see and write under their name;
without it they read everything and write as "command line".

What a person reads is in the caller's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: German
for ``de_DE.UTF-8``, else English); what a program reads (``--json``: keys and data values)
stays English and stable.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from lib import access, db, i18n
from lib.errors import DatabaseLocked, FileRefused, UserError
from lib.i18n import N_, _, ngettext, pgettext

COMMANDS: dict[str, tuple[Callable[[db.Connection, argparse.Namespace], int], str]] = {}
JSON_OUTPUT: dict[str, str] = {}  # command → what --json prints
ACTING: set[str] = set()  # commands that take --as EMAIL
ONE_OBJECT = N_("one JSON object on the last line")


def command(name: str, help_text: str, *, json_output: str | None = None,
            acting: bool = False):
    """Register a subcommand `name`; its function receives a cursor and the parsed arguments.
    With `json_output`, the command takes --json (described by it); with `acting`, it reads or
    writes data and takes --as EMAIL (see ``viewer``). Both texts are marked ``N_`` and said
    in the caller's language."""

    def register(fn: Callable[[db.Connection, argparse.Namespace], int]):
        COMMANDS[name] = (fn, help_text)
        if json_output:
            JSON_OUTPUT[name] = json_output
        if acting:
            ACTING.add(name)
        return fn

    return register


def emit(payload: Any, as_json: bool, text: str) -> None:
    """Print a human summary, or (with --json) one JSON object on the last line."""
    print(json.dumps(payload, default=str, ensure_ascii=False) if as_json else text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli",
                                     description=_("Command line for ops automation."))
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_fn, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=_(help_text), description=_(help_text))
        sp.add_argument("--db", help=_("database file (default: $LEADLADDER_DB, else "
                                       "data/leadladder.duckdb)"))
        if name in JSON_OUTPUT:
            sp.add_argument("--json", action="store_true", help=_(JSON_OUTPUT[name]))
        if name in ACTING:
            sp.add_argument("--as", dest="as_user", metavar="EMAIL",
                            help=_("act as this user: see only what they may see, write under "
                                   "their name (default: everything, written as 'command "
                                   "line')"))
        ARGUMENTS.get(name, lambda _parser: None)(sp)
    return parser


ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {}


def arguments(name: str):
    """Register the extra arguments of subcommand `name`."""

    def register(fn: Callable[[argparse.ArgumentParser], None]):
        ARGUMENTS[name] = fn
        return fn

    return register


def main(argv: list[str] | None = None) -> int:
    i18n.set_language(i18n.from_environment())
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    path = db.database_setting(args.db)
    try:
        conn = db.connect(path)
    except DatabaseLocked as exc:
        return _handed_over(path, argv, args, exc)
    except UserError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 2
    try:
        return _run(conn.cursor(), args)
    finally:
        conn.close()


def _run(cur: db.Connection, args: argparse.Namespace) -> int:
    run = COMMANDS[args.command][0]
    try:
        return run(cur, args)
    except UserError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 2


def _handed_over(path: str, argv: list[str], args: argparse.Namespace,
                 locked: DatabaseLocked) -> int:
    """The running app holds the file: it runs the command (``lib.relay``), in this command's
    language."""
    from lib import relay

    stdin = sys.stdin.read() if getattr(args, "password_stdin", False) else ""
    answer = relay.hand_over(Path(path), argv, stdin)
    if answer is None:
        print(_("error: {message}").format(message=locked), file=sys.stderr)
        return 2
    sys.stdout.write(answer.stdout)
    sys.stderr.write(answer.stderr)
    return answer.code


PATH_ARGUMENTS = ("file", "out")  # resolved against the caller's directory when handed over
_ONE_HANDED_OVER = threading.Lock()


def run_handed_over(cur: db.Connection, argv: list[str], cwd: str, stdin: str
                    ) -> tuple[int, str, str]:
    """A command handed over to the running app: parsed as typed, its paths taken from the
    caller's directory, run on the app's cursor ``cur``; exit code, stdout and stderr. The
    caller's language is set around this call (``relay``: ``i18n.using``).

    One at a time: the output is captured by swapping the process's stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with _ONE_HANDED_OVER, redirect_stdout(out), redirect_stderr(err), _stdin(stdin):
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as ended:  # --help, or arguments argparse refused (said on stderr)
            return int(ended.code or 0), out.getvalue(), err.getvalue()
        for name in PATH_ARGUMENTS:
            if getattr(args, name, None):
                setattr(args, name, os.path.join(cwd, getattr(args, name)))
        code = _run(cur, args)
    return code, out.getvalue(), err.getvalue()


@contextmanager
def _stdin(text: str) -> Iterator[None]:
    kept, sys.stdin = sys.stdin, io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = kept



def viewer(cur: db.Connection, args: argparse.Namespace, permission: str | None = None,
           what: str = "") -> access.Viewer:
    """Who the command acts for: ``FULL_ACCESS`` without --as, else that user, who must exist,
    be active and (with ``permission``) have a role that may do ``what``."""
    from lib import users

    if not args.as_user:
        return access.FULL_ACCESS
    user = users.by_email(cur, args.as_user)
    if user is None:
        raise UserError(_("no user with the e-mail {email}").format(email=args.as_user))
    acting = access.viewer_of(cur, user.id)
    if permission is not None:
        access.require(acting, permission, what)
    return acting


def _count_line(counts: dict) -> str:
    """"added 3, already known 2": counts by key, each key in the reader's words."""
    words = _count_words()
    return ", ".join(f"{words.get(key, key.replace('_', ' '))} {value}"
                     for key, value in counts.items())


def _count_words() -> dict[str, str]:
    """The keys of import and demo counts as a sentence says them (the JSON keeps the keys)."""
    return {
        "rows_in_file": pgettext("command line", "rows in file"),
        "blank": pgettext("command line", "blank"),
        "added": pgettext("command line", "added"),
        "already_known": pgettext("command line", "already known"),
        "duplicates_in_file": pgettext("command line", "duplicates in file"),
        "rejected": pgettext("command line", "rejected"),
        "flagged": pgettext("command line", "flagged"),
        "already_lead": pgettext("command line", "already lead"),
        "already_dead": pgettext("command line", "already dead"),
        "possible_duplicates": pgettext("command line", "possible duplicates"),
        "suppressed": pgettext("command line", "suppressed"),
        "users": pgettext("command line", "users"),
        "lists": pgettext("command line", "lists"),
        "people": pgettext("command line", "people"),
        "leads": pgettext("command line", "leads"),
    }


def _status_words() -> dict[str, str]:
    """Statuses and funnel stages as the command line's sentences say them."""
    return {"suspect": pgettext("command line", "suspect"),
            "prospect": pgettext("command line", "prospect"),
            "lead": pgettext("command line", "lead"),
            "dead": pgettext("command line", "dead"),
            "converted": pgettext("command line", "converted"),
            "won": pgettext("command line", "won")}


@arguments("import")
def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help=_("CSV, XLSX, XLSM, XLS or ODS file"))
    parser.add_argument("--list", required=True, dest="list_name", help=_("list to import into"))
    parser.add_argument("--sheet", help=_("workbook sheet (default: the first with data)"))


@command("import", N_("Import a lead list file into a prospecting list."),
         json_output=ONE_OBJECT, acting=True)
def _import(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import audit, importing, reading

    by = viewer(cur, args, "import", N_("import lists")).user_id
    try:
        importing.check_size(cur, os.stat(args.file).st_size)
        with open(args.file, "rb") as file:
            data = file.read()
    except OSError as exc:
        raise FileRefused(_("cannot read {file}: {reason}").format(
            file=args.file, reason=exc.strerror)) from None
    result = importing.import_file(
        cur, data, os.path.basename(args.file), args.list_name,
        by=by, options=reading.ReadOptions(sheet=args.sheet),
        via="command line",
    )
    audit.imported(cur, result, by=by, file_name=os.path.basename(args.file))
    payload = result.as_dict()
    for note in result.notes:
        print(_("note: {note}").format(note=note), file=sys.stderr)
    if result.already_imported:
        text = _("{file} was already imported into '{list}' on {moment} (import #{number}); "
                 "nothing changed").format(file=args.file, list=result.list,
                                           moment=i18n.moment(result.imported_at),
                                           number=result.import_id)
    else:
        text = _("import #{number} into '{list}': {counts}").format(
            number=result.import_id, list=result.list, counts=_count_line(
                {k: v for k, v in payload.items() if k not in (
                    "import_id", "list", "imported_at", "already_imported")}))
    emit(payload, args.json, text)
    return 0


@command("lists", N_("Each list with its row count and rows per status."),
         json_output=N_("a JSON array"), acting=True)
def _lists(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import lists

    frame = lists.overview(cur, viewer=viewer(cur, args))
    records = [
        {"list": r["list"], "rows": int(r["rows"]), **{s: int(r[s]) for s in lists.STATUSES}}
        for r in frame.to_dict("records")
    ]
    words = _status_words()
    lines = [ngettext("{list}: {count} row — {statuses}", "{list}: {count} rows — {statuses}",
                      r["rows"]).format(list=r["list"], count=r["rows"], statuses=", ".join(
                          f"{r[s]} {words[s]}" for s in lists.STATUSES))
             for r in records] or [_("no lists yet")]
    emit(records, args.json, "\n".join(lines))
    return 0


@command("demo", N_("Load the demo dataset into an empty database."),
         json_output=N_("one JSON object on the last line: the counts and `users` (e-mail, "
                        "name, role, demo password)"))
def _demo(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import demo

    summary = demo.load(cur)
    logins = demo.logins()
    text = "\n".join([_("demo loaded: {counts}").format(counts=_count_line(summary)),
                      _("demo logins:"),
                      *(f"  {u['email']} ({_(access.ROLE_LABELS[u['role']])}): {u['password']}"
                        for u in logins)])
    emit({**summary, "users": logins}, args.json, text)
    return 0


@arguments("calendar")
def _calendar_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, help=_("the user's e-mail"))
    parser.add_argument("--out", required=True, help=_("the .ics file to write"))


@command("calendar", N_("Write a user's open next steps as an .ics calendar file."),
         acting=True)
def _calendar(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import audit, calendar, users

    acting = viewer(cur, args)
    user = users.by_email(cur, args.user)
    if user is None:
        raise UserError(_("no user with the e-mail {email}").format(email=args.user))
    body = calendar.ics_for_user(cur, user.id, viewer=acting)
    _write(args.out, body)
    audit.record(cur, "export", user_id=None, target=f"calendar of {user.email}",
                 detail=f"command line → {args.out}", row_count=body.count(b"BEGIN:VEVENT"))
    steps = body.count(b"BEGIN:VEVENT")
    print(ngettext("wrote {count} next step of {email} to {file}",
                   "wrote {count} next steps of {email} to {file}", steps).format(
        count=steps, email=user.email, file=args.out))
    return 0


@command("overdue", N_("Overdue next steps per rep, and the total."), json_output=ONE_OBJECT,
         acting=True)
def _overdue(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import schedule

    frame = schedule.overdue_per_rep(cur, db.utcnow(), viewer=viewer(cur, args))
    reps = [{"email": r["email"], "name": r["name"], "count": int(r["count"])}
            for r in frame.to_dict("records")]
    total = sum(rep["count"] for rep in reps)
    lines = [f"{rep['name']} <{rep['email']}>: {rep['count']}" for rep in reps]
    emit({"reps": reps, "total": total}, args.json,
         "\n".join([*lines, _("total: {count}").format(count=total)]))
    return 0


@arguments("funnel")
def _funnel_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list", dest="list_name", help=_("only the people on this list"))


@command("funnel", N_("People who ever reached each stage, suspect to won (lib/metrics.py)."),
         json_output=ONE_OBJECT, acting=True)
def _funnel(cur: db.Connection, args: argparse.Namespace) -> int:
    import pandas as pd

    from lib import lists, metrics

    acting = viewer(cur, args)
    f = metrics.FunnelFilter()
    if args.list_name:
        list_id = lists.list_id(cur, args.list_name)
        if list_id is None:
            raise UserError(_("there is no list named '{list}'").format(list=args.list_name))
        access.check_list(cur, acting, list_id)
        f = metrics.FunnelFilter(list_ids=(list_id,))
    frame = metrics.funnel(cur, f, viewer=acting)
    records = frame.to_dict("records")
    stages = [{"stage": r["stage"], "count": int(r["people"])} for r in records]
    words = _status_words()
    lines = [f"{words[r['stage']]:<10} {i18n.number(r['people']):>9}" for r in records]
    for i, r in enumerate(records[1:], start=1):
        if pd.notna(r["of_previous"]):
            lines[i] += "   " + _("{share} of the stage before").format(
                share=_share(r["of_previous"]))
    emit({"stages": stages}, args.json, "\n".join(lines))
    return 0


def _write(path: str, body: bytes) -> None:
    """Write a command's output file; a path that cannot be written is said in one line."""
    try:
        with open(path, "wb") as out:
            out.write(body)
    except OSError as exc:
        raise UserError(_("cannot write {file}: {reason}").format(
            file=path, reason=exc.strerror)) from None


def _share(share: float) -> str:
    """"  44.9%" / " 44,9 %": a share with one decimal, right-aligned, as the funnel prints it."""
    sign = "%" if i18n.language() == "en" else "\u00a0%"
    return (i18n.number(share * 100, digits=1) + sign).rjust(6)


def as_viewer(cur: db.Connection, email: str | None):
    """The Viewer a command runs for: the user of ``--as EMAIL`` (who must exist and be
    active), or full access without it (writes then record "command line")."""
    from lib import access, users

    if not email:
        return access.FULL_ACCESS
    user = users.by_email(cur, email)
    if user is None or not user.active:
        raise UserError(_("no active user with the e-mail {email}").format(email=email))
    return access.viewer_for(cur, user)


APP_URL = os.environ.get("LEADLADDER_URL", "http://localhost:8501")


@arguments("users")
def _users_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("add", "list", "deactivate"))
    parser.add_argument("email", nargs="?", help=_("the user's e-mail (add, deactivate)"))
    parser.add_argument("--name", help=_("display name (add)"))
    parser.add_argument("--role", choices=("admin", "manager", "rep", "ops"), help="(add)")
    parser.add_argument("--team", help=_("team name, created when new (add)"))
    parser.add_argument("--password-stdin", action="store_true",
                        help=_("read the password from the first line of stdin (add); without "
                               "it a one-time set-password link is printed"))
    parser.add_argument("--hand-to", help=_("e-mail of who takes over open leads and owned "
                                            "rows (deactivate)"))
    parser.add_argument("--url", default=APP_URL,
                        help=_("the app's address for the link (default $LEADLADDER_URL, else "
                               "http://localhost:8501)"))


@command("users", N_("Add, list or deactivate users."),
         json_output=N_("users list: a JSON array"))
def _users(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import users

    if args.action == "list":
        table = users.people_table(cur)
        records = [{"email": r["email"], "name": r["name"], "role": r["role"],
                    "team": r["team"] if isinstance(r["team"], str) else None,
                    "active": bool(r["active"]), "has_password": bool(r["has_password"])}
                   for r in table.to_dict("records")]
        lines = [f"{r['email']}: {r['name']} ({_(access.ROLE_LABELS[r['role']])}"
                 + (f", {r['team']}" if r["team"] else "") + ")"
                 + ("" if r["active"] else " " + _("deactivated"))
                 for r in records] or [_("no users yet")]
        emit(records, args.json, "\n".join(lines))
        return 0
    if not args.email:
        raise UserError(_("users {action} needs the user's e-mail").format(action=args.action))
    return (_users_add if args.action == "add" else _users_deactivate)(cur, args)


def _users_add(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import auth

    if not args.name or not args.role:
        raise UserError(_("users add needs --name and --role"))
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    user, token = _add_user(cur, args, password)
    print(_("added {email} ({role})").format(email=user.email,
                                              role=_(access.ROLE_LABELS[user.role])))
    if token:
        print(_("one-time link to set the password (valid {days} days, shown once):").format(
            days=auth.LINK_VALID["invite"].days))
        print(f"{args.url.rstrip('/')}/set_password?token={token}")
    return 0


@db.transaction
def _add_user(cur: db.Connection, args: argparse.Namespace, password: str | None):
    """The team (created when new), the user and their invitation: one transaction."""
    from lib import auth, users

    team = _team(cur, args.team) if args.team else None
    user = users.add(cur, args.name, args.email, args.role, team_id=team, password=password,
                     by=None)
    token = None if password is not None else auth.issue_link(cur, user.id, "invite", by=None)
    return user, token


def _team(cur: db.Connection, name: str) -> int:
    from lib import users

    found = users.team_by_name(cur, name)
    return found.id if found else users.create_team(cur, name, by=None).id


def _users_deactivate(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import users

    user = users.by_email(cur, args.email)
    if user is None:
        raise UserError(_("no user with the e-mail {email}").format(email=args.email))
    heir = users.by_email(cur, args.hand_to) if args.hand_to else None
    if args.hand_to and heir is None:
        raise UserError(_("no user with the e-mail {email}").format(email=args.hand_to))
    work = users.deactivate(cur, user.id, hand_to=heir.id if heir else None, by=None)
    if heir and work.any:
        print(_("deactivated {email}; {leads} open leads and {rows} rows now {heir}'s").format(
            email=user.email, leads=work.open_leads, rows=work.rows, heir=heir.email))
    else:
        print(_("deactivated {email}").format(email=user.email))
    return 0


@arguments("settings")
def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("show", "set"))
    parser.add_argument("key", nargs="?", help=_("the setting (set)"))
    parser.add_argument("value", nargs="?", help=_("its new value (set)"))


@command("settings", N_("Show every setting, or set one (e.g. settings set visibility own)."),
         json_output=N_("settings show: one JSON object, setting → value"))
def _settings(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import settings

    if args.action == "set":
        if args.key is None or args.value is None:
            raise UserError(_("settings set needs KEY and VALUE"))
        value = settings.put(cur, args.key, args.value, by=None)
        print(f"{args.key} = {settings.stored_label(value)}")
        return 0
    values = settings.all_values(cur)
    emit(values, args.json, "\n".join(f"{key} = {settings.stored_label(value)}"
                                      for key, value in values.items()))
    return 0


EXPORT_FORMATS = {"csv": "to_csv", "csv-de": "to_german_excel_csv", "xlsx": "to_xlsx"}


@arguments("export")
def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list", required=True, dest="list_name", help=_("the list to export"))
    parser.add_argument("--format", required=True, choices=tuple(EXPORT_FORMATS),
                        dest="file_format",
                        help=_("csv, csv-de (for Excel set to German: semicolons, decimal "
                               "commas, dates as 03.12.2026) or xlsx"))
    parser.add_argument("--out", required=True, help=_("the file to write"))


@command("export", N_("Write a list as the Prospecting download does: contact fields, ticks, "
                      "status, why, owner, last action and the file's extra columns "
                      "(formula-safe); with --as, only the rows that user may see."),
         acting=True)
def _export(cur: db.Connection, args: argparse.Namespace) -> int:
    from lib import audit, export, lists, rows

    acting = viewer(cur, args)
    list_id = lists.list_id(cur, args.list_name)
    if list_id is None or not access.may_open_list(cur, acting, list_id):
        raise UserError(_("there is no list named '{list}'").format(list=args.list_name))
    frame = rows.export_rows(cur, rows.RowFilter(list_id=list_id), viewer=acting)
    body = getattr(export, EXPORT_FORMATS[args.file_format])(frame)
    _write(args.out, body)
    audit.record(cur, "download", user_id=acting.user_id, target=f"list {args.list_name}",
                 detail=f"command line → {args.out}", row_count=len(frame))
    print(ngettext("wrote {count} row of '{list}' to {file}",
                   "wrote {count} rows of '{list}' to {file}", len(frame)).format(
        count=len(frame), list=args.list_name, file=args.out))
    return 0


@arguments("privacy")
def _privacy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("export", "erase", "purge"))
    parser.add_argument("email", nargs="?", help=_("the person's e-mail (export, erase)"))
    parser.add_argument("--out", help=_("the JSON file to write (export)"))
    parser.add_argument("--yes", action="store_true",
                        help=_("erase without asking (erase); needed when stdin is no terminal"))
    parser.add_argument("--dry-run", action="store_true",
                        help=_("only list whom the retention settings would purge (purge)"))


@command("privacy", N_("Answer privacy requests: export what is held about a person (JSON), "
                       "erase them for good (a suppression entry keeps them out of later "
                       "imports), or purge under the retention settings. Admins only."),
         json_output=ONE_OBJECT, acting=True)
def _privacy(cur: db.Connection, args: argparse.Namespace) -> int:
    acting = viewer(cur, args, "privacy", N_("answer privacy requests"))
    if args.action == "purge":
        return _privacy_purge(cur, args, acting)
    if not args.email:
        raise UserError(_("privacy {action} needs the person's e-mail").format(
            action=args.action))
    from lib import privacy

    found = privacy.people_with_email(cur, args.email, viewer=acting)
    return (_privacy_export if args.action == "export" else _privacy_erase)(
        cur, args, acting, found)


def _privacy_export(cur: db.Connection, args: argparse.Namespace, acting: access.Viewer,
                    found: list[int]) -> int:
    from lib import privacy

    if not args.out:
        raise UserError(_("privacy export needs --out FILE.json"))
    data = {"request": args.email,
            "people": [privacy.subject_access(cur, i, viewer=acting) for i in found]}
    _write(args.out, privacy.subject_access_json(data))
    privacy.record_export(cur, found, by=acting.user_id, where=f"command line → {args.out}")
    emit({"people": len(found), "out": args.out}, args.json,
         ngettext("wrote what is held about {count} person to {file}",
                  "wrote what is held about {count} people to {file}", len(found)).format(
             count=len(found), file=args.out))
    return 0


def _privacy_erase(cur: db.Connection, args: argparse.Namespace, acting: access.Viewer,
                   found: list[int]) -> int:
    from lib import privacy

    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError(_("privacy erase asks for confirmation: add --yes (needed without "
                              "a terminal, and while the app holds the database)"))
        answer = input(ngettext(
            "Erase everything held about {email} ({count} person)? This cannot be undone. "
            "[y/N] ", "Erase everything held about {email} ({count} people)? This cannot be "
            "undone. [y/N] ", len(found)).format(email=args.email, count=len(found)))
        if answer.strip().lower() not in ("y", "yes", "j", "ja"):
            print(_("nothing erased"))
            return 1
    result = privacy.erase(cur, found, by=acting.user_id)
    emit({"people": result.people, "suppression_entries": result.suppression_entries,
          "files_rewritten": result.files_rewritten, **result.removed}, args.json,
         result.message)
    return 0


def _privacy_purge(cur: db.Connection, args: argparse.Namespace,
                   acting: access.Viewer) -> int:
    from lib import privacy

    if args.dry_run:
        frame = privacy.purge_candidates(cur, viewer=acting)
        lines = [_("#{number} {name} ({company}): {why} since {day}").format(
            number=r.person_id, name=r.name or "", company=r.company or "-",
            why=_(privacy.PURGE_REASONS.get(r.why, r.why)), day=i18n.day(r.since))
            for r in frame.itertuples()]
        emit({"would_purge": len(frame), "person_ids": frame["person_id"].tolist()}, args.json,
             "\n".join([*lines, ngettext("would purge {count} person (dry run)",
                                         "would purge {count} people (dry run)",
                                         len(frame)).format(count=len(frame))]))
        return 0
    result = privacy.purge(cur, by=acting.user_id)
    emit({"purged": result.erased.people, "person_ids": result.person_ids,
          "suppression_entries": result.erased.suppression_entries}, args.json,
         result.message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
