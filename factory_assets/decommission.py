"""`decommission_site_job`: onboarding in reverse for one site, one op per step, each idempotent
and resumable (a run killed half-way is run again). Launched from `factory sites decommission`,
the Hub or the UI after the plan is approved; the run carries the operator and the plan's hash."""

import dagster as dg

from factory.layers import decommission
from factory.layers.runner import StepFailed
from factory_assets.site_steps import as_failure, checked_domains, result
from resources.factory import FactoryResource


class DecommissionConfig(dg.Config):
    domain: str
    keep_dns: bool = False
    keep_analytics: bool = False
    reset_nameservers: bool = False


def _step(name: str, description: str, last: bool = False):
    @dg.op(name=name, description=description, ins={"after": dg.In(dg.Nothing)}, tags={"kind": "decommission"})
    def step(context: dg.OpExecutionContext, config: DecommissionConfig, factory: FactoryResource) -> None:
        [domain] = checked_domains([config.domain])
        site = factory.store.sites.get(domain)
        options = decommission.Options(config.keep_dns, config.keep_analytics, config.reset_nameservers)
        try:
            [outcome] = decommission.run(factory.ctx, site, options, only=name)
        except StepFailed as exc:
            raise as_failure(exc) from None
        if last:
            factory.store.sites.mark_decommissioned(site.id, options.as_dict())
        # What the step did, as the plan it applied (Markdown), on the run's page in Dagit.
        context.log_event(dg.AssetObservation("decommission", metadata={"domain": domain, "step": name,
                                                                         **(result(outcome).metadata or {})}))

    return step


STEPS = [
    _step("decommission_offline", "The live release archived on the host; the doc root removed: nothing served."),
    _step("decommission_hosting", "The CloudPanel site deleted (clpctl site:delete --force)."),
    _step("decommission_matomo", "The Matomo site deleted (or kept with its data)."),
    _step("decommission_search_console", "The Search Console property and the verification removed."),
    _step("decommission_dns", "The Cloudflare zone deleted (or kept); the registrar back at its own name servers."),
    _step("decommission_content", "The Directus pages archived; the site marked decommissioned.", last=True),
]


@dg.job(name="decommission_site_job", tags={"factory/kind": "decommission"},
        description="Take one site out of the fleet, step by step (see factory/layers/decommission.py). The sites "
                    "row is kept, marked decommissioned; its analytics stay.")
def decommission_site_job():
    previous = None
    for step in STEPS:
        previous = step(after=previous) if previous is not None else step()
