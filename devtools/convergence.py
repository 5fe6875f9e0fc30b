"""N sites added at once against simulators as slow as the vendors; the code location's own
sensors (new sites, waiting sites, failed launches) finish them with nobody at the keyboard.
Shared by tests/convergence/test_convergence_e2e.py and bench/convergence.py.

    with ConvergenceWorld(time_scale=0.05, faults=0.2, directus=(url, token)) as world:
        world.add_sites(20)
        outcome = world.converge(timeout_s=900)
        figures = world.figures(outcome)

Everything is real but the vendors: Postgres (a database of its own, dropped after), Dagster on
Postgres, Directus, Astro, a real sshd with rsync and the clpctl stand-in, and the simulators
over HTTP with their delays (zone activation after delegation, propagation), limits and faults.
A site is *live* when Cloudflare says its zone is active, its Let's Encrypt certificate is
installed, Google verified it, and it is deployed.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs

import psycopg

from devtools import directus_server
from devtools.local_daemon import LocalDaemon, Task
from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.cloudflare import account_id_for
from devtools.sandbox.env import hosting_settings
from devtools.sandbox.ratelimit import LIMITS
from devtools.sandbox.sshd import start_sshd
from factory import db, onboarding_eta
from factory.store import NewSite, Site, Store
from resources.dagster_storage import storage_config

ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SET_CUSTOM = "namecheap.domains.dns.setCustom"


def is_live(site: Site) -> bool:
    return (site.status_dns == "active" and site.cloudflare_zone_status == "active"
            and site.status_hosting == "active" and bool(site.hosting_certificate)
            and site.gsc_verification_status == "verified" and site.status_deployment == "deployed")


@dataclass
class Outcome:
    started: float  # time.time() when the sites were added
    live_s: dict[str, float] = field(default_factory=dict)  # domain -> seconds until live
    failed: dict[str, str] = field(default_factory=dict)  # domain -> the failed step's error
    timed_out: list[str] = field(default_factory=list)  # neither live nor failed at the end
    wall_s: float = 0.0
    # The product's onboarding ETA (factory.onboarding_eta.fleet_eta) for the last site, in seconds
    # since the start: as the operator sees it at the start, and once a tenth of the sites is live
    # (when the machine's pace is measured).
    eta_at_start_s: float | None = None
    eta_taken_at_s: float | None = None
    eta_finish_s: float | None = None


def progress(line: str) -> None:
    print(f"convergence: {line}", file=sys.stderr, flush=True)


class ConvergenceWorld:
    def __init__(self, *, time_scale: float, directus: tuple[str, str] | None = None, faults: float = 0.0,
                 activation_min_s: float | None = None, activation_max_s: float | None = None,
                 cloudflare_accounts: int = 5, gsc_accounts: int = 3, workers: int = 3,
                 launch_faults: float | None = None, seed: int = 1, tick_s: float = 1.0):
        self.time_scale, self.faults, self.seed, self.workers, self.tick_s = time_scale, faults, seed, workers, tick_s
        # A fault rate also makes that share of launches die before their first step (at half the rate).
        self.launch_faults = faults / 2 if launch_faults is None else launch_faults
        self.cf_accounts, self.gsc_accounts = cloudflare_accounts, gsc_accounts
        self.work = Path(tempfile.mkdtemp(prefix="convergence-"))
        suffix = uuid.uuid4().hex[:8]
        self.app_db, self.dagster_db = f"convergence_{suffix}", f"convergence_dagster_{suffix}"
        self.cms_db = f"convergence_cms_{suffix}" if directus is None else None
        self._directus = directus
        self._activation = (activation_min_s, activation_max_s)
        self.cms = self.sandbox = self.sshd = self.store = self.daemon = None
        self.domains: list[str] = []
        self._saved_env: dict[str, str | None] = {}
        self.app_url = ""

    # -- the world ------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        app_url = directus_server.create_database(ADMIN_URL, self.app_db)
        dagster_url = directus_server.create_database(ADMIN_URL, self.dagster_db)
        if self._directus is None:
            directus_server.install()
            self.cms = directus_server.start_directus(
                directus_server.create_database(ADMIN_URL, self.cms_db), state_dir=self.work / "directus",
                token=secrets.token_urlsafe(24), key=secrets.token_hex(16), secret=secrets.token_hex(32))
            self._directus = (self.cms.url, self.cms.token)
        low, high = self._activation
        # Realistic by default (activation minutes to an hour after delegation, propagation): only
        # the range of the activation delay is chosen here.
        self.sandbox = SandboxServer(time_scale=self.time_scale, activation_min_s=low, activation_max_s=high,
                                     seed=self.seed).start()
        self.sshd = start_sshd(self.work / "sshd", sandbox_url=self.sandbox.url)
        self.app_url = app_url
        env = {**settings(self.sandbox.url), **hosting_settings(self.sshd),
               "FACTORY_DATABASE_URL": app_url, "FACTORY_RATE_TIME_SCALE": str(self.time_scale),
               "DIRECTUS_URL": self._directus[0], "DIRECTUS_TOKEN": self._directus[1],
               "FACTORY_BUILD_DIR": str(self.work / "builds"), "FACTORY_HOME": str(self.work / "home"),
               "FACTORY_LOG_LEVEL": "WARNING",
               # Convergence measures the vendors and the state machine; the quality gate (a
               # Chromium per batch) has its own tests and bench (tests/content/test_quality_gate.py,
               # bench/quality.py) and would only stretch this run's timings on a shared machine.
               "FACTORY_QUALITY_GATE": "false",
               "FACTORY_SECRET_KEY": os.environ.get("FACTORY_SECRET_KEY") or "C" * 43 + "="}  # throw-away data
        self._saved_env = {k: os.environ.get(k) for k in env}  # the worker processes inherit the rest
        os.environ.update(env)
        db.upgrade(app_url)
        self.store = Store(app_url)
        for i in range(self.cf_accounts):  # zone-scoped tokens (the sandbox's default), as docs/production.md says
            token = f"convergence-token-{i:02d}-abcdef"
            self.store.cloudflare_accounts.add(f"cf{i}@example.com", f"CF_{i}", token, account_id_for(token))
        for i in range(self.gsc_accounts):
            self.store.gsc_accounts.add(f"seo{i}@example.com", f"convergence-refresh-{i}-abcdef")
        if self.faults:
            self.sandbox.set_faults("all", rate_429=self.faults / 2, rate_5xx=self.faults / 2, seed=self.seed)
        (self.work / "dagster").mkdir()
        overrides = {"storage": storage_config(dagster_url), "telemetry": {"enabled": False},
                     "compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager",
                                      "class": "NoOpComputeLogManager"}}
        self.daemon = LocalDaemon(str(self.work / "dagster"), overrides, workers=self.workers,
                                  launch_faults=self.launch_faults, seed=self.seed, sensor_time_scale=self.time_scale)

    def close(self) -> None:
        for part, stop in ((self.daemon, "close"), (self.store, "close"), (self.sshd, "stop"), (self.sandbox, "stop"),
                           (self.cms, "stop")):
            if part is not None:
                try:
                    getattr(part, stop)()
                except Exception as exc:  # noqa: BLE001 - tear down as much as possible
                    print(f"convergence: stopping {type(part).__name__} failed: {exc}", file=sys.stderr)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for name in (self.app_db, self.dagster_db, self.cms_db):
            if name:
                try:
                    directus_server.drop_database(ADMIN_URL, name)
                except psycopg.Error:
                    pass

    # -- the run --------------------------------------------------------------------------------
    def add_sites(self, n: int, prefix: str = "converge") -> list[str]:
        new = [NewSite(f"{prefix}-{len(self.domains) + i:04d}.com", f"CF_{i % self.cf_accounts}",
                       f"seo{i % self.gsc_accounts}@example.com", f"Converge {len(self.domains) + i}")
               for i in range(n)]
        self.store.sites.add_many(new)
        self.domains += [s.domain for s in new]
        return [s.domain for s in new]

    def converge(self, timeout_s: float) -> Outcome:
        """Tick the sensors and run what they ask until every site is live or failed."""
        outcome = Outcome(started=time.time())
        outcome.eta_at_start_s = self._eta_finish_s(outcome.started)
        eta_after = max(onboarding_eta.PACE_MIN_SITES + 1, math.ceil(len(self.domains) / 10))
        daemon = self.daemon
        reported = [0]  # tenths of the sites settled, as last printed

        def settled() -> bool:
            now = time.time() - outcome.started
            busy = set(daemon.running) | set(daemon.queued)
            failing = self._failing_steps()
            for site in self.store.sites.by_domains(self.domains):
                if site.domain in outcome.live_s:
                    continue
                if is_live(site):
                    outcome.live_s[site.domain] = round(now, 2)
                    outcome.failed.pop(site.domain, None)
                elif site.domain in failing and site.domain not in busy:
                    outcome.failed[site.domain] = failing[site.domain]
                else:
                    outcome.failed.pop(site.domain, None)
            if outcome.eta_finish_s is None and len(outcome.live_s) >= eta_after:
                outcome.eta_taken_at_s, outcome.eta_finish_s = round(now, 2), self._eta_finish_s(outcome.started)
                progress(f"ETA at {now:.0f} s: the last site live at {outcome.eta_finish_s} s")
            done = len(outcome.live_s) + len(outcome.failed)
            if done * 10 // len(self.domains) > reported[0]:  # a line per tenth, so a long run shows where it is
                reported[0] = done * 10 // len(self.domains)
                progress(f"{len(outcome.live_s)} live, {len(outcome.failed)} failed of {len(self.domains)} at {now:.0f} s")
            return len(outcome.live_s) + len(outcome.failed) == len(self.domains)

        daemon.until(settled, timeout_s=timeout_s, interval_s=self.tick_s)
        outcome.wall_s = round(time.time() - outcome.started, 2)
        outcome.timed_out = sorted(set(self.domains) - set(outcome.live_s) - set(outcome.failed))
        while not daemon.idle():  # let runs in flight finish before anyone counts calls
            daemon.collect()
            time.sleep(0.1)
        return outcome

    def _eta_finish_s(self, started: float) -> float | None:
        eta = onboarding_eta.fleet_eta(self.store)
        return round(eta.all_live_at.timestamp() - started, 2) if eta.all_live_at else None

    def second_pass(self) -> dict[str, int]:
        """Every site's whole onboarding job again: what it wrote (nothing, when converged)."""
        before_vendor = self.sandbox.stats()
        before_clpctl = dict(self.sshd.clpctl_state().get("counters", {}))
        releases = self._releases()
        outcomes = self.daemon.execute([Task(d, None, {"factory/trigger": "second-pass"}) for d in self.domains])
        after_vendor = self.sandbox.stats()
        after_clpctl = self.sshd.clpctl_state().get("counters", {})
        writes = {vendor: after_vendor[vendor]["writes"] - before_vendor[vendor]["writes"]
                  for vendor in ("cloudflare", "namecheap", "matomo", "google")}
        writes["clpctl"] = int(after_clpctl.get("writes", 0)) - int(before_clpctl.get("writes", 0))
        writes["releases"] = self._releases() - releases
        writes["failed_runs"] = sum(1 for ok in outcomes.values() if not ok)
        return writes

    # -- what happened --------------------------------------------------------------------------
    def _failing_steps(self) -> dict[str, str]:
        with psycopg.connect(self.app_url) as conn:
            rows = conn.execute("select s.domain, t.step, t.last_error from public.site_steps t"
                                " join public.sites s on s.id = t.site_id where t.state = 'failed'").fetchall()
        return {domain: f"{step}: {error}" for domain, step, error in rows}

    def _releases(self) -> int:
        return sum(1 for _ in self.sshd.home_root.glob("*/htdocs/.releases/*/*"))

    def polls(self) -> int:
        """Looks that found a step still waiting (each records the wait again, with its next look)."""
        with psycopg.connect(self.app_url) as conn:
            return conn.execute("select count(*) from public.site_events where status = 'waiting'"
                                " or (status = 'pending' and message is not null)").fetchone()[0]

    def set_custom_per_site(self) -> Counter:
        """Accepted `setCustom` calls per domain (faulted and rate-limited ones changed nothing)."""
        return Counter(domain for domain, _ in self._accepted_set_custom())

    def _accepted_set_custom(self) -> list[tuple[str, float]]:
        """(domain, wall time) of each `setCustom` the simulator accepted, in order."""
        accepted = []
        for r in self.sandbox.requests:
            if r["vendor"] != "namecheap" or r.get("op") != SET_CUSTOM or r["fault"] or r["rate_limited"]:
                continue
            form = dict(r["query"]) if isinstance(r["query"], dict) else {}
            form.update({k: v[0] for k, v in parse_qs(r["body"] or "").items()})
            accepted.append((f"{form.get('SLD', '?')}.{form.get('TLD', '?')}".lower(), r["t"]))
        return accepted

    def bound_s(self) -> float:
        """The least time the delays and the vendors' limits allow for this work: each site's zone
        activates at best when Cloudflare's check can first see its delegation (or earlier, if its
        periodic check comes first), Google sees the TXT record a propagation later; delegations
        are spread by Namecheap's per-minute/hour/day limits on one API user (one call a site),
        the longest waits first. Machine time (runs, builds) is not part of it."""
        d = self.sandbox.delays
        waits = sorted((min(d.activation_delay_s(self._account_id(site), site.domain), d.activation_propagation_s)
                        + d.txt_propagation_s) for site in self.store.sites.by_domains(self.domains))[::-1]
        windows = LIMITS["namecheap"]["windows"]

        def call_at(m: int) -> float:  # the m-th call (1-based), as early as every window allows
            return max(math.floor((m - 1) / w["limit"]) * w["window_s"] for w in windows)

        return self.time_scale * max(call_at(onboarding_eta.NAMECHEAP_CALLS * (k + 1)) + w for k, w in enumerate(waits))

    def stages(self, outcome: Outcome) -> dict:
        """Where each site's time to live went, as the vendors saw it (seconds; p50/p95/max over the
        live sites): its delegation accepted by Namecheap after the start, the zone active after the
        delegation, Google's verification after the activation, and live after both."""
        delegated: dict[str, float] = {}
        for domain, at in self._accepted_set_custom():
            delegated.setdefault(domain, at)
        activated = {z["name"]: z["_activated_at"] for z in self.sandbox.cloudflare.zones.values()
                     if z.get("_activated_at")}
        verified = self.sandbox.google.verified_at
        spans: dict[str, list[float]] = {"delegated_s": [], "active_after_delegation_s": [],
                                         "verified_after_active_s": [], "live_after_verified_s": []}
        for domain, live_s in outcome.live_s.items():
            if not {domain} <= delegated.keys() & activated.keys() & verified.keys():
                continue
            spans["delegated_s"].append(delegated[domain] - outcome.started)
            spans["active_after_delegation_s"].append(activated[domain] - delegated[domain])
            spans["verified_after_active_s"].append(verified[domain] - activated[domain])
            spans["live_after_verified_s"].append(outcome.started + live_s - max(verified[domain], activated[domain]))
        return {name: {q: round(v, 1) if (v := _percentile(sorted(values), f)) is not None else None
                       for q, f in (("p50", 0.5), ("p95", 0.95), ("max", 1.0))}
                for name, values in spans.items()}

    def _account_id(self, site: Site) -> str:
        return self.store.cloudflare_accounts.get(site.cloudflare_account_id).account_id

    def figures(self, outcome: Outcome) -> dict:
        live = sorted(outcome.live_s.values())
        stats = self.sandbox.stats()
        clpctl = self.sshd.clpctl_state().get("counters", {})
        dstats = self.daemon.stats
        return {
            "sites": len(self.domains),
            "live": len(live),
            "failed": len(outcome.failed),
            "timed_out": len(outcome.timed_out),
            "manual_actions": self.manual_runs(),
            "p50_live_s": _percentile(live, 0.50),
            "p95_live_s": _percentile(live, 0.95),
            "max_live_s": live[-1] if live else None,
            "eta_at_start_s": outcome.eta_at_start_s,
            "eta_taken_at_s": outcome.eta_taken_at_s,
            "eta_finish_s": outcome.eta_finish_s,
            "eta_error": (round(abs(outcome.eta_finish_s - live[-1]) / live[-1], 3)
                          if outcome.eta_finish_s and live else None),
            "bound_s": round(self.bound_s(), 1),
            "api_calls": {**{v: stats[v]["total"] for v in ("cloudflare", "namecheap", "matomo", "google", "openai")},
                          "clpctl": int(clpctl.get("total", 0))},
            "polls_per_site": round(self.polls() / max(len(self.domains), 1), 2),
            "activation_checks": stats["cloudflare"].get("activation", {}).get("activation_checks", 0),
            "launch_failures": dstats.launch_failures,
            "launch_failures_recovered": min(dstats.launch_failures, dstats.relaunched),
            "runs": dstats.runs,
            "failed_runs": dstats.failed_runs,
            "runs_by_sensor": dstats.runs_by_sensor,
            "stages": self.stages(outcome),
            "follow_ups_by_reason": dict(sorted(dstats.follow_ups_by_reason.items(), key=lambda kv: -kv[1])),
            "faults": self.faults,
            "time_scale": self.time_scale,
            "wall_s": outcome.wall_s,
            "workers": self.workers,
            "cpus": os.cpu_count(),
        }

    def manual_runs(self) -> int:
        """Runs in Dagster's storage that no sensor requested (an operator's, or this harness's)."""
        records = self.daemon.instance.get_run_records(limit=100000)
        return sum(1 for r in records if "dagster/sensor_name" not in r.dagster_run.tags
                   and r.dagster_run.tags.get("factory/trigger") != "second-pass")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def dump(figures: dict) -> str:
    return json.dumps(figures, sort_keys=False)
