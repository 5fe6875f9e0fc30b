"""failed_launches_sensor: a run that died before its first step is requested again (new run key,
backoff, capped); a run that started a step, or a site with a newer run, is left alone."""

from __future__ import annotations

import time

import dagster as dg
import pytest

JOB = "onboard_site_job"


@pytest.fixture()
def located(clean_db, monkeypatch, tmp_path):
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    monkeypatch.setenv("FACTORY_RATE_TIME_SCALE", "0.01")  # backoff 15 s -> 0.15 s
    import definitions
    from factory.config import load_settings

    defs = definitions.build_definitions(load_settings())
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster"))
    yield defs, instance
    instance.dispose()


def _failed_run(instance, defs, domain: str, tags: dict | None = None, started_step: bool = False) -> dg.DagsterRun:
    job = defs.resolve_job_def(JOB)
    run = instance.create_run_for_job(job_def=job, tags={"dagster/partition": domain, "factory/domain": domain,
                                                         **(tags or {})})
    if started_step:
        event = dg.DagsterEvent(event_type_value=dg.DagsterEventType.STEP_START.value, job_name=JOB,
                                step_key="dns_zone", message="started")
        instance.report_dagster_event(event, run_id=run.run_id)
    instance.report_run_failed(run)
    return run


def _tick(defs, instance) -> list[dg.RunRequest]:
    sensor = defs.resolve_sensor_def("failed_launches_sensor")
    with dg.build_sensor_context(instance=instance, resources={"factory": defs.resources["factory"]}) as ctx:
        return list(sensor(ctx).run_requests)


def test_a_run_that_died_before_its_first_step_is_requested_again(located) -> None:
    defs, instance = located
    died = _failed_run(instance, defs, "died.com")
    _failed_run(instance, defs, "stepped.com", started_step=True)
    _failed_run(instance, defs, "capped.com", tags={"factory/launch_attempt": "5"})
    _failed_run(instance, defs, "superseded.com")
    _failed_run(instance, defs, "superseded.com", started_step=True)  # a later run of the same site
    time.sleep(0.5)  # past the first backoff (scaled)
    [request] = _tick(defs, instance)
    assert request.partition_key == "died.com"
    assert request.run_key == f"relaunch:{died.run_id}"
    assert request.tags["factory/launch_attempt"] == "2" and request.tags["factory/relaunch_of"] == died.run_id
    assert request.tags["factory/domain"] == "died.com"


def test_a_dead_delegation_is_relaunched_though_its_sites_later_run_went_on(located) -> None:
    """A new site's onboarding is two runs (sensors/sites.py): the second, which runs everything
    but `dns_zone`, does not stand in for a first that died; the relaunch keeps its priority."""
    defs, instance = located
    job = defs.resolve_job_def(JOB)
    died = instance.create_run_for_job(job_def=job, asset_selection=frozenset({dg.AssetKey("dns_zone")}), tags={
        "dagster/partition": "new.com", "factory/domain": "new.com", "dagster/priority": "20"})
    instance.report_run_failed(died)
    rest = {dg.AssetKey(k) for k in ("hosting_site", "matomo_site", "gsc_property", "site_content", "site_build",
                                      "site_deployment")}
    later = instance.create_run_for_job(job_def=job, asset_selection=frozenset(rest),
                                        tags={"dagster/partition": "new.com"})
    instance.report_dagster_event(dg.DagsterEvent(event_type_value=dg.DagsterEventType.STEP_START.value, job_name=JOB,
                                                  step_key="hosting_site", message="started"), run_id=later.run_id)
    instance.report_run_failed(later)  # it ran (its steps waited for the zone), then ended
    time.sleep(0.5)
    requests = _tick(defs, instance)
    assert [(r.partition_key, r.run_key) for r in requests] == [("new.com", f"relaunch:{died.run_id}")]
    assert requests[0].asset_selection == [dg.AssetKey("dns_zone")]
    assert requests[0].tags["dagster/priority"] == "20"


def test_dagsters_own_retries_count_towards_the_cap(located) -> None:
    defs, instance = located
    _failed_run(instance, defs, "retried.com", tags={"dagster/retry_number": "4"})
    time.sleep(0.5)
    assert _tick(defs, instance) == []


def test_backoff_holds_a_fresh_failure(located, monkeypatch) -> None:
    defs, instance = located
    monkeypatch.setenv("FACTORY_RATE_TIME_SCALE", "1")  # the resource reads it when the tick starts: 15 s
    _failed_run(instance, defs, "fresh.com")
    assert _tick(defs, instance) == []
