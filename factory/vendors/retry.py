"""Retries for vendor calls: exponential backoff with full jitter, Retry-After honoured, and
no retry for errors that will not change (bad input, revoked credentials, not found)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class VendorError(RuntimeError):
    """A vendor call failed. The message is for operators and never carries a credential."""

    def __init__(self, vendor: str, message: str, *, retryable: bool = False, retry_after: float | None = None,
                 code: int | str | None = None, status: int | None = None):
        super().__init__(f"{vendor}: {message}")
        self.vendor = vendor
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None and retry_after >= 0:
            # The vendor said when; a little jitter keeps parallel runs from returning in lockstep.
            return retry_after + random.uniform(0, min(1.0, retry_after * 0.1 + 0.01))
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** attempt))


def call_with_retries(fn: Callable[[], T], classify: Callable[[Exception], VendorError | None],
                      policy: RetryPolicy, *, what: str = "request", sleep=time.sleep) -> T:
    """Run fn; on an error that `classify` marks retryable, wait and try again.

    `classify` turns a client exception into a VendorError (or None to re-raise as is).
    """
    attempt = 0
    while True:
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - classified below
            error = exc if isinstance(exc, VendorError) else classify(exc)
            if error is None:
                raise
            attempt += 1
            if not error.retryable or attempt >= policy.max_attempts:
                if error is exc:
                    raise
                raise error from None
            wait = policy.delay(attempt - 1, error.retry_after)
            log.warning("%s failed (%s); retry %d/%d in %.2fs", what, error, attempt, policy.max_attempts - 1, wait)
            sleep(wait)
