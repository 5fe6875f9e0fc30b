"""Serve the built operator UI (ui/dist) at `/`, with the SPA fallback to index.html."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse


def mount_ui(app: FastAPI, dist: Path) -> bool:
    """Add the UI routes if `dist` holds a build; return whether it did."""
    dist = dist.resolve()
    index = dist / "index.html"
    if not index.is_file():
        return False

    @app.get("/{path:path}", include_in_schema=False)
    def ui(path: str) -> FileResponse:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(404, f"no such path: /{path[:200]}")
        candidate = (dist / path).resolve()
        # A real file inside dist is served as is; anything else is a client-side route.
        if path and candidate.is_relative_to(dist) and candidate.is_file():
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True
