"""Fleet health in Dagster: the `fleet_health_sweep` job (hourly; daily with the registrar's
name servers), and the per-site `site_health` asset (downstream of every per-site asset) whose
checks — dns, registration, hosting, certificate, live_site, matomo, search_console, content,
build, deploy, steps — are evaluated per `site` partition.

The sweep itself is `factory.health` (plain code): one run sweeps the fleet, records problems in
`site_health` and sends the alerts. After it, every (site, check) whose health changed gets an
asset check evaluation for its partition (passed, or failed with severity ERROR for a `fail`
and WARN for a `warn`), so Dagit shows each site's health on its assets without one run per
site. Executing a check from Dagit for a partition reads `site_health` for that site.
"""


from collections import defaultdict
from collections.abc import Iterable

import dagster as dg

from factory.health import checks
from factory.store import Problem
from factory_assets.partitions import site_partitions
from resources.factory import FactoryResource

HEALTH_ASSET = "site_health"

# The checks of the per-site `site_health` asset: one per part of a site, each fed by check kinds.
CHECK_OF_KIND = {
    "drift.dns": "dns", checks.NAMESERVERS: "dns", checks.DOC_ROOT: "hosting", checks.VERIFICATION_TXT: "search_console", checks.DOMAIN_EXPIRY: "registration",
    checks.AUTO_RENEW: "registration", "drift.hosting": "hosting", "drift.matomo": "matomo",
    "drift.search_console": "search_console", "drift.content": "content", "drift.build": "build",
    "drift.deploy": "deploy", checks.HTTPS: "live_site", checks.CANONICAL: "live_site",
    checks.MATOMO_SNIPPET: "live_site", checks.REDIRECT: "live_site", checks.CERTIFICATE: "certificate",
    checks.STEP_FAILED: "steps", checks.UNOBSERVED: "steps",
}
CHECK_NAMES = ("dns", "registration", "hosting", "certificate", "live_site", "matomo", "search_console", "content",
               "build", "deploy", "steps")
SITE_ASSETS = ("dns_zone", "hosting_site", "matomo_site", "gsc_property", "site_content", "site_build",
               "site_deployment")

# A per-site asset the sweep observes (never materialized): the checks live here, not on the
# onboarding assets, because Dagster runs every check of a selected asset in each run that
# selects it — onboarding runs would each carry seven more steps.
site_health_asset = dg.AssetSpec(
    HEALTH_ASSET, partitions_def=site_partitions, group_name="health", deps=list(SITE_ASSETS),
    kinds={"postgres"},
    description="What the fleet health sweeps found on the site (site_health): one check per part of the site, "
                "ERROR for a failing problem, WARN for a warning.")


def check_of(problem: Problem) -> str:
    return CHECK_OF_KIND.get(problem.check_kind, "steps")


def evaluation(check: str, problems: Iterable[Problem]) -> tuple[bool, dg.AssetCheckSeverity, dict]:
    """passed, severity and metadata of one site's check from its open problems."""
    mine = [p for p in problems if check_of(p) == check]
    severity = dg.AssetCheckSeverity.ERROR if any(p.status == "fail" for p in mine) else dg.AssetCheckSeverity.WARN
    lines = [f"- **{p.check_kind}** {p.subject}: {p.cause}"
             + (f" (seen {p.observed}, expected {p.expected})" if p.observed or p.expected else "")
             + f" — since {p.first_seen:%Y-%m-%d %H:%M} UTC" for p in mine]
    return not mine, severity, {"open_problems": len(mine), "problems": dg.MetadataValue.md("\n".join(lines) or "none")}


def _health_check(name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=HEALTH_ASSET, name=name, partitions_def=site_partitions,
                    description=f"Fleet health ({name}): no open problem, as the last sweep recorded it.")
    def check(context: dg.AssetCheckExecutionContext, factory: FactoryResource) -> dg.AssetCheckResult:
        site = factory.store.sites.get(context.partition_key)
        passed, severity, metadata = evaluation(name, factory.store.health.problems(site_id=site.id))
        return dg.AssetCheckResult(passed=passed, severity=severity, metadata=metadata)

    return check


site_health_checks = [_health_check(name) for name in CHECK_NAMES]


class SweepConfig(dg.Config):
    registrar: bool = False  # also read every site's name servers at the registrar (one call per site)
    probes: bool = True
    alerts: bool = True


@dg.op(name="sweep_fleet", tags={"factory/trigger": "health"})
def sweep_fleet(context: dg.OpExecutionContext, config: SweepConfig, factory: FactoryResource) -> dg.Output:
    """Sweep every site (drift, probes, registration), record problems, send the alerts, then
    evaluate the `site_health` check of each (site, asset) whose health changed."""
    from factory.health.alerts import deliver
    from factory.health.sweep import sweep

    ctx = factory.ctx
    result = sweep(ctx, registrar=config.registrar, probe_check=config.probes)
    sent = deliver(ctx.settings, ctx.store) if config.alerts else None
    changed: dict[str, set[str]] = defaultdict(set)
    for problem in (*result.recorded.opened, *result.recorded.resolved):
        changed[problem.domain].add(check_of(problem))
    open_by_site: dict[str, list[Problem]] = defaultdict(list)
    for problem in ctx.store.health.problems(limit=100_000):
        open_by_site[problem.domain].append(problem)
    known = set(context.instance.get_dynamic_partitions(site_partitions.name))
    for domain, assets in changed.items():
        if domain not in known:
            continue
        for name in sorted(assets):
            passed, severity, metadata = evaluation(name, open_by_site.get(domain, []))
            context.instance.report_runless_asset_event(dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey(HEALTH_ASSET), check_name=name, passed=passed, severity=severity,
                metadata=metadata, partition=domain))
    summary = ctx.store.health.summary()
    for domain, check, error in result.errors:
        context.log.warning(f"not judged: {domain} ({check}): {error}")
    return dg.Output(None, metadata={
        "sites": len(result.sites), "open_problems": summary["open_problems"],
        "sites_affected": summary["sites_affected"], "new_problems": len(result.recorded.opened),
        "resolved": len(result.recorded.resolved), "not_judged": len(result.errors),
        "alerts_sent": sent.sent if sent else 0, "resolved_messages": sent.resolved if sent else 0,
        "sweep_seconds": round(result.seconds, 2),
        **{f"sweep_{part}_seconds": round(seconds, 2) for part, seconds in result.parts.items()},
        "by_kind": dg.MetadataValue.md("\n".join(f"- {k['check_kind']}: {k['problems']} problem(s) on {k['sites']} "
                                                 f"site(s) ({k['status']})" for k in summary["kinds"]) or "none")})


@dg.job(name="fleet_health_sweep", tags={"factory/trigger": "health"},
        description="Sweep the fleet: drift of every converged layer, HTTPS probes, certificates, domain "
                    "registrations; record problems (site_health), alert, evaluate the site_health checks.")
def fleet_health_sweep() -> None:
    sweep_fleet()


fleet_health_hourly = dg.ScheduleDefinition(
    name="fleet_health_hourly", job=fleet_health_sweep, cron_schedule="7 * * * *", execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    run_config={"ops": {"sweep_fleet": {"config": {"registrar": False}}}},
    description="Hourly: the cheap checks (Cloudflare, hosting, Matomo, Google, probes, one Namecheap listing).")
fleet_health_daily = dg.ScheduleDefinition(
    name="fleet_health_daily", job=fleet_health_sweep, cron_schedule="37 4 * * *", execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    run_config={"ops": {"sweep_fleet": {"config": {"registrar": True}}}},
    description="Daily: also every site's name servers at the registrar (one Namecheap call per site).")


@dg.op(name="send_digest", tags={"factory/trigger": "health"})
def send_digest_op(context: dg.OpExecutionContext, factory: FactoryResource) -> dg.Output:
    """Send today's digest of the open problems by kind (FACTORY_ALERT_DIGEST), at most once a day."""
    from factory.health.alerts import send_digest

    ctx = factory.ctx
    result = send_digest(ctx.settings, ctx.store)
    context.log.info(("sent: " if result.sent else "not sent: ") + result.reason)
    for failure in result.failures:
        context.log.warning(f"digest channel failed: {failure}")
    return dg.Output(None, metadata={
        "sent": result.sent, "reason": result.reason, "open_problems": result.digest.open_problems,
        "sites_affected": result.digest.sites_affected, "resolved_last_day": result.digest.resolved,
        "digest": dg.MetadataValue.md(f"```\n{result.digest.text}\n```")})


@dg.job(name="fleet_health_digest", tags={"factory/trigger": "health"},
        description="Send the daily digest: the open problems by kind, in one message (FACTORY_ALERT_DIGEST).")
def fleet_health_digest() -> None:
    send_digest_op()


def digest_schedule(hour_utc: int) -> dg.ScheduleDefinition:
    """Daily at FACTORY_ALERT_DIGEST_HOUR (UTC); one run a day (the day is the run key), and
    skipped while the digest is off."""

    @dg.schedule(name="fleet_health_digest_daily", job=fleet_health_digest, cron_schedule=f"0 {hour_utc} * * *",
                 execution_timezone="UTC", default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="Daily: the digest of the open problems (FACTORY_ALERT_DIGEST, "
                             "FACTORY_ALERT_DIGEST_HOUR); skipped while it is off.")
    def fleet_health_digest_daily(context: dg.ScheduleEvaluationContext):
        from factory.config import load_settings

        if load_settings().alert_digest == "off":
            return dg.SkipReason("the daily digest is off (FACTORY_ALERT_DIGEST=off)")
        return dg.RunRequest(run_key=f"digest-{context.scheduled_execution_time:%Y-%m-%d}")

    return fleet_health_digest_daily
