"""Drift: a non-empty plan on a converged layer, found by the layers' own observe + plan
(`plan_fleet`, batched per vendor) — and a step that failed.

A layer counts as converged for a site when its step last succeeded; only those layers are
planned (a layer still onboarding, waiting or running is not drift). Every write the plan would
make is a problem (`fail`); a wait on a converged layer (a zone no longer active, ...) is `warn`;
a converged layer that could not be observed is `unobserved` (`warn`): its earlier problems stay
as they were.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from factory.health import checks
from factory.layers import LAYERS, dns, hosting, search_console
from factory.layers.change import WRITES
from factory.layers.fleet import STEP_OF, FleetPlan, plan_fleet
from factory.layers.runner import LayerContext
from factory.store import Finding, Site, SiteStep


@dataclass
class DriftResult:
    findings: list[Finding] = field(default_factory=list)
    covered: set = field(default_factory=set)  # (site_id, check kind) this look could judge
    plans: list[FleetPlan] = field(default_factory=list)


def converged_layers(steps: Sequence[SiteStep]) -> tuple[str, ...]:
    """The layers whose step last succeeded, in layer order."""
    done = {s.step for s in steps if s.state == "succeeded"}
    return tuple(layer for layer in LAYERS if STEP_OF[layer] in done)


def failed_steps(site: Site, steps: Sequence[SiteStep]) -> list[Finding]:
    return [Finding(site.id, checks.STEP_FAILED, s.step, "fail",
                    f"{s.step} failed: {checks.generic(s.last_error or 'no reason recorded', site.domain)}",
                    observed=s.last_error, expected="succeeded")
            for s in steps if s.state == "failed"]


def look(ctx: LayerContext, sites: Sequence[Site], *, registrar: bool = False) -> DriftResult:
    """Plan every site's converged layers (sites sharing the same converged layers in one fleet
    plan, so each vendor is read in batches) and turn the plans into findings. The registrar's
    name servers of an active zone are read only with `registrar` (one Namecheap call per site:
    the daily sweep) or for a site whose name servers were found moved."""
    result = DriftResult()
    steps = ctx.store.steps.of_sites([s.id for s in sites])
    looked = {s.id for s in sites} if registrar else \
        ctx.store.health.open_sites(checks.NAMESERVERS, [s.id for s in sites])
    groups: dict[tuple[str, ...], list[Site]] = defaultdict(list)
    for site in sites:
        own = steps.get(site.id, [])
        result.findings += failed_steps(site, own)
        result.covered.add((site.id, checks.STEP_FAILED))
        layers = converged_layers(own)
        if layers:
            groups[layers].append(site)
    for layers, members in groups.items():
        plan = plan_fleet(ctx, members, layers, registrar=True if registrar else None)
        result.plans.append(plan)
        result.findings += findings_of(plan, members, result.covered, looked)
    return result


# The layers whose plan also judges a kind of its own (not drift.<layer>).
KINDS_OF_LAYER = {"hosting": checks.DOC_ROOT, "search_console": checks.VERIFICATION_TXT}


def kind_of(change) -> str:
    """The check kind a planned write is recorded as: most are drift.<layer>; the registrar's name
    servers, a removed doc root and a removed verification TXT record are kinds of their own."""
    if change.kind in WRITES:
        if change.layer == "dns" and change.target == dns.REGISTRAR_TARGET:
            return checks.NAMESERVERS
        if change.action == hosting.RESTORE_DOC_ROOT:
            return checks.DOC_ROOT
        if change.action == search_console.CREATE_TXT:
            return checks.VERIFICATION_TXT
    return f"drift.{change.layer}"


def findings_of(plan: FleetPlan, sites: Sequence[Site], covered: set, registrar_looked: set) -> list[Finding]:
    by_domain = {s.domain: s for s in sites}
    unobserved = {(d, layer) for d, layer, _ in plan.errors}
    for site in sites:
        covered.add((site.id, checks.UNOBSERVED))
        for layer in plan.layers:
            if (site.domain, layer) not in unobserved:
                covered.add((site.id, f"drift.{layer}"))
                if layer == "dns" and site.id in registrar_looked:
                    covered.add((site.id, checks.NAMESERVERS))
                if layer in KINDS_OF_LAYER:
                    covered.add((site.id, KINDS_OF_LAYER[layer]))
    found = []
    for domain, change in plan.changes:
        if change.kind == "noop":
            continue
        site = by_domain[domain]
        status = "fail" if change.kind in WRITES else "warn"
        cause = checks.generic(f"{change.layer}: {change.kind} {change.target} ({change.reason})", domain)
        kind = kind_of(change)
        found.append(Finding(site.id, kind, change.target, status, cause,
                             observed=change.before, expected=change.after))
    for domain, layer, error in plan.errors:
        site = by_domain[domain]
        found.append(Finding(site.id, checks.UNOBSERVED, layer, "warn",
                             checks.generic(f"{layer} could not be observed: {error}", domain), observed=error))
    return found
