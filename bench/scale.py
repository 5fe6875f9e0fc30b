"""A fleet of 10,000 sites on one server: the Hub API and the new-sites sensor at that size.

    .venv/bin/python bench/scale.py [--sites 10000] [--days 365] [--clients 50] [--seconds 10]
    .venv/bin/python bench/scale.py --only hub --keep /tmp/scale.db    # seed once, keep the database
    .venv/bin/python bench/scale.py --only hub --reuse /tmp/scale.db   # measure again (no seeding)

Seeds its own database (dropped afterwards) with --sites sites spread over statuses as in a real
fleet (80 % live, 8 % onboarding, some waiting for zone activation, 7 % pending, 5 % failed),
over 25 Cloudflare tokens and 5 Google accounts, and --days days of analytics per site (COPY:
3.65 million rows at the defaults). Then, under uvicorn, --clients concurrent clients each send
a request a second per route (the sites page with filters, search and sort; one site; the
counts; a quiet changes poll; fleet analytics over 30 and 365 days; the health summary); the
sites page runs in Debian's Chromium (bench/ui_scale.mjs: first render, a status filter change,
bytes per minute of polling; needs ui/dist); one `new_sites_sensor` tick runs with the fleet
known and 1,000 new sites; and Dagit's partition status query of one per-site asset is timed.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.hub_api import drive, free_port, operator_token, start_server, wait_healthy  # noqa: E402
from bench.onboarding import create_database, drop_database, url_for  # noqa: E402
from bench.sensor import sensor_tick  # noqa: E402
from factory import db  # noqa: E402
from factory.store import Store  # noqa: E402
from resources.dagster_storage import storage_config  # noqa: E402

CLOUDFLARE_TOKENS, GOOGLE_ACCOUNTS = 25, 5
SORTS = ("created", "domain", "brand", "account", "status")
STATES = ("failed", "onboarding", "pending", "live")
LIVE = ("active", "active", "generated", "deployed", "verified")
FAILURES = (
    ("dns_zone", "status_dns", "Cloudflare refused the zone: already exists in another account"),
    ("hosting_site", "status_hosting", "CloudPanel refused the site: disk quota"),
    ("site_content", "status_content", "OpenAI answered 429 for 30 minutes"),
    ("site_deployment", "status_deployment", "rsync: connection refused"),
)


def domain(i: int) -> str:
    return f"bench-site-{i:05d}.com"


def site_row(i: int, rng: random.Random, cf: list, google: list, today: dt.date) -> tuple[tuple, tuple | None]:
    """One site's row and, for a failed or waiting one, its step's row (site_steps)."""
    roll = rng.random()
    created = dt.datetime.combine(today - dt.timedelta(days=rng.randrange(1, 900)), dt.time(12), dt.UTC)
    statuses = ["pending"] * 5  # dns, hosting, content, deployment, gsc
    matomo, error, error_step, step = None, None, None, None
    if roll < 0.80:
        statuses, matomo = list(LIVE), 1000 + i
    elif roll < 0.88:
        statuses[0] = "active" if rng.random() < 0.5 else "pending"
        if statuses[0] == "pending":
            step = ("dns_zone", "waiting", "the zone to be activated (name servers at the registrar)", None)
        else:
            statuses[1], statuses[2] = "active", "generating"
        created = dt.datetime.now(dt.UTC) - dt.timedelta(hours=rng.randrange(1, 48))
    elif roll < 0.95:
        created = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=rng.randrange(1, 600))
    else:
        name, column, error = rng.choice(FAILURES)
        statuses = list(LIVE)
        statuses[("status_dns", "status_hosting", "status_content", "status_deployment").index(column)] = "failed"
        error_step, matomo = name, 1000 + i
        step = (name, "failed", None, error)
    gsc = google[i % len(google)] if i % 10 else None
    row = (domain(i), f"Brand {i}" if i % 3 else None, cf[i % len(cf)], gsc, *statuses, matomo, error, error_step,
           created)
    return row, step


def seed(url: str, sites: int, days: int) -> dict:
    started = time.perf_counter()
    store = Store(url)
    cf = [store.cloudflare_accounts.add(f"cf{i:02d}@example.com", f"CF_{i:02d}", f"bench-token-{i:02d}-" + "x" * 24).id
          for i in range(CLOUDFLARE_TOKENS)]
    google = [store.gsc_accounts.add(f"seo{i}@example.com", f"bench-refresh-{i}-" + "y" * 24).id
              for i in range(GOOGLE_ACCOUNTS)]
    store.close()
    rng = random.Random(16)
    today = dt.date.today()
    steps: dict[str, tuple] = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("copy public.sites (domain, brand_name, cloudflare_account_id, gsc_account_id, status_dns,"
                      " status_hosting, status_content, status_deployment, gsc_verification_status, matomo_site_id,"
                      " error_message, error_step, created_at) from stdin") as copy:
            for i in range(sites):
                row, step = site_row(i, rng, cf, google, today)
                copy.write_row(row)
                if step:
                    steps[row[0]] = step
        ids = dict(cur.execute("select domain, id from public.sites").fetchall())
        with cur.copy("copy public.site_steps (site_id, step, state, waiting_for, waiting_since, next_check_at,"
                      " last_error, last_error_at) from stdin") as copy:
            now = dt.datetime.now(dt.UTC)
            for name, (step, state, waiting_for, error) in steps.items():
                copy.write_row((ids[name], step, state, waiting_for, now if waiting_for else None,
                                now + dt.timedelta(minutes=5) if waiting_for else None, error, now if error else None))
        health = seed_health(cur, list(ids.values()), rng)
    sites_s = time.perf_counter() - started

    started = time.perf_counter()
    first = today - dt.timedelta(days=days)
    dates = [str(first + dt.timedelta(days=d)) for d in range(days)]
    rows = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("copy public.daily_analytics (date, site_id, matomo_visits, gsc_clicks, gsc_impressions)"
                      " from stdin") as copy:
            for n, site_id in enumerate(ids.values()):
                base = rng.randrange(5, 500)
                copy.write("".join(f"{d}\t{site_id}\t{base + (k * 7) % 41}\t{(base + k) % 53}\t{base * 4 + k % 97}\n"
                                   for k, d in enumerate(dates)))
                rows += days
    analytics_s = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum analyze")
        states = dict(conn.execute("select site_state, count(*) from public.sites group by 1").fetchall())
    return {"sites": sites, "analytics_rows": rows, "cloudflare_tokens": CLOUDFLARE_TOKENS,
            "google_accounts": GOOGLE_ACCOUNTS, "states": states, "health_rows": health, "seed_sites_s": round(sites_s, 1),
            "seed_analytics_copy_s": round(analytics_s, 1), "vacuum_analyze_s": round(time.perf_counter() - started, 1)}


HEALTH_KINDS = (("https", "fail", "the certificate expired"), ("drift.dns", "warn", "an A record differs"),
                ("redirect", "warn", "www does not redirect"), ("domain_expiry", "warn", "expires in 20 days"))


def seed_health(cur: psycopg.Cursor, site_ids: list, rng: random.Random) -> dict:
    """The sweeps' findings as a fleet has them: 3 % of sites with an open problem, and 90 days of
    resolved ones (about 1 site in 10 had one)."""
    now = dt.datetime.now(dt.UTC)
    rows: list[tuple] = []
    for site_id in site_ids:
        if rng.random() < 0.03:
            kind, status, cause = rng.choice(HEALTH_KINDS)
            rows.append((site_id, kind, status, cause, now - dt.timedelta(hours=rng.randrange(1, 24 * 30)), None))
        if rng.random() < 0.1:
            kind, status, cause = rng.choice(HEALTH_KINDS)
            first = now - dt.timedelta(hours=rng.randrange(24, 24 * 90))
            rows.append((site_id, kind, status, cause, first, first + dt.timedelta(hours=rng.randrange(1, 72))))
    with cur.copy("copy public.site_health (site_id, check_kind, status, cause, first_seen, last_seen, resolved_at)"
                  " from stdin") as copy:
        for site_id, kind, status, cause, first, resolved in rows:
            copy.write_row((site_id, kind, status, cause, first, resolved or now, resolved))
    return {"open": sum(1 for r in rows if r[5] is None), "resolved": sum(1 for r in rows if r[5] is not None)}


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes have used so far."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def serving_pids(server_pid: int, url: str) -> list[int]:
    """The Hub's processes and the Postgres backends serving its database: what a request costs."""
    with psycopg.connect(url) as conn:
        backends = [r[0] for r in conn.execute(
            "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")]
    return [server_pid, *_descendants(server_pid), *backends]


def routes(sites: int, days: int, accounts: list[str], cursor: str) -> dict:
    today = dt.date.today()

    def sites_page(rng: random.Random) -> str:
        # The UI's sites table: a page of 100, sorted any way, often filtered or searched.
        path = f"/api/sites?limit=100&sort={rng.choice(SORTS)}&dir={rng.choice(('asc', 'desc'))}"
        roll = rng.random()
        if roll < 0.3:
            return path + f"&state={rng.choice(STATES)}"
        if roll < 0.5:
            return path + f"&search=site-0{rng.randrange(100, 999)}"
        if roll < 0.6:
            return path + f"&cloudflare_account_id={rng.choice(accounts)}"
        return path + f"&offset={rng.randrange(0, max(1, sites // 100)) * 100}"

    def fleet(span: int):
        start = today - dt.timedelta(days=min(span, days))
        return lambda rng: f"/api/analytics/fleet?start={start}&end={today - dt.timedelta(days=1)}"

    return {
        "sites_page": sites_page,
        "one_site": lambda rng: f"/api/sites/{domain(rng.randrange(sites))}",
        "sites_summary": lambda rng: "/api/sites/summary",
        "changes_poll": lambda rng: f"/api/sites/changes?since={cursor}",
        "fleet_analytics_30d": fleet(30),
        "fleet_analytics_365d": fleet(365),
        "health_summary": lambda rng: "/api/health/summary",
    }


def polling_bytes(base: str, token: str, sites: int) -> dict:
    """Bytes a sites tab downloads per minute of polling (every 5 s): before, every site each
    poll; now, a quiet changes poll."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        full = 0
        for offset in range(0, sites, 500):
            full += len(client.get(f"/api/sites?limit=500&offset={offset}").content)
        cursor = client.get("/api/sites/changes").json()["cursor"]
        quiet = len(client.get(f"/api/sites/changes?since={cursor}").content)
        page = len(client.get("/api/sites?limit=100").content)
    return {"before_every_site_per_poll_bytes": full, "before_per_minute_bytes": full * 12,
            "now_changes_poll_bytes": quiet, "now_per_minute_bytes": quiet * 12, "now_page_of_100_bytes": page}


def browser_figures(base: str, token: str, poll_seconds: float) -> dict:
    """The sites page in Debian's Chromium (bench/ui_scale.mjs): first render, a status filter
    change, bytes per minute of polling. Needs the built UI (ui/dist), which the Hub serves."""
    if not (ROOT / "ui" / "dist" / "index.html").exists():
        raise SystemExit("ui/dist is missing: run `npm --prefix ui run build` (or pass --skip-browser)")
    done = subprocess.run(["node", str(ROOT / "bench" / "ui_scale.mjs"), base, "bench@example.com", token,
                           str(poll_seconds)], capture_output=True, text=True, timeout=600 + poll_seconds)
    if done.returncode != 0:
        raise SystemExit(f"bench/ui_scale.mjs failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


PARTITION_STATUS_QUERY = """
query AssetPartitionStatus($assetKey: AssetKeyInput!) {
  assetNodeOrError(assetKey: $assetKey) {
    __typename
    ... on AssetNode {
      partitionKeysByDimension { name partitionKeys }
      partitionStats { numMaterialized numPartitions numFailed numMaterializing }
      assetPartitionStatuses {
        __typename
        ... on DefaultPartitionStatuses {
          materializedPartitions failedPartitions unmaterializedPartitions materializingPartitions
        }
      }
    }
  }
}
"""


def partition_status(dagster_url: str, home: Path, materialized: int) -> dict:
    """What Dagit's asset page asks for a per-site asset: its partitions and their status, over
    the fleet's `site` partitions (as the sensor left them), `materialized` of them materialized."""
    import dagster as dg
    from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql

    instance = dg.DagsterInstance.local_temp(str(home / "dagster"), overrides={
        "storage": storage_config(dagster_url), "telemetry": {"enabled": False}})
    partitions = instance.get_dynamic_partitions("site")
    started = time.perf_counter()
    for key in partitions[:materialized]:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="dns_zone", partition=key))
    report_s = time.perf_counter() - started
    timings = []
    with define_out_of_process_context(str(ROOT / "workspace.yaml"), None, instance) as context:
        for _ in range(3):  # the first computes Dagster's status cache; the next ones read it
            started = time.perf_counter()
            result = execute_dagster_graphql(context, PARTITION_STATUS_QUERY, {"assetKey": {"path": ["dns_zone"]}})
            timings.append(round(time.perf_counter() - started, 3))
            node = result.data["assetNodeOrError"]
            if node.get("__typename") != "AssetNode":
                raise RuntimeError(f"GraphQL answered {result.errors or node}")
    instance.dispose()
    stats = node["partitionStats"]
    return {"partitions": stats["numPartitions"], "materialized": stats["numMaterialized"],
            "first_s": timings[0], "warm_s": timings[1:], "report_materializations_s": round(report_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--new", type=int, default=1000, help="New sites in the sensor tick.")
    parser.add_argument("--materialized", type=int, default=2000,
                        help="Partitions of dns_zone materialized before the GraphQL partition status.")
    parser.add_argument("--skip-graphql", action="store_true")
    parser.add_argument("--skip-browser", action="store_true", help="No Chromium figures (the sites page).")
    parser.add_argument("--poll-seconds", type=float, default=60.0,
                        help="How long the Chromium tab polls for the bytes-per-minute figure.")
    parser.add_argument("--only", choices=("hub", "sensor", "graphql"), action="append",
                        help="Measure only these parts (repeatable); the seed is always done.")
    parser.add_argument("--keep", metavar="FILE",
                        help="Keep the seeded database and write its name to FILE (for --reuse).")
    parser.add_argument("--reuse", metavar="FILE",
                        help="Measure against the database a --keep run seeded (named in FILE): no seeding.")
    args = parser.parse_args()
    parts = set(args.only or ("hub", "sensor", "graphql"))
    if args.reuse and parts != {"hub"}:
        parser.error("--reuse measures only the Hub (--only hub): the sensor tick adds sites")
    if args.skip_graphql:
        parts.discard("graphql")

    if args.reuse:
        app_db, dagster_db = Path(args.reuse).read_text().split()
    else:
        app_db, dagster_db = create_database("bench_scale"), create_database("bench_scale_dagster")
    home = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    os.environ.update({"FACTORY_HOME": str(home), "FACTORY_LOG_LEVEL": "WARNING"})  # its own secret key, here
    results: dict = {}
    try:
        url = url_for(app_db)
        if args.reuse:
            with psycopg.connect(url) as conn:
                args.sites = conn.execute("select count(*) from public.sites").fetchone()[0]
                args.days = conn.execute("select count(distinct date) from public.fleet_daily_analytics").fetchone()[0]
            results["seed"] = {"reused": app_db, "sites": args.sites, "days": args.days}
        else:
            db.upgrade(url)
            results["seed"] = seed(url, args.sites, args.days)
        if args.keep:
            Path(args.keep).write_text(f"{app_db} {dagster_db}\n")
        print("seeded", json.dumps(results["seed"]), flush=True)
        if "hub" in parts:
            results.update(hub_figures(url, home, args))
        if "sensor" in parts:
            results["new_sites_sensor"] = sensor_tick(url, url_for(dagster_db), home, args.new)
            print("sensor", json.dumps(results["new_sites_sensor"]), flush=True)
        if "graphql" in parts:
            results["dagster_partition_status"] = partition_status(url_for(dagster_db), home, args.materialized)
            print("graphql", json.dumps(results["dagster_partition_status"]), flush=True)
        results["setup"] = {"clients": args.clients, "seconds_per_route": args.seconds, "paced_interval_s": 1.0,
                            "uvicorn_workers": args.workers, "cpus": os.cpu_count(),
                            "load_average_1m": os.getloadavg()[0],
                            "run": uuid.uuid4().hex[:8]}
        print(json.dumps(results))
    finally:
        if not (args.keep or args.reuse):
            drop_database(app_db)
            drop_database(dagster_db)


def hub_figures(url: str, home: Path, args: argparse.Namespace) -> dict:
    """Every Hub route under --clients paced clients, with the CPU each request costs; and the
    bytes a sites tab downloads per minute of polling."""
    results: dict = {}
    port = free_port()
    server = start_server(url, port, args.workers, home)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        with psycopg.connect(url) as conn:  # a run with --reuse signs in again
            conn.execute("delete from public.operators where email = 'bench@example.com'")
        token = operator_token(url)
        with psycopg.connect(url) as conn:
            accounts = [str(r[0]) for r in conn.execute("select id from public.cloudflare_accounts")]
        cursor = httpx.get(base + "/api/sites/changes", headers={"Authorization": f"Bearer {token}"},
                           timeout=120).json()["cursor"]
        hub = {}
        for label, path_for in routes(args.sites, args.days, accounts, cursor).items():
            # CPU per request (Hub workers and their Postgres backends) does not depend on what else
            # runs on the machine; latency does.
            pids = serving_pids(server.pid, url)
            before = _cpu_s(pids)
            hub[label] = asyncio.run(drive(port, token, path_for, args.clients, args.seconds, 1.0))
            pids = sorted(set(pids) | set(serving_pids(server.pid, url)))
            hub[label]["cpu_ms_per_request"] = round((_cpu_s(pids) - before) * 1000 / max(1, hub[label]["requests"]), 2)
            print(f"{label:<22} {json.dumps(hub[label])}", flush=True)
        results["hub"] = hub
        results["polling"] = polling_bytes(base, token, args.sites)
        print("polling", json.dumps(results["polling"]), flush=True)
        if not args.skip_browser:
            results["ui"] = browser_figures(base, token, args.poll_seconds)
            print("ui", json.dumps(results["ui"]), flush=True)
    finally:
        server.terminate()
        server.wait(20)
    return results


if __name__ == "__main__":
    main()
