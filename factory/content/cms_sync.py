"""Write a generated site plan into Directus without ever clobbering an editor's work.

Each page keeps `generated_hash`: the hash of its editable fields as the generator last wrote
them. If the page's current fields still hash to it, nobody has edited the page and a new
generation may replace it; if not, an editor changed it and it is left alone. A generated page
the new plan no longer has (and nobody edited) is archived, so a regeneration (e.g. one told to
differ from a near-duplicate) leaves none of the old text published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from factory.content.generate import GeneratedContent
from factory.hashing import json_hash
from factory.vendors.directus import EDITABLE_FIELDS, DirectusClient, DirectusError


def editable_hash(values: dict) -> str:
    return json_hash({k: values.get(k) for k in EDITABLE_FIELDS})


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.__dict__.items()}


def sync_site_content(client: DirectusClient, domain: str, brand: str, generated: GeneratedContent) -> SyncReport:
    site = client.upsert_site(domain, {
        "brand_name": brand, "tagline": generated.plan.tagline, "content_model": generated.model,
        "content_prompt_version": generated.prompt_version, "content_hash": generated.content_hash,
    })
    existing = {p["slug"]: p for p in client.pages([domain])[domain]}
    report = SyncReport()
    for page in generated.plan.pages:
        values = {"title": page.title, "nav_label": page.nav_label, "nav_order": page.nav_order,
                  "seo_description": page.seo_description, "body": page.body}
        new_hash = editable_hash(values)
        current = existing.get(page.slug)
        if current is None:
            try:
                client.create_page({"key": f"{domain}/{page.slug}", "site": site["id"], "slug": page.slug,
                                    "status": "published", "generated_hash": new_hash, **values})
            except DirectusError as exc:
                if exc.code != "RECORD_NOT_UNIQUE":
                    raise
                report.unchanged.append(page.slug)  # a concurrent run created it; never a duplicate
                continue
            report.created.append(page.slug)
        elif editable_hash(current) != current.get("generated_hash"):
            report.kept_edited.append(page.slug)
        elif current.get("generated_hash") == new_hash:
            report.unchanged.append(page.slug)
        else:
            client.update_page(current["id"], {**values, "generated_hash": new_hash})
            report.updated.append(page.slug)
    planned = {page.slug for page in generated.plan.pages}
    for slug, current in existing.items():
        # An editor's page (edited, or written by hand) stays, whatever the generator says.
        if slug in planned or current.get("status") != "published" or \
                editable_hash(current) != current.get("generated_hash"):
            continue
        client.update_page(current["id"], {"status": "archived"})
        report.archived.append(slug)
    return report
