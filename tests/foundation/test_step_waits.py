"""When a waiting step looks next: the backoff (1, 2, 5, 15, 60 minutes), sooner where the layer
knows something is due then, and never before the outside world can have changed (a TXT record
that propagates: Google is not asked again before it can see it)."""

from __future__ import annotations

import datetime as dt

from factory.config import load_settings
from factory.layers.runner import Applied, LayerContext, StepRun
from factory.store import NewSite, Store

WAIT = "Google to see the verification TXT record"


def _wait(ctx: LayerContext, site, applied: Applied):
    return StepRun(ctx, "gsc_property", site).done([], applied).recorded


def test_no_look_before_what_waits_can_have_changed_then_the_backoff(store: Store) -> None:
    store.cloudflare_accounts.add("ops@example.com", "CF_1", "token-abcdefghijklmnop")
    site = store.sites.add(NewSite("waits-example.com", "CF_1"))
    ctx = LayerContext(load_settings(), store, None)
    propagation = dt.timedelta(seconds=300)

    first = _wait(ctx, site, Applied(waiting_for=WAIT, look_not_before=propagation))
    assert first.checks == 1
    # Not a minute later, as the backoff alone would: once the record can have propagated.
    assert abs((first.next_check_at - first.waiting_since) - propagation) < dt.timedelta(seconds=2)

    second = _wait(ctx, site, Applied(waiting_for=WAIT, look_not_before=propagation))
    assert second.waiting_since == first.waiting_since and second.checks == 2
    # Still not before the record can be seen.
    assert abs(second.next_check_at - first.next_check_at) < dt.timedelta(seconds=1)

    with store.db.connection() as conn:  # the wait began ten minutes ago: past the propagation
        conn.execute("update public.site_steps set waiting_since = now() - interval '10 minutes' where site_id = %s",
                     (site.id,))
    third = _wait(ctx, site, Applied(waiting_for=WAIT, look_not_before=propagation))
    assert third.checks == 3  # the backoff's third step: five minutes from now
    expected = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=300)
    assert abs(third.next_check_at - expected) < dt.timedelta(seconds=2)

    sooner = _wait(ctx, site, Applied(waiting_for="something else", look_again_in=dt.timedelta(seconds=10)))
    assert sooner.checks == 1
    assert sooner.next_check_at - dt.datetime.now(dt.UTC) < dt.timedelta(seconds=11)
