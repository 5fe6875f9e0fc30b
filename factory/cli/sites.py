"""`factory sites ...`: the fleet."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from factory.cli.common import audit, context, fail, friendly_errors, names, operator, say, shown, store
from factory.csv_import import CsvFormatError, plan_import, read_rows
from factory.store import NewSite

app = typer.Typer(help="The sites of the fleet.", no_args_is_help=True)


@app.command("add")
@friendly_errors
def add(
    domain: str = typer.Argument(..., help="The registrable domain, e.g. example.com."),
    cloudflare_account: str = typer.Option(..., help="Nickname (or email) of the Cloudflare account."),
    gsc_account: str = typer.Option(None, help="Email of the Google account for Search Console."),
    brand: str = typer.Option(None, help="Brand name shown on the site."),
) -> None:
    """Add one site; onboarding starts when the sensor sees it."""
    names(brand_name=brand)
    site = store().sites.add(NewSite(domain, cloudflare_account, gsc_account, brand))
    audit("site.add", target=site.domain)
    say(f"added {site.domain} (pending onboarding)")


@app.command("import")
@friendly_errors
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV with columns domain,brand_name,cloudflare_account,gsc_account."),
    skip_invalid: bool = typer.Option(False, help="Write the good rows even if some are bad."),
) -> None:
    """Import sites from CSV. Every row is checked first; any bad row stops the import unless --skip-invalid.
    Cells are trimmed of surrounding spaces and tabs (each trimmed domain is noted)."""
    data = file.read_bytes()
    try:
        total = len(read_rows(data))
    except CsvFormatError as exc:
        fail(f"{file.name}: {exc}")
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=total < 200) as progress:
        task = progress.add_task("checking rows", total=total)
        plan = plan_import(store(), data, progress=lambda n: progress.advance(task, n))
    for error in plan.errors:
        say(f"{file.name}: {error}", err=True)
    for note in plan.notes:
        say(f"{file.name}: {note}", err=True)
    if plan.errors and not skip_invalid:
        fail(f"{len(plan.errors)} bad row(s); nothing was written (use --skip-invalid to write the {len(plan.valid)} good rows)")
    written = store().sites.add_many([new for _, new in plan.valid]) if plan.valid else []
    audit("site.import", target=file.name, result="ok" if written or not plan.errors else "refused",
          detail={"written": len(written), "bad_rows": len(plan.errors)})
    typer.echo(f"imported {len(written)} site(s)" + (f", skipped {len(plan.errors)} bad row(s)" if plan.errors else ""))
    if plan.errors:
        raise typer.Exit(1 if not written else 0)


@app.command("list")
@friendly_errors
def list_sites(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List sites with every status column."""
    sites = store().sites.list()
    if as_json:
        typer.echo(json.dumps([s.as_dict() for s in sites], indent=2, default=str))
        return
    table = Table("domain", "brand", "cloudflare", "dns", "hosting", "content", "deploy", "gsc", "matomo", "error")
    for s in sites:
        # Stored text is data: escaped for the terminal, and never read as rich markup.
        cells = (s.domain, s.brand_name, s.cloudflare_account, s.status_dns, s.status_hosting, s.status_content,
                 s.status_deployment, s.gsc_verification_status, s.matomo_site_id or "", (s.error_message or "")[:60])
        table.add_row(*(escape(shown(c)) for c in cells))
    _print(table, f"{len(sites)} site(s)")


@app.command("runs")
@friendly_errors
def runs(domain: str = typer.Argument(..., help="The site's domain."),
         limit: int = typer.Option(20, "--limit", min=1, max=200, help="How many, newest first."),
         as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The site's Dagster runs, newest first: status, steps, and why each started (a new site's
    delegation, then the rest of its onboarding; what a follow-up found; an operator's)."""
    from factory.config import load_settings
    from factory.orchestrator import DagsterGateway, DagsterUnavailable

    site = store().sites.get(domain)  # unknown or not a domain: one line, exit 1
    try:
        found = DagsterGateway(load_settings().dagster_base).runs_for(site.domain, limit)
    except DagsterUnavailable as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(found, indent=2, default=str))
        return
    table = Table("created", "status", "steps", "started by", "why", "run")
    for r in found:
        cells = (f"{r['created_at']:%Y-%m-%d %H:%M:%S}" if r["created_at"] else "", r["status"].lower(),
                 ", ".join(r["steps"]) if r["steps"] else "whole onboarding", r["trigger"] or r["operator"] or "",
                 r["why"] or "", r["url"])
        table.add_row(*(escape(shown(c)) for c in cells))
    _print(table, f"{len(found)} run(s)")


def _print(table: Table, total: str) -> None:
    """The table, at full width when not on a terminal (piped, CI), then its count."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=220)
    console.print(table)
    typer.echo(total)


@app.command("eta")
@friendly_errors
def eta(
    limit: int = typer.Option(20, min=0, help="How many queued sites to list (0: only the totals)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    site: str | None = typer.Option(None, "--site", help="Only this site: its place in the queue and its ETA."),
) -> None:
    """When the queued sites are expected to be live, from the vendors' request budgets and this
    machine's measured pace."""
    from factory.onboarding_eta import WAITS_FOR, fleet_eta, summary

    found = fleet_eta(store())
    listed = list(enumerate(found.sites, start=1))
    if site is not None:
        domain = store().sites.get(site).domain  # unknown: one line, exit 1
        listed = [(k, s) for k, s in listed if s.domain == domain]
        if not as_json:
            if not listed:
                say(f"{shown(domain)} is not queued for onboarding (live, failed or decommissioned)")
            for k, s in listed:
                say(f"{shown(s.domain)}: {k} of {len(found.sites)} in the queue, expected live by"
                    f" {s.live_at:%Y-%m-%d %H:%M} UTC, waiting for {WAITS_FOR.get(s.waits_for, s.waits_for)}")
            return
    if as_json:
        typer.echo(json.dumps({"queued": len(found.sites), "all_live_at": found.all_live_at,
                               "bottleneck": found.bottleneck,
                               "per_day": {str(k): v for k, v in sorted(found.per_day().items())},
                               "sites": [{"domain": s.domain, "position": k, "live_at": s.live_at,
                                          "waits_for": s.waits_for}
                                         for k, s in listed[:limit]]}, indent=2, default=str))
        return
    if not found.sites:
        say("no site is queued for onboarding")
        return
    say(summary(found))
    days = Table("day (UTC)", "sites live")
    for day, count in sorted(found.per_day().items()):
        days.add_row(str(day), str(count))
    console = Console()
    console.print(days)
    if limit:
        table = Table("domain", "live by (UTC)", "waits for")
        for s in found.sites[:limit]:
            table.add_row(escape(shown(s.domain)), f"{s.live_at:%Y-%m-%d %H:%M}", s.waits_for)
        console.print(table)


@app.command("delete")
@friendly_errors
def delete(domain: str = typer.Argument(..., help="The site's domain.")) -> None:
    """Remove a site that was never onboarded (no history). A site with analytics is decommissioned
    instead (`factory sites decommission`), which also removes its vendor resources."""
    site = store().sites.delete(domain)
    audit("site.delete", target=site.domain)
    say(f"deleted {site.domain}")


@app.command("decommission")
@friendly_errors
def decommission(
    domains: list[str] = typer.Argument(..., help="The sites to take out of the fleet."),
    keep_dns: bool = typer.Option(False, "--keep-dns", help="Leave the Cloudflare zone and its records."),
    keep_analytics: bool = typer.Option(False, "--keep-analytics", help="Keep the Matomo site and its data."),
    reset_nameservers: bool = typer.Option(False, "--reset-nameservers",
                                           help="Point the registrar back at its own name servers."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show the plan."),
    confirm: str = typer.Option(None, help="The plan's hash, when the change is above the guard's threshold."),
) -> None:
    """Onboarding in reverse: offline (final release archived), CloudPanel site, Matomo site,
    Search Console property and verification, Cloudflare zone, registrar, Directus content. The
    sites row is kept, marked decommissioned, with its analytics. Planned first; the guard applies."""
    from factory.orchestrator import DagsterGateway
    from factory.safe_changes import ChangeRefused, Selection, apply_plan, make_plan

    ctx = context()
    options = (("keep_dns", keep_dns), ("keep_analytics", keep_analytics), ("reset_nameservers", reset_nameservers))
    plan, _ = make_plan(ctx, Selection(tuple(domains), action="decommission", options=options), operator())
    for domain, change in plan.changes:
        if change.kind != "noop":
            typer.echo(f"{domain:<32} {change.kind:<6} {change.target}  ({change.reason})")
    for domain, _, error in plan.errors:
        typer.echo(f"{domain:<32} error  {error}", err=True)
    audit("plan.create", target=",".join(plan.sites)[:500], plan_hash=plan.hash, detail=plan.summary())
    typer.echo(f"plan {plan.hash}: decommission {len(plan.sites)} site(s)")
    if dry_run:
        return
    try:
        launched = apply_plan(ctx, DagsterGateway(ctx.settings.dagster_base), plan.hash, confirm, operator())
    except ChangeRefused as exc:
        audit("site.decommission", target=",".join(plan.sites)[:500], plan_hash=plan.hash, result="refused",
              detail={"reason": str(exc)})
        fail(str(exc))
    audit("site.decommission", target=",".join(plan.sites)[:500], plan_hash=plan.hash, result="started",
          detail={"runs": {x.domain: x.run_id for x in launched}, **dict(options)})
    for run in launched:
        typer.echo(f"{run.domain:<32} decommissioning: run {run.run_id}")




@app.command("rollback")
@friendly_errors
def rollback(domain: str = typer.Argument(..., help="The site's domain.")) -> None:
    """Make the site's previous release live again (atomic symlink swap on the host)."""
    from factory.layers.deploy import rollback as rollback_site
    from factory.vendors.rsync import ReleaseError
    from factory.vendors.ssh import SshError

    site = store().sites.get(domain)
    try:
        before, after = rollback_site(context(), site)
    except (ReleaseError, SshError) as exc:
        fail(str(exc))
    audit("site.rollback", target=site.domain, detail={"from": before, "to": after})
    say(f"rolled back {site.domain}: {before} -> {after}")


@app.command("quality")
@friendly_errors
def quality(domain: str = typer.Argument(..., help="The site's domain."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The site's theme, its latest build's quality gate verdict (Lighthouse scores per category
    against the thresholds, the audits that failed, the preview screenshot) and its near-duplicates."""
    from factory.quality.operations import site_quality

    view = site_quality(store(), domain)
    if as_json:
        typer.echo(json.dumps(view.as_dict(), indent=2, default=str))
        return
    theme = f"{view.theme['name']}/{view.theme['variation']}"
    typer.echo(f"{view.site.domain}: theme {theme} ({'chosen' if view.chosen else 'from the domain'}), "
               f"language {view.site.lang}")
    verdict = view.verdict
    if verdict is None:
        typer.echo("quality gate: no build checked yet")
    else:
        typer.echo(f"quality gate: {'passed' if verdict.passed else 'FAILED'} for build {verdict.build_hash[:12]} "
                   f"({verdict.checked_at:%Y-%m-%d %H:%M} UTC)")
        for category, low in verdict.thresholds.items():
            score = verdict.scores.get(category, 0)
            typer.echo(f"  {category:<15} {score:>3}  (min {low}){'  below' if score < low else ''}")
        for audit_ in verdict.failed_audits():
            typer.echo(f"  failed audit: {audit_['id']} on {audit_['path']} ({shown(audit_['title'])})")
        for error in verdict.errors:
            typer.echo(f"  not audited: {shown(error)}")
        if verdict.preview_path:
            typer.echo(f"  preview: {verdict.preview_path}")
    for pair in view.duplicates:
        other = pair.b if pair.a == view.site.domain else pair.a
        typer.echo(f"near-duplicate of {other}: page Jaccard {pair.max_page_jaccard:.2f}, "
                   f"site Jaccard {pair.jaccard:.2f}")


@app.command("set-theme")
@friendly_errors
def set_theme(
    domain: str = typer.Argument(..., help="The site's domain."),
    theme: str = typer.Argument(..., help="A theme name (e.g. ledger), 'name/variation', or 'auto' (from the domain)."),
    variation: str = typer.Option(None, "--variation", help="The theme's variation (palette), e.g. ink."),
    no_run: bool = typer.Option(False, "--no-run", help="Only record it; the next build of the site uses it."),
) -> None:
    """Choose the site's theme, then rebuild (quality gate, deploy) that site only: the theme is part
    of its build hash, so no other site is rebuilt."""
    from factory.config import load_settings
    from factory.content.themes import ThemeError
    from factory.orchestrator import DagsterGateway, DagsterUnavailable
    from factory.quality.operations import REBUILD_STEPS
    from factory.quality.operations import set_theme as record_theme

    try:
        site, resolved = record_theme(store(), domain, theme, variation)
    except ThemeError as exc:
        fail(str(exc))
    chosen = f"{resolved['name']}/{resolved['variation']}"
    audit("site.set_theme", target=site.domain, detail={"from": site.theme, "to": chosen if theme != "auto" else None})
    say(f"{site.domain}: theme {chosen}" + (" (from the domain)" if theme == "auto" else ""))
    if no_run:
        return
    try:
        run_id = DagsterGateway(load_settings().dagster_base).launch(site.domain, REBUILD_STEPS,
                                                              tags={"factory/operator": operator()})
    except DagsterUnavailable as exc:
        say(f"not rebuilt now ({exc}); the next run of site_build rebuilds it", err=True)
        return
    say(f"rebuilding {site.domain}: run {run_id}")
