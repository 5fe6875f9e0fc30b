"""The analytics stack: the simulators over HTTP, real Postgres, the code location from
definitions.py and an on-disk Dagster instance on Postgres (fixtures shared with onboarding)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import pytest

from factory.store import Store
from devtools.sandbox import SandboxServer, settings
from tests.onboarding.conftest import (  # noqa: F401
    TIME_SCALE,
    dagster_storage_url,
    sandbox,
    sandbox_server,
)
from resources.dagster_storage import storage_config


@dataclass
class AnalyticsStack:
    sandbox: SandboxServer
    store: Store
    instance: dg.DagsterInstance
    defs: dg.Definitions

    def run(self, first: str, last: str) -> dg.ExecuteInProcessResult:
        """One run of analytics_job over a partition range, as a UI backfill or the schedule launches it."""
        return self.defs.resolve_job_def("analytics_job").execute_in_process(
            instance=self.instance, raise_on_error=False,
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})


@pytest.fixture()
def analytics(sandbox, clean_db, dagster_storage_url, tmp_path, monkeypatch) -> Iterator[AnalyticsStack]:  # noqa: F811
    for key, value in {**settings(sandbox.url), "FACTORY_DATABASE_URL": clean_db,
                       "FACTORY_RATE_TIME_SCALE": str(TIME_SCALE)}.items():
        monkeypatch.setenv(key, value)
    import definitions
    from factory.config import load_settings

    defs = definitions.build_definitions(load_settings())
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster"), overrides={
        "storage": storage_config(dagster_storage_url),
        "telemetry": {"enabled": False},
    })
    instance.wipe()
    store = Store(clean_db)
    yield AnalyticsStack(sandbox, store, instance, defs)
    store.close()
    instance.dispose()
