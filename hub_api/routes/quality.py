"""Site quality: the gate's verdict and preview per site, the theme (chosen, then that site rebuilt),
the theme registry, and the fleet's near-duplicate pairs."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse

from factory.content.themes import ThemeError, themes
from factory.orchestrator import JOB, DagsterUnavailable
from factory.quality.operations import REBUILD_STEPS, set_theme, site_quality
from factory.store import InvalidInput, NotFound
from hub_api.deps import DagsterDep, StoreDep
from hub_api.schemas.common import errors
from hub_api.schemas.quality import (
    DuplicatePairOut,
    SiteQualityOut,
    ThemeChoice,
    ThemeOption,
    ThemeUpdate,
    ThemeUpdated,
)
from hub_api.schemas.runs import RunLaunched
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["quality"])
SiteRef = Annotated[str, Path(min_length=1, max_length=300, description="The site's id or domain.")]


@router.get("/sites/{site}/quality", response_model=SiteQualityOut, responses=errors(404),
            operation_id="get_site_quality")
def get_site_quality(site: SiteRef, store: StoreDep) -> SiteQualityOut:
    """The site's theme, its latest build's quality gate verdict (scores per category, thresholds,
    failed audits; a failed build is not deployed) and the near-duplicate pairs it is in."""
    return SiteQualityOut.model_validate(site_quality(store, site).as_dict())


@router.get("/sites/{site}/preview", response_class=FileResponse, responses={
    **errors(404), 200: {"content": {"image/png": {}}, "description": "The home page at 1280x800 (PNG)."}},
    operation_id="get_site_preview")
def get_site_preview(site: SiteRef, store: StoreDep) -> FileResponse:
    """A screenshot of the site's home page from its latest checked build: what the next deploy shows."""
    verdict = store.quality.latest(store.sites.get(site).domain)
    path = FilePath(verdict.preview_path) if verdict and verdict.preview_path else None
    if path is None or not path.is_file():
        raise NotFound("no preview yet: the site's latest build has no screenshot")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.put("/sites/{site}/theme", response_model=ThemeUpdated, responses=errors(400, 404),
            operation_id="set_site_theme")
def set_site_theme(site: SiteRef, body: ThemeUpdate, request: Request, store: StoreDep,
                   dagster: DagsterDep) -> ThemeUpdated:
    """Choose the site's theme (null: the one picked from its domain), then rebuild that site only
    (site_build, gated, and site_deployment): the theme is part of its build hash."""
    try:
        row, resolved = set_theme(store, site, body.theme, body.variation)
    except ThemeError as exc:
        raise InvalidInput(str(exc)) from None
    run, note = None, None
    if body.rebuild:
        try:
            run_id = dagster.launch(row.domain, REBUILD_STEPS, tags={"factory/operator": request.state.operator,
                                                                     "factory/trigger": "hub"})
            run = RunLaunched(run_id=run_id, url=dagster.run_url(run_id), domain=row.domain, job=JOB,
                              step="site_build")
        except DagsterUnavailable as exc:
            note = f"not rebuilt now ({exc}); the next run of site_build rebuilds it"
    return ThemeUpdated(domain=row.domain, theme=ThemeChoice(**resolved), theme_chosen=body.theme is not None,
                        run=run, note=note)


@router.get("/themes", response_model=list[ThemeOption], responses=errors(), operation_id="list_themes")
def list_themes() -> list[ThemeOption]:
    """Every theme and its variations (palettes), for a picker."""
    return [ThemeOption(name=t.name, description=t.description, variations=list(t.variations))
            for t in themes().values()]


@router.get("/quality/duplicates", response_model=list[DuplicatePairOut], responses=errors(404),
            operation_id="list_near_duplicates")
def list_near_duplicates(store: StoreDep, site: Annotated[str | None, Query(
        min_length=1, max_length=300, description="Only the pairs this site (id or domain) is in.")] = None,
                         ) -> list[DuplicatePairOut]:
    """Pairs of sites whose published pages are near-duplicates, as the last check found them."""
    domain = store.sites.get(site).domain if site else None
    return [DuplicatePairOut(a=p.a, b=p.b, jaccard=p.jaccard, max_page_jaccard=p.max_page_jaccard, pages=p.pages,
                             found_at=p.found_at) for p in store.quality.duplicates(domain)]
