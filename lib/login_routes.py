"""The two HTTP routes that move a login between the Streamlit session and the browser cookie.

Streamlit's session state dies on a reload, so a login lives in an HttpOnly, SameSite=Strict
cookie holding the session token. Python code in a Streamlit run cannot set cookies, so after a
login the page sends the browser to ``/auth/session?code=…``, which exchanges a one-time
hand-off code for the cookie and sends the browser back.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from lib import auth
from lib.db import Connection

COOKIE = "leadladder_session"
# Streamlit's identity cookies after st.login (its USER_COOKIE_NAME and TOKENS_COOKIE_NAME; a
# test pins them). leadladder keeps its own session instead: they are dropped at the hand-off
# and at log out, so a provider's sign-in never outlives the leadladder session.
IDENTITY_COOKIES = ("_streamlit_user", "_streamlit_user_tokens")
SESSION_PATH = "/auth/session"
# In front of Streamlit's own /auth/logout (st.logout is not used); drops its identity too.
LOGOUT_PATH = "/auth/logout"


def safe_next(target: str | None) -> str:
    """Only a path of this app: never another host (``//evil.example``), never a scheme."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _client(request: Request) -> str | None:
    return auth.client_key(request.client.host if request.client else None)


def _drop_identity(request: Request, response: Response) -> None:
    """Delete Streamlit's identity cookies, with the numbered chunks a large one is split in."""
    for name in request.cookies:
        base, _, chunk = name.rpartition("_")
        if name in IDENTITY_COOKIES or (base in IDENTITY_COOKIES and chunk.isdigit()):
            response.delete_cookie(name, path="/", httponly=True, samesite="lax")


def routes(get_cursor: Callable[[], Connection]) -> list[Route]:
    """``GET /auth/session`` (set the cookie) and ``GET /auth/logout`` (end it, drop it).

    ``get_cursor`` returns a new cursor of the app's connection; the handler closes it."""

    def session(request: Request) -> Response:
        token = auth.take_handoff(request.query_params.get("code", ""), _client(request))
        response = RedirectResponse(safe_next(request.query_params.get("next")),
                                    status_code=303)
        if token is not None:
            response.set_cookie(
                COOKIE, token, max_age=int(auth.SESSION_LIFETIME.total_seconds()), path="/",
                httponly=True, samesite="strict", secure=_is_https(request))
            _drop_identity(request, response)
        response.headers["Cache-Control"] = "no-store"
        return response

    def logout(request: Request) -> Response:
        if token := request.cookies.get(COOKIE):
            with closing(get_cursor()) as db:
                auth.log_out(db, token)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                               secure=_is_https(request))
        _drop_identity(request, response)
        response.headers["Cache-Control"] = "no-store"
        return response

    return [Route(SESSION_PATH, session, methods=["GET"]),
            Route(LOGOUT_PATH, logout, methods=["GET"])]
