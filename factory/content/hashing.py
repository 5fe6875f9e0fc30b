"""Stable hashes: of JSON-like values (content, build inputs) and of the site template's sources."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def json_hash(value: Any) -> str:
    """sha256 of canonical JSON (sorted keys, no whitespace): equal values hash equal."""
    data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


# What makes a build look different: sources, config, locked dependency versions.
_TEMPLATE_FILES = ("astro.config.mjs", "package.json", "package-lock.json", "tsconfig.json")


def template_version(template_dir: Path) -> str:
    """A hash of the template's sources; any edit to them changes every site's build hash."""
    digest = hashlib.sha256()
    files = [template_dir / name for name in _TEMPLATE_FILES if (template_dir / name).exists()]
    files += sorted(p for p in (template_dir / "src").rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(template_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]
