"""Batched static builds: many sites rendered by ONE Astro process, then split per domain.

Every site of the batch gets a key (s0000, s0001, ...) and all its routes live under /<key>/,
so `dist/<key>/` is exactly that site's web root (styles are inlined, no shared bundles).
Outputs land in <build_dir>/<domain>/<build_hash>/; the build hash covers everything a build
depends on (content, template version, Matomo URL and site id), so equal hashes mean equal sites.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from factory.config import PROJECT_ROOT
from factory.content.hashing import json_hash, template_version
from factory.content.schema import HOME_SLUG, is_valid_slug
from factory.content.themes import ThemeError, theme_for

TEMPLATE_DIR = PROJECT_ROOT / "site_template"
FIXED_MTIME = 946684800  # 2000-01-01T00:00:00Z
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")  # BCP 47: en, pt-BR, zh-Hant-TW
RESERVED_SLUGS = {"404"}  # the template's own pages


class BuildInputError(ValueError):
    """A site's content cannot be built (no home page, bad slug, no tracking id)."""


class BuildError(RuntimeError):
    """The Astro build itself failed."""


def site_input(domain: str, *, brand: str, tagline: str, pages: list[dict], matomo_url: str,
               matomo_site_id: int | None, theme=None, lang: str = "en") -> dict:
    """The JSON one site contributes to a build (only published pages, only rendered fields).

    `theme` is the operator's choice (see factory.content.themes.theme_for); None picks one from the
    domain. Theme and language are part of the input, so they are part of the build hash."""
    if matomo_site_id is None:
        raise BuildInputError(f"{domain} has no matomo_site_id yet (the matomo_site step must run first)")
    if not _tracker_url_ok(matomo_url):
        raise BuildInputError(f"the Matomo URL {matomo_url!r} must be https:// (plain http only on this machine)")
    if not LANG_PATTERN.match(lang or ""):
        raise BuildInputError(f"{domain}: language {lang!r} is not a language tag like 'en', 'de' or 'pt-BR'")
    try:
        chosen_theme = theme_for(domain, theme)
    except ThemeError as exc:
        raise BuildInputError(f"{domain}: {exc}") from None
    published = [p for p in pages if p.get("status", "published") == "published"]
    for page in published:
        if not is_valid_slug(str(page.get("slug", ""))):
            raise BuildInputError(f"{domain}: page slug {page.get('slug')!r} is not valid "
                                  "(lower-case words joined by hyphens)")
        if page["slug"] in RESERVED_SLUGS:
            raise BuildInputError(f"{domain}: page slug {page['slug']!r} is reserved for the template's own page")
    if not any(p["slug"] == HOME_SLUG for p in published):
        raise BuildInputError(f"{domain} has no published page with slug {HOME_SLUG!r}")
    return {
        "domain": domain, "brand": brand, "tagline": tagline or "", "lang": lang, "theme": chosen_theme,
        "matomo": {"url": matomo_url if matomo_url.endswith("/") else matomo_url + "/", "site_id": int(matomo_site_id)},
        "pages": [{"slug": p["slug"], "title": p.get("title") or "", "nav_label": p.get("nav_label") or p["slug"],
                   "nav_order": int(p.get("nav_order") or 0), "seo_description": p.get("seo_description") or "",
                   "body": p.get("body") or ""} for p in sorted(published, key=lambda p: p["slug"])],
    }


def _tracker_url_ok(url: str) -> bool:
    # Pages are served over HTTPS: an http:// tracker would be mixed content (blocked, and flagged).
    host = re.match(r"^http://([^/:]+)", url or "")
    return (url or "").startswith("https://") or bool(host and host.group(1) in ("127.0.0.1", "localhost"))


def build_hash(site: dict, template: str) -> str:
    return json_hash({"site": site, "template": template})


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

    def build(self, sites: list[dict], template: str | None = None) -> dict[str, BuiltSite]:
        """Render `sites` (from site_input) in one Astro run; return where each one landed."""
        if not sites:
            return {}
        template = template or self.template_version()
        self.build_dir.mkdir(parents=True, exist_ok=True)
        work = self.build_dir / f".work-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            keyed = [{"key": f"s{i:04d}", **site} for i, site in enumerate(sites)]
            (work / "input.json").write_text(json.dumps({"sites": keyed}, ensure_ascii=False))
            # One Astro at a time per build dir: the project's .astro/ and Vite caches are shared.
            with open(self.build_dir / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._astro(work)
            built = {}
            for site in keyed:
                built[site["domain"]] = self._collect(work / "dist" / site["key"], site, template)
            return built
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

    def _collect(self, out: Path, site: dict, template: str) -> BuiltSite:
        domain = site["domain"]
        site = {k: v for k, v in site.items() if k != "key"}
        hash_ = build_hash(site, template)
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
