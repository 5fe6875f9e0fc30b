"""A build batch reads its sites and pages from Directus in a few requests, at any batch size
(FACTORY_BUILD_BATCH_SIZE goes to 5,000): 1,000 domains in one filter made Directus answer
HTTP 431 (request headers too large) and the whole batch's content step failed."""

from __future__ import annotations

import uuid

from factory.vendors.directus import DirectusClient


def test_sites_and_pages_of_a_thousand_site_batch(cms: DirectusClient, directus) -> None:
    cms.ensure_schema()
    run = uuid.uuid4().hex[:8]
    real = [f"batch-{run}-{i}.example-long-fleet-domain.com" for i in range(3)]
    for n, domain in enumerate(real):
        site = cms.upsert_site(domain, {"brand_name": f"Brand {n}"})
        cms.create_page({"key": f"{domain}/home", "site": site["id"], "slug": "home", "status": "published",
                         "title": "Home", "nav_label": "Home", "nav_order": 0, "body": f"Page of {domain}"})
    batch = [f"absent-{run}-{i:04d}.example-long-fleet-domain.com" for i in range(1000)]
    batch[10:10], batch[500:500], batch[-1:-1] = [real[0]], [real[1]], [real[2]]  # spread over the requests

    sites = cms.sites(batch)
    assert sorted(sites) == sorted(real)
    assert [sites[d]["brand_name"] for d in real] == ["Brand 0", "Brand 1", "Brand 2"]
    pages = cms.pages(batch, published_only=True)
    assert len(pages) == len(set(batch)) == 1003  # every domain asked for has its (maybe empty) list
    assert [[p["body"] for p in pages[d]] for d in real] == [[f"Page of {d}"] for d in real]
    assert sum(len(v) for v in pages.values()) == 3
