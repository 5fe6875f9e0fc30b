"""Sites: create, bulk import, list, get, update brand/accounts, delete, history."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import TypeAdapter

from factory.csv_import import CsvFormatError, plan_import
from factory.domains import normalize_domain
from factory.onboarding_eta import fleet_eta
from factory.store import InvalidInput, NewSite, Site, SiteQuery, Store
from factory.store.steps import STEPS
from hub_api.deps import SettingsDep, StoreDep
from hub_api.errors import ImportRejectedError
from hub_api.schemas.common import Page, errors
from hub_api.schemas.sites import (
    ContentStatus,
    DayCount,
    DeploymentStatus,
    DnsStatus,
    HostingStatus,
    ImportRejected,
    ImportReport,
    OnboardingEta,
    SiteChanges,
    SiteCreate,
    SiteEtaOut,
    SiteEvent,
    SiteImport,
    SiteOut,
    SiteSort,
    SiteState,
    SiteSummary,
    SiteUpdate,
    StepOut,
    VerificationStatus,
)
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, prefix="/sites", tags=["sites"])
SiteRef = Annotated[str, Path(min_length=1, max_length=300, description="The site's id or domain.")]


@router.get("", response_model=Page[SiteOut], responses=errors(400), operation_id="list_sites")
def list_sites(
    store: StoreDep,
    status_dns: DnsStatus | None = None,
    status_hosting: HostingStatus | None = None,
    status_content: ContentStatus | None = None,
    status_deployment: DeploymentStatus | None = None,
    gsc_verification_status: VerificationStatus | None = None,
    failed: Annotated[bool | None, Query(description="Only sites with (true) or without (false) a failed step.")] = None,
    search: Annotated[str | None, Query(max_length=200, description="Part of the domain or brand name.")] = None,
    cloudflare_account_id: uuid.UUID | None = None,
    gsc_account_id: uuid.UUID | None = None,
    decommissioned: Annotated[bool | None, Query(description="false (default): the live fleet; true: only "
                                                             "decommissioned sites.")] = False,
    state: Annotated[SiteState | None, Query(description="The site as a whole (see `state` of a site).")] = None,
    sort: Annotated[SiteSort, Query(description="created (the order sites were added), domain, brand, "
                                                "account (Cloudflare nickname) or status (failed first); "
                                                "ties go by domain.")] = "created",
    dir: Annotated[Literal["asc", "desc"], Query(description="Ascending (default) or descending.")] = "asc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[SiteOut]:
    """A page of sites, filtered by status, state, account and search text, sorted on the server;
    `total` counts every match."""
    status = {k: v for k, v in {
        "status_dns": status_dns, "status_hosting": status_hosting, "status_content": status_content,
        "status_deployment": status_deployment, "gsc_verification_status": gsc_verification_status,
    }.items() if v is not None}
    query = SiteQuery(status=status, failed=failed, search=search, cloudflare_account_id=cloudflare_account_id,
                      gsc_account_id=gsc_account_id, decommissioned=decommissioned, state=state, sort=sort,
                      descending=dir == "desc", limit=limit, offset=offset)
    rows = store.sites.page(query, STEPS)
    # The whole result fits in this page: no count needed.
    total = len(rows) if offset == 0 and len(rows) < limit else store.sites.count(query)
    # Plain rows to JSON in one pass of pydantic-core (checked against the schema on the way), not a
    # model per site and step built in Python and then checked again by FastAPI.
    page = _SITE_PAGE.validate_python({"items": rows, "total": total, "limit": limit, "offset": offset})
    return Response(_SITE_PAGE.dump_json(page), media_type="application/json")


_SITE_PAGE = TypeAdapter(Page[SiteOut])


@router.get("/summary", response_model=SiteSummary, responses=errors(), operation_id="sites_summary")
def sites_summary(store: StoreDep) -> SiteSummary:
    """How many sites stand in each state (failed, onboarding, pending, live)."""
    return summary(store)


def summary(store: Store) -> SiteSummary:
    counts = store.sites.count_by_state()
    total = sum(v for k, v in counts.items() if k != "decommissioned")
    return SiteSummary(total=total, **counts)


@router.get("/eta", response_model=OnboardingEta, responses=errors(404), operation_id="onboarding_eta")
def onboarding_eta(
    store: StoreDep,
    limit: Annotated[int, Query(ge=0, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    site: Annotated[str | None, Query(max_length=300, description="Only this site's entry in `items` (none "
                                                                  "when it is not queued).")] = None,
) -> OnboardingEta:
    """When the queued sites are expected to be live, from the vendors' request budgets (Namecheap 20 a
    minute, 700 an hour, 8,000 a day; 1,200 per 5 minutes per Cloudflare token; Let's Encrypt's 300 orders
    per 3 hours), the zones' activation delay and this machine's measured onboarding pace."""
    found = fleet_eta(store)
    listed = list(enumerate(found.sites, start=1))
    if site is not None:
        domain = store.sites.get(site).domain  # a domain in any spelling, or an id; 404 when unknown
        listed = [(k, s) for k, s in listed if s.domain == domain]
    return OnboardingEta(
        queued=len(found.sites), all_live_at=found.all_live_at, bottleneck=found.bottleneck,
        per_day=[DayCount(date=d, sites=n) for d, n in sorted(found.per_day().items())],
        items=[SiteEtaOut(domain=s.domain, position=k, live_at=s.live_at, waits_for=s.waits_for)
               for k, s in listed[offset:offset + limit]])


@router.get("/changes", response_model=SiteChanges, responses=errors(400), operation_id="site_changes")
def site_changes(
    store: StoreDep,
    since: Annotated[str | None, Query(max_length=20, description="The cursor of the previous answer; without "
                                                                  "it, only a cursor to start from.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> SiteChanges:
    """What changed since `since`, so a screen refreshes only that (poll it: an unchanged fleet answers in a
    few bytes)."""
    found = store.sites.changes(since, limit=limit)
    anything = bool(found.changed or found.deleted or found.more)
    return SiteChanges(cursor=found.cursor, changed=site_views(store, found.changed), deleted=found.deleted,
                       more=found.more, summary=summary(store) if since is not None and anything else None)


def site_views(store: Store, sites: list[Site]) -> list[SiteOut]:
    """Sites with their steps (one query for the steps of all of them)."""
    steps = store.steps.of_sites([s.id for s in sites]) if sites else {}
    return [SiteOut.model_validate({**s.as_dict(), "steps": [StepOut.model_validate(t) for t in steps.get(s.id, [])]})
            for s in sites]


def site_view(store: Store, site: Site) -> SiteOut:
    return site_views(store, [site])[0]


@router.post("", status_code=201, response_model=SiteOut, responses=errors(400, 404, 409),
             operation_id="create_site")
def create_site(body: SiteCreate, store: StoreDep) -> SiteOut:
    """Add one site; the new-sites sensor starts its onboarding."""
    site = store.sites.add(NewSite(body.domain, body.cloudflare_account, body.gsc_account, body.brand_name))
    return site_view(store, site)


@router.post("/import", response_model=ImportReport, operation_id="import_sites",
             responses={**errors(409), 400: {"model": ImportRejected, "description":
                                             "Bad rows (nothing written) or an unreadable file"}})
def import_sites(body: SiteImport, store: StoreDep) -> ImportReport:
    """Bulk import from CSV. Every row is checked first; any bad row stops the import (nothing is
    written) unless `skip_invalid`. With `dry_run` nothing is written and the report previews the import."""
    try:
        plan = plan_import(store, body.csv)
    except CsvFormatError as exc:
        raise ImportRejectedError(str(exc), []) from None
    row_errors = [{"line": e.line, "domain": e.domain, "reason": e.reason} for e in plan.errors]
    domains = [normalize_domain(new.domain) for _, new in plan.valid]
    rows = len(plan.valid) + len(plan.errors)
    if plan.errors and not body.skip_invalid and not body.dry_run:
        raise ImportRejectedError(
            f"{len(plan.errors)} bad row(s); nothing was written (set skip_invalid to write the "
            f"{len(plan.valid)} good rows)", row_errors)
    written = 0
    if plan.valid and not body.dry_run:
        written = len(store.sites.add_many([new for _, new in plan.valid]))
    notes = [{"line": n.line, "domain": n.domain, "note": n.note} for n in plan.notes]
    return ImportReport(dry_run=body.dry_run, rows=rows, valid=len(plan.valid), written=written,
                        errors=row_errors, notes=notes, domains=domains)


@router.get("/{site}", response_model=SiteOut, responses=errors(404), operation_id="get_site")
def get_site(site: SiteRef, store: StoreDep, settings: SettingsDep) -> SiteOut:
    """The site, each step's state, its open health problems and where the live site opens."""
    from hub_api.routes.fleet_health import problem_out

    found = store.sites.get(site)
    view = site_view(store, found)
    view.problems = [problem_out(p) for p in store.health.problems(site_id=found.id)]
    view.live_url = settings.live_url(found.domain)
    return view


@router.patch("/{site}", response_model=SiteOut, responses=errors(400, 404), operation_id="update_site")
def update_site(site: SiteRef, body: SiteUpdate, store: StoreDep) -> SiteOut:
    """Change the brand name and/or move the site to other accounts (by id, nickname or email)."""
    given = body.model_fields_set
    if "cloudflare_account" in given and body.cloudflare_account is None:
        raise InvalidInput("a site needs a Cloudflare account; cloudflare_account cannot be null")
    current = store.sites.get(site)
    if "cloudflare_account" in given or "gsc_account" in given:
        store.sites.set_accounts(
            current.id,
            cloudflare_account_id=store.cloudflare_accounts.get(body.cloudflare_account).id
            if body.cloudflare_account is not None else None,
            gsc_account_id=store.gsc_accounts.get(body.gsc_account).id if body.gsc_account is not None else None,
            clear_gsc_account="gsc_account" in given and body.gsc_account is None)
    if "brand_name" in given:
        store.sites.update(current.id, brand_name=body.brand_name)
    return site_view(store, store.sites.get(current.id))


@router.delete("/{site}", status_code=204, response_class=Response, responses=errors(400, 404),
               operation_id="delete_site")
def delete_site(
    site: SiteRef, store: StoreDep,
    purge: Annotated[bool, Query(description="Also delete the Cloudflare zone and the site's files "
                                             "(not available yet: refused with 400).")] = False,
) -> Response:
    """Remove the site from the fleet (the sensor then drops its Dagster partition). The Cloudflare
    zone, hosting and files are left in place."""
    if purge:
        store.sites.get(site)  # an unknown site is still a 404
        raise InvalidInput("purge is not available yet: nothing was deleted. Delete without purge "
                           "(the Cloudflare zone and files stay) and remove them by hand.")
    store.sites.delete(site)
    return Response(status_code=204)


@router.get("/{site}/events", response_model=list[SiteEvent], responses=errors(404),
            operation_id="list_site_events")
def list_site_events(site: SiteRef, store: StoreDep,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[SiteEvent]:
    """The site's status changes, newest first."""
    return [SiteEvent(**e) for e in store.steps.events(store.sites.get(site).id, limit=limit)]
