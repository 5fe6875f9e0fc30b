"""`hosting_site`: the CloudPanel static site, its doc root, and its certificate."""


import dagster as dg

from factory_assets.partitions import site_partitions
from factory_assets.steps import STEP_RETRY_POLICY, site_step
from resources.cloudpanel import CloudPanelResource
from resources.store import StoreResource


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"cloudpanel"},
    pool="cloudpanel",
    deps=["dns_zone"],
    retry_policy=STEP_RETRY_POLICY,
    check_specs=[dg.AssetCheckSpec("doc_root_present", asset="hosting_site",
                                   description="The hosting server, re-read over SSH: the doc root exists.")],
)
def hosting_site(context: dg.AssetExecutionContext, store: StoreResource,
                 cloudpanel: CloudPanelResource) -> dg.MaterializeResult:
    """A static site on the CloudPanel server (added or adopted), with a Let's Encrypt
    certificate requested once the site's DNS is active on Cloudflare."""
    db = store.get()
    with site_step(db, context.partition_key, "hosting_site", status_column="status_hosting", running="pending",
                   done="active") as site:
        hosted = cloudpanel.ensure_site(site.domain)
        db.update_site(site.id, hosting_doc_root=hosted.doc_root, hosting_site_user=hosted.site_user)
        certificate = site.hosting_certificate
        if not certificate and site.cloudflare_zone_status == "active":
            cloudpanel.install_certificate(site.domain)
            db.update_site(site.id, hosting_certificate=True)
            certificate = True
        present = cloudpanel.exists(site.domain)
    return dg.MaterializeResult(
        metadata={
            "doc_root": hosted.doc_root,
            "site_user": hosted.site_user,
            "created": hosted.created,
            "certificate": "installed" if certificate else "waits for DNS to be active",
        },
        check_results=[dg.AssetCheckResult(check_name="doc_root_present", passed=present,
                                           metadata={"doc_root": hosted.doc_root})],
    )
