"""Onboard N sites through the sensor and `onboard_site_job` against the rate-limited simulators.

    .venv/bin/python bench/onboarding.py --sites 200 [--faults 0.1] [--time-scale 1.0] [--workers 4]

Everything is real but the vendors: a fresh database on the machine's Postgres (created and
dropped here), Dagster on Postgres, the sandbox over HTTP with its documented rate limits
(Cloudflare 1200 / 5 min per token, Namecheap 20 / min per API user) at --time-scale, and a
real sshd with the clpctl stand-in. Runs execute concurrently (--workers), as the run queue
would run them. The last line printed is one JSON object:
  sites, onboarded, failed, duplicates, wall_s, api_calls (per vendor), http_429,
  lower_bound_s (the least time the vendors' rate limits allow for the calls made, same time scale).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg  # noqa: E402
import psycopg  # noqa: E402

from factory import db  # noqa: E402
from devtools.local_runs import run_partitions  # noqa: E402
from factory.store import NewSite, Store  # noqa: E402
from devtools.sandbox import SandboxServer, settings  # noqa: E402
from devtools.sandbox.cloudflare import account_id_for  # noqa: E402
from devtools.sandbox.env import hosting_settings  # noqa: E402
from devtools.sandbox.ratelimit import LIMITS  # noqa: E402
from devtools.sandbox.sshd import start_sshd  # noqa: E402
from resources.dagster_storage import storage_config  # noqa: E402

ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ONBOARDING = [dg.AssetKey(k) for k in ("dns_zone", "hosting_site", "matomo_site", "gsc_property")]
CF_ACCOUNTS, GSC_ACCOUNTS = 25, 5


def create_database(prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def url_for(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def lower_bound_s(requests: list[dict], time_scale: float) -> float:
    """N accepted requests on one credential need at least ceil(N / limit) - 1 full windows."""
    per_bucket: Counter = Counter()
    for r in requests:
        if r["vendor"] in LIMITS and r.get("credential"):
            per_bucket[(r["vendor"], r["credential"])] += 1
    bound = 0.0
    for (vendor, _), n in per_bucket.items():
        limit, window = LIMITS[vendor]["limit"], LIMITS[vendor]["window_s"]
        bound = max(bound, (math.ceil(n / limit) - 1) * window * time_scale)
    return bound


def duplicates(state: dict, clpctl_sites: int, sites: int) -> int:
    zones = Counter(z["name"] for z in state["cloudflare"]["zones"])
    records = Counter((r["zone_id"], r["type"], r["name"]) for r in state["cloudflare"]["records"])
    matomo = Counter(s["main_url"] for s in state["matomo"]["sites"])
    extra = sum(n - 1 for c in (zones, records, matomo) for n in c.values() if n > 1)
    return extra + max(0, clpctl_sites - sites)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--faults", type=float, default=0.0, help="fraction of requests answered 429 or 5xx")
    parser.add_argument("--time-scale", type=float, default=1.0, help="vendor time scale (1 = real limits)")
    parser.add_argument("--workers", type=int, default=4, help="runs executing at once")
    parser.add_argument("--latency", type=float, default=0.02, help="simulated per-request latency, seconds")
    args = parser.parse_args()

    app_db, dagster_db = create_database("bench_onboarding"), create_database("bench_dagster")
    tmp = Path(tempfile.mkdtemp(prefix="bench-onboarding-"))
    # Instant vendors: this measures throughput, not waiting (bench/convergence.py measures that).
    server = SandboxServer(time_scale=args.time_scale, latency_s=args.latency, instant=True).start()
    sshd = start_sshd(tmp / "sshd", sandbox_url=server.url)
    try:
        os.environ.update({**settings(server.url), **hosting_settings(sshd),
                           "FACTORY_DATABASE_URL": url_for(app_db),
                           "FACTORY_RATE_TIME_SCALE": str(args.time_scale),
                           "FACTORY_LOG_LEVEL": "WARNING", "FACTORY_HOME": str(tmp / "home")})
        os.environ.setdefault("FACTORY_SECRET_KEY", "F" * 43 + "=")
        db.upgrade(url_for(app_db))
        store = Store(url_for(app_db))
        for i in range(CF_ACCOUNTS):
            token = f"bench-token-{i:02d}-abcdef"
            store.cloudflare_accounts.add(f"cf{i}@example.com", f"CF_{i}", token, account_id_for(token))
        for i in range(GSC_ACCOUNTS):
            store.gsc_accounts.add(f"seo{i}@example.com", f"bench-refresh-{i}-abcdef")
        store.sites.add_many([NewSite(f"bench-site-{i:04d}.com", f"CF_{i % CF_ACCOUNTS}", f"seo{i % GSC_ACCOUNTS}@example.com",
                                 f"Bench {i}") for i in range(args.sites)])
        if args.faults:
            server.set_faults("all", rate_429=args.faults / 2, rate_5xx=args.faults / 2, seed=1)

        import definitions
        from factory.config import load_settings

        defs = definitions.build_definitions(load_settings())
        (tmp / "dagster").mkdir()
        overrides = {"storage": storage_config(url_for(dagster_db)), "telemetry": {"enabled": False},
                     "compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager",
                                      "class": "NoOpComputeLogManager"}}
        instance = dg.DagsterInstance.local_temp(str(tmp / "dagster"), overrides=overrides)
        sensor = defs.resolve_sensor_def("new_sites_sensor")

        started = time.monotonic()
        with dg.build_sensor_context(instance=instance, resources={"factory": defs.resources["factory"]}) as ctx:
            result = sensor(ctx)
        for request in result.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        sensor_s = time.monotonic() - started

        domains = list(dict.fromkeys(r.partition_key for r in result.run_requests))  # two runs a site: once each
        outcomes = run_partitions(domains, instance_dir=str(tmp / "dagster"), overrides=overrides,
                                  job_name="onboard_site_job", asset_keys=[k.path[-1] for k in ONBOARDING],
                                  workers=args.workers)
        wall = time.monotonic() - started

        sites = store.sites.list()
        onboarded = sum(1 for s in sites if s.status_dns == "active" and s.status_hosting == "active"
                        and s.matomo_site_id and s.gsc_verification_status == "verified")
        clpctl_state = sshd.sandbox_root / "clpctl-state.json"
        clpctl_sites = len(json.loads(clpctl_state.read_text())["sites"]) if clpctl_state.exists() else 0
        requests = server.requests
        figures = {
            "sites": args.sites,
            "onboarded": onboarded,
            "failed": sum(1 for ok in outcomes.values() if not ok),
            "duplicates": duplicates(server.state, clpctl_sites, args.sites),
            "wall_s": round(wall, 2),
            "api_calls": dict(Counter(r["vendor"] for r in requests)),
            "http_429": sum(1 for r in requests if r["status"] == 429),
            "lower_bound_s": round(lower_bound_s(requests, args.time_scale), 2),
            "sensor_tick_s": round(sensor_s, 3),
            "time_scale": args.time_scale,
            "faults": args.faults,
            "workers": args.workers,
        }
        store.close()
        instance.dispose()
        print(json.dumps(figures))
    finally:
        sshd.stop()
        server.stop()
        drop_database(app_db)
        drop_database(dagster_db)


if __name__ == "__main__":
    main()
