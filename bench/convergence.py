"""Add N sites at once against simulators as slow as the vendors and wait until every one is fully
live (zone active, certificate installed, verified, deployed) or failed, with nobody at the keyboard.

    .venv/bin/python bench/convergence.py --sites 200 [--faults 0.2] [--activation-min 300]
        [--activation-max 3600] [--time-scale 1.0] [--workers 6] [--timeout 7200]

Everything is real but the vendors (devtools/convergence.py): Postgres, Dagster on Postgres (the
code location's own sensors ticked by devtools/local_daemon.py, runs in worker processes),
Directus (started here), Astro, a real sshd with rsync and the clpctl stand-in, and the
simulators over HTTP with their default delays (activation check after 300 s, TXT propagation
300 s), limits and --faults (half 429s, half 5xx; half that rate of run launches die before their
first step). The last line printed is one JSON object: sites, live, failed, manual_actions,
p50_live_s, p95_live_s, bound_s (the least time the delays and the vendors' limits allow for that
work, same time scale), api_calls per vendor, polls_per_site, launch_failures_recovered, and the
product's onboarding ETA of the last site against when it was live: eta_at_start_s (what the
operator sees before anything ran: the vendors' budgets only), eta_finish_s as the ETA said at
eta_taken_at_s (a tenth of the sites live, the machine's pace measured), max_live_s and
eta_error (|eta_finish_s - max_live_s| / max_live_s; goal at 1,000 sites: <= 0.10), stages (where
each site's time went, p50/p95/max: its delegation accepted after the start, the zone active after
the delegation, Google's verification after the activation, live after both), ...
The sensors are evaluated as dagster-daemon does, at most every minimum_interval_seconds (scaled
with --time-scale).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.convergence import ConvergenceWorld, dump
from devtools.stack import interrupt_on_signals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--faults", type=float, default=0.0, help="fraction of vendor requests faulted")
    parser.add_argument("--activation-min", type=float, default=None, help="vendor seconds (default 300)")
    parser.add_argument("--activation-max", type=float, default=None, help="vendor seconds (default 3600)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="vendor time scale (1 = real time)")
    # Runs mostly wait on the vendors: with 3 slots on 2 cores the machine was 61 % idle (deploy/dagster.yaml
    # allows 8 runs at once).
    parser.add_argument("--workers", type=int, default=6, help="runs executing at once (run slots)")
    parser.add_argument("--timeout", type=float, default=None, help="real seconds (default 4 x the bound + 600)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.sites < 1 or not 0 <= args.faults < 1 or args.time_scale <= 0 or args.workers < 1:
        parser.error("--sites and --workers must be at least 1, --faults in [0, 1), --time-scale above 0")
    # Ctrl-C and SIGTERM stop the run and clean up (databases, Directus, sshd). Explicitly: started
    # in the background, SIGINT is inherited ignored, and Dagster maps SIGTERM onto SIGINT's handler.
    interrupt_on_signals()

    with ConvergenceWorld(time_scale=args.time_scale, faults=args.faults, activation_min_s=args.activation_min,
                          activation_max_s=args.activation_max, workers=args.workers, seed=args.seed,
                          cloudflare_accounts=max(1, min(25, args.sites // 8)),
                          gsc_accounts=max(1, min(5, args.sites // 40))) as world:
        world.add_sites(args.sites)
        timeout = args.timeout or 4 * world.bound_s() + 600
        print(f"converging {args.sites} sites (bound {world.bound_s():.0f} s, timeout {timeout:.0f} s) ...",
              file=sys.stderr, flush=True)
        outcome = world.converge(timeout_s=timeout)
        figures = world.figures(outcome)
        figures["ratio_p95_to_bound"] = (round(figures["p95_live_s"] / figures["bound_s"], 2)
                                         if figures["p95_live_s"] and figures["bound_s"] else None)
        if outcome.failed:
            figures["failures"] = dict(list(outcome.failed.items())[:10])
    print(dump(figures))


if __name__ == "__main__":
    main()
