"""`python -m devtools.sandbox`: run every simulator in the foreground and print the
env settings that point the product at it."""
from __future__ import annotations

import argparse
import shlex

from .server import SandboxServer


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m devtools.sandbox", description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8787)
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="multiply every vendor window/block (0.01 = 100x faster)")
    ap.add_argument("--latency", type=float, default=0.0, help="real seconds added to every vendor request")
    ap.add_argument("--state-dir", default=None, help="persist simulator state as JSON here")
    ap.add_argument("--auto-activate-after", type=float, default=None,
                    help="activate Cloudflare zones this many (scaled) seconds after creation even "
                         "without Namecheap nameservers")
    args = ap.parse_args(argv)
    server = SandboxServer(host=args.host, port=args.port, time_scale=args.time_scale, latency_s=args.latency,
                           state_dir=args.state_dir, auto_activate_after_s=args.auto_activate_after)
    server.start()
    print(f"# Website Factory sandbox listening on {server.url} (time_scale={args.time_scale})")
    for k, v in server.settings().items():
        print(f"export {k}={shlex.quote(v)}")
    print("# Ctrl-C to stop", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
