"""Fixtures for the quality tests: the npm parts installed (Astro, the Lighthouse runner), and one
real batched Astro build of a site for every theme and variation, with the simulator's content."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.sandbox import SandboxServer
from devtools.sandbox.copywriter import write_plan
from factory.config import PROJECT_ROOT
from factory.vendors.astro import BuiltSite, SiteBuilder
from tests.quality.inputs import build_inputs, site_input
from factory.content.themes import all_theme_choices

MATOMO = "https://matomo.example.com/"


@pytest.fixture(scope="session")
def npm_ready() -> None:
    """The npm parts (Astro, the quality runner): the same script CI runs."""
    subprocess.run([str(PROJECT_ROOT / "scripts" / "install-npm")], check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


def plan_pages(brand: str, domain: str, slugs: tuple[str, ...] = ("home", "faq", "about")) -> tuple[str, list[dict]]:
    """The simulator's plan for a site, as published pages with the given slugs (first seed that has them)."""
    for n in range(200):
        plan = write_plan(brand, domain, hashlib.sha256(f"{domain}/{n}".encode()).digest())
        by_slug = {p["slug"]: p for p in plan["pages"]}
        if all(s in by_slug for s in slugs):
            return plan["tagline"], [{"slug": s, "title": by_slug[s]["title"], "nav_label": by_slug[s]["nav_label"],
                                      "nav_order": i, "seo_description": by_slug[s]["seo_description"],
                                      "body": by_slug[s]["body_markdown"], "status": "published"}
                                     for i, s in enumerate(slugs)]
    raise AssertionError(f"no simulated plan with pages {slugs}")


def make_input(domain: str, brand: str, theme=None, lang: str = "en", site_id: int = 1, **overrides) -> dict:
    tagline, pages = plan_pages(brand, domain)
    for slug, fields in overrides.items():
        next(p for p in pages if p["slug"] == slug).update(fields)
    return site_input(domain, brand=brand, tagline=tagline, pages=pages, matomo_url=MATOMO, matomo_site_id=site_id,
                      theme=theme, lang=lang)


@dataclass
class Batch:
    inputs: dict[str, dict]
    built: dict[str, BuiltSite]
    builder: SiteBuilder

    def root(self, domain: str) -> Path:
        return self.built[domain].path


@pytest.fixture(scope="session")
def themed_batch(npm_ready, tmp_path_factory) -> Batch:
    """Every theme and variation, one site each, built in ONE Astro run (one site in German)."""
    inputs = {}
    for i, choice in enumerate(all_theme_choices()):
        domain = f"{choice['name']}-{choice['variation']}.example.com"
        brand = f"{choice['variation'].title()} {choice['name'].title()} Garden Care"
        inputs[domain] = make_input(domain, brand, theme=choice, lang="de-DE" if i == 0 else "en", site_id=i + 1)
    builder = SiteBuilder(tmp_path_factory.mktemp("themed-builds"))
    return Batch(inputs, builder.build(build_inputs(inputs.values())), builder)
