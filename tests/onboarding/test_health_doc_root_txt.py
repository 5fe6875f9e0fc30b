"""Two kinds of drift a plan used not to see, on a real onboarded fleet (simulators over HTTP,
the sshd with the CloudPanel stand-in, Postgres, Dagster): a CloudPanel doc root removed by hand
(the site is still in CloudPanel, but nothing is served) and Google's verification TXT record
removed from the zone (Google drops the verification at its next check). Each is its own problem
kind, shown on the site's `site_health` checks in Dagit, alerted by webhook and e-mail, and
repaired by one action: the doc root comes back with the live release the site had."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType
from typer.testing import CliRunner

from devtools.https_host import site_page
from factory.cli import app, common
from factory.health import checks
from factory.health.alerts import deliver
from factory.health.repair import drifted, repair
from factory.health.sweep import sweep
from factory.layers.deploy import deploy_release
from factory.vendors.rsync import layout
from tests.health.test_alerts import mailbox, receiver, settings_for  # noqa: F401 - fixtures
from tests.onboarding.conftest import Stack
from tests.onboarding.test_fleet_changes import (
    InProcessRuns,
    cloudflare_sdk,
    context,
    onboarded,
)

pytestmark = pytest.mark.timeout(1200)
BUILD = "ab12" * 10


def verification_txt(stack: Stack, domain: str) -> list:
    sdk, site = cloudflare_sdk(stack, domain)
    return [r for r in sdk.dns.records.list(zone_id=site.cloudflare_zone_id, type="TXT",
                                            name={"exact": domain}).result
            if r.content.strip('"').startswith("google-site-verification=")]


def evaluations(stack: Stack) -> dict:
    found: dict = {}  # the site_health asset's checks per partition, newest first
    for record in stack.instance.get_event_records(
            dg.EventRecordsFilter(event_type=DagsterEventType.ASSET_CHECK_EVALUATION), limit=100):
        check = record.event_log_entry.dagster_event.event_specific_data
        found.setdefault((check.check_name, check.partition), (check.passed, check.severity.value))
    return found


def test_removed_doc_root_and_verification_txt_are_found_alerted_and_repaired(
        stack: Stack, tmp_path, receiver, mailbox) -> None:  # noqa: F811 - fixtures
    a, b, _ = onboarded(stack, 3)
    ctx = context(stack)
    # a has a live release, deployed as site_deployment does (atomic symlink swap over SSH).
    site_a = stack.store.sites.get(a)
    build = tmp_path / "build"
    build.mkdir()
    (build / "index.html").write_text(site_page(a, site_a.matomo_site_id))
    releaser = ctx.clients.releaser()
    released = deploy_release(releaser, site_a, BUILD, build)
    stack.store.publishing.record(site_a.id, deployed_hash=BUILD, deployed_release=released["release"])
    assert sweep(ctx, registrar=True).findings == []

    # By hand: a's doc root deleted on the server, b's verification TXT record deleted in Cloudflare.
    lay = layout(site_a.hosting_doc_root, a)
    assert ctx.clients.ssh().run(["rm", "-rf", lay.doc_root]).returncode == 0
    [txt] = verification_txt(stack, b)
    sdk, site_b = cloudflare_sdk(stack, b)
    sdk.dns.records.delete(txt.id, zone_id=site_b.cloudflare_zone_id)

    # The hourly sweep, as Dagster runs it.
    run = stack.defs.resolve_job_def("fleet_health_sweep").execute_in_process(
        instance=stack.instance, run_config={"ops": {"sweep_fleet": {"config": {"registrar": False}}}})
    assert run.success
    problems = {(p.domain, p.check_kind): p for p in stack.store.health.problems()}
    assert set(problems) == {(a, checks.DOC_ROOT), (b, checks.VERIFICATION_TXT)}  # nothing else, no drift.hosting
    doc_root = problems[(a, checks.DOC_ROOT)]
    assert (doc_root.subject, doc_root.status, doc_root.observed, doc_root.expected) == (
        f"doc root {a}", "fail", "missing", lay.doc_root)
    txt_problem = problems[(b, checks.VERIFICATION_TXT)]
    assert txt_problem.subject == f"TXT {b}" and txt_problem.expected == txt.content.strip('"')
    assert a not in doc_root.cause and b not in txt_problem.cause  # causes name no site: they group
    seen = evaluations(stack)
    assert seen[("hosting", a)] == (False, "ERROR") and seen[("search_console", b)] == (False, "ERROR")

    # The operator hears about each once, by webhook and by e-mail.
    box, port = mailbox
    settings = settings_for(receiver, port)
    sent = deliver(settings, stack.store)
    assert (sent.sent, sent.failures) == (2, [])
    texts = sorted(p["text"] for p in receiver.posts)
    assert texts[0].startswith(f"[FIRING:FAIL] doc_root on {a}: hosting: create doc root <site>")
    assert f"Repair: factory health repair {a}" in texts[0]
    assert texts[1].startswith(f"[FIRING:FAIL] verification_txt on {b}: search_console: create TXT <site>")
    assert sorted(str(m["Subject"]).split()[1] for _, m in box.messages) == ["doc_root", "verification_txt"]
    assert deliver(settings, stack.store).sent == 0  # still open: not repeated

    # The CLI lists them by kind.
    runner = CliRunner()
    common.store.cache_clear()
    common.context.cache_clear()
    listed = runner.invoke(app, ["health", "--check", "doc_root"])
    assert listed.exit_code == 0 and a in listed.output and b not in listed.output

    # One repair of the site whose only drift is its doc root: the hosting step, and the release is back.
    assert drifted(ctx) == {a: ("hosting",), b: ("search_console",)}
    runs = InProcessRuns(stack)
    shown = repair(ctx, runs, [a], "ops@example.com")
    outcome = repair(ctx, runs, [], "ops@example.com", confirm=shown.plan_hash) if shown.needs_confirmation else shown
    assert outcome.refused is None, outcome.refused
    assert [(x.domain, x.steps) for x in outcome.launched] == [(a, ("hosting_site",))]
    assert releaser.live_release(lay) == released["release"]
    assert f'<link rel="canonical" href="https://{a}/"' in releaser.read_live_file(lay)

    shown = repair(ctx, runs, [b], "ops@example.com")
    outcome = repair(ctx, runs, [], "ops@example.com", confirm=shown.plan_hash) if shown.needs_confirmation else shown
    assert [(x.domain, x.steps) for x in outcome.launched] == [(b, ("gsc_property",))]
    assert [r.content.strip('"') for r in verification_txt(stack, b)] == [txt.content.strip('"')]

    after = sweep(ctx)
    assert stack.store.health.problems() == [] and len(after.recorded.resolved) == 2
    resolved = deliver(settings, stack.store)
    assert resolved.resolved == 2
    assert sorted(p["text"].split(" ")[1] for p in receiver.posts[-2:]) == ["doc_root", "verification_txt"]
    common.store.cache_clear()
    common.context.cache_clear()
