"""Benchmark: one `daily_analytics` backfill over --days days for --sites sites, through Dagster,
against the Matomo and Search Console simulators with a realistic per-request latency.

    .venv/bin/python bench/analytics.py --sites 200 --days 90
    .venv/bin/python bench/analytics.py --sites 10000 --days 1 --accounts 5 --time-scale 1   # the quota in real minutes

Creates (and drops) its own app and Dagster databases on the machine's Postgres, seeds the
fleet as onboarding leaves it (Matomo ids, verified properties over a few Google accounts),
serves the simulators from a separate `python -m sandbox` process (--latency per request), then
launches `analytics_job` over the partition range as one run. The last line printed is a
JSON object: sites, days, rows, api_calls (per vendor, counted by the sandbox), wall_s (the
run), fetch_s (the vendors' part of it), db_write_s (the upsert inside the run) and bound_s: the
least time Search Console's per-user quota (1,200 queries a minute, enforced by the simulator)
and the latency allow for the run's queries (goal: wall_s <= 1.25 x bound_s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dagster as dg
import httpx
import psycopg
from cryptography.fernet import Fernet

from factory import db
from factory.store import Store
from devtools.sandbox import SandboxServer
from tests.analytics.fleet import seed_fleet
from resources.dagster_storage import storage_config

ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


TIME_SCALE = 0.01  # by default the simulators' clock (and the budgets') runs 100 times faster


def search_console_bound_s(requests: list[dict], latency_s: float, time_scale: float) -> float:
    """The least time Search Console allows for the run's calls: per Google account, a token
    refresh, then its N queries, of which the per-user quota (1,200 a minute, sliding) admits
    1,200 per window: at least ceil(N / 1,200) - 1 full windows, and the last answer's latency.
    The accounts are independent: the slowest one bounds the run."""
    from devtools.sandbox.ratelimit import LIMITS

    quota = LIMITS["search_console"]
    per_account: dict[str, int] = {}
    for r in requests:
        if "/searchAnalytics/query" in r["path"] and r.get("credential") and not r.get("rate_limited"):
            per_account[r["credential"]] = per_account.get(r["credential"], 0) + 1
    return max(((math.ceil(n / quota["limit"]) - 1) * quota["window_s"] * time_scale + 2 * latency_s
                for n in per_account.values()), default=0.0)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def create_db(prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return name, ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_db(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sandbox_env(proc: subprocess.Popen) -> dict[str, str]:
    """The `export K=V` lines `python -m sandbox` prints before serving."""
    env = {}
    for line in proc.stdout:
        if line.startswith("export "):
            key, value = line.removeprefix("export ").strip().split("=", 1)
            env[key] = shlex.split(value)[0] if value else ""
        elif line.startswith("# Ctrl-C"):
            return env
    raise SystemExit("the sandbox did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--accounts", type=int, default=4, help="Google accounts the sites are spread over")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every vendor request")
    parser.add_argument("--time-scale", type=float, default=TIME_SCALE,
                        help="the simulators' clock and the budgets (1 = Search Console's real minute: the quota, "
                             "not the machine, bounds a large fleet's run)")
    args = parser.parse_args()
    if args.time_scale <= 0:
        parser.error("--time-scale must be above 0 (1 = real time)")

    home = Path(tempfile.mkdtemp(prefix="bench_analytics_"))
    os.environ.setdefault("FACTORY_SECRET_KEY", Fernet.generate_key().decode())
    os.environ["FACTORY_HOME"] = str(home)
    os.environ["FACTORY_LOG_FILE"] = str(home / "factory.log")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    app_db, app_url = create_db("bench_analytics")
    dagster_db, dagster_url = create_db("bench_analytics_dagster")
    store = None
    try:
        db.upgrade(app_url)
        today = dt.datetime.now(dt.UTC).date()
        end = today - dt.timedelta(days=1)
        start = end - dt.timedelta(days=args.days - 1)
        store = Store(app_url)
        # Seed the simulators' state in this process, then serve it from another one: the vendors'
        # work (and their 100 ms latency) must not share this process's GIL with the run.
        seeder = SandboxServer(state_dir=home / "sandbox")
        fleet = seed_fleet(store, seeder, args.sites, accounts=args.accounts, created=start - dt.timedelta(days=30))
        seeder.stop()  # never started: just writes state.json
        sb = subprocess.Popen([sys.executable, "-m", "devtools.sandbox", "--port", str(free_port()), "--time-scale", str(args.time_scale),
                               "--latency", str(args.latency), "--state-dir", str(home / "sandbox")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            os.environ.update({**sandbox_env(sb), "FACTORY_DATABASE_URL": app_url, "FACTORY_RATE_TIME_SCALE": str(args.time_scale)})
            admin = httpx.Client(base_url=os.environ["SANDBOX_URL"] + "/_sandbox/", timeout=30)
            admin.post("today", json={"today": today.isoformat()}).raise_for_status()
            log(f"seeded {len(fleet)} sites ({sum(s.gsc for s in fleet)} verified properties); "
                f"backfilling {start}..{end}")

            import definitions
            from factory.config import load_settings

            defs = definitions.build_definitions(load_settings())
            (home / "dagster").mkdir()
            instance = dg.DagsterInstance.local_temp(str(home / "dagster"), overrides={
                "storage": storage_config(dagster_url), "telemetry": {"enabled": False}})
            seen = len(admin.get("requests").json()["requests"])
            started = time.perf_counter()
            result = defs.resolve_job_def("analytics_job").execute_in_process(
                instance=instance, raise_on_error=False,
                tags={"dagster/asset_partition_range_start": start.isoformat(),
                      "dagster/asset_partition_range_end": end.isoformat()})
            wall_s = time.perf_counter() - started
            if not result.success:
                raise SystemExit("the backfill run failed")
            made = admin.get("requests").json()["requests"][seen:]
            bound_s = search_console_bound_s(made, args.latency, args.time_scale)
            asked = sorted(r["t"] for r in made if "/searchAnalytics/query" in r["path"])
            # From the first query received to the last one's answer (the vendor's view of the run).
            gsc_span_s = asked[-1] - asked[0] + args.latency if asked else 0.0
            calls = {"matomo": sum(r["vendor"] == "matomo" for r in made),
                     "search_console": sum("/searchAnalytics/query" in r["path"] for r in made),
                     "google_token": sum(r["path"].endswith("/google/token") for r in made)}
            meta = result.asset_materializations_for_node("daily_analytics")[-1].metadata
            rows = len(store.analytics.rows(start, end))
            instance.dispose()
        finally:
            sb.terminate()
            sb.wait(timeout=30)
        print(json.dumps({
            "sites": args.sites, "days": args.days, "rows": rows,
            "verified_properties": sum(s.gsc for s in fleet), "google_accounts": args.accounts,
            "api_calls": calls, "wall_s": round(wall_s, 2), "db_write_s": meta["db_write_s"].value,
            "fetch_s": meta["fetch_s"].value, "latency_s": args.latency, "time_scale": args.time_scale, "bound_s": round(bound_s, 3),
            "wall_over_bound": round(wall_s / bound_s, 2) if bound_s else None,
            "fetch_over_bound": round(meta["fetch_s"].value / bound_s, 2) if bound_s else None,
            "gsc_span_s": round(gsc_span_s, 3),
            "rate_limited": sum(bool(r.get("rate_limited")) for r in made),
        }))
    finally:
        if store is not None:
            store.close()
        drop_db(app_db)
        drop_db(dagster_db)


if __name__ == "__main__":
    main()
