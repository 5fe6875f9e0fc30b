"""Supabase's token signing keys (the project's JWKS), fetched over HTTPS and kept a while.

Kept for FACTORY_SUPABASE_JWKS_CACHE_SECONDS, so a key removed from the project (revoked)
stops verifying tokens at most that long after. A token naming an unknown key id makes the
keys be fetched again at once, but at most every REFETCH_SECONDS: forged tokens cannot make
the Hub hammer Supabase.
"""

from __future__ import annotations

import threading
import time

import httpx
import jwt

REFETCH_SECONDS = 30.0
TIMEOUT = 5.0


class KeysUnavailable(Exception):
    """The JWKS could not be fetched or read."""


class UnknownKey(Exception):
    """No current key has the token's key id."""


class SupabaseKeys:
    def __init__(self, jwks_url: str, lifespan: float, refetch_after: float = REFETCH_SECONDS):
        self.url = jwks_url
        self.lifespan = lifespan
        self.refetch_after = min(refetch_after, lifespan)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise UnknownKey("the token names no signing key")
        with self._lock:
            now = time.monotonic()
            age = None if self._fetched_at is None else now - self._fetched_at
            if age is None or age >= self.lifespan or (kid not in self._keys and age >= self.refetch_after):
                self._keys = self._fetch()
                self._fetched_at = now
            found = self._keys.get(kid)
        if found is None:
            raise UnknownKey("the token's signing key is not one of the project's current keys")
        return found

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        try:
            response = httpx.get(self.url, timeout=TIMEOUT, follow_redirects=False)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise KeysUnavailable(f"{type(exc).__name__}") from None
        keys: dict[str, jwt.PyJWK] = {}
        for entry in data.get("keys", []) if isinstance(data, dict) else []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig" or not entry.get("kid"):
                continue
            if entry.get("kty") not in ("EC", "RSA"):
                continue  # only asymmetric keys verify here; the legacy secret is SUPABASE_JWT_SECRET
            try:
                keys[str(entry["kid"])] = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type this hub cannot use
        return keys
