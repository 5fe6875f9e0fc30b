"""How every vendor call is made: budget first, then the request, retried as classified."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from factory.vendors.budget import Budget, SharedRateLimiter
from factory.vendors.retry import RetryPolicy, VendorError, call_with_retries

T = TypeVar("T")
Classify = Callable[[Exception], "VendorError | None"]

# With calls expected (`expect`), budget is taken this many attempts at a time: a fleet's reads
# then cost the shared budget one round trip per few dozen calls, and none is made long after
# the moment its budget was counted (a few dozen calls take well under any vendor's margin).
RESERVE_AHEAD = 25


class VendorCaller:
    """Calls one vendor for one credential. Every attempt (retries included) spends budget: its
    own, or budget `reserve` took beforehand for a batch of calls."""

    def __init__(self, limiter: SharedRateLimiter | None, budget: Budget | None, credential: str,
                 policy: RetryPolicy, classify: Classify):
        self._limiter = limiter
        self._budget = budget
        self._credential = credential
        self._policy = policy
        self._classify = classify
        self._reserved = 0
        self._expected = 0
        self._lock = threading.Lock()

    @property
    def budgeted(self) -> bool:
        return self._limiter is not None and self._budget is not None and not self._budget.unlimited

    def reserve(self, n: int) -> None:
        """Spend budget for the next `n` attempts at once (blocks until they fit): calls about to be
        made together then cost the shared budget one round trip instead of one each."""
        if not self.budgeted or n <= 0:
            return
        self._limiter.acquire(self._budget, self._credential, n=n)
        with self._lock:
            self._reserved += n

    def expect(self, n: int) -> None:
        """About `n` more attempts are coming now (a fleet's reads): their budget is then taken
        RESERVE_AHEAD at a time, as they are made. `settle` when they are done."""
        with self._lock:
            self._expected += max(0, n)

    def settle(self) -> None:
        """Forget what `expect` and `reserve` left over: unused budget stays spent (counted, so
        never over the vendor's limit) and is not used later, when it would be counted too early."""
        with self._lock:
            self._expected = self._reserved = 0

    def _take_expected(self) -> int:
        with self._lock:
            ahead = min(self._expected, RESERVE_AHEAD, min(w.limit for w in self._budget.windows))
            self._expected -= ahead
            return ahead

    def _take_reserved(self) -> bool:
        with self._lock:
            if self._reserved > 0:
                self._reserved -= 1
                return True
        return False

    def __call__(self, fn: Callable[[], T], what: str) -> T:
        def attempt() -> T:
            if self.budgeted and not self._take_reserved():
                ahead = self._take_expected()
                if ahead > 1:
                    self.reserve(ahead)
                if ahead <= 1 or not self._take_reserved():  # another thread took them first
                    self._limiter.acquire(self._budget, self._credential)
            return fn()

        return call_with_retries(attempt, self._classify, self._policy, what=what)
