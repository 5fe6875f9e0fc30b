"""The quality gate in the product: site_build audits every new build with Lighthouse (real
Chromium) and records its verdict and preview; site_deployment deploys only a build that passed
and otherwise fails with the audits named, leaving the live release alone. A theme change
rebuilds that site only."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from factory.layers import build
from factory.layers.runner import RETRY_WAIT
from factory.store import Store
from factory_assets.publishing import publishing_assets
from resources.factory import FactoryResource
from tests.content.conftest import materialize, onboarded_site

CHAIN = site_content, site_build, site_deployment = publishing_assets(batch_size=250)
PNG = b"\x89PNG\r\n\x1a\n"


def _live(doc_root: Path) -> str:
    return os.readlink(doc_root).rsplit("/", 1)[-1]


def _meta(result, asset) -> dict:
    [event] = result.asset_materializations_for_node(asset.op.name)
    return {k: v.value for k, v in event.metadata.items()}


def test_a_build_that_fails_an_audit_is_not_deployed_and_says_which(resources, cms, tmp_path):
    store: Store = resources["factory"].store
    domain = "gated-garden.com"
    doc_root = onboarded_site(store, tmp_path / "host", domain, brand="Gated Garden")
    instance = dg.DagsterInstance.ephemeral()

    # A good build passes: scores and preview recorded, the scores in the asset's metadata, live.
    first = materialize(CHAIN, domain, resources, instance)
    assert first.success
    meta = _meta(first, site_build)
    assert meta["quality_passed"] is True and meta["lighthouse_seo"] >= 95 and meta["lighthouse_accessibility"] >= 95
    state = store.publishing.states([domain])[domain]
    verdict = store.quality.latest(domain)
    assert verdict.build_hash == state.build_hash and verdict.passed and verdict.message is None
    assert set(verdict.scores) == {"performance", "accessibility", "best-practices", "seo"}
    assert Path(verdict.preview_path).read_bytes().startswith(PNG)
    output = resources["factory"].ctx.clients.builder().output_path(domain, state.build_hash)
    assert not Path(verdict.preview_path).is_relative_to(output)  # never deployed with the site
    good = _live(doc_root)
    assert store.sites.get(domain).status_deployment == "deployed"

    # An editor empties the about page's description: the new build is audited and stopped.
    about = next(p for p in cms.pages([domain])[domain] if p["slug"] == "about")
    cms.update_page(about["id"], {"seo_description": "", "title": "About the new gardeners"})
    second = materialize([site_build, site_deployment], domain, resources, instance, raise_on_error=False)
    assert not second.success
    meta = _meta(second, site_build)
    assert meta["quality_passed"] is False and meta["quality_failed_audits"] == "meta-description"
    assert meta["lighthouse_seo"] < 95
    site = store.sites.get(domain)
    assert site.status_deployment == "failed" and site.error_step == "site_deployment"
    assert "not deployed: quality gate failed for gated-garden.com: seo" in site.error_message
    assert "meta-description on /about/ (Document does not have a meta description)" in site.error_message
    verdict = store.quality.latest(domain)
    assert not verdict.passed and [a["id"] for a in verdict.failed_audits()] == ["meta-description"]
    assert verdict.build_hash == store.publishing.states([domain])[domain].build_hash != state.build_hash
    # The live site is the last good build.
    assert _live(doc_root) == good and "About the new gardeners" not in (doc_root / "about" / "index.html").read_text()

    # Fixing the page makes a new build that passes and goes live.
    cms.update_page(about["id"], {"seo_description": "Who we are and how we look after your garden."})
    third = materialize([site_build, site_deployment], domain, resources, instance)
    assert third.success and store.sites.get(domain).status_deployment == "deployed"
    assert "About the new gardeners" in (doc_root / "about" / "index.html").read_text()


def test_changing_one_sites_theme_rebuilds_only_that_site(resources, cms, tmp_path):
    store: Store = resources["factory"].store
    domains = ["first-theme.com", "second-theme.com"]
    roots = {d: onboarded_site(store, tmp_path / "host", d, brand=d.split(".")[0].title(), matomo_site_id=i + 3)
             for i, d in enumerate(domains)}
    instance = dg.DagsterInstance.ephemeral()
    for domain in domains:
        assert materialize(CHAIN, domain, resources, instance).success
    before = {d: store.publishing.states([d])[d].deployed_hash for d in domains}
    colour = {d: _theme_colour(roots[d]) for d in domains}
    old_theme = build.theme_for(domains[0])
    new_theme = "studio/night" if old_theme["name"] != "studio" else "ledger/ink"

    store.sites.set_theme(store.sites.get(domains[0]).id, new_theme)
    results = {d: materialize([site_build, site_deployment], d, resources, instance) for d in domains}
    changed, same = results[domains[0]], results[domains[1]]
    assert _meta(changed, site_build)["quality_passed"] is True and "files" in _meta(changed, site_build)
    assert _meta(same, site_build)["skip_reason"] == "unchanged since the last deploy"
    after = {d: store.publishing.states([d])[d].deployed_hash for d in domains}
    assert after[domains[0]] != before[domains[0]] and after[domains[1]] == before[domains[1]]
    assert store.quality.latest(domains[0]).build_hash == after[domains[0]]  # the new theme passed the gate
    assert _theme_colour(roots[domains[0]]) != colour[domains[0]] and _theme_colour(roots[domains[1]]) == colour[domains[1]]


def _theme_colour(doc_root: Path) -> str:
    html = (doc_root / "index.html").read_text()
    return html.split('<meta name="theme-color" content="', 1)[1].split('"', 1)[0]


def test_a_gate_that_runs_out_of_time_waits_for_another_attempt_and_deploys_nothing(resources, cms, tmp_path,
                                                                                  monkeypatch):
    """On a loaded machine Lighthouse may not finish in its time: the build is kept, the step waits
    for another attempt (not failed, not deployed unaudited), and the next attempt runs only the gate."""
    store: Store = resources["factory"].store
    domain = "slow-gate.com"
    onboarded_site(store, tmp_path / "host", domain, brand="Slow Gate")
    instance = dg.DagsterInstance.ephemeral()
    monkeypatch.setenv("FACTORY_QUALITY_TIME_LIMIT_S", "1")
    first = materialize([site_content, site_build, site_deployment], domain, resources, instance, raise_on_error=False)
    assert not first.success
    site = store.sites.get(domain)
    step = store.steps.get(site.id, "site_build")
    assert step.state == "waiting" and step.waiting_for == RETRY_WAIT and step.next_check_at is not None
    assert site.error_step == "site_build" and "the quality runner did not finish within 1s" in site.error_message
    assert site.status_deployment != "deployed" and store.quality.latest(domain) is None
    kept = store.publishing.states([domain])[domain].build_hash
    assert kept is not None and store.publishing.states([domain])[domain].deployed_hash is None

    # With time for it, the next attempt audits the kept build (no new Astro build) and deploys it.
    monkeypatch.delenv("FACTORY_QUALITY_TIME_LIMIT_S")
    fresh = {"factory": FactoryResource()}
    try:
        second = materialize([site_build, site_deployment], domain, fresh, instance)
    finally:
        fresh["factory"].store.close()
    meta = _meta(second, site_build)
    assert meta["quality_passed"] is True and "files" not in meta and meta["build_hash"] == kept
    site = store.sites.get(domain)
    assert site.status_deployment == "deployed" and site.error_message is None
    assert store.quality.latest(domain).build_hash == kept
