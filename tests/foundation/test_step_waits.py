"""When a waiting step looks next: the backoff (1, 2, 5, 15, 60 minutes), sooner where the layer
knows something is due then, and, while what it waits for cannot hold yet (a TXT record that
propagates), then and not before: Google is not asked again before it can see the record."""

from __future__ import annotations

import datetime as dt

from factory.config import load_settings
from factory.layers.runner import Applied, LayerContext, StepRun
from factory.store import NewSite, Store

WAIT = "Google to see the verification TXT record"


def _wait(ctx: LayerContext, site, applied: Applied):
    return StepRun(ctx, "gsc_property", site).done([], applied).recorded


def _close(a: dt.datetime, b: dt.datetime) -> bool:
    return abs(a - b) < dt.timedelta(seconds=2)


def test_a_wait_looks_when_what_it_waits_for_can_hold_then_by_the_backoff(store: Store) -> None:
    store.cloudflare_accounts.add("ops@example.com", "CF_1", "token-abcdefghijklmnop")
    site = store.sites.add(NewSite("waits-example.com", "CF_1"))
    ctx = LayerContext(load_settings(), store, None)
    now = dt.datetime.now(dt.UTC)

    # The record propagates for five more minutes: not a minute from now, as the backoff alone would.
    first = _wait(ctx, site, Applied(waiting_for=WAIT, look_at=now + dt.timedelta(minutes=5)))
    assert first.checks == 1 and _close(first.next_check_at, now + dt.timedelta(minutes=5))
    # A propagation that should be over and was not: the backoff's second step (2 minutes).
    second = _wait(ctx, site, Applied(waiting_for=WAIT, look_at=now - dt.timedelta(seconds=1)))
    assert second.checks == 2 and _close(second.next_check_at, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
    # Something due sooner than the backoff: then.
    sooner = _wait(ctx, site, Applied(waiting_for="something else", look_again_in=dt.timedelta(seconds=10)))
    assert sooner.checks == 1 and _close(sooner.next_check_at, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10))
