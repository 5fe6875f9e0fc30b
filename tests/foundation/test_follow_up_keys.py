"""The follow-up sensor asks for a waiting step's run under one run key (Dagster runs a key once,
so ticks do not pile up runs); a request that never became a run (its launches all died, or it
was cancelled) is asked for again under a new key once it is REQUEST_AGAIN_S overdue, instead of
leaving the site waiting until its deadline."""

from __future__ import annotations

import datetime as dt

from factory.config import load_settings
from factory.layers.followup import REQUEST_AGAIN_S, follow_up
from factory.layers.runner import LayerContext
from factory.layers.search_console import WAIT_PROPAGATION
from factory.store import NewSite, Store


def test_an_unanswered_request_is_asked_for_again(store: Store) -> None:
    store.cloudflare_accounts.add("ops@example.com", "CF_1", "token-abcdefghijklmnop")
    site = store.sites.add(NewSite("again-example.com", "CF_1"))
    ctx = LayerContext(load_settings(), store, None)
    due = dt.datetime.now(dt.UTC)
    store.steps.wait(site.id, "gsc_property", WAIT_PROPAGATION, due)

    def key(after_s: float) -> str:
        outcome = follow_up(ctx, due + dt.timedelta(seconds=after_s))
        assert outcome.runs == {"again-example.com": ["gsc_property"]}
        return outcome.run_key("again-example.com")

    again_s = REQUEST_AGAIN_S * ctx.settings.rate_time_scale
    first = key(again_s / 600)
    assert key(again_s / 10) == key(again_s * 0.99) == first  # the same request while its run may come
    again = key(again_s * 1.01)
    assert again != first and key(again_s * 1.99) == again  # asked for once more, then waits again
    assert key(again_s * 2.01) not in (first, again)
