"""A small OpenID Connect provider for the single sign-on tests, on a loopback port of its own.

It does what a real one does for the authorization-code flow, with nothing faked on the app's
side: discovery, a login page (the browser types an e-mail), the redirect back with a one-time
code, the token endpoint (client secret, PKCE S256) answering with an RS256-signed ID token,
and the JWKS to check it. Which claims an e-mail signs in with is set by the test
(``provider.users``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Provider:
    """The provider's state: its client, its users' claims, its pending codes."""

    client_id: str = "leadladder"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={
        "kid": "test-key", "use": "sig", "alg": "RS256"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    issuer: str = ""
    signed_in: list[str] = field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def claims_of(self, email: str) -> dict[str, Any]:
        """What the ID token says about the person who typed ``email``."""
        claims = {"sub": hashlib.sha256(email.lower().encode()).hexdigest()[:24],
                  "email": email, "email_verified": True, "name": email.split("@")[0]}
        return {**claims, **self.users.get(email.lower(), {})}

    def id_token(self, email: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {**self.claims_of(email), "iss": self.issuer, "aud": self.client_id,
                  "iat": now, "exp": now + 300, **({"nonce": nonce} if nonce else {})}
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)


def _login_page(query: dict[str, str]) -> str:
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in query.items())
    return ("<!doctype html><title>Test provider</title><h1>Sign in to the test provider</h1>"
            f'<form method="post" action="/authorize">{hidden}'
            '<label>E-mail <input name="login_email" autofocus></label>'
            '<button type="submit">Sign in</button></form>')


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, *args: Any) -> None:  # quiet: the test output is the app's
        return

    def _send(self, status: int, body: str | dict, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = self.provider
        if url.path == "/.well-known/openid-configuration":
            self._send(200, p.metadata())
        elif url.path == "/jwks":
            self._send(200, {"keys": [p.key.as_dict(private=False)]})
        elif url.path == "/authorize":
            if query.get("client_id") != p.client_id or query.get("response_type") != "code":
                self._send(400, {"error": "unauthorized_client"})
            else:
                self._send(200, _login_page(query), "text/html; charset=utf-8")
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        form = self._form()
        if self.path == "/authorize":
            self._authorized(form)
        elif self.path == "/token":
            self._token(form)
        else:
            self._send(404, {"error": "not_found"})

    def _authorized(self, form: dict[str, str]) -> None:
        code = secrets.token_urlsafe(16)
        self.provider.codes[code] = form
        back = {"code": code, **({"state": form["state"]} if "state" in form else {})}
        self._send(302, "", "text/plain",
                   {"Location": f"{form['redirect_uri']}?{urlencode(back)}"})

    def _client_ok(self, form: dict[str, str]) -> bool:
        p = self.provider
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            client, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client == p.client_id and secrets.compare_digest(secret, p.client_secret)

    def _token(self, form: dict[str, str]) -> None:
        asked = self.provider.codes.pop(form.get("code", ""), None)
        if not self._client_ok(form):
            self._send(401, {"error": "invalid_client"})
        elif asked is None or asked.get("redirect_uri") != form.get("redirect_uri"):
            self._send(400, {"error": "invalid_grant"})
        elif not _pkce_ok(asked, form.get("code_verifier")):
            self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
        else:
            email = asked["login_email"]
            self.provider.signed_in.append(email)
            self._send(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "expires_in": 300, "scope": asked.get("scope", "openid"),
                             "id_token": self.provider.id_token(email, asked.get("nonce"))})


def _pkce_ok(asked: dict[str, str], verifier: str | None) -> bool:
    challenge = asked.get("code_challenge")
    if challenge is None:
        return True
    if verifier is None or asked.get("code_challenge_method") != "S256":
        return False
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


class RunningProvider:
    """The provider serving on 127.0.0.1 in a thread; ``stop`` ends it."""

    def __init__(self) -> None:
        self.provider = Provider()
        handler = type("Handler", (_Handler,), {"provider": self.provider})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.provider.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def metadata_url(self) -> str:
        return f"{self.provider.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
