"""Apply deploy/pools.yaml to the Dagster instance at $DAGSTER_HOME (idempotent).

    python deploy/pools.py            # set every pool's limit
    python deploy/pools.py --check    # print the limits in force, change nothing

FACTORY_POOL_LIMIT_<NAME>=N overrides one pool's limit (e.g. FACTORY_POOL_LIMIT_CLOUDFLARE=6).
"""

import argparse
import os
import sys
from pathlib import Path

import yaml

POOLS_FILE = Path(__file__).with_name("pools.yaml")


def pool_limits(path: Path = POOLS_FILE, environ=os.environ) -> dict[str, int]:
    limits = {str(k): int(v) for k, v in (yaml.safe_load(path.read_text()) or {})["pools"].items()}
    for name in limits:
        override = environ.get(f"FACTORY_POOL_LIMIT_{name.upper()}")
        if override not in (None, ""):
            limits[name] = int(override)
    return limits


def apply(instance, limits: dict[str, int]) -> None:
    for name, limit in limits.items():
        if limit < 0:
            raise ValueError(f"pool {name}: limit must be >= 0, got {limit}")
        instance.event_log_storage.set_concurrency_slots(name, limit)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print the limits in force, change nothing")
    parser.add_argument("--file", type=Path, default=POOLS_FILE)
    args = parser.parse_args(argv)
    import dagster as dg

    limits = pool_limits(args.file)
    with dg.DagsterInstance.get() as instance:
        if not args.check:
            apply(instance, limits)
        for name in sorted(limits):
            info = instance.event_log_storage.get_concurrency_info(name)
            print(f"pool {name:<16} limit {info.slot_count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
