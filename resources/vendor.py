"""What every vendor resource shares: the fleet-wide request budget and the retry policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import dagster as dg

from factory.ratelimit import Budget, SharedRateLimiter
from factory.retry import RetryPolicy, VendorError, call_with_retries
from resources.store import StoreResource

T = TypeVar("T")


class VendorCaller:
    """Calls one vendor for one credential: budget first, then the request, retried as classified."""

    def __init__(self, limiter: SharedRateLimiter | None, budget: Budget | None, credential: str,
                 policy: RetryPolicy, classify: Callable[[Exception], VendorError | None]):
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


class VendorResource(dg.ConfigurableResource):
    """Base for vendor resources: timeouts, retries and the shared request budget are configuration."""

    store: StoreResource
    timeout_s: float = 30.0
    max_attempts: int = 6
    retry_base_delay_s: float = 0.5
    # 0 turns the shared budget off (a vendor without a documented limit).
    rate_limit: int = 0
    rate_window_s: float = 60.0
    rate_margin_s: float = 0.0

    def _caller(self, vendor: str, credential: str, classify: Callable[[Exception], VendorError | None]) -> VendorCaller:
        budget = None
        limiter = None
        if self.rate_limit > 0:
            budget = Budget(vendor, self.rate_limit, self.rate_window_s, self.rate_margin_s)
            limiter = SharedRateLimiter(self.store.get())
        policy = RetryPolicy(max_attempts=self.max_attempts, base_delay_s=self.retry_base_delay_s)
        return VendorCaller(limiter, budget, credential, policy, classify)
