"""`site_build`: static files for each site, many sites per Astro run (batched backfills)."""


import dagster as dg

from factory.content.build import BuildError, BuildInputError, build_hash, site_input
from factory_assets.content import brand_for, site_content
from factory_assets.partitions import site_partitions
from factory_assets.publishing import checked_domains, fail_if_any, site_batches
from resources.deploy_target import SiteBuilderResource
from resources.directus import DirectusResource
from resources.store import StoreResource


@dg.asset(
    partitions_def=site_partitions,
    backfill_policy=site_batches,
    deps=[site_content, dg.AssetKey("matomo_site")],
    group_name="publishing",
    kinds={"astro"},
    description="The site's static files rendered from its published Directus pages. A batch of sites is built "
                "by one Astro process; sites whose input hash equals the last deployed (or built) one are skipped.",
)
def site_build(context: dg.AssetExecutionContext, store: StoreResource, directus: DirectusResource,
               site_builder: SiteBuilderResource) -> dg.MaterializeResult:
    db = store.get()
    domains = checked_domains(context.partition_keys)
    builder = site_builder.builder()
    template = builder.template_version()
    sites = {s.domain: s for s in db.sites_by_domain(domains)}
    states = db.publish_states(domains)
    with directus.client() as cms:
        cms_sites = cms.sites(domains)
        pages = cms.pages(domains, published_only=True)

    failures: dict[str, str] = {}
    to_build: list[dict] = []
    skipped: dict[str, str] = {}
    for domain in domains:
        site, state = sites.get(domain), states.get(domain)
        try:
            if site is None:
                raise BuildInputError(f"{domain} is not in the sites table")
            data = site_input(domain, brand=brand_for(domain, site.brand_name),
                              tagline=(cms_sites.get(domain) or {}).get("tagline") or "",
                              pages=pages.get(domain, []), matomo_url=site_builder.matomo_url,
                              matomo_site_id=site.matomo_site_id)
        except BuildInputError as exc:
            failures[domain] = f"build failed: {exc}"
            db.set_status(domain, "status_deployment", "failed", failures[domain])
            continue
        hash_ = build_hash(data, template)
        if state and hash_ == state.deployed_hash:
            skipped[domain] = "unchanged since the last deploy"
        elif state and hash_ == state.build_hash and builder.output_path(domain, hash_).exists():
            skipped[domain] = "already built"
        else:
            to_build.append(data)

    built = {}
    if to_build:
        context.log.info(f"building {len(to_build)} site(s) in one Astro run ({len(skipped)} unchanged)")
        try:
            built = builder.build(to_build, template)
        except BuildError as exc:
            for data in to_build:
                failures[data["domain"]] = f"build failed: {exc}"
                db.set_status(data["domain"], "status_deployment", "failed", failures[data["domain"]])
    for domain, result in built.items():
        db.record_publishing(domain, build_hash=result.build_hash)
    fail_if_any("site_build", failures, len(domains))

    metadata: dict = {"template_version": template, "built": len(built), "skipped": len(skipped)}
    if len(domains) == 1:
        domain = domains[0]
        if domain in built:
            metadata.update({"build_hash": built[domain].build_hash, "files": built[domain].files,
                             "bytes": built[domain].bytes, "path": dg.MetadataValue.path(str(built[domain].path))})
        else:
            metadata["skip_reason"] = skipped[domain]
    return dg.MaterializeResult(metadata=metadata)


assets = [site_build]
