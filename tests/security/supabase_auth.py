"""A Supabase Auth (GoTrue) stand-in over real HTTP, for the Hub's Supabase sign-in tests.

Serves what the Hub and supabase-py use, in Supabase's wire format:
- `GET /auth/v1/.well-known/jwks.json`: the project's public signing keys (ES256 and RS256
  JWKs with `kid`, `alg`, `use`, `key_ops`), as Supabase publishes them;
- `POST /auth/v1/token?grant_type=password` (`apikey` header, `{"email", "password", ...}`):
  a session (`access_token`, `token_type`, `expires_in`, `expires_at`, `refresh_token`, `user`)
  whose access token is signed with the current signing key, or 400
  `{"code": 400, "error_code": "invalid_credentials", "msg": "Invalid login credentials"}`.
Keys can be rotated and removed (revoked) while it runs; every request is recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ANON_KEY = "sb_publishable_stand-in-anon-key"


@dataclass
class SigningKey:
    kid: str
    alg: str  # ES256 | RS256
    private: object

    @classmethod
    def new(cls, alg: str) -> SigningKey:
        private = (ec.generate_private_key(ec.SECP256R1()) if alg == "ES256"
                   else rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return cls(str(uuid.uuid4()), alg, private)

    def jwk(self) -> dict:
        algorithm = jwt.algorithms.ECAlgorithm if self.alg == "ES256" else jwt.algorithms.RSAAlgorithm
        return {**algorithm.to_jwk(self.private.public_key(), as_dict=True), "kid": self.kid, "alg": self.alg,
                "use": "sig", "key_ops": ["verify"], "ext": True}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid, "typ": "JWT"})


@dataclass
class User:
    email: str
    password: str
    app_metadata: dict
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


class SupabaseAuth:
    def __init__(self) -> None:
        self.keys = [SigningKey.new("ES256"), SigningKey.new("RS256")]
        self.signing = self.keys[0]
        self.users: dict[str, User] = {}
        self.requests: list[str] = []
        self.token_ttl = 3600
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def issuer(self) -> str:
        return self.url + "/auth/v1"

    def start(self) -> SupabaseAuth:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_user(self, email: str, password: str, app_metadata: dict) -> User:
        user = User(email, password, {"provider": "email", "providers": ["email"], **app_metadata})
        self.users[email] = user
        return user

    def claims(self, user: User, *, ttl: int | None = None, **overrides) -> dict:
        now = int(time.time())
        return {"iss": self.issuer, "sub": user.id, "aud": "authenticated", "exp": now + (ttl or self.token_ttl),
                "iat": now, "email": user.email, "phone": "", "app_metadata": user.app_metadata,
                "user_metadata": {}, "role": "authenticated", "aal": "aal1",
                "amr": [{"method": "password", "timestamp": now}], "session_id": str(uuid.uuid4()),
                "is_anonymous": False, **overrides}

    def fetches(self, path: str) -> int:
        return sum(1 for r in self.requests if r.endswith(path))

    def _session(self, user: User) -> dict:
        claims = self.claims(user)
        now = dt.datetime.now(dt.UTC).isoformat()
        return {"access_token": self.signing.sign(claims), "token_type": "bearer", "expires_in": self.token_ttl,
                "expires_at": claims["exp"], "refresh_token": uuid.uuid4().hex[:12],
                "user": {"id": user.id, "aud": "authenticated", "role": "authenticated", "email": user.email,
                         "email_confirmed_at": now, "phone": "", "confirmed_at": now, "last_sign_in_at": now,
                         "app_metadata": user.app_metadata, "user_metadata": {}, "identities": [],
                         "created_at": now, "updated_at": now, "is_anonymous": False}}

    def _handler(self):
        auth = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                auth.requests.append(f"GET {self.path}")
                if urlsplit(self.path).path == "/auth/v1/.well-known/jwks.json":
                    self._send(200, {"keys": [k.jwk() for k in auth.keys]})
                else:
                    self._send(404, {"code": 404, "error_code": "not_found", "msg": "Not found"})

            def do_POST(self) -> None:
                auth.requests.append(f"POST {self.path}")
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if parts.path != "/auth/v1/token":
                    self._send(404, {"code": 404, "error_code": "not_found", "msg": "Not found"})
                elif self.headers.get("apikey") != ANON_KEY:
                    self._send(401, {"message": "Invalid API key", "hint": "Double check your Supabase `anon` "
                                     "or `service_role` API key."})
                elif parse_qs(parts.query).get("grant_type") != ["password"]:
                    self._send(400, {"code": 400, "error_code": "unsupported_grant_type",
                                     "msg": "unsupported_grant_type"})
                else:
                    user = auth.users.get(str(body.get("email", "")).lower())
                    if user is None or user.password != body.get("password"):
                        self._send(400, {"code": 400, "error_code": "invalid_credentials",
                                         "msg": "Invalid login credentials"})
                    else:
                        self._send(200, auth._session(user))

            def log_message(self, *args) -> None:
                pass

        return Handler
