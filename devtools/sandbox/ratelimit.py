"""Per-credential rate limits with the vendors' documented numbers.

Windows are sliding (a request is refused when `limit` requests were already
accepted in the last `window` seconds). A limiter may hold several windows
(Namecheap: per minute, per hour, per day); a request refused by one window
counts in none. Cloudflare additionally blocks the credential for the whole
`block` period once the limit is hit, as its docs say ("all API calls for the
next five minutes will be blocked").
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
NAMECHEAP_HOUR_LIMIT = 700       # per hour, per API key (vendor-apis.md §2.5)
NAMECHEAP_HOUR_S = 3600.0
NAMECHEAP_DAY_LIMIT = 8000       # per day, per API key
NAMECHEAP_DAY_S = 86400.0

SEARCH_ANALYTICS_LIMIT = 1200   # searchanalytics.query: 1,200 queries per minute per user (vendor-apis.md §5.6)
SEARCH_ANALYTICS_WINDOW_S = 60.0  # (and per site; one query per site per run stays far below that)

CLOUDFLARE_WINDOWS = [(CLOUDFLARE_LIMIT, CLOUDFLARE_WINDOW_S, CLOUDFLARE_BLOCK_S)]
NAMECHEAP_WINDOWS = [(NAMECHEAP_LIMIT, NAMECHEAP_WINDOW_S, NAMECHEAP_BLOCK_S),
                     (NAMECHEAP_HOUR_LIMIT, NAMECHEAP_HOUR_S, 0.0), (NAMECHEAP_DAY_LIMIT, NAMECHEAP_DAY_S, 0.0)]

LIMITS = {
    "cloudflare": {"limit": CLOUDFLARE_LIMIT, "window_s": CLOUDFLARE_WINDOW_S, "block_s": CLOUDFLARE_BLOCK_S,
                   "windows": [{"limit": n, "window_s": w, "block_s": b} for n, w, b in CLOUDFLARE_WINDOWS]},
    "search_console": {"limit": SEARCH_ANALYTICS_LIMIT, "window_s": SEARCH_ANALYTICS_WINDOW_S, "block_s": 0.0,
                       "windows": [{"limit": SEARCH_ANALYTICS_LIMIT, "window_s": SEARCH_ANALYTICS_WINDOW_S,
                                    "block_s": 0.0}]},
    "namecheap": {"limit": NAMECHEAP_LIMIT, "window_s": NAMECHEAP_WINDOW_S, "block_s": NAMECHEAP_BLOCK_S,
                  "windows": [{"limit": n, "window_s": w, "block_s": b} for n, w, b in NAMECHEAP_WINDOWS]},
}


class Refusal(float):
    """The real seconds to wait (a float, so callers can use it as one) and which window refused."""

    limit: int
    window_s: float

    def __new__(cls, wait: float, limit: int, window_s: float):
        obj = super().__new__(cls, wait)
        obj.limit, obj.window_s = limit, window_s
        return obj


class RateLimiter:
    def __init__(self, clock: Clock, limit: int | list[tuple[int, float, float]], window_s: float = 0.0,
                 block_s: float = 0.0):
        """RateLimiter(clock, limit, window_s, block_s) or RateLimiter(clock, [(limit, window_s, block_s), ...])."""
        self.clock = clock
        self.windows = list(limit) if isinstance(limit, list) else [(limit, window_s, block_s)]
        self._hits: dict[tuple[str, int], collections.deque] = collections.defaultdict(collections.deque)
        self._blocked_until: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        return self.windows[0][0]

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
            self._blocked_until.clear()

    def check(self, key: str) -> Refusal | None:
        """Record a request for `key`. Returns None if allowed, else the real number of
        seconds the caller must wait (> 0) with the window that refused it."""
        now = self.clock.now()
        with self._lock:
            blocked = self._blocked_until.get(key)
            if blocked is not None:
                until, i = blocked
                if now < until:
                    return Refusal(until - now, self.windows[i][0], self.windows[i][1])
                del self._blocked_until[key]
                self._hits[(key, i)].clear()
            for i, (limit, window_s, block_s) in enumerate(self.windows):
                window = self.clock.scaled(window_s)
                hits = self._hits[(key, i)]
                while hits and hits[0] <= now - window:
                    hits.popleft()
                if len(hits) >= limit:
                    if block_s > 0:
                        until = now + self.clock.scaled(block_s)
                        self._blocked_until[key] = (until, i)
                        return Refusal(until - now, limit, window_s)
                    return Refusal(max(hits[0] + window - now, 0.001), limit, window_s)
            for i in range(len(self.windows)):
                self._hits[(key, i)].append(now)
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
