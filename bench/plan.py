"""Plan a converged fleet of N sites, read-only, against the simulators (with vendor latency).

    .venv/bin/python bench/plan.py --sites 1000 [--latency 0.02] [--concurrency 4]

The fleet is onboarded first through the product's own layers (the same observe/plan/apply the
assets run, without Dagster), then `plan_fleet` plans every site's dns, hosting, matomo and
search_console layers. The last line printed is one JSON object:
  sites, plan_s, bound_s, plan_cpu_s (the planner's CPU seconds), api_calls (per vendor), writes
  (vendor writes during planning, from the simulators' request log), changes (writes the plan
  found: 0 on a converged fleet).
bound_s is the least time the reads can take: per vendor, the calls over the concurrency the plan
may use (FACTORY_PLAN_CONCURRENCY) times the latency, and never less than each credential's rate
budget allows.

While planning, the simulators run in a process of their own (as the vendors do), so their work is
not charged to the planner. Onboarding 1,000 sites over SSH takes a while: `--keep DIR` keeps the
seeded fleet (its database, the simulators' state, the CloudPanel stand-in) in DIR, and a later run
with the same `--keep DIR` plans it again without seeding.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import psycopg  # noqa: E402

from devtools.sandbox import SandboxServer, settings  # noqa: E402
from devtools.sandbox.cloudflare import account_id_for  # noqa: E402
from devtools.sandbox.env import hosting_settings  # noqa: E402
from devtools.sandbox.sshd import start_sshd  # noqa: E402
from factory import db  # noqa: E402

ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CF_ACCOUNTS, GSC_ACCOUNTS = 25, 5
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LAYERS = ("dns", "hosting", "matomo", "search_console")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def is_write(request: dict) -> bool:
    """A request that changes vendor state (Google's and Namecheap's reads use POST/GET forms)."""
    path = request.get("path", "")
    text = json.dumps(request).lower()
    if request["vendor"] == "namecheap":
        return any(m in text for m in ("setcustom", "setdefault", "sethosts"))
    if request["vendor"] == "matomo":
        return any(m in text for m in ("addsite", "deletesite", "updatesite"))
    if request["vendor"] == "google" and path.endswith("/token"):
        return False  # the OAuth token refresh reads nothing and writes nothing at Search Console
    if request["vendor"] == "google" and "getToken" in path:
        return False
    return request["method"] in WRITE_METHODS and request["vendor"] != "matomo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to every vendor request")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed-workers", type=int, default=8)
    parser.add_argument("--keep", type=Path, default=None, help="keep (or reuse) the seeded fleet in this folder")
    args = parser.parse_args()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="bench-plan-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    meta_path = work / "bench.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if meta and meta["sites"] != args.sites:
        sys.exit(f"{work} holds a fleet of {meta['sites']} sites, not {args.sites}: use another --keep folder")
    os.environ.update({"FACTORY_RATE_TIME_SCALE": "0.001", "FACTORY_HOME": str(work / "home"),
                       "FACTORY_PLAN_CONCURRENCY": str(args.concurrency)})
    try:
        if meta is None:
            meta = {"sites": args.sites, "database": f"bench_plan_{uuid.uuid4().hex[:8]}"}
            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'create database "{meta["database"]}"')
            seed(database_url(meta), work, args)
            if args.keep:
                meta_path.write_text(json.dumps(meta))
        else:
            log(f"planning the fleet seeded in {work}")
        figures = plan(database_url(meta), work, args)
    finally:
        if not args.keep and meta:
            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{meta["database"]}" with (force)')
    print(json.dumps(figures))


def database_url(meta: dict) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + meta["database"]


def seed(url: str, work: Path, args) -> None:
    """Onboard the fleet through the product's own layers, against simulators with no latency."""
    db.upgrade(url)
    # The simulators' state is written once, when seeding is done (not after every request).
    with SandboxServer(time_scale=0.001, instant=True) as sandbox:
        sshd = start_sshd(work / "sshd", sandbox_url=sandbox.url)
        try:
            os.environ.update({**settings(sandbox.url), **hosting_settings(sshd), "FACTORY_DATABASE_URL": url})
            from factory.clients import Clients
            from factory.config import load_settings
            from factory.layers import dns, hosting, matomo, search_console
            from factory.layers.runner import LayerContext, run_layer
            from factory.store import NewSite, Store

            store = Store(url, max_connections=16)
            tokens = [f"bench-plan-token-{i:02d}-abcdef" for i in range(CF_ACCOUNTS)]
            for i, token in enumerate(tokens):
                store.cloudflare_accounts.add(f"cf{i}@example.com", f"CF_{i}", token, account_id_for(token))
            for i in range(GSC_ACCOUNTS):
                store.gsc_accounts.add(f"seo{i}@example.com", f"bench-plan-refresh-{i}")
            sites = store.sites.add_many([NewSite(f"plan-{i:05d}.com", f"CF_{i % CF_ACCOUNTS}",
                                                  f"seo{i % GSC_ACCOUNTS}@example.com") for i in range(args.sites)])
            settings_ = load_settings()
            ctx = LayerContext(settings_, store, Clients(settings_, store))
            log(f"onboarding {args.sites} sites through the layers (no Dagster) ...")
            started, done = time.monotonic(), Counter()

            def onboard(site) -> None:
                for layer in (dns, hosting, matomo, search_console):
                    run_layer(ctx, layer, store.sites.get(site.id))
                done["sites"] += 1
                if done["sites"] % 100 == 0:
                    log(f"  {done['sites']} onboarded ({time.monotonic() - started:.0f}s)")

            with ThreadPoolExecutor(args.seed_workers) as pool:
                list(pool.map(onboard, sites))
            log(f"onboarded in {time.monotonic() - started:.0f}s")
            store.close()
            sandbox.state_dir = work / "sandbox"  # saved as the simulators stop
        finally:
            sshd.stop()


def plan(url: str, work: Path, args) -> dict:
    """Plan every site's read-only layers against the simulators, in their own process, with latency."""
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "devtools.sandbox", "--port", str(port), "--time-scale", "0.001",
                             "--instant", "--latency", str(args.latency), "--state-dir", str(work / "sandbox")],
                            cwd=ROOT, stdout=subprocess.DEVNULL)
    sshd = None
    try:
        db.upgrade(url)  # a fleet kept by an earlier run gets the migrations added since
        wait_for(f"{sandbox_url}/_sandbox/health", proc)
        sshd = start_sshd(work / "sshd", sandbox_url=sandbox_url)
        os.environ.update({**settings(sandbox_url), **hosting_settings(sshd), "FACTORY_DATABASE_URL": url})
        from factory.clients import Clients
        from factory.config import load_settings
        from factory.layers.fleet import plan_fleet
        from factory.layers.runner import LayerContext
        from factory.store import Store

        store = Store(url, max_connections=16)
        settings_ = load_settings()
        ctx = LayerContext(settings_, store, Clients(settings_, store))
        log(f"planning {args.sites} sites with {args.latency * 1000:.0f} ms latency per vendor request")
        sites = store.sites.list()
        started, cpu = time.monotonic(), time.process_time()
        result = plan_fleet(ctx, sites, LAYERS)
        plan_s, plan_cpu_s = time.monotonic() - started, time.process_time() - cpu
        store.close()
        sim_cpu = psutil.Process(proc.pid).cpu_times()
        with urllib.request.urlopen(f"{sandbox_url}/_sandbox/requests") as response:
            reads = json.load(response)["requests"]
    finally:
        if sshd is not None:
            sshd.stop()
        proc.terminate()
        proc.wait(10)
    calls = Counter(r["vendor"] for r in reads)
    ssh_calls = 1  # one listing of the sites on the host (not in the HTTP log)
    writes = sum(1 for r in reads if is_write(r))
    # The least time: each vendor's calls over the allowed concurrency, at the latency.
    per_vendor = {v: math.ceil(n / args.concurrency) * args.latency for v, n in calls.items()}
    # Cloudflare's budget (1,200 / 5 min per token) is not binding below 1,200 reads per token.
    per_token = math.ceil(calls.get("cloudflare", 0) / CF_ACCOUNTS)  # accounts hold equal shares
    budget_s = max(0, math.ceil(per_token / 1200) - 1) * 300
    bound_s = max([budget_s, *per_vendor.values()])
    return {
        "sites": len(sites), "plan_s": round(plan_s, 2), "bound_s": round(bound_s, 2),
        "plan_cpu_s": round(plan_cpu_s, 2),  # the planner's own CPU (all threads): less load-sensitive
        "simulators_cpu_s": round(sim_cpu.user + sim_cpu.system, 2),  # start-up and state loading included
        "ratio": round(plan_s / bound_s, 2) if bound_s else None,
        "api_calls": {**dict(calls), "ssh": ssh_calls}, "writes": writes,
        "changes": sum(1 for _, c in result.changes if c.kind in ("create", "update", "delete")),
        "errors": len(result.errors), "latency_s": args.latency, "concurrency": args.concurrency,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the simulators exited ({proc.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the simulators did not answer {url} within {timeout_s:.0f}s")


if __name__ == "__main__":
    main()
