"""Decommissioning five live sites end to end (simulators over HTTP, real sshd + clpctl stand-in,
real Directus, real Dagster runs): planned first, behind the guard, resumable after a kill, and
nothing left behind at any vendor — while the sites' rows and analytics stay."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.cloudflare import account_id_for
from devtools.sandbox.env import hosting_settings
from devtools.sandbox.sshd import SshdHandle, start_sshd
from factory.clients import Clients
from factory.config import load_settings
from factory.layers import decommission
from factory.layers.runner import LayerContext
from factory.safe_changes import ChangeRefused, Selection, apply_plan, make_plan
from factory.store import AnalyticsRow, NewSite, SiteQuery, Store

pytestmark = pytest.mark.timeout(2400)
DOMAINS = [f"retire-{i}.com" for i in range(5)]
TOKEN = "sandbox-token-retire-abcdef"


@pytest.fixture(scope="module")
def fast_sandbox() -> Iterator[SandboxServer]:
    # Instant vendors: the fleet is onboarded in one run per site (this is about taking it down).
    with SandboxServer(time_scale=0.01, instant=True) as server:
        yield server


@pytest.fixture(scope="module")
def host(fast_sandbox, tmp_path_factory) -> Iterator[SshdHandle]:
    handle = start_sshd(tmp_path_factory.mktemp("host"), sandbox_url=fast_sandbox.url)
    yield handle
    handle.stop()


@pytest.fixture()
def fleet(fast_sandbox, host, directus, clean_db, tmp_path, monkeypatch):
    env = {**settings(fast_sandbox.url), **hosting_settings(host), "FACTORY_DATABASE_URL": clean_db,
           "FACTORY_RATE_TIME_SCALE": "0.01", "DIRECTUS_URL": directus.url, "DIRECTUS_TOKEN": directus.token,
           "FACTORY_BUILD_DIR": str(tmp_path / "builds")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import definitions

    defs = definitions.build_definitions(load_settings())
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster"))
    store = Store(clean_db)
    store.cloudflare_accounts.add("cf@example.com", "CF", TOKEN, account_id_for(TOKEN))
    store.gsc_accounts.add("seo@example.com", "sandbox-refresh-retire")
    store.sites.add_many([NewSite(d, "CF", "seo@example.com", f"Retire {i}") for i, d in enumerate(DOMAINS)])
    instance.add_dynamic_partitions("site", DOMAINS)
    job = defs.resolve_job_def("onboard_site_job")
    for domain in DOMAINS:
        result = job.execute_in_process(partition_key=domain, instance=instance, raise_on_error=False)
        assert result.success, [e.step_failure_data.error.message for e in result.get_step_failure_events()]
    yield defs, instance, store, str(tmp_path / "dagster")
    store.close()
    instance.dispose()


class InProcessRuns:
    def __init__(self, defs, instance):
        self.defs, self.instance, self.runs = defs, instance, []

    def launch_job(self, job, tags, *, steps=None, run_config=None) -> str:
        result = self.defs.resolve_job_def(job).execute_in_process(run_config=run_config, instance=self.instance,
                                                                    tags=tags, raise_on_error=False)
        self.runs.append((job, tags, result.success))
        return result.run_id


def _decommission_in_a_process(env: dict, instance_dir: str, domain: str) -> None:
    os.environ.update(env)
    import definitions

    defs = definitions.build_definitions(load_settings())
    config = {"ops": {s: {"config": {"domain": domain}} for s in decommission.STEPS}}
    defs.resolve_job_def("decommission_site_job").execute_in_process(
        run_config=config, instance=dg.DagsterInstance.local_temp(instance_dir), raise_on_error=False)


def _vendor_resources(sandbox: SandboxServer, host: SshdHandle) -> dict[str, list[str]]:
    state = sandbox.state
    clpctl = json.loads((host.sandbox_root / "clpctl-state.json").read_text()).get("sites", {})
    mine = set(DOMAINS)
    return {
        "zones": [z["name"] for z in state["cloudflare"]["zones"] if z["name"] in mine],
        "records": [r["name"] for r in state["cloudflare"]["records"] if r["name"].removeprefix("www.") in mine],
        "matomo": [s["main_url"] for s in state["matomo"]["sites"] if s["main_url"].removeprefix("https://") in mine],
        "verified": [v["domain"] for v in state["google"]["verified"] if v["domain"] in mine],
        "properties": [p["siteUrl"] for p in state["google"]["gsc_sites"] if p["siteUrl"].removeprefix("sc-domain:")
                       in mine],
        "cloudpanel": [d for d in clpctl if d in mine],
    }


def test_decommission_five_sites_leaves_nothing_behind_and_keeps_history(fleet, fast_sandbox, host, monkeypatch):
    defs, instance, store, instance_dir = fleet
    before = _vendor_resources(fast_sandbox, host)
    assert all(before[k] for k in ("zones", "matomo", "cloudpanel", "properties")), before
    day = dt.date(2026, 11, 1)
    store.analytics.upsert([AnalyticsRow(day, s.id, 5, 1, 9) for s in store.sites.by_domains(DOMAINS)])
    settings_ = load_settings()
    ctx = LayerContext(settings_, store, Clients(settings_, store))

    # Planned first: every step of every site, deletes counted double by the guard.
    selection = Selection(tuple(DOMAINS), action="decommission")
    plan, _ = make_plan(ctx, selection, "ops@example.com")
    kinds = {(d, c.layer, c.kind) for d, c in plan.changes}
    for domain in DOMAINS:
        assert {(domain, "hosting", "delete"), (domain, "matomo", "delete"), (domain, "dns", "delete"),
                (domain, "search_console", "delete"), (domain, "deploy", "delete")} <= kinds
    runs = InProcessRuns(defs, instance)
    with pytest.raises(ChangeRefused, match="--confirm"):
        apply_plan(ctx, runs, plan.hash, None, "ops@example.com")
    assert runs.runs == [] and _vendor_resources(fast_sandbox, host) == before

    # One site's decommissioning is killed half-way (after its CloudPanel site is gone).
    env = {k: v for k, v in os.environ.items() if k.startswith(("FACTORY_", "CLOUDFLARE_", "NAMECHEAP_", "MATOMO_",
                                                                "GOOGLE_", "CLOUDPANEL_", "DIRECTUS_", "OPENAI_",
                                                                "CLPCTL_"))}
    victim = store.sites.get(DOMAINS[0])
    process = multiprocessing.get_context("spawn").Process(target=_decommission_in_a_process,
                                                           args=(env, instance_dir, victim.domain))
    process.start()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        step = store.steps.get(victim.id, "decommission_hosting")
        if step is not None and step.state == "succeeded":
            break
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    assert store.sites.get(victim.id).decommissioned_at is None

    # The world changed since the plan: refused; plan again, confirm, apply.
    with pytest.raises(ChangeRefused, match="has changed since"):
        apply_plan(ctx, runs, plan.hash, plan.hash, "ops@example.com")
    plan, _ = make_plan(ctx, selection, "ops@example.com")
    launched = apply_plan(ctx, runs, plan.hash, plan.hash, "ops@example.com")
    assert len(launched) == 5 and all(ok for _, _, ok in runs.runs), runs.runs
    assert all(tags["factory/operator"] == "ops@example.com" and tags["factory/plan"] == plan.hash
               for _, tags, _ in runs.runs)

    assert _vendor_resources(fast_sandbox, host) == {k: [] for k in before}
    for site in store.sites.list(SiteQuery(decommissioned=True)):
        archive = Path(load_settings().cloudpanel_home_dir) / ".factory-archive" / site.domain
        assert any(archive.glob("*.tar.gz")), f"no archived release for {site.domain}"
    decommissioned = store.sites.by_domains(DOMAINS)
    assert len(decommissioned) == 5 and all(s.decommissioned_at is not None for s in decommissioned)
    assert len(store.analytics.rows(day, day)) == 5  # history kept
    assert store.sites.list() == [] and len(store.sites.list(SiteQuery(decommissioned=None))) == 5
    with dg.build_sensor_context(instance=instance, resources={"factory": defs.resources["factory"]}) as ctx_:
        result = defs.resolve_sensor_def("new_sites_sensor")(ctx_)
    [removal] = result.dynamic_partitions_requests
    assert sorted(removal.partition_keys) == sorted(DOMAINS)
