"""A batch of calls takes its budget in one go (Search Console rounds): it counts in the shared
budget exactly as the same calls one by one would, and never lets a window hold more."""

from __future__ import annotations

import pytest

from factory.store import Store
from factory.vendors.budget import SharedRateLimiter, budget
from factory.vendors.caller import VendorCaller
from factory.vendors.retry import RetryPolicy


def test_a_reserved_batch_spends_the_window_like_single_calls(store: Store) -> None:
    limiter = SharedRateLimiter(store.connection)
    five_a_minute = budget("bench-vendor", (5, 60.0))
    caller = VendorCaller(limiter, five_a_minute, "account-1", RetryPolicy(max_attempts=1), lambda exc: None)

    caller.reserve(3)
    assert [caller(lambda i=i: i, "call") for i in range(3)] == [0, 1, 2]  # the reservation, no waiting
    assert limiter.used(five_a_minute, "account-1") == {60.0: 3}
    assert limiter.try_acquire(five_a_minute, "account-1")  # two left in the window: one ...
    assert limiter.try_acquire(five_a_minute, "account-1")  # ... and the other
    assert not limiter.try_acquire(five_a_minute, "account-1")  # the window is full
    assert limiter.used(five_a_minute, "account-2") == {60.0: 0}  # per credential


def test_a_batch_larger_than_the_window_is_refused(store: Store) -> None:
    limiter = SharedRateLimiter(store.connection)
    with pytest.raises(ValueError, match="never fit"):
        limiter.acquire(budget("bench-vendor", (5, 60.0)), "account-1", n=6)


def test_a_batch_waits_while_the_window_has_no_room_for_all_of_it(store: Store) -> None:
    limiter = SharedRateLimiter(store.connection)
    short = budget("bench-vendor", (4, 0.5))
    limiter.acquire(short, "account-1", n=3)
    waited = limiter.acquire(short, "account-1", n=2)  # 3 + 2 > 4: until the first three leave
    assert waited > 0.2
    assert limiter.used(short, "account-1") == {0.5: 2}
