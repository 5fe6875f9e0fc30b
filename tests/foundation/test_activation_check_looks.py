"""After the product spends a zone's hourly activation check, the zone is looked at again within
seconds while the check may still be answering (one listing answers for all of an account's
pending zones), not a minute later on every site's way live; after that, by the backoff."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from factory.config import load_settings
from factory.layers import dns
from factory.layers.runner import LayerContext
from factory.store import Store
from factory.vendors.budget import SharedRateLimiter


def _ctx(store: Store) -> LayerContext:
    clients = SimpleNamespace(limiter=SharedRateLimiter(store.db.connection))
    return LayerContext(load_settings(), store, clients)


def _age_checks(store: Store, seconds: float) -> None:
    with store.db.connection() as conn:
        conn.execute("update public.rate_limit_hits set at = at - make_interval(secs => %s)", (seconds,))


def test_a_spent_check_is_looked_at_soon_then_by_the_backoff(store: Store) -> None:
    ctx = _ctx(store)
    checks = dns.ACTIVATION_CHECKS.scaled(ctx.settings.rate_time_scale)
    assert dns.check_answering(ctx, "zone-a") is None  # nothing asked: the backoff decides

    assert ctx.clients.limiter.try_acquire(checks, "zone-a")
    look = dt.timedelta(seconds=dns.CHECK_LOOK_S * ctx.settings.rate_time_scale)
    assert dns.check_answering(ctx, "zone-a") == look
    assert dns.check_answering(ctx, "zone-b") is None  # another zone's check says nothing about this one

    _age_checks(store, dns.CHECK_ANSWER_S - 5)
    assert dns.check_answering(ctx, "zone-a") == look  # still within the answer's minute
    _age_checks(store, 10)
    assert dns.check_answering(ctx, "zone-a") is None  # it has answered: pending means not yet delegated
    assert ctx.clients.limiter.since_last(checks, "zone-a") >= dns.CHECK_ANSWER_S
    assert not ctx.clients.limiter.try_acquire(checks, "zone-a")  # and the hour's check is spent
