"""Operator sign-in and token verification.

Two sources of operators, one verification path:
- local operator accounts (`factory operators add`), signed in here, tokens HS256-signed with
  FACTORY_JWT_SECRET and issued by `website-factory`;
- Supabase Auth (when SUPABASE_URL is set): sign-in through supabase-py, and Supabase's own
  access tokens verified locally against SUPABASE_JWT_SECRET (HS256) or the project's JWKS.
Either way a token must carry the `operator` role.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from factory.store import Store
from hub_api.config import Settings

log = logging.getLogger(__name__)

ISSUER = "website-factory"
AUDIENCE = "hub-api"
OPERATOR_ROLE = "operator"
_hasher = PasswordHasher()
# A real hash to verify against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-password-" + uuid.uuid4().hex)


class AuthError(Exception):
    """Sign-in or token refused; the message is safe to show (never the token)."""

    def __init__(self, message: str, status_code: int = 401):
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class Principal:
    """Who is calling: an operator from either source."""

    subject: str
    email: str | None
    source: str  # "local" | "supabase"
    expires_at: dt.datetime


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    source: str


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise ValueError("the password must be at least 12 characters long")
    if len(password) > 1024:
        raise ValueError("the password is longer than 1024 characters")
    return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_local_token(settings: Settings, operator_id: uuid.UUID, email: str) -> IssuedToken:
    now = int(time.time())
    ttl = settings.jwt_ttl_minutes * 60
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(operator_id), "email": email,
              "role": OPERATOR_ROLE, "iat": now, "exp": now + ttl}
    return IssuedToken(jwt.encode(claims, settings.signing_key(), algorithm="HS256"), ttl, "local")


class SignInLimiter:
    """Failed sign-ins per (email, client address) in a sliding window; in memory, per process."""

    def __init__(self, attempts: int, window_seconds: float = 60.0):
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, email: str, client: str) -> int:
        """Seconds to wait before another attempt is allowed; 0 when allowed now."""
        key, now = (email.strip().lower(), client), time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.attempts:
                if not times:
                    self._failures.pop(key, None)
                return 0
            return max(1, int(times[0] + self.window - now + 0.999))

    def failed(self, email: str, client: str) -> None:
        key, now = (email.strip().lower(), client), time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spray of random emails
                self._failures.clear()

    def succeeded(self, email: str, client: str) -> None:
        with self._lock:
            self._failures.pop((email.strip().lower(), client), None)


def sign_in(settings: Settings, store: Store, limiter: SignInLimiter, email: str, password: str,
            client: str) -> IssuedToken:
    wait = limiter.retry_after(email, client)
    if wait:
        raise AuthError(f"too many failed sign-ins; try again in {wait} seconds", 429)
    found = store.operators.password_hash(email)
    if found is not None:
        operator, password_hash = found
        if _password_matches(password_hash, password) and not operator.disabled:
            limiter.succeeded(email, client)
            store.operators.record_sign_in(operator.id)
            return issue_local_token(settings, operator.id, operator.email)
    else:
        _password_matches(_DUMMY_HASH, password)
        if settings.supabase_url:
            token = _supabase_sign_in(settings, email, password)
            if token is not None:
                limiter.succeeded(email, client)
                return token
    limiter.failed(email, client)
    raise AuthError("wrong email or password")


def _supabase_sign_in(settings: Settings, email: str, password: str) -> IssuedToken | None:
    """Supabase's access token for these credentials, if they are right and carry the operator role."""
    from supabase import create_client  # imported here: only needed when Supabase is configured

    if not settings.supabase_anon_key:
        raise AuthError("Supabase sign-in needs SUPABASE_ANON_KEY; ask the administrator", 500)
    try:
        client = create_client(settings.supabase_url, settings.supabase_anon_key)
        response = client.auth.sign_in_with_password({"email": email, "password": password})
    except Exception as exc:  # Supabase reports wrong credentials as an exception too
        log.info("Supabase sign-in refused (%s)", type(exc).__name__)
        return None
    session = response.session
    if session is None:
        return None
    principal = verify_token(settings, session.access_token)  # also checks the operator role
    ttl = max(0, int((principal.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
    return IssuedToken(session.access_token, ttl, "supabase")


@functools.cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def _has_operator_role(claims: dict) -> bool:
    # Supabase puts custom roles in app_metadata (set by the service role, not the user).
    meta = claims.get("app_metadata") or {}
    roles = meta.get("roles") if isinstance(meta, dict) else None
    return (
        claims.get("role") == OPERATOR_ROLE
        or claims.get("user_role") == OPERATOR_ROLE
        or (isinstance(meta, dict) and meta.get("role") == OPERATOR_ROLE)
        or (isinstance(roles, list) and OPERATOR_ROLE in roles)
    )


@functools.lru_cache(maxsize=4096)
def _verify_cached(token: str, local_key: str, supabase_url: str | None, supabase_secret: str | None) -> Principal:
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise AuthError("the token is not a valid JWT") from None
    try:
        if unverified.get("iss") == ISSUER:
            claims = jwt.decode(token, local_key, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                                options={"require": ["exp", "sub", "iat"]})
            source = "local"
        elif supabase_url and unverified.get("iss") == supabase_url.rstrip("/") + "/auth/v1":
            if header.get("alg") == "HS256":
                if not supabase_secret:
                    raise AuthError("Supabase tokens signed with a shared secret need SUPABASE_JWT_SECRET")
                key: object = supabase_secret
                algorithms = ["HS256"]
            else:
                key = _jwks_client(supabase_url.rstrip("/") + "/auth/v1/.well-known/jwks.json").get_signing_key_from_jwt(token).key
                algorithms = ["RS256", "ES256"]
            claims = jwt.decode(token, key, algorithms=algorithms, audience="authenticated",
                                issuer=supabase_url.rstrip("/") + "/auth/v1", options={"require": ["exp", "sub"]})
            source = "supabase"
        else:
            raise AuthError("the token was not issued by this hub or its Supabase project")
    except jwt.ExpiredSignatureError:
        raise AuthError("the token has expired; sign in again") from None
    except (jwt.PyJWTError, jwt.PyJWKClientError):
        raise AuthError("the token's signature or claims are not valid") from None
    if not _has_operator_role(claims):
        raise AuthError("this account does not have the operator role", 403)
    expires = dt.datetime.fromtimestamp(claims["exp"], dt.UTC)
    return Principal(str(claims["sub"]), claims.get("email"), source, expires)


def verify_token(settings: Settings, token: str) -> Principal:
    """The operator a bearer token stands for, or AuthError (401; 403 without the operator role)."""
    if len(token) > 8192:
        raise AuthError("the token is too long")
    principal = _verify_cached(token, settings.signing_key(), settings.supabase_url, settings.supabase_jwt_secret)
    if principal.expires_at <= dt.datetime.now(dt.UTC):  # cached verdicts expire with the token
        raise AuthError("the token has expired; sign in again")
    return principal
