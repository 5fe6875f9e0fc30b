"""Alerts to a real local webhook receiver and a real SMTP server (aiosmtpd): one message per
cause however many sites share it, never repeated while the problems stay open, one "resolved"
message when they are gone, routed per check kind, and no secret in anything sent or reported."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from factory.config import load_settings
from factory.health.alerts import deliver
from factory.store import Finding, NewSite, Store

WEBHOOK_SECRET = "T000/B000/XXXXsecretXXXXwebhookXXXX"


class Receiver:
    """A Slack-compatible incoming webhook: records every POSTed JSON body."""

    def __init__(self, status: int = 200):
        self.posts: list[dict] = []
        self.status = status
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.status == 200:
                    receiver.posts.append({"path": self.path, **json.loads(body)})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/{WEBHOOK_SECRET}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture()
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # a free port (the controller checks its server on the port it was given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def settings_for(receiver: Receiver, smtp_port: int, **more):
    return load_settings(alert_webhook_url=receiver.url, alert_smtp_host="127.0.0.1", alert_smtp_port=smtp_port,
                         alert_smtp_starttls=False, alert_email_from="factory@example.com",
                         alert_email_to="ops@example.com, oncall@example.com", **more)


def fleet(store: Store, n: int) -> list:
    store.cloudflare_accounts.add("cf@example.com", "CF", "sandbox-token-alerts-abcdef")
    return store.sites.add_many([NewSite(f"alert{i:02d}.com", "CF") for i in range(n)])


def record_certificate_and_dns(store: Store, sites) -> None:
    findings = [Finding(s.id, "certificate", s.domain, "warn", "certificate expires within 14 days",
                        "expires soon", "more than 14 days") for s in sites[:5]]
    findings.append(Finding(sites[5].id, "drift.dns", f"A www.{sites[5].domain}", "fail",
                            "dns: update A www.<site> (points elsewhere)", "192.0.2.99 (proxied)",
                            "203.0.113.10 (proxied)"))
    store.health.record(findings, [(s.id, k) for s in sites for k in ("certificate", "drift.dns")])


def test_one_message_per_cause_no_repeats_then_resolved(store: Store, receiver, mailbox) -> None:
    box, port = mailbox
    sites = fleet(store, 6)
    settings = settings_for(receiver, port)
    record_certificate_and_dns(store, sites)

    first = deliver(settings, store)
    assert (first.sent, first.problems, first.resolved, first.failures) == (2, 6, 0, [])
    texts = sorted(p["text"] for p in receiver.posts)
    assert texts[0].startswith("[FIRING:FAIL] drift.dns on alert05.com")
    assert "Repair: factory health repair alert05.com" in texts[0]
    assert texts[1].startswith("[FIRING:WARN] certificate on 5 sites: certificate expires within 14 days")
    assert all(f"- alert0{i}.com" in texts[1] for i in range(5))
    assert len(box.messages) == 2
    rcpt, mail = box.messages[0]
    assert sorted(rcpt) == ["oncall@example.com", "ops@example.com"] and mail["From"] == "factory@example.com"

    # Seen again by the next sweeps: still open, nothing new to say.
    record_certificate_and_dns(store, sites)
    assert deliver(settings, store).sent == 0 and len(receiver.posts) == 2 and len(box.messages) == 2

    # A new site with the same cause is announced on its own (the others were already).
    store.health.record([Finding(sites[5].id, "certificate", sites[5].domain, "warn",
                                 "certificate expires within 14 days")], [(sites[5].id, "certificate")])
    assert deliver(settings, store).sent == 1 and receiver.posts[-1]["text"].count("\n- ") == 1

    # Renewed everywhere: one resolved message for the group, once.
    store.health.record([], [(s.id, "certificate") for s in sites])
    done = deliver(settings, store)
    assert (done.sent, done.resolved) == (0, 1)
    assert receiver.posts[-1]["text"].startswith("[RESOLVED] certificate on 6 sites")
    assert deliver(settings, store).resolved == 0
    assert len(store.health.problems()) == 1  # the DNS drift is still open
    assert all(WEBHOOK_SECRET not in p["text"] for p in receiver.posts)


def test_routes_per_kind_and_a_failed_channel_is_retried_without_leaking_its_url(store: Store, receiver,
                                                                                    mailbox) -> None:
    box, port = mailbox
    sites = fleet(store, 6)
    settings = settings_for(receiver, port, alert_routes="drift=webhook,certificate=email")
    record_certificate_and_dns(store, sites)
    result = deliver(settings, store)
    assert result.sent == 2
    assert [p["text"].split(" ")[1] for p in receiver.posts] == ["drift.dns"]
    assert [str(m["Subject"]).split()[1] for _, m in box.messages] == ["certificate"]

    store.health.record([Finding(sites[0].id, "drift.hosting", f"site {sites[0].domain}", "fail",
                                 "hosting: create site <site> (no site on the hosting server)")],
                        [(sites[0].id, "drift.hosting")])
    receiver.status = 500
    failed = deliver(settings, store)
    assert failed.sent == 0 and failed.failures == ["webhook: HTTP 500"]
    assert WEBHOOK_SECRET not in " ".join(failed.failures)
    receiver.status = 200
    again = deliver(settings, store)
    assert again.sent == 1 and receiver.posts[-1]["text"].startswith("[FIRING:FAIL] drift.hosting on alert00.com")


def test_without_a_channel_nothing_is_marked_sent(store: Store) -> None:
    sites = fleet(store, 6)
    record_certificate_and_dns(store, sites)
    assert deliver(load_settings(), store).sent == 0
    assert len(store.health.unalerted()) == 6


def test_a_failed_dagster_run_is_announced_without_secrets(clean_db, receiver, monkeypatch) -> None:
    import dagster as dg

    from resources.factory import FactoryResource
    from sensors.alerts import run_failure_alerts

    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    monkeypatch.setenv("FACTORY_ALERT_WEBHOOK_URL", receiver.url)

    @dg.op
    def deploy_release() -> None:
        raise RuntimeError("rsync refused the upload")

    @dg.job(name="deploy_job")
    def deploy_job() -> None:
        deploy_release()

    instance = dg.DagsterInstance.ephemeral()
    result = deploy_job.execute_in_process(instance=instance, raise_on_error=False, tags={"dagster/partition": "a.com"})
    [failure] = [e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE"]
    with dg.build_run_status_sensor_context(
            sensor_name="run_failure_alerts", dagster_event=failure, dagster_instance=instance,
            dagster_run=result.dagster_run, resources={"factory": FactoryResource()}) as context:
        run_failure_alerts(context.for_run_failure())
    [post] = receiver.posts
    assert post["text"].startswith(f"[FAILED] deploy_job for a.com: run {result.run_id[:8]}")
    assert f"/runs/{result.run_id}" in post["text"] and WEBHOOK_SECRET not in post["text"]
