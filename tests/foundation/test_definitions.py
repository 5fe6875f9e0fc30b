"""The Dagster code location: its public names are pinned, importing it has no side effects,
and in production it refuses to load while a setting is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from factory.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("code_location_snapshot.json")
DAGSTER = str(Path(sys.executable).with_name("dagster"))


def public_names(defs: dg.Definitions) -> dict:
    """What operators see in Dagit and the Hub refers to: renaming any of it breaks them."""
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        partitions = node.partitions_def
        assets[key.to_user_string()] = {
            "partitions": getattr(partitions, "name", None) or (type(partitions).__name__ if partitions else None),
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(c.name for c in node.check_keys),
        }
    return {
        "assets": assets,
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "sensors": sorted(s.name for s in repo.sensor_defs),
        "schedules": sorted(s.name for s in repo.schedule_defs),
        "resources": sorted(repo.get_top_level_resources()),
    }


def test_public_names_match_the_snapshot() -> None:
    from definitions import build_definitions

    names = public_names(build_definitions(load_settings()))
    expected = json.loads(SNAPSHOT.read_text())
    assert names == expected, (
        "the code location's public names changed; if that is intended, update "
        f"{SNAPSHOT.relative_to(ROOT)} (and tell operators):\n{json.dumps(names, indent=2)}")


def test_partitions_have_public_names() -> None:
    from factory_assets.partitions import daily_partitions, site_partitions

    assert site_partitions.name == "site"
    assert daily_partitions(load_settings().analytics_start_date).get_first_partition_key() == "2025-01-01"


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FACTORY_", "CLOUDPANEL_", "NAMECHEAP_",
                                                                       "MATOMO_", "GOOGLE_", "DIRECTUS_", "OPENAI_"))}
    return subprocess.run(args, cwd=ROOT, env={**clean, "DAGSTER_HOME": str(tmp_path), **env},
                          capture_output=True, text=True, timeout=300)


def test_dagster_validates_the_workspace(tmp_path) -> None:
    proc = _run([DAGSTER, "definitions", "validate", "-w", "workspace.yaml"],
                {"FACTORY_HOME": str(tmp_path / "home")}, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation successful for code location website_factory" in proc.stdout + proc.stderr


def test_production_validation_names_every_missing_setting(tmp_path) -> None:
    proc = _run([DAGSTER, "definitions", "validate", "-w", "workspace.yaml"],
                {"FACTORY_ENV": "production", "CLOUDPANEL_PUBLIC_IP": "203.0.113.10",
                 "CLOUDPANEL_SSH_HOST": "127.0.0.1", "FACTORY_RATE_TIME_SCALE": "0.5"}, tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for name in ("FACTORY_DATABASE_URL", "FACTORY_SECRET_KEY", "NAMECHEAP_API_KEY", "MATOMO_TOKEN_AUTH",
                 "GOOGLE_CLIENT_SECRET", "CLOUDPANEL_SSH_KEY", "CLOUDPANEL_KNOWN_HOSTS", "DIRECTUS_TOKEN",
                 "OPENAI_API_KEY"):
        assert f"{name}: required in production" in output, output[-3000:]
    assert "CLOUDPANEL_PUBLIC_IP: 203.0.113.10 is not a public address" in output
    assert "CLOUDPANEL_SSH_HOST: 127.0.0.1 is this machine" in output
    assert "FACTORY_RATE_TIME_SCALE: must be 1 in production" in output


def test_importing_the_code_location_reads_no_settings(tmp_path) -> None:
    """Import has no side effects: even invalid settings do not stop an import (only a load)."""
    code = ("import logging, definitions; "
            "assert not any(getattr(h, '_factory', False) for h in logging.getLogger('factory').handlers); "
            "print('imported')")
    proc = _run([sys.executable, "-c", code], {"FACTORY_ENV": "production", "CLOUDPANEL_PUBLIC_IP": "not-an-ip"},
                tmp_path)
    assert proc.returncode == 0 and "imported" in proc.stdout, proc.stderr[-2000:]


def test_a_run_loads_the_code_location_once_and_cheaply(tmp_path) -> None:
    """Every run's process loads the code location: its steps run in that process (not one process
    each, each loading it again), and loading it leaves the heavy libraries only some steps use
    (pandas, datasketch/scipy, the OpenAI SDK: seconds of CPU per run) to the steps that use them."""
    from definitions import build_definitions

    defs = build_definitions(load_settings())
    executors = {j.name: j.executor_def.name for j in defs.get_repository_def().get_all_jobs()
                 if not j.name.startswith("__")}
    assert executors and set(executors.values()) == {"in_process"}, executors
    probe = ("import sys, definitions; from factory.config import load_settings; "
             "definitions.build_definitions(load_settings()); "
             "print(sorted(m for m in ('pandas', 'datasketch', 'scipy', 'openai') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "FACTORY_HOME": str(tmp_path / "home")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[-2] == "[]", proc.stdout
