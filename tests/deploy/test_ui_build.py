"""`factory up` serves ui/dist: it builds it when it is missing, and again when a file it is built
from changed since (a UI change must not leave the operator looking at yesterday's UI)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from devtools import stack

# A stand-in UI whose `npm run build` (real npm) writes dist/index.html with how many builds ran.
BUILD = ("node -e \"const fs=require('fs');fs.mkdirSync('dist',{recursive:true});"
         "const n=fs.existsSync('builds')?+fs.readFileSync('builds','utf8')+1:1;fs.writeFileSync('builds',String(n));"
         "fs.writeFileSync('dist/index.html','build '+n)\"")


def _ui(root: Path) -> Path:
    ui = root / "ui"
    (ui / "src").mkdir(parents=True)
    (ui / "node_modules").mkdir()
    (ui / "package.json").write_text(json.dumps({"name": "ui", "private": True, "scripts": {"build": BUILD}}))
    (ui / "src" / "App.tsx").write_text("export const App = () => null;\n")
    (ui / "openapi.json").write_text("{}")
    return ui


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_ui_is_built_when_missing_and_rebuilt_only_when_a_source_changed(tmp_path):
    ui = _ui(tmp_path)
    said: list[str] = []

    assert stack.build_ui(echo=said.append, root=tmp_path) == ui / "dist"
    assert (ui / "dist" / "index.html").read_text() == "build 1"
    assert said == ["building the UI (npm --prefix ui run build) ..."]

    # Nothing changed since: the build is served as it is.
    said.clear()
    assert stack.build_ui(echo=said.append, root=tmp_path) == ui / "dist"
    assert (ui / "dist" / "index.html").read_text() == "build 1" and said == []

    # A source edited after the build (a component, then the API schema): rebuilt, once each.
    for source in (ui / "src" / "App.tsx", ui / "openapi.json"):
        _age(ui / "dist" / "index.html", 60)
        source.write_text(source.read_text() + "\n")
        assert stack.ui_is_stale(ui)
        said.clear()
        stack.build_ui(echo=said.append, root=tmp_path)
        assert said == ["rebuilding the UI (its sources changed) (npm --prefix ui run build) ..."]
        assert not stack.ui_is_stale(ui)
    assert (ui / "dist" / "index.html").read_text() == "build 3"


def test_a_stale_ui_is_still_served_where_nothing_can_rebuild_it(tmp_path, monkeypatch):
    ui = _ui(tmp_path)
    (ui / "dist").mkdir()
    (ui / "dist" / "index.html").write_text("old build")
    _age(ui / "dist" / "index.html", 60)
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))
    said: list[str] = []
    assert stack.build_ui(echo=said.append, root=tmp_path) == ui / "dist"
    assert said == ["ui             older than its sources, and no npm to rebuild it"]
    assert (ui / "dist" / "index.html").read_text() == "old build"
