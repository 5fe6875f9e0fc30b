"""`site_deployment`: the built site made live on the CloudPanel host by an atomic release swap."""

from concurrent.futures import ThreadPoolExecutor

import dagster as dg

from factory.content.release import (
    ReleaseError,
    Releaser,
    layout,
    new_release_id,
    verify_page,
)
from factory.store import Site
from factory_assets.build import site_build
from factory_assets.partitions import site_partitions
from factory_assets.publishing import checked_domains, fail_if_any, site_batches
from resources.deploy_target import DeployTargetResource, SiteBuilderResource
from resources.ssh import SshError, SshResource
from resources.store import StoreResource


def deploy_site(releaser: Releaser, site: Site, build_hash: str, source) -> dict:
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


@dg.asset(
    partitions_def=site_partitions,
    backfill_policy=site_batches,
    deps=[site_build, dg.AssetKey("hosting_site")],
    group_name="publishing",
    kinds={"rsync", "ssh"},
    pool="cloudpanel",  # shared with hosting_site: one budget of SSH sessions to the host
    description="The last build rsynced into a new release directory on the host and swapped live atomically; "
                "checked (canonical URL, Matomo snippet) and rolled back if the check fails.",
)
def site_deployment(context: dg.AssetExecutionContext, store: StoreResource, ssh: SshResource,
                    site_builder: SiteBuilderResource, deploy_target: DeployTargetResource) -> dg.MaterializeResult:
    db = store.get()
    domains = checked_domains(context.partition_keys)
    builder = site_builder.builder()
    sites = {s.domain: s for s in db.sites_by_domain(domains)}
    states = db.publish_states(domains)
    releaser = Releaser(ssh, keep=deploy_target.keep_releases)
    results: dict[str, dict] = {}
    failures: dict[str, str] = {}

    def one(domain: str) -> None:
        state, site = states.get(domain), sites.get(domain)
        if state is None or not state.build_hash or site is None:
            failures[domain] = "deploy failed: the site has not been built yet (materialize site_build)"
            db.set_status(domain, "status_deployment", "failed", failures[domain])
            return
        if state.build_hash == state.deployed_hash:
            results[domain] = {"skip_reason": "this build is already live", "release": state.deployed_release or ""}
            if site.status_deployment != "deployed":
                db.set_status(domain, "status_deployment", "deployed")
            return
        source = builder.output_path(domain, state.build_hash)
        db.set_status(domain, "status_deployment", "deploying")
        try:
            if not source.is_dir():
                raise ReleaseError(f"the build output {source} is missing; re-materialize site_build")
            results[domain] = deploy_site(releaser, site, state.build_hash, source)
        except (ReleaseError, SshError) as exc:
            failures[domain] = f"deploy failed: {exc}"
            db.set_status(domain, "status_deployment", "failed", failures[domain])
            return
        except Exception as exc:  # never leave a site 'deploying'
            failures[domain] = f"deploy failed unexpectedly ({type(exc).__name__})"
            db.set_status(domain, "status_deployment", "failed", failures[domain])
            context.log.exception(f"site_deployment {domain}")
            return
        db.record_publishing(domain, deployed_hash=state.build_hash, deployed_release=results[domain]["release"])
        db.set_status(domain, "status_deployment", "deployed")

    with ThreadPoolExecutor(max_workers=max(1, deploy_target.parallel)) as pool:
        list(pool.map(one, domains))
    fail_if_any("site_deployment", failures, len(domains))
    deployed = [d for d, r in results.items() if "skip_reason" not in r]
    metadata: dict = {"deployed": len(deployed), "skipped": len(results) - len(deployed),
                      "bytes_transferred": sum(r.get("bytes_transferred", 0) for r in results.values())}
    if len(domains) == 1:
        metadata.update(results[domains[0]])
        metadata["url"] = dg.MetadataValue.url(f"https://{domains[0]}/")
    return dg.MaterializeResult(metadata=metadata)


assets = [site_deployment]
