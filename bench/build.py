"""Benchmark: batched vs per-site Astro builds, and the cost of re-publishing an unchanged fleet.

    .venv/bin/python bench/build.py --sites 200

Starts its own Postgres database, Directus (npm) and sshd, fills Directus through `site_content`
(the sandbox's OpenAI simulator), then measures with the real assets:
  batched_s     one `site_build` run over all sites (one Astro process; and the Lighthouse quality
                gate over the new builds unless --no-quality-gate)
  astro_only_s  a bare Astro build of the same pages in the same run (the floor for batched_s;
                goal: batched_s <= 1.5 x astro_only_s)
  per_site_s    building sites one Astro process each: a sample of --sample sites is timed and
                scaled to the fleet (per_site_sample says how many were timed)
  unchanged_s   re-materializing `site_build` + `site_deployment` for all sites with nothing changed
The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
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
from devtools import directus_server
from factory.layers.build import BuildDesired, BuildObserved, build_input
from factory.layers.content import brand_for
from factory.store import NewSite, Store
from factory_assets.publishing import publishing_assets
from resources.factory import FactoryResource
from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.env import hosting_settings
from devtools.sandbox.sshd import start_sshd

# One run per range covers every site (the policy's batch size is what a backfill would use).
CHAIN = publishing_assets(batch_size=10_000)
ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_range(assets, domains: list[str], resources: dict, instance: dg.DagsterInstance, name: str):
    """One run over the whole range of partitions (what a batched backfill launches)."""
    job = dg.define_asset_job(name, selection=dg.AssetSelection.assets(*assets))
    defs = dg.Definitions(assets=list(CHAIN), jobs=[job], resources=resources)
    started = time.monotonic()
    result = defs.get_job_def(name).execute_in_process(instance=instance, raise_on_error=False, tags={
        "dagster/asset_partition_range_start": domains[0], "dagster/asset_partition_range_end": domains[-1]})
    elapsed = time.monotonic() - started
    if not result.success:
        failure = result.get_step_failure_events()
        raise SystemExit(f"{name} failed: {failure[0].step_failure_data.error if failure else result}")
    return result, elapsed


def astro_only(builder, inputs: list, work: Path) -> float:
    """Seconds of one bare Astro build of these sites' pages: the input file written beforehand,
    then only the Astro process (what `site_build` cannot do in less)."""
    work.mkdir(parents=True)
    keyed = [{"key": f"s{i:04d}", **one.data} for i, one in enumerate(inputs)]
    (work / "input.json").write_text(json.dumps({"sites": keyed}, ensure_ascii=False))
    started = time.monotonic()
    builder._astro(work)  # noqa: SLF001 - the bare step, timed on its own
    elapsed = time.monotonic() - started
    if not (work / "dist" / keyed[-1]["key"] / "index.html").exists():
        raise SystemExit("the bare Astro build produced no pages")
    return elapsed


def metadata(result, asset) -> dict:
    # A range run records one materialization per partition, all with the step's metadata.
    event = result.asset_materializations_for_node(asset.op.name)[0]
    return {k: v.value for k, v in event.metadata.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--sample", type=int, default=10, help="sites built one process each (timed)")
    parser.add_argument("--no-quality-gate", action="store_true",
                        help="site_build without the Lighthouse gate (FACTORY_QUALITY_GATE=false): batched_s is then "
                             "the build alone, comparable with astro_only_s")
    args = parser.parse_args()
    if args.no_quality_gate:
        os.environ["FACTORY_QUALITY_GATE"] = "false"
    n = args.sites
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    os.environ.setdefault("FACTORY_SECRET_KEY", Fernet.generate_key().decode())  # throw-away data only
    os.environ.setdefault("FACTORY_HOME", str(work / "home"))
    dbname, cms_db = f"factory_bench_{uuid.uuid4().hex[:8]}", f"directus_bench_{uuid.uuid4().hex[:8]}"
    directus_server.install()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{dbname}"')
    app_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname
    db.upgrade(app_url)
    cms = sshd = None
    try:
        log("starting Directus, sandbox and sshd ...")
        cms = directus_server.start_directus(
            directus_server.create_database(ADMIN_URL, cms_db), state_dir=work / "directus",
            token=secrets.token_urlsafe(24), key=secrets.token_hex(16), secret=secrets.token_hex(32))
        sshd = start_sshd(work / "sshd")
        with SandboxServer() as sandbox:
            env = settings(sandbox.url)
            store = Store(app_url)
            store.cloudflare_accounts.add("bench@example.com", "bench", "bench-token-123456")
            domains = [f"bench-site-{i:03d}.com" for i in range(n)]
            store.sites.add_many([NewSite(d, "bench", brand_name=f"Bench Site {i}") for i, d in enumerate(domains)])
            for i, domain in enumerate(domains):
                doc_root = work / "host" / "home" / f"user{i}" / "htdocs" / domain
                doc_root.mkdir(parents=True)
                (doc_root / "index.html").write_text("placeholder")
                store.sites.update(store.sites.get(domain).id, hosting_doc_root=str(doc_root), matomo_site_id=i + 1)
            os.environ.update({**env, **hosting_settings(sshd), "FACTORY_DATABASE_URL": app_url,
                               "DIRECTUS_URL": cms.url, "DIRECTUS_TOKEN": cms.token,
                               "FACTORY_BUILD_DIR": str(work / "builds"), "FACTORY_KEEP_RELEASES": "3",
                               "FACTORY_DEPLOY_PARALLEL": "4"})
            factory = FactoryResource()
            resources = {"factory": factory}
            site_content, site_build, site_deployment = CHAIN
            instance = dg.DagsterInstance.ephemeral()
            instance.add_dynamic_partitions("site", domains)

            log(f"generating content for {n} sites (sandbox OpenAI -> Directus) ...")
            _, content_s = run_range([site_content], domains, resources, instance, "bench_content")

            log("batched build of all sites (one Astro process) ...")
            result, batched_s = run_range([site_build], domains, resources, instance, "bench_build")
            assert metadata(result, site_build)["changed"] == n
            log(f"batched_s {batched_s:.2f}")

            builder = factory.ctx.clients.builder()
            template = builder.template_version()
            with factory.ctx.clients.directus() as client:
                pages = client.pages(domains, published_only=True)
                tags = client.sites(domains)
            inputs = [build_input(BuildDesired(domain, brand_for(domain, f"Bench Site {i}"), env["MATOMO_URL"], i + 1,
                                               template),
                                  BuildObserved(None, tags[domain]["tagline"], pages[domain]))
                      for i, domain in enumerate(domains)]

            log(f"bare Astro build of the same {n} sites (no Dagster, no Directus, no collecting) ...")
            astro_only_s = astro_only(builder, inputs, work / "astro-only")
            log(f"astro_only_s {astro_only_s:.2f} (batched_s / astro_only_s = {batched_s / astro_only_s:.2f})")

            log(f"per-site builds of a sample of {args.sample} (one Astro process each) ...")
            sample_times = []
            for one in inputs[: args.sample]:
                started = time.monotonic()
                builder.__class__(work / "per-site-builds", builder.template_dir).build([one])
                sample_times.append(time.monotonic() - started)
            per_site_s = sum(sample_times) / len(sample_times) * n

            log("first deploy of all sites ...")
            result, deploy_s = run_range([site_deployment], domains, resources, instance, "bench_deploy")
            first_bytes = metadata(result, site_deployment)["total_bytes_transferred"]

            log("re-materializing build + deploy with nothing changed ...")
            releases_before = sum(len(list((work / "host" / "home" / f"user{i}" / "htdocs" / ".releases" / d).iterdir()))
                                  for i, d in enumerate(domains))
            result, unchanged_s = run_range([site_build, site_deployment], domains, resources, instance,
                                            "bench_unchanged")
            build_meta, deploy_meta = metadata(result, site_build), metadata(result, site_deployment)
            releases_after = sum(len(list((work / "host" / "home" / f"user{i}" / "htdocs" / ".releases" / d).iterdir()))
                                 for i, d in enumerate(domains))
            store.close()
        figures = {
            "sites": n,
            "batched_s": round(batched_s, 2),
            "astro_only_s": round(astro_only_s, 2),
            "batched_over_astro_only": round(batched_s / astro_only_s, 2),
            "per_site_s": round(per_site_s, 1),
            "per_site_sample": args.sample,
            "per_site_mean_s": round(sum(sample_times) / len(sample_times), 2),
            "ratio": round(per_site_s / batched_s, 1),
            "unchanged_s": round(unchanged_s, 2),
            "unchanged_rebuilt": build_meta["changed"],
            "unchanged_redeployed": deploy_meta["changed"],
            "unchanged_bytes_transferred": deploy_meta.get("total_bytes_transferred", 0),
            "unchanged_new_releases": releases_after - releases_before,
            "content_s": round(content_s, 1),
            "first_deploy_s": round(deploy_s, 1),
            "first_deploy_bytes": first_bytes,
            "quality_gate": not args.no_quality_gate,
            "cpus": os.cpu_count(),
        }
    finally:
        if cms:
            cms.stop()
        if sshd:
            sshd.stop()
        directus_server.drop_database(ADMIN_URL, cms_db)
        directus_server.drop_database(ADMIN_URL, dbname)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
