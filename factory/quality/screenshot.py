"""Screenshots of home pages from build outputs, for the preview before a deploy.

The same Chromium and runner as the quality gate (quality_runner/run.mjs), one browser for the
whole batch: each site is served locally and its home page captured at a desktop viewport.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from factory.quality.runner import QualityRunError, run_job
from factory.quality.settings import QualitySettings, load_settings

WIDTH, HEIGHT = 1280, 800


def screenshot_sites(sites: Mapping[str, Path], out_dir: Path, *, width: int = WIDTH, height: int = HEIGHT,
                     settings: QualitySettings | None = None) -> dict[str, Path]:
    """PNG of each site's home page ({domain: build output dir}) as <out_dir>/<domain>.png."""
    settings = settings or load_settings()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        messages = run_job(sites, lighthouse=False, screenshot={"dir": tmp, "width": width, "height": height},
                           workers=min(settings.workers, 2), chromium=settings.chromium,
                           pages={name: ["/"] for name in sites})
        errors = [f"{m['site']}: {m['message']}" for m in messages if m["type"] == "error"]
        shots = {m["site"]: m for m in messages if m["type"] == "screenshot"}
        errors += [f"{name}: the home page answered HTTP {shots[name]['status']}" for name in shots
                   if shots[name]["status"] != 200]
        if errors or set(shots) != set(sites):
            missing = sorted(set(sites) - set(shots))
            raise QualityRunError("screenshots failed: " + "; ".join(errors + [f"{m}: no screenshot" for m in missing]))
        result = {}
        for name in sites:
            target = out_dir / f"{name}.png"
            shutil.move(shots[name]["path"], target)
            result[name] = target
    return result


def screenshot_home(site_dir: Path, out_png: Path, **kwargs) -> Path:
    """PNG of one site's home page."""
    out_png = Path(out_png)
    with tempfile.TemporaryDirectory(prefix="screenshot-") as tmp:
        shot = screenshot_sites({"site": Path(site_dir)}, Path(tmp), **kwargs)["site"]
        out_png.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(shot, out_png)
    return out_png
