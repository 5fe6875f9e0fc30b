"""What Dagster itself costs per onboarded site: CPU seconds of run launch, steps, events and
storage for one `onboard_site_job` run, apart from the work the steps do.

    .venv/bin/python bench/dagster_overhead.py [--sites 10] [--executors product,multiprocess,in_process]

The job measured has the shape of the product's `onboard_site_job` (read from the real code
location: the same asset keys, dependencies, `site` partitions, pools, retry policies and
executor) but steps that do no work: they log a line and report a status, as a real step does.
Each run is launched as the run launcher does it, in a fresh Python process that imports the code
location (the real `definitions` module, as every run and step process does) and executes the
job against a Dagster instance on Postgres (a fresh database, dropped afterwards, with
op-granularity pools as in deploy/dagster.yaml), one run at a time so nothing else shares the
cores. CPU counts the run's processes (the run worker and every step process it starts) and
Postgres (backends included).

`product` is the executor the product's job uses; the others are there to compare. The last
line printed is one JSON object: per executor, cpu_s_per_site (processes + Postgres),
process_cpu_s_per_site, postgres_cpu_s_per_site, wall_s_per_site.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dagster as dg  # noqa: E402
import psycopg  # noqa: E402

from bench.onboarding import create_database, drop_database, url_for  # noqa: E402
from resources.dagster_storage import storage_config  # noqa: E402

EXECUTORS = {"multiprocess": dg.multiprocess_executor, "in_process": dg.in_process_executor}
JOB = "onboard_site_job"


def product_job() -> dg.JobDefinition:
    import definitions
    from factory.config import load_settings

    return definitions.build_definitions(load_settings()).resolve_job_def(JOB)


def idle_step(name: str):
    def step(context):  # no annotation: this module's are strings, which Dagster refuses here
        context.log.info(f"{name}: nothing to change")
        return dg.MaterializeResult(metadata={"status": "active", "changes": 0})

    return step


def overhead_job() -> dg.JobDefinition:
    """The product's job with steps that do nothing (module level: step processes rebuild it)."""
    from factory_assets.partitions import site_partitions

    real = product_job()
    chosen = os.environ.get("BENCH_EXECUTOR", "product")
    executor = real.executor_def if chosen == "product" else EXECUTORS[chosen]
    assets = []
    for node in real.graph.node_dict.values():
        op = node.definition
        key = dg.AssetKey(node.name)
        parents = real.asset_layer.asset_graph.get(key).parent_keys

        assets.append(dg.asset(key=key, deps=sorted(parents), partitions_def=site_partitions, pool=op.pool,
                               retry_policy=op.retry_policy)(idle_step(node.name)))
    return dg.Definitions(assets=assets, jobs=[dg.define_asset_job(JOB, selection=assets, executor_def=executor)]
                          ).resolve_job_def(JOB)


def run_one(domain: str) -> None:
    """One run in this (fresh) process, as the run launcher's worker runs it."""
    with dg.DagsterInstance.get() as instance:
        with dg.execute_job(dg.reconstructable(overhead_job), instance, tags={"dagster/partition": domain}) as result:
            if not result.success:
                raise SystemExit(f"the run for {domain} failed")


def postgres_cpu_s(url: str) -> float:
    """CPU seconds of the Postgres server so far: the postmaster's exited children (backends of
    finished connections) and every process still alive under it."""
    with psycopg.connect(url) as conn:
        data_dir = conn.execute("show data_directory").fetchone()[0]
    postmaster = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid == postmaster:
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
        elif int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(executor: str, sites: int, home: Path, url: str, env: dict) -> dict:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        domains = [f"overhead-{executor}-{i:03d}.com" for i in range(sites + 1)]
        instance.add_dynamic_partitions("site", domains)
    run_env = {**env, "BENCH_EXECUTOR": executor}
    # The first run warms the disk cache and Postgres's catalog: not counted.
    subprocess.run([sys.executable, "-m", "bench.dagster_overhead", "--run", domains[0]], env=run_env, cwd=ROOT,
                   check=True)
    cpu0, pg0, t0 = children_cpu_s(), postgres_cpu_s(url), time.perf_counter()
    for domain in domains[1:]:
        subprocess.run([sys.executable, "-m", "bench.dagster_overhead", "--run", domain], env=run_env, cwd=ROOT,
                       check=True)
    wall = time.perf_counter() - t0
    process_cpu, pg_cpu = children_cpu_s() - cpu0, postgres_cpu_s(url) - pg0
    figures = {"cpu_s_per_site": round((process_cpu + pg_cpu) / sites, 2),
               "process_cpu_s_per_site": round(process_cpu / sites, 2),
               "postgres_cpu_s_per_site": round(pg_cpu / sites, 2), "wall_s_per_site": round(wall / sites, 2)}
    print(executor, json.dumps(figures), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--executors", default="product,multiprocess,in_process")
    parser.add_argument("--run", metavar="DOMAIN", help=argparse.SUPPRESS)  # a run process (internal)
    args = parser.parse_args()
    if args.run:
        return run_one(args.run)
    if args.sites < 1:
        parser.error("--sites must be at least 1")
    executors = [e.strip() for e in args.executors.split(",") if e.strip()]
    unknown = [e for e in executors if e != "product" and e not in EXECUTORS]
    if unknown:
        parser.error(f"unknown executor {', '.join(unknown)}; known: product, {', '.join(EXECUTORS)}")

    home = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    env = {**os.environ, "FACTORY_HOME": str(home / "factory"), "FACTORY_LOG_LEVEL": "WARNING",
           "DAGSTER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    os.environ.update({k: env[k] for k in ("FACTORY_HOME", "FACTORY_LOG_LEVEL", "DAGSTER_HOME")})
    database = create_database("bench_overhead")
    url = url_for(database)
    (home / "dagster.yaml").write_text(json.dumps({
        "storage": storage_config(url),
        "concurrency": {"pools": {"default_limit": 2, "granularity": "op"}},
        "telemetry": {"enabled": False},
    }))
    try:
        product = product_job().executor_def.name
        results = {"sites": args.sites, "product_executor": product, "cpus": os.cpu_count()}
        for executor in executors:
            results[executor] = measure(executor, args.sites, home, url, env)
        print(json.dumps(results))
    finally:
        drop_database(database)


if __name__ == "__main__":
    main()
