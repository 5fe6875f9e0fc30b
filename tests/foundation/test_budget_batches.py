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


class CountingLimiter(SharedRateLimiter):
    """The shared limiter, counting its round trips to the database."""

    def __init__(self, connect):
        super().__init__(connect)
        self.round_trips = 0

    def _try(self, budget, credential, n=1):
        self.round_trips += 1
        return super()._try(budget, credential, n)


def test_expected_calls_take_their_budget_a_few_dozen_at_a_time(store: Store) -> None:
    """A fleet's reads (`expect`) cost one round trip to the shared budget per RESERVE_AHEAD
    calls, and count in it exactly as the same calls one by one."""
    limiter = CountingLimiter(store.connection)
    roomy = budget("bench-vendor", (1200, 300.0))
    caller = VendorCaller(limiter, roomy, "fleet-1", RetryPolicy(max_attempts=1), lambda exc: None)
    caller.expect(60)
    assert [caller(lambda i=i: i, "read") for i in range(60)] == list(range(60))
    assert limiter.used(roomy, "fleet-1") == {300.0: 60}
    assert limiter.round_trips == 3  # 25 + 25 + 10
    caller(lambda: None, "one more")  # beyond the expectation: one by one again
    assert (limiter.round_trips, limiter.used(roomy, "fleet-1")) == (4, {300.0: 61})


def test_settled_leftovers_stay_spent_and_are_not_used_later(store: Store) -> None:
    limiter = CountingLimiter(store.connection)
    roomy = budget("bench-vendor", (1200, 300.0))
    caller = VendorCaller(limiter, roomy, "fleet-2", RetryPolicy(max_attempts=1), lambda exc: None)
    caller.expect(10)
    for _ in range(3):  # fewer than expected (a zone gone, say)
        caller(lambda: None, "read")
    caller.settle()
    assert limiter.used(roomy, "fleet-2") == {300.0: 10}  # counted: never under the vendor's count
    caller(lambda: None, "later")  # takes budget now, not a reservation counted back then
    assert (limiter.round_trips, limiter.used(roomy, "fleet-2")) == (2, {300.0: 11})


def test_expected_calls_never_reserve_more_than_the_smallest_window(store: Store) -> None:
    limiter = CountingLimiter(store.connection)
    small = budget("bench-vendor", (5, 60.0), (100, 3600.0))
    caller = VendorCaller(limiter, small, "fleet-3", RetryPolicy(max_attempts=1), lambda exc: None)
    caller.expect(5)
    for _ in range(5):
        caller(lambda: None, "read")
    assert limiter.round_trips == 1 and limiter.used(small, "fleet-3") == {60.0: 5, 3600.0: 5}
    caller.expect(30)
    assert not limiter.try_acquire(small, "fleet-3")  # the minute is full: a reservation would wait
