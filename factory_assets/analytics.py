"""`daily_analytics`: visits, clicks and impressions per site and day (domain is a column).

Day-partitioned with a single-run backfill policy: one run covers any range of days with one
Matomo request per chunk and one Search Console query per verified property.
"""

import datetime as dt

import dagster as dg

from factory.analytics.assemble import top_sites_markdown, totals
from factory.analytics.refresh import refresh_daily_analytics, sites_missing_days
from factory_assets.partitions import daily_partitions
from resources.google import GoogleResource
from resources.matomo import MatomoResource
from resources.store import StoreResource

CHECK = "every_site_has_a_row"


@dg.asset(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="analytics",
    kinds={"matomo", "google", "postgres"},
    check_specs=[dg.AssetCheckSpec(CHECK, asset="daily_analytics",
                                   description="Every site that existed on a day has a row for that day.")],
)
def daily_analytics(context: dg.AssetExecutionContext, store: StoreResource, matomo: MatomoResource,
                    google: GoogleResource) -> dg.MaterializeResult:
    """How each site is doing per day: Matomo visits, Search Console clicks and impressions.
    NULL where the site has no Matomo id or no verified property (not 0)."""
    window = context.partition_time_window
    start, end = window.start.date(), (window.end - dt.timedelta(days=1)).date()  # end is exclusive
    db = store.get()
    result = refresh_daily_analytics(db, matomo.client(), google, start, end)
    context.log.info("%s..%s: %d rows for %d sites, api calls %s", start, end, result.rows_written,
                     result.sites, result.api_calls)
    metadata = {
        "dagster/row_count": result.rows_written,
        "range": f"{start}..{end}",
        "sites": result.sites,
        "api_calls": result.api_calls,
        "fetch_s": round(result.fetch_s, 3),
        "db_write_s": round(result.db_write_s, 3),
        **{f"total_{k}": v for k, v in totals(result.frame).items()},
        "top_sites": dg.MetadataValue.md(top_sites_markdown(result.frame)),
    }
    if result.missing:
        # The other sites' rows are written; fail so the partitions show as failed and a
        # re-run (same range) fills the gap.
        raise dg.Failure(
            description=f"daily_analytics {start}..{end} is incomplete: " + "; ".join(result.missing),
            metadata={**metadata, "missing": dg.MetadataValue.md("\n".join(f"- {m}" for m in result.missing))},
        )
    gaps = sites_missing_days(db, start, end)
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[dg.AssetCheckResult(
            check_name=CHECK, passed=not gaps, severity=dg.AssetCheckSeverity.WARN,
            metadata={"sites_with_missing_days": len(gaps), "missing_rows": sum(n for _, n in gaps),
                      "sites": dg.MetadataValue.md("\n".join(f"- {d}: {n} day(s)" for d, n in gaps[:20])
                                                   or "none")})],
    )


analytics_job = dg.define_asset_job(
    "analytics_job",
    selection=dg.AssetSelection.assets(daily_analytics),
    description="Daily analytics for a range of days, in one run.",
)
