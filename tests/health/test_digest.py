"""The daily digest (FACTORY_ALERT_DIGEST), to a real local webhook receiver and a real SMTP
server (aiosmtpd): one message a day summarising the open problems by kind (how many, which
sites, the causes, what is new), never a second one the same day, nothing on a healthy fleet,
no secret; with `only`, the digest replaces the per-problem alerts."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from factory.cli import app, common
from factory.health.alerts import deliver, send_digest
from factory.store import Finding, Store
from tests.health.test_alerts import WEBHOOK_SECRET, fleet, settings_for

SMTP_PASSWORD = "smtp-password-XXXXsecretXXXX"


def problems(store: Store, sites) -> None:
    findings = [Finding(s.id, "certificate", s.domain, "warn", "certificate expires within 14 days",
                        "expires soon", "more than 14 days") for s in sites[:4]]
    findings += [Finding(sites[4].id, "doc_root", f"doc root {sites[4].domain}", "fail",
                         "hosting: create doc root <site> (the site's doc root is gone)", "missing", "/home/x"),
                 Finding(sites[5].id, "step_failed", "site_content", "fail",
                         "site_content failed: Directus said api_token=abc123secretvalue is invalid")]
    store.health.record(findings, [(s.id, k) for s in sites for k in ("certificate", "doc_root", "step_failed")])


def test_one_digest_a_day_by_kind_and_nothing_secret(store: Store, receiver, mailbox) -> None:
    box, port = mailbox
    sites = fleet(store, 6)
    problems(store, sites)
    settings = settings_for(receiver, port, alert_digest="daily", alert_smtp_password=SMTP_PASSWORD,
                            alert_smtp_user=None)
    now = dt.datetime.now(dt.UTC)
    sent = send_digest(settings, store, now=now)
    assert sent.sent and sent.failures == [], sent.reason
    [post] = receiver.posts
    text = post["text"]
    assert text.startswith(f"[DIGEST] {now:%Y-%m-%d}: 6 open problem(s) on 6 site(s)")
    assert "- certificate (warn): 4 problem(s) on 4 site(s), 4 new: alert00.com, alert01.com, alert02.com, " \
           "alert03.com" in text
    assert "- doc_root (fail): 1 problem(s) on 1 site(s), 1 new: alert04.com" in text
    assert "Repair: factory health repair --all (1 site(s) with drift)" in text
    assert "abc123secretvalue" not in text and WEBHOOK_SECRET not in text and SMTP_PASSWORD not in text
    [(_, mail)] = box.messages
    assert str(mail["Subject"]).startswith("[DIGEST]") and "abc123secretvalue" not in mail.get_payload(decode=True).decode()
    assert "- doc_root (fail)" in mail.get_payload(decode=True).decode()

    # Once a day, whoever asks again (the schedule, a retry, the CLI).
    # Later the same UTC day (3 hours on, but never past midnight: CI may run at 22:00 UTC).
    later = min(now + dt.timedelta(hours=3), now.replace(hour=23, minute=59, second=59, microsecond=999999))
    again = send_digest(settings, store, now=later)
    assert not again.sent and "already sent" in again.reason and len(receiver.posts) == 1
    # The next day: the problems still open are summarised again, no longer new.
    tomorrow = send_digest(settings, store, now=now + dt.timedelta(days=1, minutes=1))
    assert tomorrow.sent and "- doc_root (fail): 1 problem(s) on 1 site(s): alert04.com" in receiver.posts[-1]["text"]


def test_a_healthy_fleet_gets_no_digest_and_off_sends_nothing(store: Store, receiver, mailbox) -> None:
    box, port = mailbox
    sites = fleet(store, 6)
    quiet = send_digest(settings_for(receiver, port, alert_digest="daily"), store)
    assert not quiet.sent and quiet.reason == "nothing open and nothing resolved in the last day"
    problems(store, sites)
    off = send_digest(settings_for(receiver, port), store)
    assert not off.sent and "off" in off.reason
    assert receiver.posts == [] and box.messages == []


def test_digest_only_replaces_the_alerts_and_the_cli_previews_and_sends_it(store: Store, clean_db, receiver,
                                                                            mailbox, monkeypatch) -> None:
    box, port = mailbox
    sites = fleet(store, 6)
    problems(store, sites)
    settings = settings_for(receiver, port, alert_digest="only")
    assert deliver(settings, store).sent == 0 and receiver.posts == [] and box.messages == []
    assert store.health.unalerted() == []  # announced by the digest, not one by one

    for key, value in {"FACTORY_DATABASE_URL": clean_db, "FACTORY_ALERT_WEBHOOK_URL": receiver.url,
                       "FACTORY_ALERT_DIGEST": "only", "FACTORY_ALERT_ROUTES": "digest=webhook"}.items():
        monkeypatch.setenv(key, value)
    common.store.cache_clear()
    common.context.cache_clear()
    runner = CliRunner()
    preview = runner.invoke(app, ["health", "digest"])
    assert preview.exit_code == 0, preview.output
    assert "6 open problem(s) on 6 site(s)" in preview.output and receiver.posts == []
    sent = runner.invoke(app, ["health", "digest", "--send", "--json"])
    assert sent.exit_code == 0, sent.output
    data = json.loads(sent.output)
    assert data["sent"] is True, data["reason"]
    assert [k["check_kind"] for k in data["kinds"]] == ["certificate", "doc_root",
                                                                                "step_failed"]
    assert len(receiver.posts) == 1 and box.messages == []  # routed to the webhook only
    again = runner.invoke(app, ["health", "digest", "--send"])
    assert again.exit_code == 0 and "already sent" in again.output
    common.store.cache_clear()
    common.context.cache_clear()


def test_dagster_digest_job_and_its_daily_schedule(store: Store, clean_db, receiver, monkeypatch) -> None:
    import dagster as dg

    from factory_assets.health import digest_schedule, fleet_health_digest
    from resources.factory import FactoryResource

    sites = fleet(store, 6)
    problems(store, sites)
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    monkeypatch.setenv("FACTORY_ALERT_WEBHOOK_URL", receiver.url)
    schedule = digest_schedule(7)
    assert schedule.cron_schedule == "0 7 * * *"
    when = dt.datetime(2026, 11, 29, 7, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        assert isinstance(schedule.evaluate_tick(context).skip_message, str)  # off: skipped
    monkeypatch.setenv("FACTORY_ALERT_DIGEST", "daily")
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.run_key == "digest-2026-11-29"  # one run a day

    result = fleet_health_digest.execute_in_process(resources={"factory": FactoryResource()})
    assert result.success
    [output] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = output.event_specific_data.metadata
    assert metadata["sent"].value is True and metadata["open_problems"].value == 6
    [post] = receiver.posts
    assert post["text"].startswith("[DIGEST]") and WEBHOOK_SECRET not in post["text"]
    again = fleet_health_digest.execute_in_process(resources={"factory": FactoryResource()})
    [output] = [e for e in again.all_events if e.event_type_value == "STEP_OUTPUT"]
    assert output.event_specific_data.metadata["sent"].value is False and len(receiver.posts) == 1
