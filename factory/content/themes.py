"""Site themes: which of the template's themes (and which variation of it) a site is built with.

The registry is `site_template/src/themes/themes.json`, read by the Astro template too. A site
gets its theme from its domain, deterministically, unless the operator chose one. Assignment is
rendezvous hashing (the highest hash of domain + name wins), so adding a theme to the registry
moves only the sites the new theme wins; every other site keeps the theme it had.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from factory.config import PROJECT_ROOT

THEMES_FILE = PROJECT_ROOT / "site_template" / "src" / "themes" / "themes.json"


class ThemeError(ValueError):
    """An unknown theme or variation, or a choice in a shape we do not understand."""


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    header: str
    footer: str
    variations: dict[str, dict[str, str]]


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Theme]:
    raw = json.loads(path.read_text())
    return {name: Theme(name, spec["description"], spec["header"], spec["footer"], dict(spec["variations"]))
            for name, spec in raw.items()}


def themes(path: Path = THEMES_FILE) -> dict[str, Theme]:
    """Every theme of the template, by name."""
    return _load(path)


def _score(domain: str, name: str) -> bytes:
    return hashlib.sha256(f"{domain}\0{name}".encode()).digest()


def _parse(chosen) -> tuple[str, str | None]:
    if isinstance(chosen, str):
        name, _, variation = chosen.strip().partition("/")
        return name.strip(), (variation.strip() or None)
    if isinstance(chosen, dict):
        name, variation = chosen.get("name"), chosen.get("variation")
        if isinstance(name, str) and (variation is None or isinstance(variation, str)):
            return name.strip(), (variation.strip() or None) if variation else None
    raise ThemeError(f"a theme is a name, 'name/variation' or {{'name', 'variation'}}; got {chosen!r}")


def theme_for(domain: str, chosen=None, *, registry: dict[str, Theme] | None = None) -> dict[str, str]:
    """The theme a site is built with: `chosen` (a name, "name/variation" or a dict) when given,
    else one picked from the domain. A chosen name without a variation gets the domain's variation."""
    registry = registry or themes()
    if chosen in (None, "", {}):
        name, variation = max(registry, key=lambda n: _score(domain, n)), None
    else:
        name, variation = _parse(chosen)
        if name not in registry:
            raise ThemeError(f"unknown theme {name!r}; available: {', '.join(sorted(registry))}")
        if variation is not None and variation not in registry[name].variations:
            raise ThemeError(f"theme {name!r} has no variation {variation!r}; "
                             f"available: {', '.join(sorted(registry[name].variations))}")
    if variation is None:
        variation = max(registry[name].variations, key=lambda v: _score(domain, f"{name}/{v}"))
    return {"name": name, "variation": variation}


def all_theme_choices() -> list[dict[str, str]]:
    """Every (theme, variation) pair of the registry, in a stable order (for an operator's picker)."""
    return [{"name": t.name, "variation": v} for t in sorted(themes().values(), key=lambda t: t.name)
            for v in sorted(t.variations)]
