"""Local operators' token versions: a token is good only while its operator is enabled and
still at the version the token was issued at (a trigger bumps it on password, email or
`disabled` changes; see migration 20261201000002). Looked up in Postgres, and remembered per
process for FACTORY_TOKEN_CHECK_SECONDS so a burst of requests costs one query.
"""

from __future__ import annotations

import threading
import time
import uuid

from factory.store import Store
from factory.store.operators import SignInRecord

_MAX_REMEMBERED = 10_000


def operator_for_sign_in(store: Store, email: str) -> SignInRecord | None:
    """The operator, their password hash and current token version, read together."""
    return store.operators.for_sign_in(email)


class TokenVersions:
    """Whether (operator id, token version) is still current, with a short per-process memory."""

    def __init__(self, store: Store, ttl_seconds: float):
        self.store = store
        self.ttl = ttl_seconds
        self._seen: dict[str, tuple[float, int | None]] = {}
        self._lock = threading.Lock()

    def remembered(self, operator_id: str, version: object) -> bool | None:
        """The verdict if looked up less than ttl seconds ago; None when it must be looked up."""
        with self._lock:
            seen = self._seen.get(operator_id)
        if seen is None or time.monotonic() - seen[0] >= self.ttl:
            return None
        return seen[1] is not None and seen[1] == version

    def is_current(self, operator_id: str, version: object) -> bool:
        """Look the operator up (blocking: a database query) and remember the answer."""
        try:
            key = uuid.UUID(operator_id)
        except ValueError:
            return False
        current = self.store.operators.current_token_version(key)
        with self._lock:
            if len(self._seen) >= _MAX_REMEMBERED:
                self._seen.clear()
            self._seen[operator_id] = (time.monotonic(), current)
        return current is not None and current == version
