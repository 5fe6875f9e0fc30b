"""`dns_zone`: the site's Cloudflare zone, its records, SSL mode and Namecheap delegation."""

import dagster as dg

from factory.layers import dns
from factory.layers.change import writes
from factory.layers.runner import StepFailed, run_layer
from factory_assets.partitions import site_partitions
from factory_assets.site_steps import STEP_RETRY_POLICY, as_failure, partition_site, result
from resources.factory import FactoryResource

CHECK = "records_as_desired"


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"cloudflare", "namecheap"},
    pool="cloudflare",
    retry_policy=STEP_RETRY_POLICY,
    check_specs=[dg.AssetCheckSpec(CHECK, asset="dns_zone", description="Cloudflare, re-read: the apex and www "
                                   "records point at the hosting server and the SSL mode is as desired.")],
)
def dns_zone(context: dg.AssetExecutionContext, factory: FactoryResource) -> dg.MaterializeResult:
    """The site's DNS on Cloudflare (zone created or adopted in the site's own account; apex and
    www records; SSL mode) with the registrar delegating to the zone's name servers. Waits,
    with the zone `pending`, until Cloudflare sees the delegation."""
    ctx = factory.ctx
    site = partition_site(factory, context.partition_key)
    try:
        outcome = run_layer(ctx, dns, site)
    except StepFailed as exc:
        raise as_failure(exc) from None
    # Re-read Cloudflare (not the registrar: its budget is small) and plan again.
    want = dns.desired(site, ctx.settings)
    left = writes(dns.plan(want, dns.observe(ctx, site, want, registrar=False)))
    left = [c for c in left if c.action != "set_nameservers"]
    return result(outcome, [dg.AssetCheckResult(
        check_name=CHECK, passed=not left,
        metadata={"differences": dg.MetadataValue.md("\n".join(f"- {c.target}: {c.reason}" for c in left) or "none")})])
