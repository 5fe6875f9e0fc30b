"""Benchmark of the Management Hub API: 1,000 sites and a year of analytics, driven by 50
concurrent clients over HTTP against uvicorn. Prints per-endpoint figures; the last line is a
JSON object with p50_ms, p95_ms, p99_ms and rps for the sites list and the fleet analytics query.

    .venv/bin/python bench/hub_api.py [--clients 50] [--seconds 10] [--workers 2]

Needs the machine's Postgres (FACTORY_BENCH_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres);
creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factory import db  # noqa: E402
from factory.store import AnalyticsRow, NewSite, Store  # noqa: E402
from hub_api.auth import issue_local_token  # noqa: E402
from hub_api.config import Settings  # noqa: E402
from hub_api.operator_tokens import operator_for_sign_in  # noqa: E402

ADMIN_URL = os.environ.get("FACTORY_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SITES, DAYS = 1000, 365
YEAR_START = dt.date(2025, 1, 1)
JWT_SECRET = "bench-" + uuid.uuid4().hex


def load(url: str) -> None:
    store = Store(url)
    store.cloudflare_accounts.add("bench@example.com", "CF_Bench", "bench-token-" + "x" * 20)
    statuses = ["pending", "active", "failed"]
    started = time.perf_counter()
    sites = store.sites.add_many([NewSite(f"bench-site-{i:04d}.com", "CF_Bench", brand_name=f"Brand {i}")
                             for i in range(SITES)])
    for site in sites[::7]:
        status = random.choice(statuses)
        if status == "failed":
            store.steps.fail(site.id, "dns_zone", "bench failure")
        elif status == "active":
            store.steps.succeed(site.id, "dns_zone")
    rng = random.Random(1)
    rows = (AnalyticsRow(YEAR_START + dt.timedelta(days=d), s.id, rng.randint(0, 500), rng.randint(0, 50),
                         rng.randint(0, 2000)) for s in sites for d in range(DAYS))
    written = store.analytics.upsert(rows)
    with store.connection() as conn:
        conn.execute("analyze")
    store.close()
    print(f"loaded {len(sites)} sites and {written} analytics rows in {time.perf_counter() - started:.1f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int, home: Path) -> subprocess.Popen:
    env = {**os.environ, "FACTORY_DATABASE_URL": url, "FACTORY_JWT_SECRET": JWT_SECRET, "FACTORY_HOME": str(home),
           "FACTORY_LOG_LEVEL": os.environ.get("FACTORY_LOG_LEVEL", "INFO"),
           "FACTORY_LOG_FILE": str(home / "hub_api.log")}
    # `timeout` stops the server by itself should this script die.
    return subprocess.Popen(
        ["timeout", "900", sys.executable, "-m", "uvicorn", "hub_api.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning",
         "--timeout-keep-alive", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(home / "uvicorn.err", "wb"),
    )


def wait_healthy(base: str, tries: int = 150) -> None:
    for _ in range(tries):
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)


def operator_token(url: str) -> str:
    """A real operator's token: every request checks the token's operator and version."""
    store = Store(url)
    store.operators.add("bench@example.com", "$argon2id$not-used")
    operator = operator_for_sign_in(store, "bench@example.com")
    store.close()
    return issue_local_token(Settings(FACTORY_JWT_SECRET=JWT_SECRET), operator.id, operator.email,
                             operator.token_version).access_token


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator must cost far less CPU than the
    server it measures (both share this machine's cores)."""

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\nHost: {host}\r\n\r\n".encode()

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, path: str) -> int:
        try:
            return await self._get(path)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The server closed an idle keep-alive connection: open a new one, once.
            self.close()
            await self.open()
            return await self._get(path)

    async def _get(self, path: str) -> int:
        self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.auth)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


async def drive(port: int, token: str, path_for, clients: int, seconds: float,
                interval: float | None) -> dict[str, float]:
    """`clients` connections, each sending a request every `interval` seconds (paced: what 50
    dashboard users do) or back to back when `interval` is None (closed loop: the saturation rate)."""
    latencies: list[float] = []
    errors = 0
    connections = [Connection("127.0.0.1", port, token) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in connections))
    for c in connections[:5]:  # warm up
        for _ in range(4):
            await c.get(path_for(random.Random(0)))
    began = time.perf_counter()
    deadline = began + seconds

    async def one_client(seed: int, conn: Connection) -> None:
        nonlocal errors
        rng = random.Random(seed)
        next_at = time.perf_counter() + (rng.random() * interval if interval else 0)
        while True:
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            started = time.perf_counter()
            if started >= deadline:
                break
            if await conn.get(path_for(rng)) != 200:
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(one_client(i, c) for i, c in enumerate(connections)))
    elapsed = time.perf_counter() - began
    for c in connections:
        c.close()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1),
            "rps": round(len(latencies) / elapsed, 1), "requests": len(latencies), "errors": errors}


def sites_path(rng: random.Random) -> str:
    # The UI's sites table: a page of 50, sometimes filtered.
    choice = rng.random()
    if choice < 0.7:
        return f"/api/sites?limit=50&offset={rng.randrange(0, SITES - 50)}"
    if choice < 0.85:
        return "/api/sites?limit=50&status_dns=failed"
    return f"/api/sites?limit=50&search=site-0{rng.randrange(10, 99)}"


def fleet_path(rng: random.Random) -> str:
    # The dashboard: fleet totals per day over the year (sometimes a quarter).
    if rng.random() < 0.8:
        return "/api/analytics/fleet?start=2025-01-01&end=2025-12-31"
    month = rng.randrange(1, 10)
    return f"/api/analytics/fleet?start=2025-{month:02d}-01&end=2025-{month + 2:02d}-28"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--interval", type=float, default=1.0,
                        help="Seconds between one client's requests in the paced run (50 clients x 1/s = 50 rps).")
    args = parser.parse_args()

    name = f"factory_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    home = Path(f"/tmp/{name}")
    home.mkdir()
    server = None
    try:
        db.upgrade(url)
        load(url)
        port = free_port()
        server = start_server(url, port, args.workers, home)
        wait_healthy(f"http://127.0.0.1:{port}")
        token = operator_token(url)
        results = {}
        for label, path_for in (("sites_list", sites_path), ("fleet_analytics", fleet_path)):
            paced = asyncio.run(drive(port, token, path_for, args.clients, args.seconds, args.interval))
            closed = asyncio.run(drive(port, token, path_for, args.clients, args.seconds, None))
            results[label] = {**paced, "closed_loop": closed}
            print(f"{label:<16} paced       {json.dumps(paced)}")
            print(f"{label:<16} closed loop {json.dumps(closed)}")
        results["setup"] = {"clients": args.clients, "seconds_per_run": args.seconds,
                            "paced_interval_s": args.interval, "uvicorn_workers": args.workers,
                            "sites": SITES, "analytics_days": DAYS, "cpus": os.cpu_count(),
                            "note": "top-level figures: 50 clients each sending a request every interval; "
                                    "closed_loop: the same clients back to back (saturation)"}
        print(json.dumps(results))
    finally:
        if server is not None:
            server.terminate()
            server.wait(20)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
            conn.execute(f'drop database if exists "{name}"')


if __name__ == "__main__":
    main()
