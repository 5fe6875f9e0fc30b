"""The quality settings (FACTORY_QUALITY_*, CHROMIUM_PATH), read from the environment.

Documented in .env.example and docs/quality.md. Bad values fail with the variable's name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DEFAULT_THRESHOLDS = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}
_THRESHOLD_VARS = {"performance": "FACTORY_QUALITY_MIN_PERFORMANCE",
                   "accessibility": "FACTORY_QUALITY_MIN_ACCESSIBILITY",
                   "best-practices": "FACTORY_QUALITY_MIN_BEST_PRACTICES",
                   "seo": "FACTORY_QUALITY_MIN_SEO"}


class QualitySettingsError(ValueError):
    """A FACTORY_QUALITY_* variable holds something we cannot use."""


@dataclass(frozen=True)
class QualitySettings:
    thresholds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    workers: int = 2                   # Lighthouse processes sharing the one browser
    chromium: str = "/usr/bin/chromium"
    similarity_threshold: float = 0.5  # Jaccard on word shingles above which two pages are near-duplicates
    shingle_words: int = 5


def _number(name: str, default, kind, low, high):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise QualitySettingsError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise QualitySettingsError(f"{name}={raw!r} must be between {low} and {high}")
    return value


def load_settings() -> QualitySettings:
    return QualitySettings(
        thresholds={c: _number(var, DEFAULT_THRESHOLDS[c], int, 0, 100) for c, var in _THRESHOLD_VARS.items()},
        workers=_number("FACTORY_QUALITY_WORKERS", 2, int, 1, 16),
        chromium=os.environ.get("CHROMIUM_PATH", "").strip() or "/usr/bin/chromium",
        similarity_threshold=_number("FACTORY_QUALITY_SIMILARITY_THRESHOLD", 0.5, float, 0.05, 1.0),
        shingle_words=_number("FACTORY_QUALITY_SHINGLE_WORDS", 5, int, 1, 20),
    )
