"""A plan across the fleet: for every selected site and layer, the changes the next
materialization would make — observed and planned, never applied (read-only: no vendor write).

Reads are batched where the vendor allows (one zone listing per Cloudflare account, one Matomo
listing, one listing of the sites over SSH, per-Google-account listings, two Directus requests), so
planning 1,000 sites costs a few thousand reads, within every budget.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from factory.hashing import json_hash
from factory.layers import (
    LAYERS,
    build,
    content,
    deploy,
    dns,
    hosting,
    matomo,
    search_console,
)
from factory.layers.change import WRITES, Change, markdown
from factory.layers.runner import LayerContext
from factory.logs import redact
from factory.store import Site
from factory.vendors.rsync import ReleaseError

STEP_OF = {"dns": dns.STEP, "hosting": hosting.STEP, "matomo": matomo.STEP, "search_console": search_console.STEP,
           "content": content.STEP, "build": build.STEP, "deploy": deploy.STEP}


@dataclass
class FleetPlan:
    sites: list[str]
    layers: list[str]
    changes: list[tuple[str, Change]] = field(default_factory=list)  # (domain, change), in site then layer order
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (domain, layer, why it could not be observed)
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def hash(self) -> str:
        """What was seen and what would change; the same world planned again gives the same hash."""
        return json_hash({"sites": self.sites, "layers": self.layers,
                          "changes": [[d, c.as_dict()] for d, c in self.changes], "errors": self.errors})[:16]

    def affected(self) -> dict[str, list[Change]]:
        """The sites with at least one write, and those writes."""
        found: dict[str, list[Change]] = {}
        for domain, change in self.changes:
            if change.kind in WRITES:
                found.setdefault(domain, []).append(change)
        return found

    def unobserved(self) -> set[str]:
        """Sites with no write planned but a layer that could not be observed: what they would do is
        unknown, so the guard counts them as changed."""
        return {d for d, _, _ in self.errors} - set(self.affected())

    def summary(self) -> dict:
        per_layer: dict[str, Counter] = {layer: Counter() for layer in self.layers}
        for _, change in self.changes:
            per_layer.setdefault(change.layer, Counter())[change.kind] += 1
        return {
            "sites": len(self.sites),
            "sites_affected": len(self.affected()),
            "sites_waiting": len({d for d, c in self.changes if c.kind == "wait"}),
            "sites_unobserved": len(self.unobserved()),
            "deletes": sum(1 for _, c in self.changes if c.kind == "delete"),
            "layers": {layer: {k: counts.get(k, 0) for k in ("create", "update", "delete", "wait")}
                       for layer, counts in per_layer.items()},
            "errors": len(self.errors),
        }

    def steps_to_apply(self) -> dict[str, list[str]]:
        """Per site, the per-site assets whose layer would change something (what applying runs)."""
        found: dict[str, list[str]] = {}
        for domain, change in self.changes:
            if change.kind in WRITES:
                steps = found.setdefault(domain, [])
                if STEP_OF[change.layer] not in steps:
                    steps.append(STEP_OF[change.layer])
        return found

    def as_dict(self, *, noop: bool = False) -> dict:
        return {"hash": self.hash, "created_at": self.created_at.isoformat(), "sites": self.sites,
                "layers": self.layers, "summary": self.summary(),
                "changes": [{"domain": d, **c.as_dict()} for d, c in self.changes if noop or c.kind != "noop"],
                "errors": [{"domain": d, "layer": layer, "error": e} for d, layer, e in self.errors]}

    def markdown(self) -> str:
        summary = self.summary()
        head = (f"**Plan {self.hash}**: {summary['sites_affected']} of {summary['sites']} site(s) would change, "
                f"{summary['sites_waiting']} wait, {summary['errors']} could not be observed.\n\n")
        rows = [(d, c) for d, c in self.changes if c.kind != "noop"]
        table = markdown([Change(c.layer, c.kind, f"{d}: {c.target}", c.reason, c.before, c.after) for d, c in rows])
        errors = "".join(f"\n- {d} ({layer}): {e}" for d, layer, e in self.errors)
        return head + table + (f"\n\nNot observed:{errors}" if errors else "")


def plan_fleet(ctx: LayerContext, sites: Sequence[Site], layers: Sequence[str] = LAYERS, *,
               registrar: bool | None = None) -> FleetPlan:
    """`registrar=True` also reads every site's name servers at the registrar (one Namecheap call
    per site: the daily health sweep); by default only where the layer needs to (dns.observe)."""
    unknown = [layer for layer in layers if layer not in LAYERS]
    if unknown:
        raise ValueError(f"unknown layer(s) {', '.join(unknown)}; layers are {', '.join(LAYERS)}")
    layers = [layer for layer in LAYERS if layer in layers]
    result = FleetPlan([s.domain for s in sites], layers)
    per_site: dict[str, list[Change]] = {s.domain: [] for s in sites}

    def planned_layer(layer: str) -> dict[str, list[Change] | str] | Exception:
        try:
            return _plan_layer(ctx, layer, list(sites), registrar)
        except Exception as exc:  # noqa: BLE001 - a vendor down: the plan says so for every site
            return exc

    # The layers read different vendors: they are observed side by side (each within its own
    # vendor's concurrency and budgets), so the plan takes as long as its slowest vendor.
    with ThreadPoolExecutor(max_workers=len(layers) or 1) as pool:
        outcomes = dict(zip(layers, pool.map(planned_layer, layers)))
    for layer in layers:
        planned = outcomes[layer]
        if isinstance(planned, Exception):
            result.errors += [(s.domain, layer, redact(str(planned))) for s in sites]
            continue
        for domain, outcome in planned.items():
            if isinstance(outcome, str):
                result.errors.append((domain, layer, outcome))
            else:
                per_site[domain] += outcome
    result.changes = [(s.domain, c) for s in sites for c in per_site[s.domain]]
    return result


def _plan_layer(ctx: LayerContext, layer: str, sites: list[Site],
                registrar: bool | None = None) -> dict[str, list[Change] | str]:
    """Per domain: the layer's plan, or why it could not be made."""
    if layer in ("dns", "hosting", "matomo", "search_console"):
        module = {"dns": dns, "hosting": hosting, "matomo": matomo, "search_console": search_console}[layer]
        seen = dns.observe_many(ctx, sites, registrar=registrar) if layer == "dns" else module.observe_many(ctx, sites)
        return {s.domain: module.plan(module.desired(s, ctx.settings), seen[s.domain]) for s in sites}
    if layer == "content":
        with ctx.clients.directus() as cms:
            seen = content.observe_many(ctx, cms, [s.domain for s in sites])
        return {s.domain: content.plan(content.desired(s, ctx.settings), seen[s.domain]) for s in sites}
    if layer == "build":
        found: dict[str, list[Change] | str] = {}
        for domain, (want, seen) in build.observe_many(ctx, sites, ctx.clients.builder().template_version()).items():
            try:
                found[domain] = build.plan(want, seen)
            except build.BuildInputError as exc:
                found[domain] = [Change("build", "wait", f"build of {domain}", f"content that can be built: {exc}")]
        return found
    states = ctx.store.publishing.states([s.domain for s in sites])
    found = {}
    for site in sites:
        state = states.get(site.domain)
        want = deploy.desired(site, state, gate=ctx.settings.quality_gate)
        try:
            found[site.domain] = deploy.plan(want, deploy.observe(ctx, site, want, state))
        except (ReleaseError, deploy.QualityGateFailed) as exc:
            found[site.domain] = [Change("deploy", "wait", f"live release of {site.domain}", str(exc))]
    return found
