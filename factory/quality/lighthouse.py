"""The quality gate: Lighthouse scores per site and category, and the audits that fail.

`run_gate({domain: build_dir})` serves the batch locally and runs Lighthouse 12 with one Chromium
(quality_runner/run.mjs): the home page gets a full navigation (performance, accessibility, best
practices, SEO), every other page a snapshot (accessibility, best practices, SEO). A site's score
in a category is its lowest page's; a site passes when every category is at or above its threshold
(FACTORY_QUALITY_MIN_*, defaults 90/95/95/95). A site that fails is not to be deployed; its
`failure_message()` names the categories below threshold and the audits that pulled them down.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from factory.quality.runner import run_job
from factory.quality.settings import CATEGORIES, QualitySettings, load_settings


@dataclass(frozen=True)
class FailedAudit:
    id: str
    title: str
    score: float
    categories: tuple[str, ...]
    path: str
    display: str = ""
    items: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.id} on {self.path} ({self.title})"


@dataclass(frozen=True)
class SiteQuality:
    domain: str
    scores: dict[str, int]                       # 0-100; the lowest page's per category
    pages: dict[str, dict[str, int]]             # URL path -> category -> 0-100
    thresholds: dict[str, int]
    audits: tuple[FailedAudit, ...] = ()         # every weighted audit scoring below 0.9, on any page
    errors: tuple[str, ...] = ()                 # pages Lighthouse could not audit
    seconds: float = 0.0

    @property
    def below(self) -> dict[str, tuple[int, int]]:
        """Categories under their threshold: {category: (score, threshold)}."""
        return {c: (self.scores.get(c, 0), t) for c, t in self.thresholds.items() if self.scores.get(c, 0) < t}

    @property
    def passed(self) -> bool:
        return not self.below and not self.errors

    def blocking_audits(self) -> list[FailedAudit]:
        """The failing audits of the categories that are below threshold, worst first."""
        below = self.below
        return sorted((a for a in self.audits if any(c in below for c in a.categories)),
                      key=lambda a: (a.score, a.id, a.path))

    def failure_message(self) -> str | None:
        if self.passed:
            return None
        parts = []
        if self.below:
            parts.append(", ".join(f"{c} {s} < {t}" for c, (s, t) in self.below.items()))
        audits = self.blocking_audits()
        if audits:
            parts.append("failing audits: " + "; ".join(a.describe() for a in audits[:8])
                         + (f"; and {len(audits) - 8} more" if len(audits) > 8 else ""))
        if self.errors:
            parts.append("not audited: " + "; ".join(self.errors[:3]))
        return f"quality gate failed for {self.domain}: " + "; ".join(parts)

    def as_dict(self) -> dict:
        """What to store per build (JSON): scores, pass/fail, thresholds, failing audits."""
        return {"domain": self.domain, "passed": self.passed, "scores": self.scores, "thresholds": self.thresholds,
                "pages": self.pages, "audits": [asdict(a) for a in self.audits], "errors": list(self.errors),
                "message": self.failure_message()}


@dataclass(frozen=True)
class GateReport:
    sites: dict[str, SiteQuality]
    thresholds: dict[str, int]
    seconds: float
    pages_audited: int = 0
    workers: int = 1
    # median seconds per page: {"navigation": s, "navigation_traced": s (until the trace lock is free), "snapshot": s}
    page_seconds: dict = field(default_factory=dict)
    previews: dict[str, Path] = field(default_factory=dict)  # home-page screenshots taken in the same run
    # Home-page main-thread time in the trace, median per site: {"wall_ms": ..., "cpu_ms": ...}. Lantern
    # simulates from the CPU time (wall time also counts waiting for a core on a busy machine).
    main_thread: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [d for d, s in self.sites.items() if not s.passed]

    def summary(self) -> dict[str, dict[str, float]]:
        """Min and median per category over the batch."""
        out = {}
        for category in CATEGORIES:
            values = [s.scores[category] for s in self.sites.values() if category in s.scores]
            if values:
                out[category] = {"min": min(values), "median": statistics.median(values)}
        return out


def _percent(score) -> int:
    return round(float(score) * 100) if score is not None else 0


def run_gate(sites: Mapping[str, Path], *, settings: QualitySettings | None = None,
             thresholds: Mapping[str, int] | None = None, workers: int | None = None,
             previews: Mapping[str, Path] | None = None, timeout: float | None = None) -> GateReport:
    """Audit every site of the batch ({domain: its build output directory}) with Lighthouse.
    With `previews` ({domain: PNG path}), the same browser also screenshots each home page there
    (1280x800); a home page that does not answer 200 gets no preview."""
    settings = settings or load_settings()
    limits = {**settings.thresholds, **(thresholds or {})}
    workers = workers or settings.workers
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gate-previews-") as shots_dir:
        shot = {"dir": shots_dir, "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT} if previews else None
        messages = run_job(sites, lighthouse=True, workers=workers, browsers=settings.browsers,
                           chromium=settings.chromium, screenshot=shot,
                           timeout=timeout or settings.time_limit_s)
        taken = _keep_previews(messages, previews or {})
    elapsed = time.monotonic() - started

    pages: dict[str, dict[str, dict[str, int]]] = {d: {} for d in sites}
    audits: dict[str, list[FailedAudit]] = {d: [] for d in sites}
    errors: dict[str, list[str]] = {d: [] for d in sites}
    busy: dict[str, float] = {d: 0.0 for d in sites}
    by_mode: dict[str, list[float]] = {}
    main_thread: dict[str, list[int]] = {}
    for m in messages:
        domain = m.get("site")
        if domain not in pages:
            continue
        if m["type"] == "error":
            errors[domain].append(m["message"])
            continue
        if m["type"] != "page":
            continue
        busy[domain] += m.get("ms", 0) / 1000
        by_mode.setdefault(m["mode"], []).append(m.get("ms", 0) / 1000)
        if "trace_ms" in m:  # waiting for, and holding, the browser's one trace
            by_mode.setdefault("navigation_traced", []).append(m["trace_ms"] / 1000)
        for key in ("trace_wait_ms", "trace_held_ms"):  # of which waiting for, and holding, the trace
            if key in m:
                by_mode.setdefault(f"navigation_{key[:-3]}", []).append(m[key] / 1000)
        for key, value in (m.get("main_thread") or {}).items():
            main_thread.setdefault(key, []).append(value)
        if m.get("error"):
            errors[domain].append(f"{m['path']}: {m['error']}")
        pages[domain][m["path"]] = {c: _percent(s) for c, s in m["categories"].items()}
        audits[domain] += [FailedAudit(a["id"], a["title"], a["score"], tuple(a["categories"]), a["path"],
                                       a.get("display", ""), tuple(a.get("items", []))) for a in m["audits"]]

    results = {}
    for domain in sites:
        scores: dict[str, int] = {}
        for per_page in pages[domain].values():
            for category, value in per_page.items():
                scores[category] = min(value, scores.get(category, 100))
        if not pages[domain] and not errors[domain]:
            errors[domain].append("no page was audited")
        for category in CATEGORIES:
            scores.setdefault(category, 0)
        results[domain] = SiteQuality(domain, scores, pages[domain], dict(limits), tuple(audits[domain]),
                                      tuple(errors[domain]), round(busy[domain], 2))
    return GateReport(results, dict(limits), round(elapsed, 2), sum(len(p) for p in pages.values()), workers,
                      {mode: round(statistics.median(v), 2) for mode, v in by_mode.items()}, taken,
                      {key: round(statistics.median(v)) for key, v in main_thread.items()})


PREVIEW_WIDTH, PREVIEW_HEIGHT = 1280, 800


def _keep_previews(messages: list[dict], previews: Mapping[str, Path]) -> dict[str, Path]:
    """Move each home-page screenshot that answered 200 to where the caller wants it."""
    kept = {}
    for m in messages:
        target = previews.get(m.get("site", ""))
        if m["type"] != "screenshot" or target is None or m.get("status") != 200:
            continue
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(m["path"], target)
        kept[m["site"]] = target
    return kept
