"""`python -m devtools.sandbox`: run every simulator in the foreground and print the
env settings that point the product at it."""
from __future__ import annotations

import argparse
import shlex
import signal

from .delays import Delays
from .server import SandboxServer

D = Delays()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m devtools.sandbox", description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8787)
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="multiply every vendor window/block/delay (0.01 = 100x faster)")
    ap.add_argument("--latency", type=float, default=0.0, help="real seconds added to every vendor request")
    ap.add_argument("--state-dir", default=None, help="persist simulator state as JSON here")
    ap.add_argument("--auto-activate-after", type=float, default=None,
                    help="activate Cloudflare zones this many (scaled) seconds after creation even "
                         "without Namecheap nameservers")
    slow = ap.add_argument_group("how slow the world is (vendor seconds, scaled by --time-scale)")
    slow.add_argument("--instant", action="store_true",
                      help="zones activate as soon as delegated, TXT records are visible at once")
    slow.add_argument("--activation-min", type=float, default=None,
                      help=f"least delay between delegation and activation (default {D.activation_min_s:g})")
    slow.add_argument("--activation-max", type=float, default=None,
                      help=f"longest delay between delegation and activation (default {D.activation_max_s:g})")
    slow.add_argument("--activation-check-interval", type=float, default=None,
                      help=f"PUT activation_check at most once per this per zone (default {D.activation_check_interval_s:g})")
    slow.add_argument("--activation-propagation", type=float, default=None,
                      help=f"the activation check sees a delegation this old (default {D.activation_propagation_s:g})")
    slow.add_argument("--txt-propagation", type=float, default=None,
                      help=f"Site Verification sees a TXT record this long after it is live "
                           f"(default {D.txt_propagation_s:g})")
    slow.add_argument("--pending-zone-ttl", type=float, default=None,
                      help=f"pending zones are deleted after this (default {D.pending_zone_ttl_s:g}: 28 days)")
    slow.add_argument("--seed", type=int, default=None, help="seed of the activation delays (default 0)")
    ap.add_argument("--token-scope", choices=("zone", "account"), default="zone",
                    help="what a Cloudflare token may do unless granted otherwise (default zone: GET /accounts "
                         "is refused; tokens starting with 'acct-' are account-scoped)")
    args = ap.parse_args(argv)
    server = SandboxServer(host=args.host, port=args.port, time_scale=args.time_scale, latency_s=args.latency,
                           state_dir=args.state_dir, auto_activate_after_s=args.auto_activate_after,
                           instant=args.instant, activation_min_s=args.activation_min,
                           activation_max_s=args.activation_max,
                           activation_check_interval_s=args.activation_check_interval,
                           activation_propagation_s=args.activation_propagation,
                           txt_propagation_s=args.txt_propagation, pending_zone_ttl_s=args.pending_zone_ttl,
                           seed=args.seed, token_scope=args.token_scope)
    server.start()
    delays = ", ".join(f"{k}={v:g}" for k, v in server.delays.describe().items())
    print(f"# Website Factory sandbox listening on {server.url} (time_scale={args.time_scale}; {delays})")
    for k, v in server.settings().items():
        print(f"export {k}={shlex.quote(v)}")
    print("# Ctrl-C to stop", flush=True)
    # SIGTERM (docker stop, a supervisor) stops as Ctrl-C does: the state is saved on the way out.
    # SIGINT too, explicitly: a process started in the background by a non-interactive shell
    # inherits SIGINT ignored, and Python then leaves it ignored (Ctrl-C or kill -INT did nothing).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    server.serve_forever()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
