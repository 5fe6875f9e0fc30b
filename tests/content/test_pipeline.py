"""From a sites row to deployed files, through real Directus, Astro, sshd + rsync (and the
sandbox's OpenAI simulator): idempotent re-runs, editor edits that survive, rollbacks."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from factory.layers.deploy import rollback
from factory.store import Store
from factory.vendors.rsync import INITIAL_RELEASE
from factory_assets.publishing import publishing_assets
from tests.content.conftest import materialize, onboarded_site

CHAIN = site_content, site_build, site_deployment = publishing_assets(batch_size=250)


def _live(doc_root: Path) -> str:
    return os.readlink(doc_root).rsplit("/", 1)[-1]


def _meta(result, asset) -> dict:
    [event] = result.asset_materializations_for_node(asset.op.name)
    return {k: v.value for k, v in event.metadata.items()}


def test_row_to_live_site_then_rerun_changes_nothing(resources, cms, tmp_path):
    store: Store = resources["factory"].store
    domain = "acme-tools.com"
    doc_root = onboarded_site(store, tmp_path / "host", domain)
    instance = dg.DagsterInstance.ephemeral()

    result = materialize(CHAIN, domain, resources, instance)
    assert result.success
    site = store.sites.get(domain)
    assert (site.status_content, site.status_deployment, site.error_message) == ("generated", "deployed", None)

    # The doc root is now a symlink to the live release; CloudPanel's placeholder was kept aside.
    assert doc_root.is_symlink()
    releases = doc_root.parent / ".releases" / domain
    assert (releases / INITIAL_RELEASE / "index.html").exists()
    index = (doc_root / "index.html").read_text()
    assert f'<link rel="canonical" href="https://{domain}/"' in index
    assert "_paq.push(['setSiteId', '7'])" in index and "<!-- Matomo -->" in index
    assert f'var u="{os.environ["MATOMO_URL"]}"' in index
    assert '<link rel="canonical" href="https://acme-tools.com/about/"' in (doc_root / "about" / "index.html").read_text()
    assert "<loc>https://acme-tools.com/about/</loc>" in (doc_root / "sitemap.xml").read_text()
    assert "Sitemap: https://acme-tools.com/sitemap.xml" in (doc_root / "robots.txt").read_text()
    assert 'href="/about/"' in index  # navigation

    # Directus holds the generated pages, unique per (site, slug); the store records the generation.
    pages = cms.pages([domain])[domain]
    assert [p["slug"] for p in pages][:1] == ["home"] and len(pages) >= 3
    state = store.publishing.states([domain])[domain]
    assert state.content_model == "gpt-4o-mini" and state.content_prompt_version.startswith("site_plan@")
    assert state.deployed_hash == state.build_hash and state.deployed_release == _live(doc_root)
    first_release = _live(doc_root)

    # Re-running the whole chain changes nothing and transfers nothing.
    before = sorted(p.name for p in releases.iterdir())
    again = materialize(CHAIN, domain, resources, instance)
    assert again.success
    assert _meta(again, site_content)["skip_reason"] == "already generated with this prompt version and model"
    assert _meta(again, site_build)["skip_reason"] == "unchanged since the last deploy"
    deploy_meta = _meta(again, site_deployment)
    assert deploy_meta["skip_reason"] == "this build is already live"
    assert (deploy_meta["plan_noop"], deploy_meta["plan_create"], deploy_meta["plan_update"]) == (1, 0, 0)
    assert "this build is already live" in deploy_meta["plan"]  # the plan, as Markdown
    assert sorted(p.name for p in releases.iterdir()) == before and _live(doc_root) == first_release
    assert len(cms.pages([domain])[domain]) == len(pages)


def test_editor_edit_survives_regeneration_and_is_published(resources, cms, tmp_path):
    store: Store = resources["factory"].store
    domain = "edited-site.com"
    doc_root = onboarded_site(store, tmp_path / "host", domain, brand="Edited Site")
    instance = dg.DagsterInstance.ephemeral()
    assert materialize(CHAIN, domain, resources, instance).success
    old_release = _live(doc_root)

    about = next(p for p in cms.pages([domain])[domain] if p["slug"] == "about")
    cms.update_page(about["id"], {"body": "## Our story\n\nWritten by a human editor."})

    # Regeneration (forced) keeps the edited page and never duplicates pages.
    regen = materialize([site_content], domain, resources, instance,
                        run_config={"ops": {"site_content": {"config": {"regenerate": True}}}})
    assert regen.success
    meta = _meta(regen, site_content)
    assert meta["kept_edited"] == 1 and meta["created"] == 0
    pages = cms.pages([domain])[domain]
    assert len({p["slug"] for p in pages}) == len(pages)
    assert next(p for p in pages if p["slug"] == "about")["body"].endswith("Written by a human editor.")

    # Publishing the edit = re-materializing build + deploy for the partition.
    result = materialize([site_build, site_deployment], domain, resources, instance)
    assert result.success
    new_release = _live(doc_root)
    assert new_release != old_release
    assert "Written by a human editor." in (doc_root / "about" / "index.html").read_text()
    # Unchanged files were hard-linked from the previous release, not uploaded again.
    releases = doc_root.parent / ".releases" / domain
    assert (releases / new_release / "robots.txt").stat().st_ino == (releases / old_release / "robots.txt").stat().st_ino
    assert 0 < _meta(result, site_deployment)["files_transferred"] < 4


def test_bad_deploy_rolls_back_and_operator_rollback(resources, cms, tmp_path):
    store: Store = resources["factory"].store
    domain = "rollback-site.com"
    doc_root = onboarded_site(store, tmp_path / "host", domain, brand="Rollback Site")
    instance = dg.DagsterInstance.ephemeral()
    assert materialize(CHAIN, domain, resources, instance).success
    good = _live(doc_root)

    home = next(p for p in cms.pages([domain])[domain] if p["slug"] == "home")
    cms.update_page(home["id"], {"title": "A new home title"})
    assert materialize([site_build], domain, resources, instance).success
    # Sabotage the build output: the tracking snippet is gone, so the post-deploy check must fail.
    state = store.publishing.states([domain])[domain]
    built = resources["factory"].ctx.clients.builder().output_path(domain, state.build_hash) / "index.html"
    built.write_text(built.read_text().replace("<!-- Matomo -->", ""))

    result = materialize([site_deployment], domain, resources, instance, raise_on_error=False)
    assert not result.success
    site = store.sites.get(domain)
    assert site.status_deployment == "failed" and "post-deploy check failed" in site.error_message
    assert "Matomo" in site.error_message and f"rolled back to {good}" in site.error_message
    assert _live(doc_root) == good and "A new home title" not in (doc_root / "index.html").read_text()
    assert store.publishing.states([domain])[domain].deployed_release == good

    # A good deploy, then the operator's rollback swaps back to the release before it.
    built.write_text(built.read_text().replace("<script>", "<!-- Matomo -->\n<script>", 1))
    assert materialize([site_deployment], domain, resources, instance).success
    assert "A new home title" in (doc_root / "index.html").read_text()
    before, after = rollback(resources["factory"].ctx, store.sites.get(domain))
    assert before != good and after == good and _live(doc_root) == good
    assert "A new home title" not in (doc_root / "index.html").read_text()


def test_schema_breaking_llm_output_fails_clearly(resources, sandbox, tmp_path):
    store: Store = resources["factory"].store
    domain = "broken-llm.com"
    onboarded_site(store, tmp_path / "host", domain, brand="Broken")
    sandbox.openai.set_output("schema_break")
    result = materialize([site_content], domain, resources, dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success
    site = store.sites.get(domain)
    assert site.status_content == "failed"
    assert "does not match the site_plan schema" in site.error_message
    assert "'tagline' is a required property" in site.error_message
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data
    assert "does not match the site_plan schema" in failure.description
    assert store.publishing.states([domain]).get(domain) is None


def test_a_batch_of_sites_records_each_sites_own_metadata_on_its_partition(resources, cms, tmp_path):
    """A range run (a backfill's batch) materializes every partition with that site's own plan
    and facts, as a run of one site does, plus the batch's counts — not the whole batch's
    per-site table on each partition (which grew as the square of the batch)."""
    store: Store = resources["factory"].store
    domains = ["batch-one.com", "batch-two.com", "batch-three.com"]
    for i, domain in enumerate(domains):
        onboarded_site(store, tmp_path / "host", domain, brand=f"Batch {i}", matomo_site_id=10 + i)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("site", domains)
    first, last = domains[0], domains[-1]  # dynamic partitions keep the order they were added in
    result = dg.materialize(CHAIN, resources=resources, instance=instance, tags={
        "dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})
    assert result.success
    states = store.publishing.states(domains)
    for asset in CHAIN:
        events = {e.partition: {k: v.value for k, v in e.metadata.items()}
                  for e in result.asset_materializations_for_node(asset.op.name)}
        assert sorted(events) == sorted(domains), asset.op.name
        for domain, meta in events.items():
            assert "per_site" not in meta and meta["sites"] == 3
            assert meta["state"] == "succeeded" and domain in meta["plan"], (domain, meta["plan"])
            assert not any(other in meta["plan"] for other in domains if other != domain), meta["plan"]
        assert events[first]["changed"] == 3
    builds = {d: m["build_hash"] for d, m in ((e.partition, {k: v.value for k, v in e.metadata.items()})
                                               for e in result.asset_materializations_for_node(site_build.op.name))}
    assert builds == {d: states[d].build_hash for d in domains}
