"""`hosting_site`: the site on the CloudPanel server and its Let's Encrypt certificate."""

import dagster as dg

from factory.layers import hosting
from factory.layers.runner import StepFailed, run_layer
from factory_assets.partitions import site_partitions
from factory_assets.site_steps import STEP_RETRY_POLICY, as_failure, partition_site, result
from resources.factory import FactoryResource

CHECK = "doc_root_present"


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"cloudpanel"},
    pool="cloudpanel",
    deps=["dns_zone"],
    retry_policy=STEP_RETRY_POLICY,
    check_specs=[dg.AssetCheckSpec(CHECK, asset="hosting_site",
                                   description="The hosting server, re-read over SSH: the doc root exists.")],
)
def hosting_site(context: dg.AssetExecutionContext, factory: FactoryResource) -> dg.MaterializeResult:
    """A static site on the CloudPanel server (added or adopted), with a Let's Encrypt
    certificate once the site's DNS is active; `active` only with the certificate installed."""
    ctx = factory.ctx
    site = partition_site(factory, context.partition_key)
    try:
        outcome = run_layer(ctx, hosting, site)
    except StepFailed as exc:
        raise as_failure(exc) from None
    present = ctx.clients.cloudpanel().exists(site.domain)
    return result(outcome, [dg.AssetCheckResult(check_name=CHECK, passed=present,
                                                metadata={"doc_root": outcome.applied.record["hosting_doc_root"]})])
