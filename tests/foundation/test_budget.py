"""The shared request budget (factory/vendors/budget.py): every window of a vendor's limit holds
across threads and processes, a refused request takes nothing, and the wait it reports is when
the oldest request in the full window leaves it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from factory.vendors.budget import SharedRateLimiter, budget


def _limiter(store) -> SharedRateLimiter:
    return SharedRateLimiter(lambda: store.connection())


def test_every_window_holds_and_a_refusal_takes_nothing(store) -> None:
    limiter = _limiter(store)
    small = budget("bench", (3, 3.0), (5, 60.0))
    assert [limiter.try_acquire(small, "key-a") for _ in range(4)] == [True, True, True, False]
    assert limiter.used(small, "key-a") == {3.0: 3, 60.0: 3}  # the refused request was not counted
    assert limiter.used(small, "key-a", ahead_s=3.5) == {3.0: 0, 60.0: 3}  # by then gone from the 3 s window

    waited = limiter.acquire(small, "key-a")  # until the oldest leaves the 3-second window, not the minute's
    assert 0 < waited <= 3.5
    time.sleep(3.1)  # the 3-second window empties
    assert limiter.try_acquire(small, "key-a")
    assert limiter.used(small, "key-a")[60.0] == 5
    assert not limiter.try_acquire(small, "key-a")  # the minute's window is full now
    assert limiter.try_acquire(small, "key-b")  # per credential


def test_threads_never_take_more_than_the_limit(store) -> None:
    limiter = _limiter(store)
    shared = budget("bench", (20, 60.0))
    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda _: limiter.try_acquire(shared, "shared-key"), range(80)))
    assert sum(taken) == 20
    assert limiter.used(shared, "shared-key") == {60.0: 20}


def test_an_unlimited_budget_never_waits(store) -> None:
    limiter = _limiter(store)
    assert limiter.acquire(budget("free", (0, 60.0)), "k") == 0.0
