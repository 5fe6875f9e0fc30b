"""Operator sign-in and token verification.

Two sources of operators, one verification path:
- local operator accounts (`factory operators add`), signed in here, tokens HS256-signed with
  FACTORY_JWT_SECRET, issued by `website-factory` and carrying the operator's token version
  (`ver`): disabling the operator or changing the password refuses the tokens issued before;
- Supabase Auth (when SUPABASE_URL is set): sign-in through supabase-py, and Supabase's own
  access tokens verified locally against SUPABASE_JWT_SECRET (legacy HS256) or the project's
  signing keys (JWKS: ES256, RS256), re-read every FACTORY_SUPABASE_JWKS_CACHE_SECONDS so a
  revoked key stops working.
Either way a token must carry the `operator` role.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from factory.store import Store
from hub_api.config import Settings
from hub_api.operator_tokens import operator_for_sign_in
from hub_api.sign_in_limits import SignInLimiter, TooManySignIns
from hub_api.supabase_keys import KeysUnavailable, SupabaseKeys, UnknownKey

log = logging.getLogger(__name__)

ISSUER = "website-factory"
AUDIENCE = "hub-api"
OPERATOR_ROLE = "operator"
SUPABASE_AUDIENCE = "authenticated"
_hasher = PasswordHasher()
# A real hash to verify against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-password-" + uuid.uuid4().hex)
_MAX_VERDICTS = 1024


class AuthError(Exception):
    """Sign-in or token refused; the message is safe to show (never the token)."""

    def __init__(self, message: str, status_code: int = 401, retry_after: int | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """Who is calling: an operator from either source."""

    subject: str
    email: str | None
    source: str  # "local" | "supabase"
    expires_at: dt.datetime
    version: int | None = None  # local tokens: the operator's token version when issued


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


def issue_local_token(settings: Settings, operator_id: uuid.UUID, email: str, version: int) -> IssuedToken:
    now = int(time.time())
    ttl = settings.jwt_ttl_minutes * 60
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(operator_id), "email": email,
              "role": OPERATOR_ROLE, "ver": version, "iat": now, "exp": now + ttl}
    return IssuedToken(jwt.encode(claims, settings.signing_key(), algorithm="HS256"), ttl, "local")


def sign_in(settings: Settings, store: Store, limiter: SignInLimiter, verifier: TokenVerifier, email: str,
            password: str, client: str) -> IssuedToken:
    try:
        attempt = limiter.begin(email, client)
    except TooManySignIns as exc:
        raise AuthError(f"{exc}; try again in {exc.retry_after} seconds", 429, exc.retry_after) from None
    found = operator_for_sign_in(store, email)
    if found is not None:
        if _password_matches(found.password_hash, password) and not found.disabled:
            limiter.succeeded(attempt, email, client)
            store.operators.record_sign_in(found.id)
            return issue_local_token(settings, found.id, found.email, found.token_version)
    else:
        _password_matches(_DUMMY_HASH, password)
        if settings.supabase_url:
            token = _supabase_sign_in(settings, verifier, email, password)
            if token is not None:
                limiter.succeeded(attempt, email, client)
                return token
    raise AuthError("wrong email or password")


def _supabase_sign_in(settings: Settings, verifier: TokenVerifier, email: str, password: str) -> IssuedToken | None:
    """Supabase's access token for these credentials, if they are right and carry the operator role."""
    # Imported here: only needed when Supabase is configured.
    from supabase import ClientOptions, create_client

    if not settings.supabase_anon_key:
        raise AuthError("Supabase sign-in needs SUPABASE_ANON_KEY; ask the administrator", 500)
    try:
        # No session kept and no refresh timer: the caller gets the token, the hub keeps nothing.
        client = create_client(settings.supabase_url, settings.supabase_anon_key,
                               options=ClientOptions(auto_refresh_token=False, persist_session=False))
        response = client.auth.sign_in_with_password({"email": email, "password": password})
    except Exception as exc:  # Supabase reports wrong credentials as an exception too
        log.info("Supabase sign-in refused (%s)", type(exc).__name__)
        return None
    session = response.session
    if session is None:
        return None
    principal = verifier.verify(session.access_token)  # also checks the operator role
    ttl = max(0, int((principal.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
    return IssuedToken(session.access_token, ttl, "supabase")


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


class TokenVerifier:
    """Checks bearer tokens; remembers each verdict for FACTORY_TOKEN_CHECK_SECONDS at most.

    Verdicts are kept briefly (not until the token expires) so that a Supabase signing key
    removed from the project, once the JWKS is re-read, refuses the tokens it signed.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._verdicts: dict[str, tuple[float, Principal | AuthError]] = {}
        self._lock = threading.Lock()
        self._keys = SupabaseKeys(self.supabase_issuer + "/.well-known/jwks.json",
                                  settings.supabase_jwks_cache_seconds)

    @property
    def supabase_issuer(self) -> str:
        return (self.settings.supabase_url or "").rstrip("/") + "/auth/v1"

    def remembered(self, token: str) -> Principal | None:
        """A recent verdict without any I/O; raises the AuthError it was. None: call verify()."""
        with self._lock:
            seen = self._verdicts.get(token)
        if seen is None or time.monotonic() - seen[0] >= self.settings.token_check_seconds:
            return None
        return self._still_valid(seen[1])

    def verify(self, token: str) -> Principal:
        """The operator a bearer token stands for, or AuthError (401; 403 without the operator
        role). May fetch Supabase's JWKS: call it off the event loop."""
        if len(token) > 8192:
            raise AuthError("the token is too long")
        try:
            verdict: Principal | AuthError = self._decode(token)
        except AuthError as exc:
            verdict = exc
        with self._lock:
            if len(self._verdicts) >= _MAX_VERDICTS:
                self._verdicts.clear()
            self._verdicts[token] = (time.monotonic(), verdict)
        return self._still_valid(verdict)

    @staticmethod
    def _still_valid(verdict: Principal | AuthError) -> Principal:
        if isinstance(verdict, AuthError):
            raise AuthError(str(verdict), verdict.status_code)
        if verdict.expires_at <= dt.datetime.now(dt.UTC):
            raise AuthError("the token has expired; sign in again")
        return verdict

    def _decode(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthError("the token is not a valid JWT") from None
        try:
            if unverified.get("iss") == ISSUER:
                claims = jwt.decode(token, self.settings.signing_key(), algorithms=["HS256"], audience=AUDIENCE,
                                    issuer=ISSUER, options={"require": ["exp", "sub", "iat", "ver"]})
                version = claims["ver"]
                if not isinstance(version, int) or isinstance(version, bool):
                    raise AuthError("the token's signature or claims are not valid")
                source = "local"
            elif self.settings.supabase_url and unverified.get("iss") == self.supabase_issuer:
                claims = self._decode_supabase(token, header)
                version, source = None, "supabase"
            else:
                raise AuthError("the token was not issued by this hub or its Supabase project")
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired; sign in again") from None
        except KeysUnavailable as exc:
            log.warning("Supabase's signing keys could not be fetched (%s)", exc)
            raise AuthError("the token cannot be checked now: Supabase's signing keys are unreachable", 503) from None
        except UnknownKey as exc:
            raise AuthError(str(exc)) from None
        except jwt.PyJWTError:
            raise AuthError("the token's signature or claims are not valid") from None
        if not _has_operator_role(claims):
            raise AuthError("this account does not have the operator role", 403)
        expires = dt.datetime.fromtimestamp(claims["exp"], dt.UTC)
        return Principal(str(claims["sub"]), claims.get("email"), source, expires, version)

    def _decode_supabase(self, token: str, header: dict) -> dict:
        options = {"require": ["exp", "sub"]}
        if header.get("alg") == "HS256":
            # Legacy projects sign with a shared secret; never accept HS256 against a public key.
            if not self.settings.supabase_jwt_secret:
                raise AuthError("Supabase tokens signed with a shared secret need SUPABASE_JWT_SECRET")
            return jwt.decode(token, self.settings.supabase_jwt_secret, algorithms=["HS256"],
                              audience=SUPABASE_AUDIENCE, issuer=self.supabase_issuer, options=options)
        if header.get("alg") not in ("ES256", "RS256"):
            raise AuthError("the token's signature or claims are not valid")
        key = self._keys.key(header.get("kid"))
        # The key's own algorithm, not the one the token claims.
        algorithm = key.algorithm_name
        if algorithm not in ("ES256", "RS256") or algorithm != header.get("alg"):
            raise AuthError("the token's signature or claims are not valid")
        return jwt.decode(token, key.key, algorithms=[algorithm], audience=SUPABASE_AUDIENCE,
                          issuer=self.supabase_issuer, options=options)
