"""`matomo_site`: the site registered in Matomo, its id recorded for the tracking snippet."""

import dagster as dg

from factory.layers import matomo
from factory.layers.runner import StepFailed, run_layer
from factory_assets.partitions import site_partitions
from factory_assets.site_steps import STEP_RETRY_POLICY, as_failure, partition_site, result
from resources.factory import FactoryResource


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"matomo"},
    pool="matomo",
    retry_policy=STEP_RETRY_POLICY,
)
def matomo_site(context: dg.AssetExecutionContext, factory: FactoryResource) -> dg.MaterializeResult:
    """The site in Matomo: found by URL, or added; `matomo_site_id` recorded on the site."""
    site = partition_site(factory, context.partition_key)
    try:
        return result(run_layer(factory.ctx, matomo, site))
    except StepFailed as exc:
        raise as_failure(exc) from None
