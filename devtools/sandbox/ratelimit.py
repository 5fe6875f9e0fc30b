"""Per-credential rate limits with the vendors' documented numbers.

Windows are sliding (a request is refused when `limit` requests were already
accepted in the last `window` seconds). Cloudflare additionally blocks the
credential for the whole `block` period once the limit is hit, as its docs
say ("all API calls for the next five minutes will be blocked").
All vendor durations are multiplied by the server's time_scale.
"""
from __future__ import annotations

import collections
import math
import threading

from .clock import Clock

# Vendor numbers (vendor-apis.md §1.7, §2.5, §10) — a benchmark can compute the
# lower bound of a run from these: N requests need >= ceil(N/LIMIT - 1) windows.
CLOUDFLARE_LIMIT = 1200          # requests
CLOUDFLARE_WINDOW_S = 300.0      # per 5 minutes, per API token
CLOUDFLARE_BLOCK_S = 300.0       # blocked for 5 minutes once exceeded
NAMECHEAP_LIMIT = 20             # requests (the conservative reading of the FAQ)
NAMECHEAP_WINDOW_S = 60.0        # per minute, per ApiUser
NAMECHEAP_BLOCK_S = 0.0          # no documented block: refuse until the window frees up

LIMITS = {
    "cloudflare": {"limit": CLOUDFLARE_LIMIT, "window_s": CLOUDFLARE_WINDOW_S, "block_s": CLOUDFLARE_BLOCK_S},
    "namecheap": {"limit": NAMECHEAP_LIMIT, "window_s": NAMECHEAP_WINDOW_S, "block_s": NAMECHEAP_BLOCK_S},
}


class RateLimiter:
    def __init__(self, clock: Clock, limit: int, window_s: float, block_s: float = 0.0):
        self.clock = clock
        self.limit = limit
        self.window_s = window_s
        self.block_s = block_s
        self._hits: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._blocked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
            self._blocked_until.clear()

    def check(self, key: str) -> float | None:
        """Record a request for `key`. Returns None if allowed, else the real
        number of seconds the caller must wait (> 0)."""
        now = self.clock.now()
        window = self.clock.scaled(self.window_s)
        with self._lock:
            until = self._blocked_until.get(key)
            if until is not None:
                if now < until:
                    return until - now
                del self._blocked_until[key]
                self._hits[key].clear()
            hits = self._hits[key]
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= self.limit:
                if self.block_s > 0:
                    until = now + self.clock.scaled(self.block_s)
                    self._blocked_until[key] = until
                    return until - now
                return max(hits[0] + window - now, 0.001)
            hits.append(now)
            return None


def retry_after_headers(seconds: float) -> dict[str, str]:
    """Retry-After in real seconds. Fractional when time is scaled (the
    Stainless SDKs accept floats); `retry-after-ms` carries the precise value."""
    ms = max(1, math.ceil(seconds * 1000))
    if seconds >= 1 and abs(seconds - round(seconds)) < 1e-9:
        ra = str(round(seconds))
    else:
        ra = f"{ms / 1000:.3f}"
    return {"Retry-After": ra, "retry-after-ms": str(ms)}
