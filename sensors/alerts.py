"""`run_failure_alerts`: a Dagster run that failed is announced on the alert channels (kind
`run_failed`, routed by FACTORY_ALERT_ROUTES like the health problems), once per run."""

import dagster as dg

from factory.health.alerts import send_run_failure
from resources.factory import FactoryResource


@dg.run_failure_sensor(name="run_failure_alerts", default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Announces every failed run (job, site, reason, link) on the alert channels.")
def run_failure_alerts(context: dg.RunFailureSensorContext, factory: FactoryResource) -> None:
    run = context.dagster_run
    reason = context.failure_event.message or ""
    failed = send_run_failure(factory.settings, run.job_name, run.run_id, run.tags.get("dagster/partition"), reason,
                              f"{factory.settings.dagster_base}/runs/{run.run_id}")
    for failure in failed:
        context.log.warning(f"run failure alert not sent: {failure}")
