"""Build: each site's static files, rendered from its published Directus pages, many sites per
Astro run. The build hash covers everything a build depends on (content, template version,
Matomo URL and site id, theme, language): a site whose hash equals the deployed (or last built)
one is skipped. Every new build then goes through the quality gate (Lighthouse, one Chromium for
the batch, factory/quality/) and its verdict and home-page preview are recorded per build; only a
build that passed is deployed (factory/layers/deploy.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from factory.config import Settings
from factory.content.schema import HOME_SLUG, is_valid_slug
from factory.content.themes import ThemeError, theme_for
from factory.hashing import json_hash
from factory.layers.change import Change
from factory.layers.content import brand_for
from factory.layers.runner import (
    Applied,
    BatchResult,
    LayerContext,
    StepFailed,
    StepRun,
)
from factory.logs import site_context
from factory.quality.lighthouse import GateReport, run_gate
from factory.quality.runner import QualityRunError
from factory.quality.settings import QualitySettings
from factory.store import PublishState, QualityVerdict, Site
from factory.vendors.astro import BuildError, BuildInput

LAYER, STEP = "build", "site_build"
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")  # BCP 47: en, pt-BR, zh-Hant-TW
RESERVED_SLUGS = {"404"}  # the template's own pages
WAIT_MATOMO = "the Matomo site to be registered (the tracking snippet needs its id)"


class BuildInputError(ValueError):
    """A site's content cannot be built (no home page, bad slug)."""


@dataclass(frozen=True)
class BuildDesired:
    domain: str
    brand: str
    matomo_url: str
    matomo_site_id: int | None
    template: str
    theme: str | None = None  # the operator's choice ("ledger" or "ledger/ink"); None: one from the domain
    lang: str = "en"
    gate: dict[str, int] | None = None  # the quality gate's thresholds; None: the gate is off


@dataclass(frozen=True)
class BuildObserved:
    state: PublishState | None
    tagline: str = ""
    pages: list[dict] = field(default_factory=list)  # published pages in Directus
    built_output_exists: bool = False  # the last build's output is still on disk
    verdict: QualityVerdict | None = None  # the quality gate's verdict on the last build


def gate_thresholds(settings: Settings) -> dict[str, int] | None:
    if not settings.quality_gate:
        return None
    return {"performance": settings.quality_min_performance, "accessibility": settings.quality_min_accessibility,
            "best-practices": settings.quality_min_best_practices, "seo": settings.quality_min_seo}


def desired(site: Site, settings: Settings, template: str) -> BuildDesired:
    url = settings.matomo_url or ""
    return BuildDesired(site.domain, brand_for(site.domain, site.brand_name),
                        url if url.endswith("/") else url + "/", site.matomo_site_id, template,
                        site.theme, site.lang or "en", gate_thresholds(settings))


def site_input(want: BuildDesired, seen: BuildObserved) -> dict:
    """The JSON one site contributes to a build (only published pages, only rendered fields).
    Theme and language are part of it, so a theme change rebuilds that site only."""
    if not _tracker_url_ok(want.matomo_url):
        raise BuildInputError(f"the Matomo URL {want.matomo_url!r} must be https:// (plain http only on this machine)")
    if not LANG_PATTERN.match(want.lang or ""):
        raise BuildInputError(f"{want.domain}: language {want.lang!r} is not a language tag like 'en', 'de' or 'pt-BR'")
    try:
        chosen_theme = theme_for(want.domain, want.theme)
    except ThemeError as exc:
        raise BuildInputError(f"{want.domain}: {exc}") from None
    published = [p for p in seen.pages if p.get("status", "published") == "published"]
    for page in published:
        if not is_valid_slug(str(page.get("slug", ""))):
            raise BuildInputError(f"{want.domain}: page slug {page.get('slug')!r} is not valid "
                                  "(lower-case words joined by hyphens)")
        if page["slug"] in RESERVED_SLUGS:
            raise BuildInputError(f"{want.domain}: page slug {page['slug']!r} is reserved for the template's own page")
    if not any(p["slug"] == HOME_SLUG for p in published):
        raise BuildInputError(f"{want.domain} has no published page with slug {HOME_SLUG!r}")
    return {
        "domain": want.domain, "brand": want.brand, "tagline": seen.tagline or "", "lang": want.lang,
        "theme": chosen_theme,
        "matomo": {"url": want.matomo_url, "site_id": int(want.matomo_site_id)},
        "pages": [{"slug": p["slug"], "title": p.get("title") or "", "nav_label": p.get("nav_label") or p["slug"],
                   "nav_order": int(p.get("nav_order") or 0), "seo_description": p.get("seo_description") or "",
                   "body": p.get("body") or ""} for p in sorted(published, key=lambda p: p["slug"])],
    }


def _tracker_url_ok(url: str) -> bool:
    # Pages are served over HTTPS: an http:// tracker would be mixed content (blocked, and flagged).
    host = re.match(r"^http://([^/:]+)", url or "")
    return (url or "").startswith("https://") or bool(host and host.group(1) in ("127.0.0.1", "localhost"))


def build_hash(data: dict, template: str) -> str:
    return json_hash({"site": data, "template": template})


def build_input(want: BuildDesired, seen: BuildObserved) -> BuildInput:
    data = site_input(want, seen)
    return BuildInput(want.domain, data, build_hash(data, want.template))


def plan(want: BuildDesired, seen: BuildObserved) -> list[Change]:
    """Raises BuildInputError when the content cannot be built at all."""
    target = f"build of {want.domain}"
    if want.matomo_site_id is None:
        return [Change(LAYER, "wait", target, WAIT_MATOMO)]
    hash_ = build_input(want, seen).build_hash
    state = seen.state
    if state and hash_ == state.deployed_hash:
        return [Change(LAYER, "noop", target, "unchanged since the last deploy", before=hash_[:12], after=hash_[:12])]
    if state and hash_ == state.build_hash and seen.built_output_exists:
        if want.gate is not None and (seen.verdict is None or seen.verdict.thresholds != want.gate):
            why = ("the quality gate has not checked this build" if seen.verdict is None
                   else "the quality thresholds changed since this build was checked")
            return [Change(LAYER, "update", f"quality of {want.domain}", why, before=hash_[:12], after=hash_[:12],
                           action="gate")]
        return [Change(LAYER, "noop", target, "already built", before=hash_[:12], after=hash_[:12])]
    before = state.build_hash[:12] if state and state.build_hash else None
    return [Change(LAYER, "create" if before is None else "update", target, "the content, template or tracking "
                   "changed" if before else "never built", before=before, after=hash_[:12], action="build")]


def observe_many(ctx: LayerContext, sites: Sequence[Site], template: str) -> dict[str, tuple[BuildDesired,
                                                                                          BuildObserved]]:
    """What each site's build would take, read in two Directus requests for the whole batch."""
    builder = ctx.clients.builder()
    domains = [s.domain for s in sites]
    states = ctx.store.publishing.states(domains)
    verdicts = ctx.store.quality.of_builds({d: st.build_hash for d, st in states.items() if st.build_hash})
    with ctx.clients.directus() as cms:
        cms_sites = cms.sites(domains)
        pages = cms.pages(domains, published_only=True)
    found = {}
    for site in sites:
        state = states.get(site.domain)
        found[site.domain] = (desired(site, ctx.settings, template), BuildObserved(
            state, (cms_sites.get(site.domain) or {}).get("tagline") or "", pages.get(site.domain, []),
            bool(state and state.build_hash and builder.output_path(site.domain, state.build_hash).exists()),
            verdicts.get(site.domain)))
    return found


def preview_path(output: Path) -> Path:
    """Where a build's home-page screenshot goes: next to its output, never inside the web root."""
    return output.with_name(output.name + "-preview.png")


def run_quality_gate(ctx: LayerContext, outputs: dict[str, Path], thresholds: dict[str, int]) -> GateReport:
    """The gate over a batch's builds ({domain: output dir}) with one Chromium, previews included."""
    settings = QualitySettings(thresholds=dict(thresholds), workers=ctx.settings.quality_workers,
                               browsers=ctx.settings.quality_browsers, chromium=ctx.settings.chromium_path,
                               time_limit_s=ctx.settings.quality_time_limit_s)
    return run_gate(outputs, settings=settings,
                    previews={d: preview_path(p) for d, p in outputs.items()})


def gate_facts(domain: str, report: GateReport) -> dict:
    site = report.sites[domain]
    facts = {"quality_passed": site.passed, **{f"lighthouse_{c.replace('-', '_')}": v for c, v in site.scores.items()}}
    if not site.passed:
        facts["quality_failed_audits"] = ", ".join(sorted({a.id for a in site.blocking_audits()})) or "none"
        facts["quality_message"] = site.failure_message() or ""
    return facts


def reconcile_many(ctx: LayerContext, sites: Sequence[Site]) -> BatchResult:
    """Plan every site, build those that need it in ONE Astro run, then finish each site."""
    builder = ctx.clients.builder()
    template = builder.template_version()
    observed = observe_many(ctx, sites, template)
    result = BatchResult()
    planned: dict[str, tuple[StepRun, BuildDesired, list[Change], BuildInput | None]] = {}
    for site in sites:
        with site_context(site_id=site.id, domain=site.domain):
            run = StepRun(ctx, STEP, site)
            try:
                want, seen = observed[site.domain]
                changes = plan(want, seen)
                todo = build_input(want, seen) if any(c.action == "build" for c in changes) else None
                planned[site.domain] = (run, want, changes, todo)
            except Exception as exc:
                result.failures[site.domain] = run.failed(exc)
    inputs = [todo for _, _, _, todo in planned.values() if todo is not None]
    built, error = {}, None
    if inputs:
        try:
            built = builder.build(inputs)
        except BuildError as exc:
            error = exc
    to_check, report, gate_error = _gate_batch(ctx, builder, planned, built if error is None else {}, observed)
    for domain, (run, want, changes, todo) in planned.items():
        with site_context(site_id=run.site.id, domain=domain):
            if todo is not None and error is not None:
                result.failures[domain] = run.failed(error)
                continue
            if domain in to_check and gate_error is not None:
                if todo is not None:  # the build itself is good: the next run only needs the gate
                    ctx.store.publishing.record(run.site.id, build_hash=built[domain].build_hash)
                result.failures[domain] = run.failed(QualityRunError(f"the quality gate could not run: {gate_error}",
                                                                     retryable=gate_error.retryable))
                continue
            facts: dict = {}
            if domain in to_check:
                hash_, _ = to_check[domain]
                verdict = report.sites[domain]
                preview = report.previews.get(domain)
                ctx.store.quality.record(run.site.id, hash_, verdict.as_dict(), str(preview) if preview else None)
                facts = gate_facts(domain, report)
            if todo is not None:
                out = built[domain]
                ctx.store.publishing.record(run.site.id, build_hash=out.build_hash)
                applied = Applied(facts={"build_hash": out.build_hash, "files": out.files, "bytes": out.bytes,
                                         "path": str(out.path), "template_version": template, **facts},
                                  message=f"built {out.files} files" + _gate_note(facts))
            elif changes[0].kind == "wait":
                applied = Applied(waiting_for=changes[0].reason, seen="no matomo_site_id yet")
            elif changes[0].action == "gate":
                applied = Applied(facts={"build_hash": to_check[domain][0], "template_version": template, **facts},
                                  message="checked the last build" + _gate_note(facts))
            else:
                applied = Applied(facts={"skip_reason": changes[0].reason, "template_version": template})
            try:
                result.outcomes[domain] = run.done(changes, applied)
            except StepFailed as exc:  # a wait past its deadline (already recorded as failed)
                result.failures[domain] = exc
    return result


def _gate_batch(ctx: LayerContext, builder, planned: dict, built: dict, observed: dict
                ) -> tuple[dict[str, tuple[str, Path]], GateReport | None, QualityRunError | None]:
    """The gate over the batch: every new build, and last builds it has not checked (under these
    thresholds), in one run with one Chromium. Returns {domain: (build hash, output)} checked,
    the report, or why the gate could not run."""
    gate = gate_thresholds(ctx.settings)
    to_check: dict[str, tuple[str, Path]] = {}
    for domain, (_, _, changes, todo) in planned.items():
        if gate is None:
            break
        if todo is not None and domain in built:
            to_check[domain] = (built[domain].build_hash, built[domain].path)
        elif todo is None and changes[0].action == "gate":
            state = observed[domain][1].state
            to_check[domain] = (state.build_hash, builder.output_path(domain, state.build_hash))
    if not to_check:
        return to_check, None, None
    try:
        return to_check, run_quality_gate(ctx, {d: p for d, (_, p) in to_check.items()}, gate), None
    except QualityRunError as exc:
        return to_check, None, exc


def _gate_note(facts: dict) -> str:
    if "quality_passed" not in facts:
        return ""
    return "; quality gate passed" if facts["quality_passed"] else f"; {facts['quality_message']} (not deployed)"
