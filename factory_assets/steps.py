"""How a per-site asset records its progress on the `sites` row, and turns failures into
Dagster failures with the reason in `error_message`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import dagster as dg

from factory.logs import redact, site_context
from factory.retry import VendorError
from factory.store import Site, Store

log = logging.getLogger(__name__)


@contextlib.contextmanager
def site_step(store: Store, domain: str, step: str, *, status_column: str | None = None,
              running: str | None = None, done: str | None = None) -> Iterator[Site]:
    """Mark the step as running, yield the site, then mark it done — or failed with the reason.

    A VendorError marked retryable lets Dagster's retry policy try again; any other failure
    will not change by retrying and is final for this run.
    """
    site = store.get_site(domain)
    with site_context(site_id=site.id, domain=site.domain):
        if status_column and running:
            store.set_status(site.id, status_column, running)
        try:
            yield site
        except Exception as exc:
            message = redact(str(exc)) or type(exc).__name__
            log.error("%s failed: %s", step, message)
            if status_column:
                store.set_status(site.id, status_column, "failed", message)
            else:
                store.record_failure(site.id, step, message)
            retryable = isinstance(exc, VendorError) and exc.retryable
            raise dg.Failure(description=f"{step} for {site.domain}: {message}", allow_retries=retryable) from None
        if status_column and done:
            store.set_status(site.id, status_column, done)
        elif not status_column:
            store.clear_failure(site.id, step)
        log.info("%s done", step)


# Transient vendor trouble that outlasted the clients' own retries gets a few more tries.
STEP_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
