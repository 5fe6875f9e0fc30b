"""Time one `new_sites_sensor` tick over a large fleet.

    .venv/bin/python bench/sensor.py [--existing 10000] [--new 200]

A fresh database on the machine's Postgres holds --existing sites that are already partitions
(as after earlier ticks) plus --new sites the sensor has not seen. Dagster runs on Postgres.
The last line printed is one JSON object: existing, new, run_requests (two a site: its delegation,
then the rest of its onboarding), sites_admitted, tick_s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg  # noqa: E402
import psycopg  # noqa: E402

from bench.onboarding import create_database, drop_database, url_for  # noqa: E402
from factory import db  # noqa: E402
from factory.store import Store  # noqa: E402
from resources.dagster_storage import storage_config  # noqa: E402


def sensor_tick(url: str, dagster_url: str, home: Path, new: int) -> dict:
    """One `new_sites_sensor` tick on the fleet in `url` (every site already a partition, the
    cursor at its end) after `new` sites were added; Dagster on Postgres at `dagster_url`."""
    os.environ.update({"FACTORY_DATABASE_URL": url, "FACTORY_HOME": str(home), "FACTORY_LOG_LEVEL": "WARNING"})
    from resources.factory import FactoryResource
    from sensors.sites import new_sites_sensor

    (home / "dagster").mkdir(exist_ok=True)
    instance = dg.DagsterInstance.local_temp(str(home / "dagster"), overrides={
        "storage": storage_config(dagster_url), "telemetry": {"enabled": False}})
    resources = {"factory": FactoryResource()}
    # The fleet as earlier ticks left it: every existing site is a partition, the cursor at its end.
    with psycopg.connect(url) as conn:
        existing = [r[0] for r in conn.execute("select domain from public.sites")]
        last_seq = conn.execute("select coalesce(max(seq), 0) from public.sites").fetchone()[0]
        account = conn.execute("select id from public.cloudflare_accounts limit 1").fetchone()[0]
    instance.add_dynamic_partitions("site", existing)
    cursor = json.dumps({"seq": last_seq, "deleted": 0})
    with psycopg.connect(url) as conn:
        conn.execute("insert into public.sites (domain, cloudflare_account_id)"
                     " select 'new-' || i || '.com', %s from generate_series(1, %s) i", (account, new))
    started = time.perf_counter()
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as ctx:
        result = new_sites_sensor(ctx)
    tick = time.perf_counter() - started
    instance.dispose()
    # run_requests are the sites admitted now: as many as the registrar's budget serves ahead of the
    # admitted sites that have not started (a seeded fleet with hundreds pending may admit none).
    added = sum(len(r.partition_keys or ()) for r in result.dynamic_partitions_requests or ())
    return {"existing": len(existing), "new": new, "partitions_added": added,
            "run_requests": len(result.run_requests), "sites_admitted": len({r.partition_key for r in result.run_requests}),
            "tick_s": round(tick, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=200)
    args = parser.parse_args()
    app_db, dagster_db = create_database("bench_sensor"), create_database("bench_sensor_dagster")
    tmp = Path(tempfile.mkdtemp(prefix="bench-sensor-"))
    try:
        url = url_for(app_db)
        db.upgrade(url)
        store = Store(url)
        account = store.cloudflare_accounts.add("ops@example.com", "CF", "bench-token-abcdef")
        store.close()
        with psycopg.connect(url) as conn:
            conn.execute("insert into public.sites (domain, cloudflare_account_id)"
                         " select 'existing-' || i || '.com', %s from generate_series(1, %s) i",
                         (account.id, args.existing))
        print(json.dumps(sensor_tick(url, url_for(dagster_db), tmp, args.new)))
    finally:
        drop_database(app_db)
        drop_database(dagster_db)


if __name__ == "__main__":
    main()
