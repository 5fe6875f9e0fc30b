"""`factory health`: the fleet's open problems, a sweep on demand, and repair in one action."""

from __future__ import annotations

import json

import typer

from factory.cli.common import (
    audit,
    context,
    fail,
    friendly_errors,
    operator,
    say,
    store,
)

app = typer.Typer(help="Fleet health: open problems (drift, probes, registration), sweeps and repairs.",
                  no_args_is_help=False)


def _problem(p) -> dict:
    return {"domain": p.domain, "check": p.check_kind, "subject": p.subject, "status": p.status, "cause": p.cause,
            "observed": p.observed, "expected": p.expected, "first_seen": p.first_seen.isoformat(),
            "last_seen": p.last_seen.isoformat(), "resolved_at": p.resolved_at.isoformat() if p.resolved_at else None}


@app.callback(invoke_without_command=True)
@friendly_errors
def show(
    typer_ctx: typer.Context,
    domain: str = typer.Option(None, help="Only this site."),
    check: str = typer.Option(None, help="Only this check kind or family (e.g. drift, certificate)."),
    history: bool = typer.Option(False, help="Resolved problems too."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary and problems as JSON."),
) -> None:
    """The open problems of the fleet (what the last sweep found), by check kind and by site."""
    if typer_ctx.invoked_subcommand is not None:
        return
    health = store().health
    summary = health.summary()
    problems = health.problems(domain=domain, check_kind=check, open_only=not history)
    if as_json:
        typer.echo(json.dumps({"summary": summary, "problems": [_problem(p) for p in problems]}, indent=2,
                              default=str))
        return
    if not problems:
        say("no open problems" + (f" (last sweep {summary['last_seen']:%Y-%m-%d %H:%M} UTC)"
                                  if summary["last_seen"] else " (no sweep yet: factory health sweep)"))
        return
    for p in problems:
        state = "resolved" if p.resolved_at else p.status
        say(f"{p.domain:<32} {p.check_kind:<16} {state:<8} {p.subject}: {p.cause}"
            + (f" (seen {p.observed!s}, expected {p.expected!s})" if p.observed or p.expected else ""))
    say(f"\n{summary['open_problems']} open problem(s) on {summary['sites_affected']} site(s)")
    for kind in summary["kinds"]:
        say(f"  {kind['check_kind']:<16} {kind['problems']} problem(s), {kind['sites']} site(s), {kind['status']}")


@app.command("sweep")
@friendly_errors
def run_sweep(
    domains: list[str] = typer.Argument(None, help="Only these sites (default: the whole fleet)."),
    registrar: bool = typer.Option(False, help="Also read every site's name servers at the registrar (daily)."),
    no_probes: bool = typer.Option(False, "--no-probes", help="Skip the HTTPS probes."),
    alert: bool = typer.Option(True, help="Send the alerts the sweep calls for."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Sweep now: drift of every converged layer, probes, registration; record what was found."""
    from factory.health.sweep import sweep

    ctx = context()
    sites = [ctx.store.sites.get(d) for d in domains] if domains else None
    result = sweep(ctx, sites, registrar=registrar, probe_check=not no_probes)
    sent = None
    if alert:
        from factory.health.alerts import deliver

        sent = deliver(ctx.settings, ctx.store).as_dict()
    if as_json:
        typer.echo(json.dumps({**result.as_dict(), "alerts": sent}, indent=2, default=str))
        return
    say(f"swept {len(result.sites)} site(s) in {result.seconds:.1f} s: {len(result.findings)} problem(s), "
        f"{len(result.recorded.opened)} new, {len(result.recorded.resolved)} resolved")
    for domain, check, error in result.errors:
        say(f"  not judged: {domain} ({check}): {error}", err=True)
    if sent:
        say(f"alerts: {sent['sent']} sent, {sent['resolved']} resolved message(s)")


@app.command("repair")
@friendly_errors
def run_repair(
    domains: list[str] = typer.Argument(None, help="Sites to repair (or --all: every site with open drift)."),
    all_sites: bool = typer.Option(False, "--all", help="Every site with open drift."),
    confirm: str = typer.Option(None, help="The plan's hash, for a repair above the guard's threshold."),
) -> None:
    """Re-apply the plan of drifted sites (through the plan/apply guard: a bulk repair above the
    threshold needs --confirm HASH of exactly the plan shown)."""
    from factory.health.repair import repair
    from factory.orchestrator import DagsterGateway

    if not domains and not all_sites and not confirm:
        fail("name the sites to repair, or use --all")
    ctx = context()
    outcome = repair(ctx, DagsterGateway(ctx.settings.dagster_base), domains or [], operator(), all_sites=all_sites,
                     confirm=confirm)
    target = ",".join(domains or []) or ("fleet" if all_sites else confirm)
    if outcome.refused:
        audit("health.repair", target=target, plan_hash=outcome.plan_hash, result="refused",
              detail={"reason": outcome.refused})
        if outcome.needs_confirmation:
            fail(f"{outcome.refused}\nconfirm with: factory health repair --confirm {outcome.plan_hash}")
        if outcome.plan_hash is None or "nothing to change" in outcome.refused:
            say(outcome.refused)
            return
        fail(outcome.refused)
    audit("health.repair", target=target, plan_hash=outcome.plan_hash, result="started",
          detail=outcome.as_dict())
    for run in outcome.launched:
        say(f"{run.domain:<32} {','.join(run.steps):<40} run {run.run_id}")
    say(f"repair plan {outcome.plan_hash}: {len(outcome.launched)} run(s) launched")


@app.command("digest")
@friendly_errors
def run_digest(
    send: bool = typer.Option(False, "--send", help="Send it now (once a day; even with FACTORY_ALERT_DIGEST off)."),
    as_json: bool = typer.Option(False, "--json", help="Print the digest as JSON."),
) -> None:
    """The daily digest: the open problems summarised by kind. Shown; sent with --send."""
    from factory.health.alerts import digest, send_digest

    ctx = context()
    if not send:
        found = digest(ctx.store)
        typer.echo(json.dumps(found.as_dict(), indent=2) if as_json else found.text)
        return
    result = send_digest(ctx.settings, ctx.store, force=True)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    say(result.digest.text)
    say(("\nsent: " if result.sent else "\nnot sent: ") + result.reason
        + (f" ({'; '.join(result.failures)})" if result.failures else ""))
