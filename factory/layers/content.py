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
    differ: bool = False  # regenerate if the site is a flagged near-duplicate, told to differ


@dataclass(frozen=True)
class ContentObserved:
    state: PublishState | None
    cms_hash: str | None  # the content hash Directus holds for the site
    similar_to: str | None = None  # the other site of its most similar flagged near-duplicate pair
    similar_passages: str = ""  # that site's similar pages (title and body), for the instruction to differ


def desired(site: Site, settings: Settings, *, template: PromptTemplate | None = None,
            regenerate: bool = False, differ: bool = False) -> ContentDesired:
    template = template or load_prompt()
    return ContentDesired(site.domain, brand_for(site.domain, site.brand_name), template.version,
                          settings.openai_model, regenerate, differ)


def observe_many(ctx: LayerContext, cms: DirectusClient, domains: Sequence[str], *,
                 differ: bool = False) -> dict[str, ContentObserved]:
    states = ctx.store.publishing.states(domains)
    rows = cms.sites(domains)
    similar = _similar_passages(ctx, cms, domains) if differ else {}
    return {d: ContentObserved(states.get(d), (rows.get(d) or {}).get("content_hash"), *similar.get(d, (None, "")))
            for d in domains}


PASSAGE_CHARS = 600  # of each similar page of the other site, in the instruction to differ


def _similar_passages(ctx: LayerContext, cms: DirectusClient, domains: Sequence[str]) -> dict[str, tuple[str, str]]:
    """{domain: (other domain, its similar pages' text)} for each site in a flagged pair (the most similar)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for pair in ctx.store.quality.duplicates():  # most similar first
        for mine, other, index in ((pair.a, pair.b, "slug_b"), (pair.b, pair.a, "slug_a")):
            if mine in domains and mine not in found:
                found[mine] = (other, [p[index] for p in pair.pages])
    if not found:
        return {}
    pages = cms.pages({other for other, _ in found.values()}, published_only=True)
    out = {}
    for domain, (other, slugs) in found.items():
        by_slug = {p["slug"]: p for p in pages.get(other, [])}
        passages = [f"{by_slug[s].get('title') or ''}\n{(by_slug[s].get('body') or '')[:PASSAGE_CHARS]}"
                    for s in dict.fromkeys(slugs) if s in by_slug]
        out[domain] = (other, "\n\n".join(passages))
    return out


def plan(want: ContentDesired, seen: ContentObserved) -> list[Change]:
    state = seen.state
    current = (f"{state.content_prompt_version} / {state.content_model}"
               if state and state.content_hash else None)
    after = f"{want.prompt_version} / {want.model}"
    if want.differ:
        if seen.similar_to is None:
            return [Change(LAYER, "noop", f"content of {want.domain}", "not flagged as a near-duplicate",
                           before=current, after=current)]
        return [Change(LAYER, "update", f"content of {want.domain}", f"a near-duplicate of {seen.similar_to}: "
                       "regenerate with an instruction to differ", before=current, after=after, action="generate")]
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
          changes: list[Change], seen: ContentObserved | None = None) -> Applied:
    if not any(c.action == "generate" for c in changes):
        return Applied(facts={"skip_reason": changes[0].reason})
    differ_from = seen.similar_passages if want.differ and seen is not None else None
    generated = generate_site_plan(ctx.clients.llm(), template, domain=site.domain, brand=want.brand,
                                   differ_from=differ_from or None)
    report = sync_site_content(cms, site.domain, want.brand, generated)
    ctx.store.publishing.record(site.id, content_model=generated.model, content_prompt_version=generated.prompt_version,
                                content_hash=generated.content_hash)
    differed = {"differ_from": seen.similar_to} if differ_from else {}
    return Applied(facts={"content_hash": generated.content_hash, "pages": len(generated.plan.pages),
                          "tokens": generated.prompt_tokens + generated.completion_tokens, **differed,
                          **report.as_metadata()},
                   message=f"{len(generated.plan.pages)} pages from {generated.model}")


def reconcile_many(ctx: LayerContext, sites: Sequence[Site], *, regenerate: bool = False,
                   differ: bool = False) -> BatchResult:
    """Generate what each site lacks, `PARALLEL` sites at a time; one site's failure is its own.
    `differ`: regenerate only the sites the last near-duplicate check flagged, each told to differ
    from the other site of its pair."""
    template = load_prompt()
    result = BatchResult()
    with ctx.clients.directus() as cms:
        cms.ensure_schema()
        seen = observe_many(ctx, cms, [s.domain for s in sites], differ=differ)

        def one(site: Site) -> None:
            def work() -> tuple[list[Change], Applied]:
                want = desired(site, ctx.settings, template=template, regenerate=regenerate, differ=differ)
                changes = plan(want, seen[site.domain])
                return changes, apply(ctx, cms, template, site, want, changes, seen[site.domain])

            try:
                result.outcomes[site.domain] = run_step(ctx, STEP, site, work)
            except StepFailed as exc:  # one site's failure never stops the batch
                result.failures[site.domain] = exc

        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            list(pool.map(one, sites))
    return result
