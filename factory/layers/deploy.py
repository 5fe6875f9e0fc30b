"""Deployment: the last build made live on the CloudPanel host by an atomic release swap,
checked (canonical URL, Matomo snippet) and rolled back if the check fails; and the operator's
rollback to the previous release. With the quality gate on (FACTORY_QUALITY_GATE), only a build
whose gate verdict passed is deployed: one that failed fails this step with the audits named,
and the live release stays as it was."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from factory.layers.change import Change
from factory.layers.runner import (
    Applied,
    BatchResult,
    LayerContext,
    StepFailed,
    run_step,
)
from factory.store import PublishState, QualityVerdict, Site
from factory.vendors.rsync import ReleaseError, Releaser, layout, new_release_id

LAYER, STEP = "deploy", "site_deployment"
WAIT_HOSTING = "the hosting step to create the site's doc root"


class QualityGateFailed(RuntimeError):
    """The build to deploy did not pass the quality gate (or was never checked)."""


@dataclass(frozen=True)
class DeployDesired:
    domain: str
    build_hash: str | None  # the last build: what should be live
    gate: bool = False  # only a build that passed the quality gate may go live


@dataclass(frozen=True)
class DeployObserved:
    state: PublishState | None
    doc_root: str | None
    output: Path | None  # the build output on disk, if present
    live_release: str | None = None  # read from the host only when asked (drift)
    verdict: QualityVerdict | None = None  # the quality gate's verdict on the build


def desired(site: Site, state: PublishState | None, *, gate: bool = False) -> DeployDesired:
    return DeployDesired(site.domain, state.build_hash if state else None, gate)


def observe(ctx: LayerContext, site: Site, want: DeployDesired, state: PublishState | None) -> DeployObserved:
    output = ctx.clients.builder().output_path(site.domain, want.build_hash) if want.build_hash else None
    verdict = (ctx.store.quality.of_builds({site.domain: want.build_hash}).get(site.domain)
               if want.gate and want.build_hash else None)
    return DeployObserved(state, site.hosting_doc_root, output if output and output.is_dir() else None,
                          verdict=verdict)


def plan(want: DeployDesired, seen: DeployObserved) -> list[Change]:
    target = f"live release of {want.domain}"
    deployed = seen.state.deployed_hash if seen.state else None
    if want.build_hash is None:
        raise ReleaseError("the site has not been built yet (materialize site_build)")
    if want.build_hash == deployed:
        return [Change(LAYER, "noop", target, "this build is already live", before=deployed[:12],
                       after=want.build_hash[:12])]
    if want.gate:
        if seen.verdict is None:
            raise QualityGateFailed(f"the quality gate has not checked build {want.build_hash[:12]}; "
                                    "re-materialize site_build")
        if not seen.verdict.passed:
            raise QualityGateFailed(f"build {want.build_hash[:12]} not deployed: "
                                    f"{seen.verdict.message or 'the quality gate failed'}")
    if not seen.doc_root:
        return [Change(LAYER, "wait", target, WAIT_HOSTING, before=deployed and deployed[:12],
                       after=want.build_hash[:12])]
    if seen.output is None:
        raise ReleaseError(f"the build output of {want.build_hash[:12]} is missing; re-materialize site_build")
    return [Change(LAYER, "update" if deployed else "create", target, "a new build is ready",
                   before=deployed and deployed[:12], after=want.build_hash[:12], action="deploy")]


def verify_page(html: str, *, domain: str, matomo_site_id: int) -> list[str]:
    """Problems with a deployed home page: missing canonical URL or Matomo snippet."""
    problems = []
    if f'<link rel="canonical" href="https://{domain}/"' not in html:
        problems.append(f"no canonical link to https://{domain}/")
    if "<!-- Matomo -->" not in html or f"_paq.push(['setSiteId', '{int(matomo_site_id)}'])" not in html:
        problems.append(f"no Matomo tracking snippet for site id {matomo_site_id}")
    return problems


def deploy_release(releaser: Releaser, site: Site, build_hash: str, source: Path) -> dict:
    """Upload, swap, check the live home page; on a failed check swap back and raise."""
    lay = layout(site.hosting_doc_root or "", site.domain)
    result = releaser.upload(lay, source, new_release_id(build_hash))
    live_html = releaser.go_live(lay, result.release_id)
    problems = verify_page(live_html, domain=site.domain, matomo_site_id=site.matomo_site_id)
    if problems:
        if result.previous_release:
            releaser.activate(lay, result.previous_release)
        releaser.discard(lay, result.release_id)
        raise ReleaseError(f"post-deploy check failed ({'; '.join(problems)}); "
                           f"rolled back to {result.previous_release or 'nothing'}")
    return {"release": result.release_id, "previous_release": result.previous_release or "",
            "bytes_transferred": result.bytes_sent, "files_transferred": result.files_transferred}


def apply(ctx: LayerContext, releaser: Releaser, site: Site, want: DeployDesired, seen: DeployObserved,
          changes: list[Change]) -> Applied:
    change = changes[0]
    if change.kind == "wait":
        return Applied(waiting_for=change.reason, seen="no doc root recorded yet")
    if change.action != "deploy":
        return Applied(facts={"skip_reason": change.reason, "release": (seen.state.deployed_release or "")})
    facts = deploy_release(releaser, site, want.build_hash, seen.output)
    ctx.store.publishing.record(site.id, deployed_hash=want.build_hash, deployed_release=facts["release"])
    return Applied(facts={**facts, "url": f"https://{site.domain}/"}, message=f"release {facts['release']} is live")


def reconcile_many(ctx: LayerContext, sites: Sequence[Site], parallel: int) -> BatchResult:
    states = ctx.store.publishing.states([s.domain for s in sites])
    releaser = ctx.clients.releaser()
    result = BatchResult()

    def one(site: Site) -> None:
        def work() -> tuple[list[Change], Applied]:
            state = states.get(site.domain)
            want = desired(site, state, gate=ctx.settings.quality_gate)
            seen = observe(ctx, site, want, state)
            changes = plan(want, seen)
            return changes, apply(ctx, releaser, site, want, seen, changes)

        try:
            result.outcomes[site.domain] = run_step(ctx, STEP, site, work)
        except StepFailed as exc:
            result.failures[site.domain] = exc

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        list(pool.map(one, sites))
    return result


def rollback(ctx: LayerContext, site: Site) -> tuple[str, str]:
    """Swap the doc root back to the release before the live one; returns (from, to).

    The recorded deployed hash is cleared, so the next site_deployment publishes the current build
    again (after the operator fixes whatever made them roll back).
    """
    lay = layout(site.hosting_doc_root or "", site.domain)
    before, after = ctx.clients.releaser().rollback(lay)
    ctx.store.publishing.record(site.id, deployed_hash=None, deployed_release=after)
    return before, after
