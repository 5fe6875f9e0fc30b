"""The quality settings (FACTORY_QUALITY_*, CHROMIUM_PATH) as the gate uses them, taken from the
one settings model (factory/config.py). Documented in .env.example and docs/quality.md."""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DEFAULT_THRESHOLDS = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}


class QualitySettingsError(ValueError):
    """A FACTORY_QUALITY_* variable holds something we cannot use."""


@dataclass(frozen=True)
class QualitySettings:
    thresholds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    workers: int = 2                   # Lighthouse processes
    browsers: int | None = None        # Chromiums they share (None: one per worker; each traces one page at a time)
    time_limit_s: float | None = None  # for one batch; None: 60 s + 6 s per page per worker
    chromium: str = "/usr/bin/chromium"
    similarity_threshold: float = 0.5  # Jaccard on word shingles above which two pages are near-duplicates
    shingle_words: int = 5


def load_settings() -> QualitySettings:
    """From the one settings model (factory.config): FACTORY_QUALITY_* and CHROMIUM_PATH."""
    from factory.config import SettingsError
    from factory.config import load_settings as load_all

    try:
        s = load_all()
    except SettingsError as exc:
        raise QualitySettingsError(str(exc)) from None
    return QualitySettings(
        thresholds={"performance": s.quality_min_performance, "accessibility": s.quality_min_accessibility,
                    "best-practices": s.quality_min_best_practices, "seo": s.quality_min_seo},
        workers=s.quality_workers, browsers=s.quality_browsers, chromium=s.chromium_path,
        time_limit_s=s.quality_time_limit_s,
        similarity_threshold=s.quality_similarity_threshold, shingle_words=s.quality_shingle_words)
