"""Every layer's plan is a pure function of what the site should have and what the vendor has:
tested here with no server at all, waiting cases included."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from factory.config import load_settings
from factory.layers import build, content, deploy, dns, hosting, matomo, search_console
from factory.layers.change import is_converged, markdown, plan_hash, summary, waits, writes
from factory.store import PublishState, QualityVerdict, Site
from factory.vendors.cloudflare import Record, Zone
from factory.vendors.namecheap import NameserverState
from factory.vendors.rsync import ReleaseError

NS = ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]


def site(**changes) -> Site:
    now = dt.datetime.now(dt.UTC)
    values = dict(id=uuid.uuid4(), created_at=now, updated_at=now, seq=1, domain="acme-example.com", brand_name="Example",
                  cloudflare_account_id=uuid.uuid4(), cloudflare_account="CF", gsc_account_id=uuid.uuid4(),
                  gsc_account="seo@example.com", status_dns="pending", status_hosting="pending",
                  status_content="pending", status_deployment="pending", hosting_doc_root=None, matomo_site_id=None,
                  gsc_verification_status="pending", error_message=None, error_step=None, cloudflare_zone_id=None,
                  cloudflare_name_servers=None, cloudflare_zone_status=None, hosting_site_user=None,
                  hosting_certificate=False, gsc_property=None)
    values.update(changes)
    return Site(**values)


SETTINGS = load_settings(cloudpanel_public_ip="198.51.100.7")


# -- DNS -------------------------------------------------------------------------------------------
def dns_seen(status="active", records=True, ssl="full", registrar=None) -> dns.DnsObserved:
    zone = Zone("z1", "acme-example.com", status, NS)
    found = {}
    if records:
        found = {"A acme-example.com": [Record("r1", "A", "acme-example.com", "198.51.100.7", True)],
                 "A www.acme-example.com": [Record("r2", "A", "www.acme-example.com", "198.51.100.7", True)]}
    return dns.DnsObserved(zone, found, ssl, registrar)


def test_dns_converged_zone_plans_nothing() -> None:
    want = dns.desired(site(), SETTINGS)
    assert [r.content for r in want.records] == ["198.51.100.7", "198.51.100.7"]
    changes = dns.plan(want, dns_seen())
    assert is_converged(changes) and summary(changes)["noop"] == len(changes)


def test_dns_new_site_plans_zone_records_ssl_delegation_then_waits() -> None:
    changes = dns.plan(dns.desired(site(), SETTINGS), dns.DnsObserved(None))
    assert [(c.kind, c.action) for c in writes(changes)] == [
        ("create", "create_zone"), ("create", "create_record"), ("create", "create_record"),
        ("update", "set_ssl"), ("update", "set_nameservers")]
    assert [c.reason for c in waits(changes)] == [dns.WAIT_DELEGATION]


def test_dns_pending_zone_already_delegated_only_waits() -> None:
    seen = dns_seen("pending", registrar=NameserverState("acme-example.com", False, list(reversed(NS))))
    changes = dns.plan(dns.desired(site(), SETTINGS), seen)
    assert writes(changes) == []  # setCustom is not sent again: Namecheap's budget is small
    assert [c.action for c in waits(changes)] == ["activation_check"]


def test_dns_pending_zone_delegated_elsewhere_sets_nameservers() -> None:
    seen = dns_seen("pending", registrar=NameserverState("acme-example.com", True, ["dns1.registrar-servers.com",
                                                                               "dns2.registrar-servers.com"]))
    [change] = writes(dns.plan(dns.desired(site(), SETTINGS), seen))
    assert change.action == "set_nameservers" and change.before.startswith("dns1.registrar-servers.com")
    assert change.after == ", ".join(NS)


def test_dns_drifted_record_and_ssl_are_updates() -> None:
    seen = dns_seen(ssl="flexible")
    seen.records["A www.acme-example.com"] = [Record("r2", "A", "www.acme-example.com", "192.0.2.1", True)]
    changes = writes(dns.plan(dns.desired(site(), SETTINGS), seen))
    assert [(c.target, c.before, c.after) for c in changes] == [
        ("A www.acme-example.com", "192.0.2.1 (proxied)", "198.51.100.7 (proxied)"), ("SSL mode", "flexible", "full")]


# -- hosting ---------------------------------------------------------------------------------------
def test_hosting_waits_for_dns_before_the_certificate() -> None:
    want = hosting.desired(site(), SETTINGS)
    changes = hosting.plan(want, hosting.HostingObserved(exists=False, certificate=False, dns_active=False))
    assert [(c.kind, c.action) for c in changes] == [("create", "add_site"), ("wait", "")]
    assert waits(changes)[0].reason == hosting.WAIT_DNS
    active = hosting.plan(want, hosting.HostingObserved(exists=True, certificate=False, dns_active=True))
    assert [(c.kind, c.action) for c in active] == [("noop", ""), ("create", "install_certificate")]
    assert is_converged(hosting.plan(want, hosting.HostingObserved(True, True, True)))
    assert want.doc_root == f"/home/{want.site_user}/htdocs/acme-example.com"


def test_hosting_puts_a_removed_doc_root_back() -> None:
    want = hosting.desired(site(), SETTINGS)
    changes = hosting.plan(want, hosting.HostingObserved(True, True, True, doc_root=False))
    assert [(c.kind, c.target, c.action) for c in writes(changes)] == [
        ("create", "doc root acme-example.com", hosting.RESTORE_DOC_ROOT)]
    # A site deleted from CloudPanel is re-created (its doc root with it), not restored.
    gone = hosting.plan(want, hosting.HostingObserved(False, False, True, doc_root=False))
    assert [c.action for c in writes(gone)] == ["add_site", "install_certificate"]


# -- Matomo ----------------------------------------------------------------------------------------
def test_matomo_adds_a_missing_site_and_adopts_an_existing_one() -> None:
    want = matomo.desired(site(), SETTINGS)
    assert [c.action for c in matomo.plan(want, matomo.MatomoObserved(None))] == ["add_site"]
    assert is_converged(matomo.plan(want, matomo.MatomoObserved(7)))


# -- Search Console --------------------------------------------------------------------------------
def test_search_console_waits_for_the_zone_then_verifies() -> None:
    want = search_console.desired(site(), SETTINGS)
    no_zone = search_console.plan(want, search_console.GscObserved())
    assert [c.kind for c in no_zone] == ["wait"]
    pending = search_console.plan(want, search_console.GscObserved(token="tok", zone_id="z1", zone_active=False))
    assert [(c.kind, c.action) for c in pending] == [("create", "create_txt"), ("wait", "")]
    active = search_console.plan(want, search_console.GscObserved(token="tok", txt_present=True, zone_id="z1",
                                                                 zone_active=True))
    assert [c.action for c in writes(active)] == ["verify", "add_property"]
    owned = search_console.plan(want, search_console.GscObserved(permission="siteOwner", verified=True))
    assert is_converged(owned)
    removed = search_console.plan(want, search_console.GscObserved(permission="siteOwner", verified=True,
                                                                  token="tok", txt_removed=True, zone_id="z1"))
    assert [(c.target, c.after, c.action) for c in writes(removed)] == [("TXT acme-example.com", "tok", "create_txt")]
    unmanaged = search_console.desired(site(gsc_account_id=None), SETTINGS)
    assert is_converged(search_console.plan(unmanaged, search_console.GscObserved()))


# -- content, build, deploy ------------------------------------------------------------------------
def state(**values) -> PublishState:
    base = dict(domain="acme-example.com", content_model="gpt-4o-mini", content_prompt_version="site_plan@1",
                content_hash="c1", build_hash=None, deployed_hash=None, deployed_release=None)
    return PublishState(**{**base, **values})


def test_content_generates_only_when_something_changed() -> None:
    want = content.ContentDesired("acme-example.com", "Example", "site_plan@1", "gpt-4o-mini")
    assert content.plan(want, content.ContentObserved(None, None))[0].kind == "create"
    assert is_converged(content.plan(want, content.ContentObserved(state(), "c1")))
    assert content.plan(want, content.ContentObserved(state(), "other"))[0].action == "generate"
    newer = content.ContentDesired("acme-example.com", "Example", "site_plan@2", "gpt-4o-mini")
    assert content.plan(newer, content.ContentObserved(state(), "c1"))[0].reason == "the prompt or the model changed"


PAGES = [{"slug": "home", "title": "Home", "status": "published", "body": "Hello"}]


def test_build_waits_for_matomo_and_skips_what_is_live() -> None:
    want = build.BuildDesired("acme-example.com", "Example", "https://m.example/", None, "tpl")
    assert [c.reason for c in build.plan(want, build.BuildObserved(None, "", PAGES))] == [build.WAIT_MATOMO]
    want = build.BuildDesired("acme-example.com", "Example", "https://m.example/", 3, "tpl")
    hash_ = build.build_input(want, build.BuildObserved(None, "", PAGES)).build_hash
    assert build.plan(want, build.BuildObserved(None, "", PAGES))[0].action == "build"
    assert is_converged(build.plan(want, build.BuildObserved(state(deployed_hash=hash_), "", PAGES)))
    assert is_converged(build.plan(want, build.BuildObserved(state(build_hash=hash_), "", PAGES, True)))
    with pytest.raises(build.BuildInputError):
        build.plan(want, build.BuildObserved(None, "", [{"slug": "about", "status": "published"}]))


def test_deploy_waits_for_hosting_and_refuses_without_a_build(tmp_path) -> None:
    want = deploy.DeployDesired("acme-example.com", "b" * 64)
    waiting = deploy.plan(want, deploy.DeployObserved(state(build_hash="b" * 64), None, tmp_path))
    assert [c.reason for c in waiting] == [deploy.WAIT_HOSTING]
    ready = deploy.plan(want, deploy.DeployObserved(state(build_hash="b" * 64), "/home/u/htdocs/acme-example.com", tmp_path))
    assert ready[0].action == "deploy"
    live = deploy.DeployObserved(state(build_hash="b" * 64, deployed_hash="b" * 64), "/home/u/htdocs/x", tmp_path)
    assert is_converged(deploy.plan(want, live))
    with pytest.raises(ReleaseError, match="not been built"):
        deploy.plan(deploy.DeployDesired("acme-example.com", None), live)


GATE = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}


def verdict(hash_: str, passed: bool = True, thresholds: dict | None = None) -> QualityVerdict:
    return QualityVerdict("acme-example.com", hash_, passed, {"seo": 100 if passed else 80}, thresholds or GATE,
                          message=None if passed else "quality gate failed for acme-example.com: seo 80 < 95")


def test_a_build_the_gate_has_not_checked_is_checked_without_rebuilding() -> None:
    want = build.BuildDesired("acme-example.com", "Example", "https://m.example/", 3, "tpl", gate=GATE)
    hash_ = build.build_input(want, build.BuildObserved(None, "", PAGES)).build_hash
    built = state(build_hash=hash_)
    [change] = build.plan(want, build.BuildObserved(built, "", PAGES, True))
    assert (change.action, change.reason) == ("gate", "the quality gate has not checked this build")
    assert is_converged(build.plan(want, build.BuildObserved(built, "", PAGES, True, verdict(hash_))))
    stricter = build.plan(want, build.BuildObserved(built, "", PAGES, True, verdict(hash_, thresholds={**GATE, "seo": 80})))
    assert stricter[0].reason == "the quality thresholds changed since this build was checked"
    # The gate is not part of the build hash: turning it on rebuilds nothing.
    assert build.build_input(want, build.BuildObserved(None, "", PAGES)).build_hash == \
        build.build_input(build.BuildDesired(*[getattr(want, f) for f in ("domain", "brand", "matomo_url",
                                                                          "matomo_site_id", "template")]),
                          build.BuildObserved(None, "", PAGES)).build_hash


def test_deploy_only_a_build_that_passed_the_gate(tmp_path) -> None:
    want = deploy.DeployDesired("acme-example.com", "b" * 64, gate=True)
    ready = dict(state=state(build_hash="b" * 64), doc_root="/home/u/htdocs/x", output=tmp_path)
    with pytest.raises(deploy.QualityGateFailed, match="has not checked build bbbbbbbbbbbb"):
        deploy.plan(want, deploy.DeployObserved(**ready))
    with pytest.raises(deploy.QualityGateFailed, match=r"build bbbbbbbbbbbb not deployed: quality gate failed for "
                                                       r"acme-example.com: seo 80 < 95"):
        deploy.plan(want, deploy.DeployObserved(**ready, verdict=verdict("b" * 64, passed=False)))
    assert deploy.plan(want, deploy.DeployObserved(**ready, verdict=verdict("b" * 64)))[0].action == "deploy"
    live = deploy.DeployObserved(state(build_hash="b" * 64, deployed_hash="b" * 64), "/home/u/htdocs/x", tmp_path)
    assert is_converged(deploy.plan(want, live))  # what is live stays live


def test_plans_render_and_hash_stably() -> None:
    changes = dns.plan(dns.desired(site(), SETTINGS), dns.DnsObserved(None))
    table = markdown(changes)
    assert table.splitlines()[0] == "| layer | change | target | before | after | why |"
    assert "| dns | create | zone acme-example.com |" in table
    assert plan_hash(changes) == plan_hash(list(changes)) != plan_hash(changes[:-1])
