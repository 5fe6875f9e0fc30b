"""A request budget per vendor credential, shared by every run and process through Postgres.

Dagster pools cap how many steps run at once; they do not cap requests per window. Every
client call acquires first (retries included). Each budget is a set of sliding windows, like
the vendors' own (Namecheap: per minute, hour and day): at most `limit` requests in any
`window_s`, measured on the database's clock so that all processes agree. A small margin
absorbs network jitter, so the vendor never sees a limit crossed (Cloudflare blocks a token for
five minutes when it is).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

import psycopg

log = logging.getLogger(__name__)

Connect = Callable[[], AbstractContextManager[psycopg.Connection]]


class BudgetTimeout(RuntimeError):
    """Waiting for the budget took longer than allowed."""


@dataclass(frozen=True)
class Window:
    limit: int
    window_s: float
    margin_s: float = 0.0


@dataclass(frozen=True)
class Budget:
    vendor: str
    windows: tuple[Window, ...]

    def bucket(self, credential: str, window: Window) -> str:
        # The credential itself is never stored: only a short hash identifies its bucket.
        digest = hashlib.sha256(credential.encode()).hexdigest()[:16]
        return f"{self.vendor}:{digest}:{window.window_s:g}"

    def scaled(self, time_scale: float) -> Budget:
        """The same budget with every window stretched (tests run the simulators' time faster)."""
        if time_scale == 1:
            return self
        return replace(self, windows=tuple(Window(w.limit, w.window_s * time_scale, w.margin_s * time_scale)
                                           for w in self.windows))

    @property
    def unlimited(self) -> bool:
        return not self.windows


def budget(vendor: str, *windows: tuple[int, float] | tuple[int, float, float]) -> Budget:
    """budget("namecheap", (20, 60, 1), (700, 3600), (8000, 86400))"""
    return Budget(vendor, tuple(Window(*w) for w in windows if w[0] > 0))


class SharedRateLimiter:
    def __init__(self, connect: Connect):
        self._connect = connect

    def acquire(self, budget: Budget, credential: str, *, n: int = 1, max_wait_s: float = 3600.0) -> float:
        """Block until `n` requests for this credential fit every window (all taken at once, in one
        transaction); return seconds waited."""
        if budget.unlimited:
            return 0.0
        if n > min(w.limit for w in budget.windows):
            raise ValueError(f"{n} requests never fit the {budget.vendor} budget at once")
        waited = 0.0
        while True:
            wait = self._try(budget, credential, n)
            if wait <= 0:
                return waited
            if waited + wait > max_wait_s:
                raise BudgetTimeout(f"{budget.vendor} request budget still exhausted after {waited:.0f}s")
            time.sleep(wait)
            waited += wait

    def try_acquire(self, budget: Budget, credential: str) -> bool:
        """Take a request if every window has room now; never wait."""
        return budget.unlimited or self._try(budget, credential) <= 0

    def _try(self, budget: Budget, credential: str, n: int = 1) -> float:
        """Take `n` requests from every window at once, or none; the wait until all have room
        (public.rate_limit_take: one round trip, buckets locked in a fixed order)."""
        buckets = sorted((budget.bucket(credential, w), w) for w in budget.windows)
        with self._connect() as conn:
            (wait,) = conn.execute(
                "select public.rate_limit_take(%s, %s, %s, %s)",
                ([b for b, _ in buckets], [w.limit for _, w in buckets],
                 [w.window_s + w.margin_s for _, w in buckets], n)).fetchone()
        return float(wait)

    def used(self, budget: Budget, credential: str, *, ahead_s: float = 0.0) -> dict[float, int]:
        """Requests counted in each window now, or `ahead_s` from now (those that will not have
        left it by then), window seconds -> count: for admission, ETAs and reports."""
        with self._connect() as conn:
            return {w.window_s: conn.execute(
                "select count(*) from public.rate_limit_hits where bucket = %s"
                " and at > clock_timestamp() - make_interval(secs => %s)",
                (budget.bucket(credential, w), w.window_s + w.margin_s - ahead_s)).fetchone()[0]
                for w in budget.windows}

    def since_last(self, budget: Budget, credential: str) -> float | None:
        """Seconds since this credential's latest request counted in the budget's longest window
        (None: none in it), on the database's clock like the windows themselves."""
        if budget.unlimited:
            return None
        window = max(budget.windows, key=lambda w: w.window_s)
        with self._connect() as conn:
            (ago,) = conn.execute(
                "select extract(epoch from clock_timestamp() - max(at)) from public.rate_limit_hits"
                " where bucket = %s and at > clock_timestamp() - make_interval(secs => %s)",
                (budget.bucket(credential, window), window.window_s + window.margin_s)).fetchone()
        return None if ago is None else float(ago)
