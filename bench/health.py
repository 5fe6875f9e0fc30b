"""One health sweep and one repair of a converged fleet with K injected problems, against the
simulators, the sshd with the CloudPanel stand-in and a local HTTPS host with a local CA.

    .venv/bin/python bench/health.py --sites 200 --drift 40 [--latency 0.02] [--seed 1]

The fleet is onboarded through the product's own layers (dns, hosting, matomo, search_console;
no Dagster), each site is marked deployed and served over real HTTPS (canonical URL and Matomo
snippet), and a first sweep must find nothing. Then K problems of 14 kinds are injected on
distinct random sites (record changed, record deleted, SSL mode changed, name servers moved at
the registrar, Search Console property removed, Matomo site deleted, hosting site removed,
verification TXT record removed, doc root removed, page without the snippet, site down,
certificate expiring, domain expiring, auto-renew off), one sweep runs (the daily one: with
the registrar; `factory health sweep --registrar`, in its own process as in production, where
the vendors and the sites are other machines), alerts go to a local webhook receiver, and one
repair (`--all`, confirmed through the guard) re-applies the plan; a last sweep counts what was repaired. The last line printed is one JSON object: sites, injected, detected, false_positives,
alerts_sent, distinct_problems, repaired, repairable, sweep_s, bound_s, api_calls (per vendor),
kinds (per kind: injected, detected).

bound_s is the least time the sweep's vendor reads can take: per vendor, the calls over the
concurrency the plan may use times the latency, and never less than Namecheap's budget allows
(20 calls a minute, at the simulators' time scale).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from devtools.https_host import HttpsHost, site_page  # noqa: E402
from devtools.sandbox import SandboxServer, settings  # noqa: E402
from devtools.sandbox.cloudflare import account_id_for  # noqa: E402
from devtools.sandbox.env import NAMECHEAP_USER, hosting_settings  # noqa: E402
from devtools.sandbox.sshd import start_sshd  # noqa: E402
from factory import db  # noqa: E402

ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CF_ACCOUNTS, GSC_ACCOUNTS = 10, 3
TIME_SCALE = 0.001
# Injected kind -> the check kind that must find it.
KINDS = {
    "record_changed": "drift.dns", "record_deleted": "drift.dns", "ssl_mode": "drift.dns",
    "nameservers_moved": "nameservers", "property_removed": "drift.search_console",
    "matomo_deleted": "drift.matomo", "hosting_removed": "drift.hosting", "no_snippet": "matomo_snippet",
    "txt_removed": "verification_txt", "doc_root_removed": "doc_root",
    "site_down": "https", "certificate_expiring": "certificate", "domain_expiring": "domain_expiry",
    "auto_renew_off": "auto_renew",
}
REPAIRABLE = {k for k, v in KINDS.items() if v.startswith("drift.") or v in ("nameservers", "verification_txt",
                                                                              "doc_root")}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Webhook:
    def __init__(self):
        self.posts: list[dict] = []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                hook.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--drift", type=int, default=40, help="problems to inject (on distinct sites)")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to every vendor request")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seed-workers", type=int, default=8)
    args = parser.parse_args()
    if args.drift > args.sites:
        parser.error("--drift cannot exceed --sites (one problem per site)")
    rng = random.Random(args.seed)
    name = f"bench_health_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    work = Path(tempfile.mkdtemp(prefix="bench-health-"))
    sshd = None
    hook = Webhook()
    try:
        db.upgrade(url)
        with SandboxServer(time_scale=TIME_SCALE, instant=True) as sandbox, HttpsHost(work / "https") as host:
            sshd = start_sshd(work / "sshd", sandbox_url=sandbox.url)
            os.environ.update({**settings(sandbox.url), **hosting_settings(sshd), **host.settings(),
                               "FACTORY_DATABASE_URL": url, "FACTORY_RATE_TIME_SCALE": str(TIME_SCALE),
                               "FACTORY_HOME": str(work / "home"), "FACTORY_PLAN_CONCURRENCY": str(args.concurrency),
                               "FACTORY_HEALTH_TIMEOUT_S": "5", "FACTORY_ALERT_WEBHOOK_URL": hook.url})
            from factory.clients import Clients
            from factory.config import load_settings
            from factory.health.alerts import deliver
            from factory.health.repair import repair
            from factory.health.sweep import sweep
            from factory.layers import build, content, deploy, dns, hosting, matomo, search_console
            from factory.layers.runner import LayerContext, run_layer
            from factory.store import NewSite, Store

            store = Store(url, max_connections=16)
            tokens = [f"bench-health-token-{i:02d}-abcdef" for i in range(CF_ACCOUNTS)]
            for i, token in enumerate(tokens):
                store.cloudflare_accounts.add(f"cf{i}@example.com", f"CF_{i}", token, account_id_for(token))
            refresh = [f"bench-health-refresh-{i}" for i in range(GSC_ACCOUNTS)]
            for i, token in enumerate(refresh):
                store.gsc_accounts.add(f"seo{i}@example.com", token)
            sites = store.sites.add_many([NewSite(f"health-{i:05d}.com", f"CF_{i % CF_ACCOUNTS}",
                                                  f"seo{i % GSC_ACCOUNTS}@example.com") for i in range(args.sites)])
            settings_ = load_settings()
            ctx = LayerContext(settings_, store, Clients(settings_, store))
            by_step = {m.STEP: m for m in (dns, hosting, matomo, search_console, content, build, deploy)}

            log(f"onboarding {args.sites} sites through the layers (no Dagster) ...")
            started = time.monotonic()

            def onboard(site) -> None:
                for layer in (dns, hosting, matomo, search_console):
                    run_layer(ctx, layer, store.sites.get(site.id))

            with ThreadPoolExecutor(args.seed_workers) as pool:
                list(pool.map(onboard, sites))
            # Content, build and deploy are not run here: each site is marked deployed and its
            # page served by the local HTTPS host, as the template renders it.
            with store.connection() as conn:
                conn.execute("update public.sites set status_deployment = 'deployed', status_content = 'generated'")
            sites = store.sites.list()
            for site in sites:
                host.serve(site.domain, site_page(site.domain, site.matomo_site_id))
            log(f"onboarded in {time.monotonic() - started:.0f}s")

            clean = sweep(ctx, registrar=True)
            if clean.findings:
                log(f"a converged fleet has problems: {[(f.check_kind, f.subject) for f in clean.findings][:10]}")

            # -- inject: one problem per chosen site, kinds in turn --------------------------------
            chosen = rng.sample(sites, args.drift)
            kinds = list(KINDS)
            injected: dict[str, str] = {}  # domain -> injected kind
            today = dt.datetime.now(dt.UTC).date()
            for i, site in enumerate(chosen):
                kind = kinds[i % len(kinds)]
                injected[site.domain] = kind
                domain = site.domain
                cf = ctx.clients.cloudflare(site.cloudflare_account_id)
                if kind in ("record_changed", "record_deleted"):
                    [record] = [r for r in cf.records(site.cloudflare_zone_id) if r.name == f"www.{domain}"]
                    if kind == "record_changed":
                        cf.update_record(site.cloudflare_zone_id, record.id, "A", f"www.{domain}", "192.0.2.99", True)
                    else:
                        cf.delete_record(site.cloudflare_zone_id, record.id)
                elif kind == "ssl_mode":
                    cf.set_setting(site.cloudflare_zone_id, "ssl", "flexible")
                elif kind == "nameservers_moved":
                    ctx.clients.namecheap().set_nameservers(domain, ["ns1.elsewhere.example", "ns2.elsewhere.example"])
                elif kind == "property_removed":
                    account = refresh[int(domain.split("-")[1].split(".")[0]) % GSC_ACCOUNTS]
                    del sandbox.google.gsc_sites[(account, f"sc-domain:{domain}")]
                elif kind == "matomo_deleted":
                    del sandbox.matomo.sites[site.matomo_site_id]
                elif kind == "hosting_removed":
                    ctx.clients.cloudpanel().delete_site(domain)  # deleted in CloudPanel: entry and files
                elif kind == "txt_removed":
                    [txt] = [r for r in cf.records(site.cloudflare_zone_id)
                             if r.type == "TXT" and r.name == domain and "google-site-verification=" in r.content]
                    cf.delete_record(site.cloudflare_zone_id, txt.id)
                elif kind == "doc_root_removed":  # by hand on the server: the CloudPanel site stays
                    ctx.clients.ssh().run(["rm", "-rf", ctx.clients.cloudpanel().doc_root(domain)])
                elif kind == "no_snippet":
                    host.set_page(domain, f'<html><head><link rel="canonical" href="https://{domain}/" /></head></html>')
                elif kind == "site_down":
                    host.down(domain)
                elif kind == "certificate_expiring":
                    host.set_certificate(domain, 5)
                elif kind == "domain_expiring":
                    sandbox.namecheap.set_domain(NAMECHEAP_USER, domain, expires=today + dt.timedelta(days=12))
                elif kind == "auto_renew_off":
                    sandbox.namecheap.set_domain(NAMECHEAP_USER, domain, auto_renew=False)

            # -- one sweep -----------------------------------------------------------------------
            sandbox.latency_s = args.latency
            before = len(sandbox.requests)
            # The operator's own command, in its own process: the simulators and the HTTPS host
            # answering in this one do not take the sweep's interpreter lock (in production they
            # are other machines).
            command = subprocess.run([str(Path(sys.executable).parent / "factory"), "health", "sweep", "--registrar",
                                      "--no-alert", "--json"], capture_output=True, text=True, cwd=ROOT)
            if command.returncode != 0:
                raise SystemExit(f"factory health sweep failed: {command.stderr[-2000:]}")
            swept = json.loads(command.stdout)
            sweep_s = swept["seconds"]
            reads = sandbox.requests[before:]
            calls = Counter(r["vendor"] for r in reads)
            sandbox.latency_s = 0.0
            problems = store.health.problems(limit=100_000)
            found = {(p.domain, p.check_kind) for p in problems}
            detected = sum(1 for d, k in injected.items() if (d, KINDS[k]) in found)
            expected_pairs = {(d, KINDS[k]) for d, k in injected.items()}
            unexpected = sorted({pair for pair in found if pair not in expected_pairs})
            false_positives = len(unexpected)
            for domain, kind in unexpected:
                log(f"not injected: {domain} {kind} (injected there: {injected.get(domain, 'nothing')}): "
                    + "; ".join(p.cause for p in problems if (p.domain, p.check_kind) == (domain, kind)))
            distinct = len({(p.check_kind, p.cause) for p in problems})
            sent = deliver(settings_, store)
            per_vendor = {v: math.ceil(n / args.concurrency) * args.latency for v, n in calls.items()}
            namecheap_budget_s = max(0, calls.get("namecheap", 0) - 20) / 20 * 60 * TIME_SCALE
            bound_s = max([namecheap_budget_s, *per_vendor.values()])

            # -- one repair (through the guard: shown, then confirmed) ----------------------------
            class InProcess:
                def launch(self, domain, steps=None, tags=None) -> str:
                    site = store.sites.get(domain)
                    for step in steps or ():
                        run_layer(ctx, by_step[step], store.sites.get(site.id))
                    return f"in-process-{domain}"

            shown = repair(ctx, InProcess(), [], "bench@example.com", all_sites=True)
            done = repair(ctx, InProcess(), [], "bench@example.com", confirm=shown.plan_hash) \
                if shown.needs_confirmation else shown
            if done.refused:
                log(f"repair refused: {done.refused}")
            after = sweep(ctx, registrar=True)
            still = {(p.domain, p.check_kind) for p in store.health.problems(limit=100_000)}
            repairable = {d: k for d, k in injected.items() if k in REPAIRABLE}
            repaired = sum(1 for d, k in repairable.items() if (d, KINDS[k]) not in still)
            resolved_msgs = deliver(settings_, store)
            per_kind = {k: {"injected": sum(1 for x in injected.values() if x == k),
                            "detected": sum(1 for d, x in injected.items() if x == k and (d, KINDS[k]) in found)}
                        for k in KINDS}
            figures = {
                "sites": args.sites, "injected": len(injected), "detected": detected,
                "false_positives": false_positives, "alerts_sent": sent.sent, "distinct_problems": distinct,
                "repaired": repaired, "repairable": len(repairable), "sweep_s": round(sweep_s, 2),
                "sweep_parts_s": {k: round(v, 2) for k, v in swept["parts"].items()},
                "bound_s": round(bound_s, 2), "ratio": round(sweep_s / bound_s, 2) if bound_s else None,
                "api_calls": {**dict(calls), "ssh": 1}, "resolved_messages": resolved_msgs.resolved,
                "clean_sweep_problems": len(clean.findings), "repair_runs": len(done.launched),
                "after_repair_open": len(after.findings), "kinds": per_kind, "latency_s": args.latency,
            }
            store.close()
    finally:
        if sshd is not None:
            sshd.stop()
        hook.server.shutdown()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
