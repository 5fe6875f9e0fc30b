"""A vendor error that may pass (5xx, 429, a dropped connection) and outlasts the client's retries
and the run's retry policy leaves the step waiting for another attempt, not failed: the follow-up
sensor runs it again on the waits' backoff, and only past RETRY_DEADLINE does it fail for good."""

from __future__ import annotations

import time

import dagster as dg

from factory.layers.runner import RETRY_WAIT
from tests.onboarding.conftest import Stack, add_fleet


def _follow_up(stack: Stack) -> list[dg.RunRequest]:
    sensor = stack.defs.resolve_sensor_def("waiting_sites_sensor")
    with dg.build_sensor_context(instance=stack.instance, resources={"factory": stack.defs.resources["factory"]}) as ctx:
        return list(sensor(ctx).run_requests)


def _run_through_an_outage(stack: Stack) -> str:
    """One site whose onboarding run meets a Cloudflare that answers every request with a 5xx."""
    [domain] = add_fleet(stack.store, 1)
    stack.sensor_tick()
    stack.sandbox.set_faults("cloudflare", rate_5xx=1.0, seed=1)
    assert not stack.run(domain).success
    return domain


def test_a_vendor_outage_longer_than_a_run_is_tried_again_by_the_sensor(stack: Stack) -> None:
    domain = _run_through_an_outage(stack)
    site = stack.store.sites.get(domain)
    step = stack.store.steps.get(site.id, "dns_zone")
    # Not failed: the operator sees the error and that another attempt is coming.
    assert site.status_dns == "pending" and step.state == "waiting" and step.waiting_for == RETRY_WAIT
    assert "server error" in site.error_message and site.error_step == "dns_zone"
    assert "server error" in step.last_error and step.next_check_at is not None
    assert _follow_up(stack) == []  # not before its next look

    stack.sandbox.clear_faults()
    time.sleep(max(0.0, (step.next_check_at.timestamp() - time.time())) + 0.2)
    [request] = _follow_up(stack)
    assert request.partition_key == domain and dg.AssetKey("dns_zone") in request.asset_selection
    assert "another attempt after an error that may pass" in request.tags["factory/reason"]
    result = stack.job.execute_in_process(partition_key=domain, instance=stack.instance, raise_on_error=False,
                                          asset_selection=request.asset_selection, tags=request.tags)
    assert result.success
    site = stack.store.sites.get(domain)
    assert site.status_dns == "active" and site.error_message is None
    assert len(stack.sandbox.state["cloudflare"]["zones"]) == 1  # created once


def test_vendor_errors_past_the_deadline_fail_the_step_with_the_last_error(stack: Stack) -> None:
    domain = _run_through_an_outage(stack)
    site = stack.store.sites.get(domain)
    with stack.store.db.connection() as conn:  # a day of vendor errors, at the test's time scale
        conn.execute("update public.site_steps set deadline_at = now() - interval '1 second', "
                     "next_check_at = now() where site_id = %s", (site.id,))
    assert _follow_up(stack) == []
    site = stack.store.sites.get(domain)
    assert site.status_dns == "failed"
    assert "gave up after" in site.error_message and "of errors that may pass; the last:" in site.error_message
    assert "server error" in site.error_message
    assert stack.store.steps.get(site.id, "dns_zone").state == "failed"
