"""The Dagster code location loads, with the public partition names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[2]


def test_definitions_load() -> None:
    from definitions import defs

    assert isinstance(defs, dg.Definitions)
    repo = defs.get_repository_def()
    assert "store" in repo.get_top_level_resources()


def test_partitions_have_public_names() -> None:
    from factory_assets.partitions import daily_partitions, site_partitions

    assert site_partitions.name == "site"
    assert daily_partitions.get_first_partition_key() == "2025-01-01"


def test_dagster_validates_the_workspace(tmp_path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation successful for code location website_factory" in proc.stdout + proc.stderr
