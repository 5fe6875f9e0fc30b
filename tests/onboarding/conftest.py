"""The onboarding stack for end-to-end tests: the simulators over HTTP, a real sshd with the
clpctl stand-in, real Postgres, and a real (on-disk) Dagster instance."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import pytest

from factory.store import NewSite, Store
from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.cloudflare import account_id_for
from devtools.sandbox.env import hosting_settings
from devtools.sandbox.sshd import SshdHandle, start_sshd
from resources.dagster_storage import storage_config

TIME_SCALE = 0.01
ONBOARDING = [dg.AssetKey(k) for k in ("dns_zone", "hosting_site", "matomo_site", "gsc_property")]


def delegations(result: dg.SensorResult) -> list[dg.RunRequest]:
    """The new-sites sensor's first run of each site it admitted (its `dns_zone`; the rest of its
    onboarding is a second request)."""
    return [r for r in result.run_requests if r.tags.get("factory/phase") == "delegation"]


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    # Instant vendors: zones activate as soon as the registrar delegates, TXT records are visible at
    # once (these tests are about idempotency and faults, not waiting). Zone-scoped tokens: the
    # product creates zones under the stored account id and never lists accounts.
    with SandboxServer(time_scale=TIME_SCALE, instant=True) as server:
        yield server


@pytest.fixture(scope="session")
def sshd(sandbox_server, tmp_path_factory) -> Iterator[SshdHandle]:
    handle = start_sshd(tmp_path_factory.mktemp("sshd"), sandbox_url=sandbox_server.url)
    yield handle
    handle.stop()


@pytest.fixture()
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    sandbox_server.reset()
    sandbox_server.clear_faults()
    return sandbox_server


@dataclass
class Stack:
    sandbox: SandboxServer
    sshd: SshdHandle
    store: Store
    instance: dg.DagsterInstance
    defs: dg.Definitions
    instance_dir: str
    instance_overrides: dict

    @property
    def job(self) -> dg.JobDefinition:
        return self.defs.resolve_job_def("onboard_site_job")

    def sensor_tick(self, cursor: str | None = None) -> dg.SensorResult:
        sensor = self.defs.resolve_sensor_def("new_sites_sensor")
        with dg.build_sensor_context(instance=self.instance, cursor=cursor,
                                     resources={"factory": self.defs.resources["factory"]}) as ctx:
            result = sensor(ctx)
        for request in result.dynamic_partitions_requests:
            if isinstance(request, dg.AddDynamicPartitionsRequest):
                self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
            else:
                for key in request.partition_keys:
                    self.instance.delete_dynamic_partition(request.partitions_def_name, key)
        return result

    def run(self, domain: str, **kwargs) -> dg.ExecuteInProcessResult:
        """The onboarding steps of `onboard_site_job` (content, build and deploy are tested apart)."""
        return self.job.execute_in_process(partition_key=domain, instance=self.instance, raise_on_error=False,
                                           asset_selection=ONBOARDING, **kwargs)

    def run_all(self, domains: list[str], workers: int = 3) -> dict[str, bool]:
        """Run the onboarding steps for many partitions at once, in worker processes."""
        from devtools.local_runs import run_partitions

        return run_partitions(domains, instance_dir=self.instance_dir, overrides=self.instance_overrides,
                              job_name="onboard_site_job", asset_keys=[k.path[-1] for k in ONBOARDING],
                              workers=workers)

    def clpctl_sites(self) -> dict:
        import json

        path = self.sshd.sandbox_root / "clpctl-state.json"
        return json.loads(path.read_text()).get("sites", {}) if path.exists() else {}


@pytest.fixture(scope="session")
def dagster_storage_url() -> Iterator[str]:
    """Dagster's own storage on the machine's Postgres, in a database apart from the app's."""
    from tests.conftest import empty_database

    with empty_database("factory_dagster") as url:
        yield url


@pytest.fixture()
def stack(sandbox, sshd, clean_db, dagster_storage_url, tmp_path, monkeypatch) -> Iterator[Stack]:
    env = {
        **settings(sandbox.url),
        "FACTORY_DATABASE_URL": clean_db,
        "FACTORY_RATE_TIME_SCALE": str(TIME_SCALE),
        **hosting_settings(sshd),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import shutil

    import definitions
    from factory.config import load_settings

    # The hosting server starts empty too (the sshd lives for the whole session).
    (sshd.sandbox_root / "clpctl-state.json").unlink(missing_ok=True)
    shutil.rmtree(sshd.home_root, ignore_errors=True)
    defs = definitions.build_definitions(load_settings())
    (tmp_path / "dagster").mkdir()
    overrides = {"storage": storage_config(dagster_storage_url), "telemetry": {"enabled": False},
                 "compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager",
                                  "class": "NoOpComputeLogManager"}}
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster"), overrides=overrides)
    instance.wipe()
    for key in instance.get_dynamic_partitions("site"):
        instance.delete_dynamic_partition("site", key)
    store = Store(clean_db)
    yield Stack(sandbox, sshd, store, instance, defs, str(tmp_path / "dagster"), overrides)
    store.close()
    instance.dispose()


def add_fleet(store: Store, n: int) -> list[str]:
    """n sites over three Cloudflare accounts and two Google accounts (every 7th site has none)."""
    for i in range(3):
        token = f"sandbox-token-{i}-abcdef"
        store.cloudflare_accounts.add(f"cf{i}@example.com", f"CF_{i}", token, account_id_for(token))
    for i in range(2):
        store.gsc_accounts.add(f"seo{i}@example.com", f"sandbox-refresh-{i}-abcdef")
    sites = [NewSite(f"site{i:03d}.com", f"CF_{i % 3}", None if i % 7 == 6 else f"seo{i % 2}@example.com",
                     f"Site {i}") for i in range(n)]
    store.sites.add_many(sites)
    return [s.domain for s in sites]


os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
