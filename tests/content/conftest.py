"""Fixtures for the content/build/deploy tests: a real Directus (npm, on the machine's Postgres,
started once per session), the sandbox (OpenAI simulator), a real sshd + rsync, and the Dagster
resources pointed at all of them."""

from __future__ import annotations

import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from factory.config import PROJECT_ROOT
from devtools import directus_server
from factory.content.directus import DirectusClient
from factory.store import NewSite, Store
from resources.deploy_target import DeployTargetResource, SiteBuilderResource
from resources.directus import DirectusResource
from resources.llm import LlmResource
from resources.ssh import SshResource
from resources.store import StoreResource
from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.sshd import SshdHandle, start_sshd
from tests.conftest import ADMIN_URL


@pytest.fixture(scope="session")
def npm_ready() -> None:
    """The npm parts (Directus, Astro) installed: the same script CI runs."""
    subprocess.run([str(PROJECT_ROOT / "scripts" / "install-npm")], check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def directus(npm_ready, tmp_path_factory) -> Iterator[directus_server.DirectusServer]:
    name = f"directus_test_{uuid.uuid4().hex[:10]}"
    url = directus_server.create_database(ADMIN_URL, name)
    server = directus_server.start_directus(
        url, state_dir=tmp_path_factory.mktemp("directus"), token=secrets.token_urlsafe(24),
        key=secrets.token_hex(16), secret=secrets.token_hex(32),
    )
    try:
        yield server
    finally:
        server.stop()
        directus_server.drop_database(ADMIN_URL, name)


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
def resources(clean_db, directus, sandbox, sshd, tmp_path) -> dict:
    env = settings(sandbox.url)
    sandbox.openai.set_output("valid")
    return {
        "store": StoreResource(database_url=clean_db),
        "directus": DirectusResource(url=directus.url, token=directus.token),
        "llm": LlmResource(api_key=env["OPENAI_API_KEY"], base_url=env["OPENAI_BASE_URL"], max_retries=0),
        "site_builder": SiteBuilderResource(matomo_url=env["MATOMO_URL"], build_dir=str(tmp_path / "builds")),
        "deploy_target": DeployTargetResource(keep_releases=3),
        "ssh": SshResource(host=sshd.host, port=sshd.port, user=sshd.user, key_path=str(sshd.client_key),
                           known_hosts_path=str(sshd.known_hosts)),
    }


def onboarded_site(store: Store, root: Path, domain: str, brand: str | None = "Acme Garden Tools",
                   matomo_site_id: int = 7) -> Path:
    """A sites row as the upstream steps leave it: hosting doc root (a CloudPanel placeholder
    directory) and a Matomo site id."""
    if not store.list_cloudflare_accounts():
        store.add_cloudflare_account("ops@example.com", "main", "cf-token-123456")
    store.add_site(NewSite(domain, "main", brand_name=brand))
    doc_root = root / "home" / "acme" / "htdocs" / domain
    doc_root.mkdir(parents=True)
    (doc_root / "index.html").write_text("<h1>CloudPanel placeholder</h1>")
    store.update_site(domain, hosting_doc_root=str(doc_root), matomo_site_id=matomo_site_id)
    return doc_root


def materialize(assets, domain: str, resources: dict, instance: dg.DagsterInstance, **kwargs):
    if not instance.has_dynamic_partition("site", domain):
        instance.add_dynamic_partitions("site", [domain])
    return dg.materialize(assets, partition_key=domain, resources=resources, instance=instance, **kwargs)
