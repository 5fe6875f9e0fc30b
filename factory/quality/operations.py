"""What an operator does about a site's quality, whichever surface they use (CLI, Hub): choose
its theme (a rebuild of that site only follows: the theme is in its build hash), and read its
gate verdict with the near-duplicate pairs it is in."""

from __future__ import annotations

from dataclasses import dataclass

from factory.content.themes import ThemeError, theme_for
from factory.store import DuplicatePair, QualityVerdict, Site, Store

# The steps a theme change needs: the site is rebuilt (gated) and, if it passes, deployed.
REBUILD_STEPS = ["site_build", "site_deployment"]


@dataclass(frozen=True)
class SiteQualityView:
    site: Site
    theme: dict[str, str]             # the theme it is built with
    chosen: bool                      # chosen by an operator (else picked from the domain)
    verdict: QualityVerdict | None    # the latest build's gate verdict
    duplicates: list[DuplicatePair]

    def as_dict(self) -> dict:
        v = self.verdict
        return {
            "domain": self.site.domain, "theme": self.theme, "theme_chosen": self.chosen, "lang": self.site.lang,
            "quality": None if v is None else {
                "build_hash": v.build_hash, "passed": v.passed, "scores": v.scores, "thresholds": v.thresholds,
                "failed_audits": v.failed_audits(), "audits": v.audits, "errors": v.errors, "message": v.message,
                "pages": v.pages, "preview": bool(v.preview_path), "checked_at": v.checked_at},
            "duplicates": [{"a": d.a, "b": d.b, "jaccard": d.jaccard, "max_page_jaccard": d.max_page_jaccard,
                            "pages": d.pages} for d in self.duplicates],
        }


def theme_choice(theme: str | None, variation: str | None = None) -> str | None:
    """The stored form of an operator's choice: "name", "name/variation", or None (from the domain)."""
    if theme in (None, "", "auto"):
        if variation:
            raise ThemeError("a variation needs a theme")
        return None
    if "/" in theme:
        if variation:
            raise ThemeError("give the variation either in the theme ('ledger/ink') or on its own, not both")
        return theme
    return f"{theme}/{variation}" if variation else theme


def set_theme(store: Store, domain: str, theme: str | None, variation: str | None = None) -> tuple[Site, dict]:
    """Record the operator's theme for a site (checked against the registry); returns the site as it
    was and the theme it will now be built with. Raises ThemeError for an unknown theme or variation."""
    site = store.sites.get(domain)
    choice = theme_choice(theme, variation)
    resolved = theme_for(site.domain, choice)  # raises ThemeError with the available names
    store.sites.set_theme(site.id, choice)
    return site, resolved


def site_quality(store: Store, domain: str) -> SiteQualityView:
    site = store.sites.get(domain)
    try:
        theme = theme_for(site.domain, site.theme)
    except ThemeError:  # a theme removed from the registry since it was chosen: the build says so
        theme = {"name": site.theme or "", "variation": ""}
    return SiteQualityView(site, theme, site.theme is not None, store.quality.latest(site.domain),
                           store.quality.duplicates(site.domain))
