"""How every vendor call is made: budget first, then the request, retried as classified."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from factory.vendors.budget import Budget, SharedRateLimiter
from factory.vendors.retry import RetryPolicy, VendorError, call_with_retries

T = TypeVar("T")
Classify = Callable[[Exception], "VendorError | None"]


class VendorCaller:
    """Calls one vendor for one credential. Every attempt (retries included) spends budget."""

    def __init__(self, limiter: SharedRateLimiter | None, budget: Budget | None, credential: str,
                 policy: RetryPolicy, classify: Classify):
        self._limiter = limiter
        self._budget = budget
        self._credential = credential
        self._policy = policy
        self._classify = classify

    def __call__(self, fn: Callable[[], T], what: str) -> T:
        def attempt() -> T:
            if self._limiter is not None and self._budget is not None:
                self._limiter.acquire(self._budget, self._credential)
            return fn()

        return call_with_retries(attempt, self._classify, self._policy, what=what)
