"""One health sweep of the fleet: drift, probes, registration — recorded in `site_health`.

    result = sweep(ctx)                    # every live site
    result = sweep(ctx, sites, probes=False)

What a sweep could not judge (a vendor down, a setting missing) is reported in `errors` and
leaves the problems of that check as they were: a sweep never resolves what it did not see.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from factory.config import SettingsError
from factory.health import drift, probes, registration
from factory.layers.runner import LayerContext
from factory.logs import redact
from factory.store import Finding, Site
from factory.store.health import Recorded
from factory.vendors.retry import VendorError

# Probes run for sites that have a deployed release (before that there is nothing to serve).
PROBED_STATUS = "deployed"


@dataclass
class SweepResult:
    sites: list[str]
    findings: list[Finding]
    recorded: Recorded
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (domain or "*", check, why)
    plan_hashes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)  # seconds of each part (they run side by side)

    def as_dict(self) -> dict:
        return {"sites": len(self.sites), "problems": len(self.findings), "opened": len(self.recorded.opened),
                "still_open": len(self.recorded.still_open), "resolved": len(self.recorded.resolved),
                "errors": [{"domain": d, "check": c, "error": e} for d, c, e in self.errors],
                "plans": self.plan_hashes, "seconds": round(self.seconds, 3),
                "parts": {k: round(v, 3) for k, v in self.parts.items()}}


def sweep(ctx: LayerContext, sites: Sequence[Site] | None = None, *, drift_check: bool = True,
          probe_check: bool = True, registration_check: bool = True, registrar: bool = False,
          now: dt.datetime | None = None) -> SweepResult:
    """`registrar`: also read every site's name servers at the registrar (the daily sweep)."""
    started = time.monotonic()
    now = now or dt.datetime.now(dt.UTC)
    sites = [s for s in (ctx.store.sites.list() if sites is None else sites) if s.decommissioned_at is None]
    findings: list[Finding] = []
    covered: set = set()
    errors: list[tuple[str, str, str]] = []
    hashes: list[str] = []
    parts: dict[str, float] = {}

    def timed(part: str, fn):
        def run():
            began = time.monotonic()
            try:
                return fn()
            finally:
                parts[part] = time.monotonic() - began
        return run

    def run_probes() -> tuple[list[Finding], set]:
        return probes.probe_fleet(ctx.settings, [s for s in sites if s.status_deployment == PROBED_STATUS], now)

    def run_registration():
        try:
            return registration.look(ctx, sites, today=now.date())
        except (VendorError, SettingsError) as exc:
            return [], set(), [("*", redact(str(exc)))]

    # Drift reads the vendors' APIs, probes the sites, registration Namecheap: side by side.
    with ThreadPoolExecutor(max_workers=3) as pool:
        probing = pool.submit(timed("probes", run_probes)) if probe_check and sites else None
        registering = pool.submit(timed("registration", run_registration)) if registration_check and sites else None
        if drift_check and sites:
            looked = timed("drift", lambda: drift.look(ctx, sites, registrar=registrar))()
            findings += looked.findings
            covered |= looked.covered
            hashes = [p.hash for p in looked.plans]
        if probing is not None:
            found, judged = probing.result()
            findings += found
            covered |= judged
        if registering is not None:
            found, judged, failed = registering.result()
            findings += found
            covered |= judged
            errors += [(d, "registration", e) for d, e in failed]
    recorded = timed("record", lambda: ctx.store.health.record(findings, covered, now=now))()
    return SweepResult([s.domain for s in sites], findings, recorded, errors, hashes, time.monotonic() - started,
                       parts)
