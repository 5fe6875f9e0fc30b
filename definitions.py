"""The Dagster code location: one Definitions object, assembled from the layer folders."""

import dagster as dg

from factory import logs
from factory_assets import build, content, deploy, dns, hosting, jobs, matomo, search_console
from factory_assets.analytics import analytics_job, daily_analytics
from factory_assets.partitions import site_partitions
from resources.configured import build_resources
from resources.publishing import publishing_resources
from schedules.analytics import daily_analytics_schedule
from sensors.sites import new_sites_sensor


def build_definitions() -> dg.Definitions:
    """Assemble the code location (tests call this after pointing the environment elsewhere)."""
    assets = [dns.dns_zone, hosting.hosting_site, matomo.matomo_site, search_console.gsc_property,
              *content.assets, *build.assets, *deploy.assets, daily_analytics]
    site_assets = [a for a in assets if a.partitions_def == site_partitions]
    return dg.Definitions(
        assets=assets,
        jobs=[jobs.onboard_site_job(site_assets), analytics_job],
        sensors=[new_sites_sensor],
        schedules=[daily_analytics_schedule],
        resources={**build_resources(), **publishing_resources()},
    )


logs.configure()
defs = build_definitions()
