"""A small real OpenID Connect provider on 127.0.0.1 for the sign-in tests: discovery, a login form, RS256 id_tokens.

Authorization code flow with PKCE (S256), as Streamlit's st.login (Authlib) runs it: the browser is sent to
`/authorize`, where a form lists the test identities and the test clicks the one that signs in; the provider
redirects back with a code, which the dashboard's server exchanges at `/token` (client secret, code verifier) for an
id_token signed with the key published at `/jwks`. `/userinfo` answers for the access token. Nothing is mocked:
it is plain HTTP on a free port, served by a thread of the test process.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "accsm-dashboard-test"
CLIENT_SECRET = "test-client-secret-" + "x" * 24
TOKEN_SECONDS = 300


@dataclass(frozen=True)
class SignInIdentity:
    """A person the provider can sign in: the claims it vouches for."""

    sub: str
    email: str
    name: str
    email_verified: bool = True

    def claims(self) -> dict:
        """Return the identity claims of the id_token and of /userinfo."""
        return {"sub": self.sub, "email": self.email, "email_verified": self.email_verified, "name": self.name}


@dataclass
class _Grant:
    identity: SignInIdentity
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    issued: float = field(default_factory=time.monotonic)


class OidcProvider:
    """The provider: `start()` serves it on a free loopback port, `issuer` is its address, `stop()` ends it."""

    def __init__(self, identities: dict[str, SignInIdentity], redirect_uris: tuple[str, ...] = ()):
        self.identities = identities
        self.redirect_uris = set(redirect_uris)  # empty: any redirect URI on 127.0.0.1 is accepted
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"},
                                       private=True)
        self._codes: dict[str, _Grant] = {}
        self._access_tokens: dict[str, SignInIdentity] = {}
        self._lock = threading.Lock()
        self.token_requests = 0  # how many codes were exchanged (a test can tell the flow completed)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def issuer(self) -> str:
        """Return the provider's address, e.g. http://127.0.0.1:40123."""
        assert self._server is not None, "start() the provider first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        """Return the discovery document's address (server_metadata_url in Streamlit's [auth])."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> OidcProvider:
        """Serve on 127.0.0.1 on a free port, in a daemon thread; return self."""
        provider = self

        class Handler(_Handler):
            owner = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=30)
            self._server = None

    def metadata(self) -> dict:
        """Return the discovery document."""
        issuer = self.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        """Return the public signing key set."""
        return {"keys": [self.key.as_dict(private=False)]}

    def issue_code(self, identity: SignInIdentity, client_id: str, redirect_uri: str, nonce: str | None,
                   code_challenge: str | None) -> str:
        """Return a one-time authorization code for this identity."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(identity, client_id, redirect_uri, nonce, code_challenge)
        return code

    def exchange(self, form: dict[str, str], client_id: str, client_secret: str) -> tuple[int, dict]:
        """Return (HTTP status, body) for a token request."""
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or time.monotonic() - grant.issued > TOKEN_SECONDS:
            return 400, {"error": "invalid_grant", "error_description": "unknown, used or expired code"}
        if grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "client or redirect_uri differs"}
        if grant.code_challenge is not None and _s256(form.get("code_verifier", "")) != grant.code_challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": client_id, "iat": now, "exp": now + TOKEN_SECONDS,
                  "auth_time": now, **grant.identity.claims()}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = grant.identity
            self.token_requests += 1
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS,
                     "id_token": id_token, "scope": "openid email profile"}

    def userinfo(self, access_token: str) -> SignInIdentity | None:
        """Return the identity an access token was issued for, else None."""
        with self._lock:
            return self._access_tokens.get(access_token)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


class _Handler(BaseHTTPRequestHandler):
    owner: OidcProvider

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # quiet test output

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            self._json(200, self.owner.metadata())
        elif url.path == "/jwks":
            self._json(200, self.owner.jwks())
        elif url.path == "/authorize":
            self._authorize_form(query)
        elif url.path == "/userinfo":
            self._userinfo()
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8")))
        if url.path == "/authorize":
            self._authorize_submit(form)
        elif url.path == "/token":
            client_id, client_secret = self._client_credentials(form)
            self._json(*self.owner.exchange(form, client_id, client_secret))
        else:
            self._json(404, {"error": "not_found"})

    def _check_request(self, params: dict) -> str | None:
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != CLIENT_ID:
            return "unknown client_id"
        if params.get("response_type") != "code":
            return "only response_type=code is supported"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        allowed = self.owner.redirect_uris
        if (allowed and redirect_uri not in allowed) or not redirect_uri.startswith("http://127.0.0.1:"):
            return f"redirect_uri {redirect_uri!r} is not registered"
        if params.get("code_challenge") and params.get("code_challenge_method") != "S256":
            return "only the S256 code challenge is supported"
        return None

    def _authorize_form(self, query: dict) -> None:
        problem = self._check_request(query)
        if problem:
            self._page(400, f"<p id='problem'>{html.escape(problem)}</p>")
            return
        hidden = "".join(f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
                         for k, v in query.items())
        buttons = "".join(f"<button type='submit' name='identity' value='{html.escape(key)}'>Sign in as "
                          f"{html.escape(key)}</button>" for key in self.owner.identities)
        self._page(200, f"<h1>Test identity provider</h1><form method='post' action='/authorize'>{hidden}"
                        f"{buttons}</form>")

    def _authorize_submit(self, form: dict) -> None:
        problem = self._check_request(form)
        identity = self.owner.identities.get(form.get("identity", ""))
        if problem or identity is None:
            self._page(400, f"<p id='problem'>{html.escape(problem or 'choose an identity')}</p>")
            return
        code = self.owner.issue_code(identity, form["client_id"], form["redirect_uri"], form.get("nonce"),
                                     form.get("code_challenge"))
        back = {"code": code, **({"state": form["state"]} if form.get("state") else {})}
        self.send_response(302)
        self.send_header("Location", f"{form['redirect_uri']}?{urllib.parse.urlencode(back)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _userinfo(self) -> None:
        header = self.headers.get("Authorization", "")
        identity = self.owner.userinfo(header[7:]) if header.startswith("Bearer ") else None
        if identity is None:
            self._json(401, {"error": "invalid_token"})
        else:
            self._json(200, identity.claims())

    def _client_credentials(self, form: dict) -> tuple[str, str]:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            return urllib.parse.unquote(user), urllib.parse.unquote(password)
        return form.get("client_id", ""), form.get("client_secret", "")

    def _json(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _page(self, status: int, body: str) -> None:
        payload = f"<!doctype html><html><head><title>Test IdP</title></head><body>{body}</body></html>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
