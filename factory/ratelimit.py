"""A request budget per vendor credential, shared by every run and process through Postgres.

Dagster pools cap how many steps run at once; they do not cap requests per window. Each
client calls `acquire` before every request (retries included). The window is sliding, like
the vendors' own: at most `limit` requests in any `window_s`, measured on the database's
clock so that all processes agree. A small margin absorbs network jitter, so the vendor never
sees the limit crossed (Cloudflare blocks a token for five minutes when it is).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from factory.store import Store

log = logging.getLogger(__name__)


class BudgetTimeout(RuntimeError):
    """Waiting for the budget took longer than allowed."""


@dataclass(frozen=True)
class Budget:
    vendor: str
    limit: int
    window_s: float
    margin_s: float = 0.0

    def bucket(self, credential: str) -> str:
        # The credential itself is never stored: only a short hash identifies its bucket.
        return f"{self.vendor}:{hashlib.sha256(credential.encode()).hexdigest()[:16]}"


class SharedRateLimiter:
    def __init__(self, store: Store):
        self.store = store

    def acquire(self, budget: Budget, credential: str, *, max_wait_s: float = 3600.0) -> float:
        """Block until a request for this credential fits the budget; return seconds waited."""
        bucket = budget.bucket(credential)
        window = budget.window_s + budget.margin_s
        waited = 0.0
        while True:
            wait = self._try(bucket, budget.limit, window)
            if wait <= 0:
                return waited
            if waited + wait > max_wait_s:
                raise BudgetTimeout(f"{budget.vendor} request budget still exhausted after {waited:.0f}s")
            time.sleep(wait)
            waited += wait

    def _try(self, bucket: str, limit: int, window_s: float) -> float:
        with self.store.connection() as conn:
            conn.execute("insert into public.rate_limit_buckets (bucket) values (%s) on conflict do nothing", (bucket,))
            conn.execute("select 1 from public.rate_limit_buckets where bucket = %s for update", (bucket,))
            conn.execute(
                "delete from public.rate_limit_hits where bucket = %s"
                " and at <= clock_timestamp() - make_interval(secs => %s)",
                (bucket, window_s),
            )
            count, wait = conn.execute(
                """select count(*),
                          coalesce(extract(epoch from (
                              (select at from public.rate_limit_hits where bucket = %s
                                order by at desc offset %s - 1 limit 1)
                              + make_interval(secs => %s) - clock_timestamp())), 0)
                     from public.rate_limit_hits where bucket = %s""",
                (bucket, limit, window_s, bucket),
            ).fetchone()
            if count < limit:
                conn.execute("insert into public.rate_limit_hits (bucket, at) values (%s, clock_timestamp())", (bucket,))
                return 0.0
        return max(float(wait), 0.001)
