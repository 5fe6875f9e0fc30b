"""The Dagster code location: assembles the definitions, nothing else.

Loaded lazily (`@dg.definitions`): importing this module reads no setting and configures no
logging. Loading it (`dagster dev`, `dagster definitions validate`, a run) reads the settings
once; in production every missing or invalid setting is named and the location fails to load.
"""

import dagster as dg

from factory import logs
from factory.config import Settings, load_settings
from factory_assets import dns, hosting, matomo, search_console
from factory_assets.analytics import analytics_definitions
from factory_assets.decommission import decommission_site_job
from factory_assets.health import (
    digest_schedule,
    fleet_health_daily,
    fleet_health_digest,
    fleet_health_hourly,
    fleet_health_sweep,
    site_health_asset,
    site_health_checks,
)
from factory_assets.jobs import onboard_site_job
from factory_assets.partitions import daily_partitions
from factory_assets.publishing import publishing_assets
from factory_assets.quality import fleet_near_duplicates, near_duplicates_job, near_duplicates_schedule
from resources.factory import FactoryResource
from schedules.analytics import daily_analytics_schedule
from sensors.alerts import run_failure_alerts
from sensors.followup import failed_launches_sensor, waiting_sites_sensor
from sensors.sites import new_sites_sensor


def build_definitions(settings: Settings) -> dg.Definitions:
    daily = daily_partitions(settings.analytics_start_date)
    analytics, analytics_job = analytics_definitions(daily)
    site_assets = [dns.dns_zone, hosting.hosting_site, matomo.matomo_site, search_console.gsc_property,
                   *publishing_assets(settings.build_batch_size)]
    return dg.Definitions(
        assets=[*site_assets, analytics, fleet_near_duplicates, site_health_asset],
        asset_checks=site_health_checks,
        jobs=[onboard_site_job(site_assets), analytics_job, decommission_site_job, near_duplicates_job,
              fleet_health_sweep, fleet_health_digest],
        sensors=[new_sites_sensor, waiting_sites_sensor, failed_launches_sensor, run_failure_alerts],
        schedules=[daily_analytics_schedule(analytics_job, daily, settings.analytics_lookback_days,
                                            settings.analytics_repair_days),
                   near_duplicates_schedule, fleet_health_hourly, fleet_health_daily,
                   digest_schedule(settings.alert_digest_hour)],
        resources={"factory": FactoryResource()},
        # Every step of a run in the run's own process. The default starts a process per step,
        # and each one loads this code location again: 89 CPU seconds of Dagster overhead per
        # onboarded site against 8 in one process (bench/dagster_overhead.py). Steps of
        # one site mostly wait on each other anyway; sites run side by side as separate runs,
        # and pools are claimed per step all the same.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    settings = load_settings(complete=True)
    logs.configure()
    return build_definitions(settings)
