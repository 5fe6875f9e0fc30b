"""Near-duplicates across the fleet, as the product runs them: every site's published pages read
from Directus, compared (similarity.py: MinHash + LSH, exact Jaccard on word shingles) and the
flagged pairs stored (`near_duplicate_pairs`, replaced by each check) for the Hub, the UI, the CLI
and the content step, which can regenerate a flagged site with an instruction to differ."""

from __future__ import annotations

import time
from dataclasses import dataclass

from factory.layers.content import brand_for
from factory.layers.runner import LayerContext
from factory.quality.similarity import SimilarSites, near_duplicates, page_text


@dataclass(frozen=True)
class FleetSimilarity:
    sites: int
    pages: int
    pairs: list[SimilarSites]
    threshold: float
    seconds: float


def published_text(ctx: LayerContext) -> dict[str, dict[str, str]]:
    """{domain: {slug: text}} of every live (not decommissioned) site's published pages."""
    sites = {s.domain: s for s in ctx.store.sites.list()}  # the live fleet (decommissioned sites are not)
    if not sites:
        return {}
    with ctx.clients.directus() as cms:
        pages = cms.pages(list(sites), published_only=True)
    return {domain: {p["slug"]: page_text(p, brand=brand_for(domain, sites[domain].brand_name), domain=domain)
                     for p in pages.get(domain, [])}
            for domain in sites}


def check_fleet(ctx: LayerContext) -> FleetSimilarity:
    """Compare every site's published text with every other's; store and return the flagged pairs."""
    started = time.monotonic()
    text = published_text(ctx)
    threshold = ctx.settings.quality_similarity_threshold
    found = near_duplicates(text, threshold=threshold, shingle_words=ctx.settings.quality_shingle_words)
    ctx.store.quality.replace_duplicates([p.as_dict() for p in found])
    return FleetSimilarity(len(text), sum(len(p) for p in text.values()), found, threshold,
                           round(time.monotonic() - started, 2))
