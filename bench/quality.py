"""Benchmark: themes, the Lighthouse gate and near-duplicate detection over a fleet.

    .venv/bin/python bench/quality.py --sites 50 --duplicates 5

Generates N sites' content with the sandbox's OpenAI simulator through the official SDK (the
content step's own `generate_site_plan`); K of them in the simulator's near-copy mode, each a
near-copy of a different site. Builds all N with the real Astro in one batched run, spread over
every theme and variation, runs the Lighthouse gate over the build outputs (one Chromium) and the
MinHash/LSH near-duplicate check over the published page text. The last line printed is JSON:
  sites, themes_used, lighthouse {category: {min, median}}, gate_failures, lighthouse_s_per_site,
  duplicates_injected, duplicates_found, false_pairs, and the timings behind them: wall seconds
  and CPU seconds per site (the CPU figures are what a busy shared machine does not inflate; on
  an idle machine the gate's wall time per site is about its CPU time divided by the cores).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from devtools.sandbox import SandboxServer, settings
from factory.vendors.astro import SiteBuilder
from factory.vendors.openai import standalone
from tests.quality.inputs import build_inputs, site_input
from factory.content.generate import generate_site_plan
from factory.content.prompt import load_prompt
from factory.content.themes import all_theme_choices
from factory.quality.lighthouse import run_gate
from factory.quality.runner import browser_count
from factory.quality.settings import load_settings
from factory.quality.similarity import near_duplicates, pairs, site_pages_text

MATOMO_URL = "https://matomo.example.com/"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--duplicates", type=int, default=5, help="near-copy pairs to inject")
    parser.add_argument("--workers", type=int, default=None, help="Lighthouse processes (FACTORY_QUALITY_WORKERS)")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds the gate may take (the runner's own limit assumes a machine that is not "
                             "oversubscribed)")
    args = parser.parse_args()
    n, k = args.sites, args.duplicates
    if not 0 <= 2 * k <= n:
        raise SystemExit("--duplicates must be at most half of --sites (each pair needs a source and a copy)")
    quality = load_settings()
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bench-quality-"))

    domains = [f"bench-{i:03d}.example" for i in range(n)]
    brands = {d: f"Bench Site {i}" for i, d in enumerate(domains)}
    copies = {domains[n - k + j]: domains[j] for j in range(k)}  # copy -> its source (distinct sources)
    # Every theme before any theme's second variation: 6 sites already cover all themes.
    by_theme: dict[str, list[dict]] = {}
    for choice in all_theme_choices():
        by_theme.setdefault(choice["name"], []).append(choice)
    choices = [c for group in itertools.zip_longest(*by_theme.values()) for c in group if c]
    themes = {d: choices[i % len(choices)] for i, d in enumerate(domains)}

    log(f"generating content for {n} sites ({k} as near-copies) with the OpenAI simulator ...")
    started = time.monotonic()
    plans = {}
    with SandboxServer() as sandbox:
        env = settings(sandbox.url)
        client = standalone(env["OPENAI_API_KEY"], env["OPENAI_BASE_URL"], "gpt-4o-mini")
        template = load_prompt()
        for domain in domains:
            if domain in copies:
                sandbox.openai.set_output("near_copy", count=1, source=copies[domain])
            plans[domain] = generate_site_plan(client, template, brand=brands[domain], domain=domain).plan
    content_s = time.monotonic() - started

    inputs = [site_input(d, brand=brands[d], tagline=plans[d].tagline, matomo_url=MATOMO_URL, matomo_site_id=i + 1,
                         theme=themes[d], pages=[{"slug": p.slug, "title": p.title, "nav_label": p.nav_label,
                                                  "nav_order": p.nav_order, "seo_description": p.seo_description,
                                                  "body": p.body} for p in plans[d].pages])
              for i, d in enumerate(domains)]

    try:
        log(f"batched Astro build of {n} sites ...")
        started, cpu = time.monotonic(), cpu_of_children()
        built = SiteBuilder(work / "builds").build(build_inputs(inputs))
        build_s, build_cpu = time.monotonic() - started, cpu_of_children() - cpu

        workers = args.workers or quality.workers
        browsers = browser_count(quality.browsers, workers, n)
        log(f"Lighthouse gate over {n} sites ({workers} Lighthouse processes, {browsers} Chromium) ...")
        cpu = cpu_of_children()
        # As site_build runs it: the home-page previews are taken by the same browser in the same run.
        report = run_gate({d: b.path for d, b in built.items()}, settings=quality, workers=workers,
                          previews={d: work / "previews" / f"{d}.png" for d in built}, timeout=args.timeout)
        # CPU seconds of the runner's whole process tree (Node workers and Chromium): much less than
        # wall time inflated by other work on a shared machine.
        gate_cpu = cpu_of_children() - cpu

        log("near-duplicate check ...")
        started = time.monotonic()
        found = near_duplicates({s["domain"]: site_pages_text(s) for s in inputs},
                                threshold=quality.similarity_threshold, shingle_words=quality.shingle_words)
        similarity_s = time.monotonic() - started
        injected = {frozenset((copy, source)) for copy, source in copies.items()}
        flagged = pairs(found)

        for domain in report.failed:
            log(report.sites[domain].failure_message())
        figures = {
            "sites": n,
            "themes_used": len({t["name"] for t in themes.values()}),
            "variations_used": len({(t["name"], t["variation"]) for t in themes.values()}),
            "lighthouse": report.summary(),
            "thresholds": report.thresholds,
            "gate_failures": len(report.failed),
            "lighthouse_s_per_site": round(report.seconds / n, 2),
            "duplicates_injected": len(injected),
            "duplicates_found": len(flagged & injected),
            "false_pairs": len(flagged - injected),
            "near_copy_jaccard_min": min((s.max_page_jaccard for s in found if pairs([s]) <= injected), default=None),
            "lighthouse_cpu_s_per_site": round(gate_cpu / n, 2),
            "gate_s": report.seconds,
            "page_s": report.page_seconds,
            "home_main_thread_ms": report.main_thread,
            "pages_audited": report.pages_audited,
            "previews_taken": len(report.previews),
            "lighthouse_workers": workers,
            "lighthouse_browsers": browsers,
            "build_s": round(build_s, 2),
            "build_s_per_site": round(build_s / n, 3),
            "build_cpu_s_per_site": round(build_cpu / n, 3),
            "similarity_s": round(similarity_s, 3),
            "content_s": round(content_s, 2),
            "cpus": os.cpu_count(),
            "load_avg_before": round(load_before, 2),
            "load_avg_after": round(os.getloadavg()[0], 2),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the 50 build outputs: nothing to keep
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
