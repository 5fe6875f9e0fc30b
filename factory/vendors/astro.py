"""Batched static builds: many sites rendered by ONE Astro process, then split per domain.

Every site of the batch gets a key (s0000, s0001, ...) and all its routes live under /<key>/,
so `dist/<key>/` is exactly that site's web root (styles are inlined, no shared bundles).
Outputs land in <build_dir>/<domain>/<build_hash>/; the build hash covers everything a build
depends on (content, template version, Matomo URL and site id), so equal hashes mean equal sites.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from factory.config import PROJECT_ROOT

TEMPLATE_DIR = PROJECT_ROOT / "site_template"
FIXED_MTIME = 946684800  # 2000-01-01T00:00:00Z


class BuildError(RuntimeError):
    """The Astro build itself failed."""


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


@dataclass(frozen=True)
class BuildInput:
    """One site of a batch: its input JSON (what the template renders) and the hash of that input."""

    domain: str
    data: dict
    build_hash: str


@dataclass(frozen=True)
class BuiltSite:
    domain: str
    build_hash: str
    path: Path
    files: int
    bytes: int


class SiteBuilder:
    def __init__(self, build_dir: Path, template_dir: Path = TEMPLATE_DIR, node: str = "node"):
        self.build_dir = Path(build_dir)
        self.template_dir = Path(template_dir)
        self.node = node

    def template_version(self) -> str:
        return template_version(self.template_dir)

    def output_path(self, domain: str, hash_: str) -> Path:
        return self.build_dir / domain / hash_

    def build(self, sites: list[BuildInput]) -> dict[str, BuiltSite]:
        """Render `sites` in one Astro run; return where each one landed."""
        if not sites:
            return {}
        self.build_dir.mkdir(parents=True, exist_ok=True)
        work = self.build_dir / f".work-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            keyed = [{"key": f"s{i:04d}", **site.data} for i, site in enumerate(sites)]
            (work / "input.json").write_text(json.dumps({"sites": keyed}, ensure_ascii=False))
            # One Astro at a time per template, whatever the build dir: every build writes the
            # template's .astro/ (generated types, and the server chunks of a build whose output
            # is outside the working directory), so two at once break each other's.
            with open(self.template_dir / ".build.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._astro(work)
            return {site.domain: self._collect(work / "dist" / key["key"], site.domain, site.build_hash)
                    for site, key in zip(sites, keyed, strict=True)}
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _astro(self, work: Path) -> None:
        cli = self.template_dir / "node_modules" / "astro" / "astro.js"
        if not cli.exists():
            raise BuildError(f"the site template is not installed; run scripts/install-npm (missing {cli})")
        env = {**os.environ, "FACTORY_BUILD_INPUT": str(work / "input.json"), "FACTORY_BUILD_OUT": str(work / "dist"),
               "FACTORY_BUILD_CACHE": str(work / "cache"), "ASTRO_TELEMETRY_DISABLED": "1", "NODE_ENV": "production"}
        started = time.monotonic()
        proc = subprocess.run([self.node, str(cli), "build", "--silent"], cwd=self.template_dir, env=env,
                              capture_output=True, text=True, timeout=1800, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr.strip() or proc.stdout.strip())[-1500:]
            raise BuildError(f"astro build failed (exit {proc.returncode}) after "
                             f"{time.monotonic() - started:.1f}s: {tail}")

    def _collect(self, out: Path, domain: str, hash_: str) -> BuiltSite:
        if not (out / "index.html").exists():
            raise BuildError(f"astro produced no index.html for {domain}")
        final = self.output_path(domain, hash_)
        if final.exists():
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        out.rename(final)
        # Keep only the newest output per domain: deploys read it, older ones are never needed.
        for old in final.parent.iterdir():
            if old != final and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        files = [p for p in final.rglob("*") if p.is_file()]
        # One fixed mtime for every file: with rsync --checksum, unchanged files then match the
        # live release in content AND attributes, so --link-dest hard-links them instead of copying.
        for path in files:
            os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        return BuiltSite(domain, hash_, final, len(files), sum(p.stat().st_size for p in files))
