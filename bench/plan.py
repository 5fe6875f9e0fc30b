"""Plan a converged fleet of N sites, read-only, against the simulators (with vendor latency).

    .venv/bin/python bench/plan.py --sites 1000 [--latency 0.02] [--concurrency 4]

The fleet is onboarded first through the product's own layers (the same observe/plan/apply the
assets run, without Dagster), then `plan_fleet` plans every site's dns, hosting, matomo and
search_console layers. The last line printed is one JSON object:
  sites, plan_s, bound_s, api_calls (per vendor), writes (vendor writes during planning, from the
  simulators' request log), changes (writes the plan found: 0 on a converged fleet).
bound_s is the least time the reads can take: per vendor, the calls over the concurrency the plan
may use (FACTORY_PLAN_CONCURRENCY) times the latency, and never less than each credential's rate
budget allows.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    args = parser.parse_args()
    name = f"bench_plan_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    work = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    sshd = None
    options = {"time_scale": 0.001}
    if "instant" in inspect.signature(SandboxServer).parameters:
        options["instant"] = True  # zones activate at delegation: the bench measures planning, not waiting
    try:
        db.upgrade(url)
        with SandboxServer(**options) as sandbox:
            sshd = start_sshd(work / "sshd", sandbox_url=sandbox.url)
            os.environ.update({**settings(sandbox.url), **hosting_settings(sshd), "FACTORY_DATABASE_URL": url,
                               "FACTORY_RATE_TIME_SCALE": "0.001", "FACTORY_HOME": str(work / "home"),
                               "FACTORY_PLAN_CONCURRENCY": str(args.concurrency)})
            from factory.clients import Clients
            from factory.config import load_settings
            from factory.layers import dns, hosting, matomo, search_console
            from factory.layers.fleet import plan_fleet
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
            started = time.monotonic()

            def onboard(site) -> None:
                for layer in (dns, hosting, matomo):
                    run_layer(ctx, layer, store.sites.get(site.id))
                run_layer(ctx, search_console, store.sites.get(site.id))

            with ThreadPoolExecutor(args.seed_workers) as pool:
                list(pool.map(onboard, sites))
            log(f"onboarded in {time.monotonic() - started:.0f}s; planning with {args.latency * 1000:.0f} ms latency")

            sandbox.latency_s = args.latency
            before = len(sandbox.requests)
            started = time.monotonic()
            plan = plan_fleet(ctx, store.sites.list(), LAYERS)
            plan_s = time.monotonic() - started
            reads = sandbox.requests[before:]
            calls = Counter(r["vendor"] for r in reads)
            ssh_calls = 1  # one listing of the sites on the host (not in the HTTP log)
            writes = sum(1 for r in reads if is_write(r))
            # The least time: each vendor's calls over the allowed concurrency, at the latency.
            per_vendor = {v: math.ceil(n / args.concurrency) * args.latency for v, n in calls.items()}
            # Cloudflare's budget (1,200 / 5 min per token) is not binding below 1,200 reads per token.
            per_token = math.ceil(calls.get("cloudflare", 0) / CF_ACCOUNTS)  # accounts hold equal shares
            budget_s = max(0, math.ceil(per_token / 1200) - 1) * 300
            bound_s = max([budget_s, *per_vendor.values()])
            figures = {
                "sites": args.sites, "plan_s": round(plan_s, 2), "bound_s": round(bound_s, 2),
                "ratio": round(plan_s / bound_s, 2) if bound_s else None,
                "api_calls": {**dict(calls), "ssh": ssh_calls}, "writes": writes,
                "changes": sum(1 for _, c in plan.changes if c.kind in ("create", "update", "delete")),
                "errors": len(plan.errors), "latency_s": args.latency, "concurrency": args.concurrency,
            }
            store.close()
    finally:
        if sshd is not None:
            sshd.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
