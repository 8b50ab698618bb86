"""The command line beside the running app.

DuckDB lets one process hold a database file, and the running app holds it, so the weekly
``python -m lib.cli import …`` that ops schedule on the server would fail for as long as the
app is up. Instead the app leaves a note next to the file (``<database>.app``, readable by its
owner only: the app's loopback address and a secret), and a command that finds the file locked
hands its arguments to the app, which runs them on its own connection and answers with the
output and the exit code. Paths in the command are the caller's, resolved against the caller's
directory; the app and the command line run as the same user on the same machine. The
caller's language travels with the command: the app runs it in that language, so its output
reads as if the command had run on its own.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lib import i18n

PATH = "/_leadladder/cli"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
WAIT_SECONDS = 3600  # a million-row import takes about a minute on a small server


class Answer(NamedTuple):
    code: int
    stdout: str
    stderr: str


Runner = Callable[[list[str], str, str], Answer]


def note_path(database: Path) -> Path:
    return database.with_name(database.name + ".app")


def announce(database: Path, url: str) -> str:
    """Leave the note for the command line (owner-only); returns the secret it holds."""
    token = secrets.token_urlsafe(32)
    note = note_path(database)
    note.parent.mkdir(parents=True, exist_ok=True)
    note.unlink(missing_ok=True)  # a note of an earlier run may belong to another mode
    descriptor = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"url": url, "pid": os.getpid(), "token": token}, file)
    return token


def withdraw(database: Path, token: str) -> None:
    """Remove the note when the app stops, unless another app has written its own since."""
    note = note_path(database)
    try:
        if json.loads(note.read_text(encoding="utf-8")).get("token") == token:
            note.unlink()
    except (OSError, ValueError):
        pass


def route(token: str, run: Runner) -> Route:
    """``POST /_leadladder/cli``: a command from the command line on this machine.

    Only from loopback and never through a proxy (a reverse proxy on the same host connects
    from loopback too), and only with the note's secret (compared in constant time)."""

    async def handed_over(request: Request) -> Response:
        host = request.client.host if request.client else ""
        proxied = any(h in request.headers for h in ("x-forwarded-for", "forwarded", "x-real-ip"))
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        if host not in LOOPBACK or proxied or not hmac.compare_digest(given.encode(),
                                                                      token.encode()):
            return Response("forbidden", status_code=403)
        try:
            body = await request.json()
            argv, cwd, stdin = list(map(str, body["argv"])), str(body["cwd"]), str(body["stdin"])
            language = str(body.get("language") or i18n.DEFAULT)
        except (ValueError, KeyError, TypeError, AttributeError):
            return Response("a command needs argv, cwd and stdin", status_code=400)
        answer = await run_in_threadpool(_in_language, language, run, argv, cwd, stdin)
        return JSONResponse(answer._asdict())

    return Route(PATH, handed_over, methods=["POST"])


def _in_language(language: str, run: Runner, argv: list[str], cwd: str, stdin: str) -> Answer:
    """``run`` in the worker thread, in the caller's language (a thread starts in English)."""
    with i18n.using(language):
        return run(argv, cwd, stdin)


def hand_over(database: Path, argv: list[str], stdin: str = "") -> Answer | None:
    """Run ``argv`` in the app that holds ``database``, in this command's language; None when
    no app left a note for it or the app does not answer (then the file is held by something
    else)."""
    try:
        note = json.loads(note_path(database).read_text(encoding="utf-8"))
        url, token = str(note["url"]), str(note["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    request = urllib.request.Request(
        url.rstrip("/") + PATH, method="POST",
        data=json.dumps({"argv": argv, "cwd": os.getcwd(), "stdin": stdin,
                         "language": i18n.language()}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
            answer = json.load(response)
    except (OSError, ValueError):
        return None
    return Answer(int(answer["code"]), str(answer["stdout"]), str(answer["stderr"]))
