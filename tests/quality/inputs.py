"""Build inputs for the quality tests, made the way the build layer makes them."""

from __future__ import annotations

from collections.abc import Iterable

from factory.layers.build import BuildDesired, BuildObserved, build_hash
from factory.layers.build import site_input as layer_site_input
from factory.vendors.astro import BuildInput


def site_input(domain: str, *, brand: str, tagline: str, pages: list[dict], matomo_url: str,
               matomo_site_id: int | None, theme=None, lang: str = "en") -> dict:
    """One site's build JSON (raises BuildInputError as the build step would)."""
    return layer_site_input(BuildDesired(domain, brand, matomo_url, matomo_site_id, "tpl", theme, lang),
                            BuildObserved(None, tagline, pages))


def build_inputs(sites: Iterable[dict], template: str = "tpl") -> list[BuildInput]:
    """What SiteBuilder.build takes: each site's JSON with its build hash."""
    return [BuildInput(s["domain"], s, build_hash(s, template)) for s in sites]
