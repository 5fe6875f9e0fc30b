"""Fixtures for the content/build/deploy tests: a real Directus (npm, on the machine's Postgres,
started once per session), the sandbox (OpenAI simulator), a real sshd + rsync, and the Dagster
resources pointed at all of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.env import hosting_settings
from devtools.sandbox.sshd import SshdHandle, start_sshd
from factory.store import NewSite, Store
from factory.vendors.directus import DirectusClient
from resources.factory import FactoryResource


@pytest.fixture(scope="session")
def cms(directus) -> Iterator[DirectusClient]:
    with DirectusClient(directus.url, directus.token) as client:
        yield client


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="session")
def sshd(tmp_path_factory) -> Iterator[SshdHandle]:
    handle = start_sshd(tmp_path_factory.mktemp("sshd"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture()
def resources(clean_db, directus, sandbox, sshd, tmp_path, monkeypatch) -> Iterator[dict]:
    """The code location's one resource, configured (as in production) from the environment."""
    env = {**settings(sandbox.url), **hosting_settings(sshd), "FACTORY_DATABASE_URL": clean_db,
           "DIRECTUS_URL": directus.url, "DIRECTUS_TOKEN": directus.token,
           "FACTORY_BUILD_DIR": str(tmp_path / "builds"), "FACTORY_KEEP_RELEASES": "3"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    sandbox.openai.set_output("valid")
    factory = FactoryResource()
    yield {"factory": factory}
    factory.store.close()


def onboarded_site(store: Store, root: Path, domain: str, brand: str | None = "Acme Garden Tools",
                   matomo_site_id: int = 7) -> Path:
    """A sites row as the upstream steps leave it: hosting doc root (a CloudPanel placeholder
    directory) and a Matomo site id."""
    if not store.cloudflare_accounts.list():
        store.cloudflare_accounts.add("ops@example.com", "main", "cf-token-123456")
    store.sites.add(NewSite(domain, "main", brand_name=brand))
    doc_root = root / "home" / "acme" / "htdocs" / domain
    doc_root.mkdir(parents=True)
    (doc_root / "index.html").write_text("<h1>CloudPanel placeholder</h1>")
    site = store.sites.get(domain)
    store.sites.update(site.id, hosting_doc_root=str(doc_root), matomo_site_id=matomo_site_id)
    return doc_root


def materialize(assets, domain: str, resources: dict, instance: dg.DagsterInstance, **kwargs):
    if not instance.has_dynamic_partition("site", domain):
        instance.add_dynamic_partitions("site", [domain])
    return dg.materialize(assets, partition_key=domain, resources=resources, instance=instance, **kwargs)
