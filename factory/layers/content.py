"""Content: each site's plan and pages, written by the model and upserted into Directus. A site
is regenerated only when the prompt version or the model changed (or on request); pages an
editor changed are never overwritten (factory/content/cms_sync.py)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from factory.config import Settings
from factory.content.cms_sync import sync_site_content
from factory.content.generate import generate_site_plan
from factory.content.prompt import PromptTemplate, load_prompt
from factory.layers.change import Change
from factory.layers.runner import (
    Applied,
    BatchResult,
    LayerContext,
    StepFailed,
    run_step,
)
from factory.store import PublishState, Site
from factory.vendors.directus import DirectusClient

LAYER, STEP = "content", "site_content"
PARALLEL = 4  # sites generated at once in a batch (each waits on the model for seconds)


def brand_for(domain: str, brand_name: str | None) -> str:
    return brand_name or domain.split(".")[0].replace("-", " ").title()


@dataclass(frozen=True)
class ContentDesired:
    domain: str
    brand: str
    prompt_version: str
    model: str
    regenerate: bool = False


@dataclass(frozen=True)
class ContentObserved:
    state: PublishState | None
    cms_hash: str | None  # the content hash Directus holds for the site


def desired(site: Site, settings: Settings, *, template: PromptTemplate | None = None,
            regenerate: bool = False) -> ContentDesired:
    template = template or load_prompt()
    return ContentDesired(site.domain, brand_for(site.domain, site.brand_name), template.version,
                          settings.openai_model, regenerate)


def observe_many(ctx: LayerContext, cms: DirectusClient, domains: Sequence[str]) -> dict[str, ContentObserved]:
    states = ctx.store.publishing.states(domains)
    rows = cms.sites(domains)
    return {d: ContentObserved(states.get(d), (rows.get(d) or {}).get("content_hash")) for d in domains}


def plan(want: ContentDesired, seen: ContentObserved) -> list[Change]:
    state = seen.state
    current = (f"{state.content_prompt_version} / {state.content_model}"
               if state and state.content_hash else None)
    after = f"{want.prompt_version} / {want.model}"
    if want.regenerate:
        return [Change(LAYER, "update", f"content of {want.domain}", "regeneration requested", before=current,
                       after=after, action="generate")]
    if state is None or not state.content_hash:
        return [Change(LAYER, "create", f"content of {want.domain}", "never generated", after=after,
                       action="generate")]
    if seen.cms_hash != state.content_hash:
        return [Change(LAYER, "update", f"content of {want.domain}", "Directus does not hold the last generation",
                       before=current, after=after, action="generate")]
    if state.content_prompt_version != want.prompt_version or state.content_model != want.model:
        return [Change(LAYER, "update", f"content of {want.domain}", "the prompt or the model changed",
                       before=current, after=after, action="generate")]
    return [Change(LAYER, "noop", f"content of {want.domain}", "already generated with this prompt version and model",
                   before=current, after=after)]


def apply(ctx: LayerContext, cms: DirectusClient, template: PromptTemplate, site: Site, want: ContentDesired,
          changes: list[Change]) -> Applied:
    if not any(c.action == "generate" for c in changes):
        return Applied(facts={"skip_reason": changes[0].reason})
    generated = generate_site_plan(ctx.clients.llm(), template, domain=site.domain, brand=want.brand)
    report = sync_site_content(cms, site.domain, want.brand, generated)
    ctx.store.publishing.record(site.id, content_model=generated.model, content_prompt_version=generated.prompt_version,
                                content_hash=generated.content_hash)
    return Applied(facts={"content_hash": generated.content_hash, "pages": len(generated.plan.pages),
                          "tokens": generated.prompt_tokens + generated.completion_tokens, **report.as_metadata()},
                   message=f"{len(generated.plan.pages)} pages from {generated.model}")


def reconcile_many(ctx: LayerContext, sites: Sequence[Site], *, regenerate: bool = False) -> BatchResult:
    """Generate what each site lacks, `PARALLEL` sites at a time; one site's failure is its own."""
    template = load_prompt()
    result = BatchResult()
    with ctx.clients.directus() as cms:
        cms.ensure_schema()
        seen = observe_many(ctx, cms, [s.domain for s in sites])

        def one(site: Site) -> None:
            def work() -> tuple[list[Change], Applied]:
                want = desired(site, ctx.settings, template=template, regenerate=regenerate)
                changes = plan(want, seen[site.domain])
                return changes, apply(ctx, cms, template, site, want, changes)

            try:
                result.outcomes[site.domain] = run_step(ctx, STEP, site, work)
            except StepFailed as exc:  # one site's failure never stops the batch
                result.failures[site.domain] = exc

        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            list(pool.map(one, sites))
    return result
