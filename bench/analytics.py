"""Benchmark: one `daily_analytics` backfill over --days days for --sites sites, through Dagster,
against the Matomo and Search Console simulators with a realistic per-request latency.

    .venv/bin/python bench/analytics.py --sites 200 --days 90

Creates (and drops) its own app and Dagster databases on the machine's Postgres, seeds the
fleet as onboarding leaves it (Matomo ids, verified properties over a few Google accounts),
then launches `analytics_job` over the partition range as one run. The last line printed is a
JSON object: sites, days, rows, api_calls (per vendor, counted by the sandbox), wall_s (the
run), db_write_s (the upsert inside the run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dagster as dg
import psycopg
from cryptography.fernet import Fernet

from factory import db
from factory.store import Store
from sandbox import SandboxServer, settings
from tests.analytics.fleet import seed_fleet

ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--accounts", type=int, default=4, help="Google accounts the sites are spread over")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every vendor request")
    args = parser.parse_args()

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
        with SandboxServer(time_scale=0.01, latency_s=args.latency) as sb:
            os.environ.update({**settings(sb.url), "FACTORY_DATABASE_URL": app_url, "FACTORY_RATE_TIME_SCALE": "0.01"})
            today = dt.datetime.now(dt.UTC).date()
            sb.today = today
            end = today - dt.timedelta(days=1)
            start = end - dt.timedelta(days=args.days - 1)
            store = Store(app_url)
            fleet = seed_fleet(store, sb, args.sites, accounts=args.accounts, created=start - dt.timedelta(days=30))
            log(f"seeded {len(fleet)} sites ({sum(s.gsc for s in fleet)} verified properties); "
                f"backfilling {start}..{end}")

            import definitions

            defs = definitions.build_definitions()
            (home / "dagster").mkdir()
            instance = dg.DagsterInstance.local_temp(str(home / "dagster"), overrides={
                "storage": {"postgres": {"postgres_url": dagster_url}}, "telemetry": {"enabled": False}})
            before = {"matomo": sb.count(vendor="matomo"),
                      "search_console": sb.count(vendor="google", path_contains="/searchAnalytics/query"),
                      "google_token": sb.count(vendor="google", path_contains="/google/token")}
            started = time.perf_counter()
            result = defs.resolve_job_def("analytics_job").execute_in_process(
                instance=instance, raise_on_error=False,
                tags={"dagster/asset_partition_range_start": start.isoformat(),
                      "dagster/asset_partition_range_end": end.isoformat()})
            wall_s = time.perf_counter() - started
            if not result.success:
                raise SystemExit("the backfill run failed")
            calls = {"matomo": sb.count(vendor="matomo") - before["matomo"],
                     "search_console": sb.count(vendor="google", path_contains="/searchAnalytics/query")
                     - before["search_console"],
                     "google_token": sb.count(vendor="google", path_contains="/google/token") - before["google_token"]}
            meta = result.asset_materializations_for_node("daily_analytics")[-1].metadata
            rows = len(store.daily_analytics(start, end))
            instance.dispose()
        print(json.dumps({
            "sites": args.sites, "days": args.days, "rows": rows,
            "verified_properties": sum(s.gsc for s in fleet), "google_accounts": args.accounts,
            "api_calls": calls, "wall_s": round(wall_s, 2), "db_write_s": meta["db_write_s"].value,
            "fetch_s": meta["fetch_s"].value, "latency_s": args.latency,
        }))
    finally:
        if store is not None:
            store.close()
        drop_db(app_db)
        drop_db(dagster_db)


if __name__ == "__main__":
    main()
