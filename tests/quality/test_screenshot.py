"""Home-page screenshots from build outputs (the preview before deploy), with the same Chromium."""

from __future__ import annotations

import pytest

from factory.content.themes import themes
from factory.quality.runner import QualityRunError
from factory.quality.screenshot import screenshot_home, screenshot_sites
from tests.quality import png


def _pick(batch, header: str) -> str:
    return next(d for d, s in batch.inputs.items() if themes()[s["theme"]["name"]].header == header)


def test_screenshots_show_each_sites_own_theme(themed_batch, tmp_path):
    sidebar, pills = _pick(themed_batch, "sidebar"), _pick(themed_batch, "pills")
    shots = screenshot_sites({d: themed_batch.root(d) for d in (sidebar, pills)}, tmp_path / "shots")
    assert set(shots) == {sidebar, pills} and shots[pills] == tmp_path / "shots" / f"{pills}.png"
    for domain, left, right in ((sidebar, "band", "bg"), (pills, "bg", "bg")):
        site = themed_batch.inputs[domain]
        palette = themes()[site["theme"]["name"]].variations[site["theme"]["variation"]]
        width, height, rows = png.pixels(shots[domain])
        assert (width, height) == (1280, 800)
        # The sidebar theme paints its side column; both paint their page background at the right edge.
        assert png.hex_colour(rows[height - 5][5]) == palette[left]
        assert png.hex_colour(rows[height - 5][width - 5]) == palette[right]
        assert len({rows[y][x] for y in range(0, height, 20) for x in range(0, width, 20)}) > 5  # not blank


def test_one_site_to_a_file_and_a_clear_error_for_a_missing_build(themed_batch, tmp_path):
    domain = _pick(themed_batch, "band")
    out = screenshot_home(themed_batch.root(domain), tmp_path / "preview" / "home.png")
    assert out.is_file() and png.size(out) == (1280, 800)
    with pytest.raises(QualityRunError, match="has no index.html"):
        screenshot_home(tmp_path / "nothing", tmp_path / "x.png")
