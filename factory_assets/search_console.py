"""`gsc_property`: DNS-TXT verification and the `sc-domain:` property in Search Console."""

import dagster as dg

from factory.layers import search_console
from factory.layers.runner import StepFailed, run_layer
from factory_assets.partitions import site_partitions
from factory_assets.site_steps import STEP_RETRY_POLICY, as_failure, partition_site, result
from resources.factory import FactoryResource

CHECK = "property_verified"


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"google", "cloudflare"},
    pool="google",
    deps=["dns_zone"],
    retry_policy=STEP_RETRY_POLICY,
    check_specs=[dg.AssetCheckSpec(CHECK, asset="gsc_property",
                                   description="Search Console, re-read: the domain property is owned.")],
)
def gsc_property(context: dg.AssetExecutionContext, factory: FactoryResource) -> dg.MaterializeResult:
    """The site's domain property in Search Console, through the site's own Google account:
    verification token, TXT record on Cloudflare, verification (once Google sees the record),
    then the `sc-domain:` property."""
    ctx = factory.ctx
    site = partition_site(factory, context.partition_key)
    if site.gsc_account_id is None:  # not verified, not failed: the step does not apply
        return dg.MaterializeResult(
            metadata={"skipped": "the site has no Google account"},
            check_results=[dg.AssetCheckResult(check_name=CHECK, passed=True, metadata={"skipped": "no Google account"})])
    try:
        outcome = run_layer(ctx, search_console, site)
    except StepFailed as exc:
        raise as_failure(exc) from None
    level = ctx.clients.google(site.gsc_account_id).properties().get(search_console.property_url(site.domain), "")
    return result(outcome, [dg.AssetCheckResult(
        check_name=CHECK, passed=level in search_console.OWNER_LEVELS,
        severity=dg.AssetCheckSeverity.WARN if outcome.waiting else dg.AssetCheckSeverity.ERROR,
        metadata={"permission": level or "none", "state": outcome.state})])
