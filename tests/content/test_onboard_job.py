"""The whole chain from `onboard_site_job` (the code location's own definitions and resources,
configured from the environment): a new sites row ends as a live, tracked site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from factory.store import NewSite, Store
from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.cloudflare import account_id_for
from devtools.sandbox.env import hosting_settings
from devtools.sandbox.sshd import SshdHandle, start_sshd


@pytest.fixture(scope="module")
def fast_sandbox() -> Iterator[SandboxServer]:
    # Instant vendors (zones activate when delegated); zone-scoped tokens, as an operator would issue.
    with SandboxServer(time_scale=0.01, instant=True) as server:
        yield server


@pytest.fixture(scope="module")
def host(fast_sandbox, tmp_path_factory) -> Iterator[SshdHandle]:
    handle = start_sshd(tmp_path_factory.mktemp("host"), sandbox_url=fast_sandbox.url)
    yield handle
    handle.stop()


def test_onboard_site_job_runs_the_whole_chain(fast_sandbox, host, directus, clean_db, tmp_path, monkeypatch):
    env = {**settings(fast_sandbox.url), **hosting_settings(host), "FACTORY_DATABASE_URL": clean_db,
           "FACTORY_RATE_TIME_SCALE": "0.01", "DIRECTUS_URL": directus.url, "DIRECTUS_TOKEN": directus.token,
           "FACTORY_BUILD_DIR": str(tmp_path / "builds")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import definitions
    from factory.config import load_settings

    defs = definitions.build_definitions(load_settings())
    store = Store(clean_db)
    try:
        store.cloudflare_accounts.add("cf@example.com", "CF", "sandbox-token-1-abcdef",
                                      account_id_for("sandbox-token-1-abcdef"))
        store.sites.add(NewSite("chain-example.com", "CF", None, "Chain Example"))
        instance = dg.DagsterInstance.ephemeral()
        instance.add_dynamic_partitions("site", ["chain-example.com"])
        job = defs.resolve_job_def("onboard_site_job")
        result = job.execute_in_process(partition_key="chain-example.com", instance=instance, raise_on_error=False)
        failures = [e.step_failure_data.error.message for e in result.get_step_failure_events()]
        assert result.success, failures
        site = store.sites.get("chain-example.com")
        assert (site.status_content, site.status_deployment, site.error_message) == ("generated", "deployed", None)
        doc_root = Path(site.hosting_doc_root)
        assert doc_root.is_symlink() and os.readlink(doc_root).startswith(".releases/chain-example.com/")
        index = (doc_root / "index.html").read_text()
        assert '<link rel="canonical" href="https://chain-example.com/"' in index
        assert f"_paq.push(['setSiteId', '{site.matomo_site_id}'])" in index
    finally:
        store.close()
