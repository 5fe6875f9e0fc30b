"""`factory plan` and `factory apply`: see every change before it is made, then make exactly that."""

from __future__ import annotations

import json

import typer

from factory.cli.common import audit, context, fail, friendly_errors, operator
from factory.layers import LAYERS  # the names only: the layers (and every vendor client) load on use


def _selection(domains: list[str], all_sites: bool, status: list[str], account: str | None, layers: str | None):
    from factory.safe_changes import Selection

    pairs = []
    for item in status:
        column, sep, value = item.partition("=")
        if not sep:
            fail(f"--status takes COLUMN=VALUE, e.g. status_dns=failed (got {item!r})")
        pairs.append((column.strip(), value.strip()))
    chosen = tuple(x.strip() for x in layers.split(",")) if layers else LAYERS
    return Selection(tuple(domains), all_sites, tuple(pairs), account, chosen)


@friendly_errors
def plan(
    domains: list[str] = typer.Argument(None, help="Sites to plan (or use --all, --status, --account)."),
    all_sites: bool = typer.Option(False, "--all", help="Every site of the fleet."),
    status: list[str] = typer.Option([], help="Only sites with this status, e.g. status_dns=failed (repeatable)."),
    account: str = typer.Option(None, help="Only sites of this Cloudflare account (nickname or email)."),
    layers: str = typer.Option(None, help=f"Comma-separated layers (default all: {','.join(LAYERS)})."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
    as_markdown: bool = typer.Option(False, "--markdown", help="Print the plan as Markdown."),
) -> None:
    """Show what the next materialization would change, for each selected site and layer. Read-only:
    nothing is written at any vendor. The plan is stored with its hash for `factory apply`."""
    from factory.safe_changes import Guard, make_plan

    ctx = context()
    fleet_plan, stored = make_plan(ctx, _selection(domains or [], all_sites, status, account, layers), operator())
    guard = Guard.from_settings(ctx.settings)
    fleet = ctx.store.sites.count()
    audit("plan.create", target=f"{len(fleet_plan.sites)} site(s)", plan_hash=fleet_plan.hash,
          detail=fleet_plan.summary())
    if as_json:
        typer.echo(json.dumps({**fleet_plan.as_dict(), "needs_confirmation": guard.needs_confirmation(fleet_plan, fleet)},
                              indent=2, default=str))
        return
    if as_markdown:
        typer.echo(fleet_plan.markdown())
        return
    summary = fleet_plan.summary()
    for domain, change in fleet_plan.changes:
        if change.kind != "noop":
            arrow = f" {change.before or '∅'} -> {change.after or '∅'}" if change.kind in ("create", "update", "delete") \
                else ""
            typer.echo(f"{domain:<32} {change.layer:<15} {change.kind:<6} {change.target}{arrow}  ({change.reason})")
    for domain, layer, error in fleet_plan.errors:
        typer.echo(f"{domain:<32} {layer:<15} error  {error}", err=True)
    typer.echo(f"\nplan {fleet_plan.hash}: {summary['sites_affected']} of {summary['sites']} site(s) would change, "
               f"{summary['sites_waiting']} wait, {summary['errors']} not observed")
    for layer, counts in summary["layers"].items():
        if any(counts.values()):
            typer.echo("  " + f"{layer:<15}" + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    if summary["sites_affected"]:
        confirm = f" --confirm {fleet_plan.hash}" if guard.needs_confirmation(fleet_plan, fleet) else ""
        typer.echo(f"apply with: factory apply {fleet_plan.hash}{confirm}")


@friendly_errors
def apply(
    plan_hash: str = typer.Argument(..., help="The hash `factory plan` printed."),
    confirm: str = typer.Option(None, help="The plan's hash again, for a change above the guard's threshold."),
) -> None:
    """Apply a stored plan: planned again first; refused if it is stale, if what it observed has
    changed, or if it is above the guard's threshold and not confirmed."""
    from factory.orchestrator import DagsterGateway
    from factory.safe_changes import ChangeRefused, apply_plan

    ctx = context()
    try:
        launched = apply_plan(ctx, DagsterGateway(ctx.settings.dagster_base), plan_hash, confirm, operator())
    except ChangeRefused as exc:
        audit("plan.apply", target=plan_hash, plan_hash=plan_hash, result="refused", detail={"reason": str(exc)})
        fail(str(exc))
    audit("plan.apply", target=plan_hash, plan_hash=plan_hash, result="started",
          detail={"runs": [{"domain": x.domain, "steps": list(x.steps), "run_id": x.run_id} for x in launched]})
    for run in launched:
        typer.echo(f"{run.domain:<32} {','.join(run.steps):<40} run {run.run_id}")
    typer.echo(f"applied plan {plan_hash}: {len(launched)} run(s) launched")
