"""A converged fleet swept for a simulated week raises no alert.

The fleet is onboarded through Dagster against the simulators (time-scaled), its pages served
over real HTTPS from a local CA (certificates valid 90 days), its domains registered for more
than a year. Then a week passes in simulated time: the simulators' day moves on each simulated
day, every simulated hour a sweep runs as the hourly schedule does (drift of every converged
layer, probes, registration), once a day with the registrar's name servers as the daily one
does, and after each sweep the alerts and the daily digest are delivered to a real webhook
receiver and a real SMTP server. Nothing may be opened, nothing sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from devtools.https_host import HttpsHost, site_page
from devtools.sandbox.env import NAMECHEAP_USER
from factory.health.alerts import deliver, send_digest
from factory.health.sweep import sweep
from tests.health.test_alerts import mailbox, receiver, settings_for  # noqa: F401 - fixtures
from tests.onboarding.conftest import Stack
from tests.onboarding.test_fleet_changes import context, onboarded

pytestmark = pytest.mark.timeout(2400)
WEEK_HOURS = 7 * 24
DAILY_AT_HOUR = 4  # the daily sweep (with the registrar) and, with it, the digest


@pytest.fixture()
def https_host(tmp_path) -> Iterator[HttpsHost]:
    with HttpsHost(tmp_path / "https") as host:
        yield host


def test_a_converged_fleet_swept_for_a_simulated_week_raises_no_alert(
        stack: Stack, https_host: HttpsHost, receiver, mailbox, monkeypatch) -> None:  # noqa: F811 - fixtures
    box, port = mailbox
    for key, value in https_host.settings().items():
        monkeypatch.setenv(key, value)
    domains = onboarded(stack, 3)
    start = dt.datetime.now(dt.UTC).replace(minute=7, second=0, microsecond=0)
    with stack.store.connection() as conn:  # deployed, as site_deployment leaves them
        conn.execute("update public.sites set status_deployment = 'deployed'")
    for domain in domains:
        site = stack.store.sites.get(domain)
        https_host.serve(domain, site_page(domain, site.matomo_site_id), cert_days=90)
        stack.sandbox.namecheap.set_domain(NAMECHEAP_USER, domain, expires=start.date() + dt.timedelta(days=400),
                                           auto_renew=True)
    ctx = context(stack)
    settings = settings_for(receiver, port, alert_digest="daily")

    sweeps = 0
    try:
        for hour in range(WEEK_HOURS):
            now = start + dt.timedelta(hours=hour)
            stack.sandbox.today = now.date()  # the simulators' calendar moves with the week
            daily = now.hour == DAILY_AT_HOUR
            result = sweep(ctx, registrar=daily, now=now)
            sweeps += 1
            assert result.findings == [] and result.errors == [], (now, result.findings, result.errors)
            delivered = deliver(settings, stack.store)
            assert (delivered.sent, delivered.resolved, delivered.failures) == (0, 0, []), now
            if daily:
                print(f"simulated {now:%a %H:%M}: {sweeps} sweeps, quiet", flush=True)  # progress with -s
                digest = send_digest(settings, stack.store, now=now)
                assert not digest.sent and digest.reason == "nothing open and nothing resolved in the last day"
    finally:
        stack.sandbox.today = None
    assert sweeps == WEEK_HOURS
    assert stack.store.health.problems(open_only=False) == []  # not one problem, not even resolved
    assert stack.store.health.summary()["open_problems"] == 0
    assert receiver.posts == [] and box.messages == []

    # The quiet was not deafness: the same sweep hears a site going down, and says so once.
    https_host.down(domains[0])
    found = sweep(ctx, now=start + dt.timedelta(hours=WEEK_HOURS))
    assert [(f.check_kind, f.subject) for f in found.findings] == [("https", domains[0])]
    assert deliver(settings, stack.store).sent == 1 and len(receiver.posts) == 1 and len(box.messages) == 1
