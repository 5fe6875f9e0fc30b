"""`daily_analytics`: visits, clicks and impressions per site and day (domain is a column).

Day-partitioned with a single-run backfill policy: one run covers any range of days with one
Matomo request per chunk and one Search Console query per verified property.
"""

import datetime as dt

import dagster as dg

from resources.factory import FactoryResource

CHECK = "every_site_has_a_row"


def analytics_definitions(daily: dg.DailyPartitionsDefinition) -> "tuple[dg.AssetsDefinition, dg.UnresolvedAssetJobDefinition]":
    @dg.asset(
        partitions_def=daily,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="analytics",
        kinds={"matomo", "google", "postgres"},
        check_specs=[dg.AssetCheckSpec(CHECK, asset="daily_analytics",
                                       description="Every site that existed on a day has a row for that day.")],
    )
    def daily_analytics(context: dg.AssetExecutionContext, factory: FactoryResource) -> dg.MaterializeResult:
        """How each site is doing per day: Matomo visits, Search Console clicks and impressions.
        NULL where the site has no Matomo id or no verified property (not 0)."""
        # Imported here: pandas costs every process that loads the code location (each run) about
        # a second, and only this asset uses it.
        from factory.analytics.assemble import top_sites_markdown, totals
        from factory.analytics.refresh import refresh_daily_analytics, sites_missing_days

        window = context.partition_time_window
        start, end = window.start.date(), (window.end - dt.timedelta(days=1)).date()  # end is exclusive
        ctx = factory.ctx
        outcome = refresh_daily_analytics(ctx.clients, start, end)
        context.log.info("%s..%s: %d rows for %d sites, api calls %s", start, end, outcome.rows_written,
                         outcome.sites, outcome.api_calls)
        metadata = {
            "dagster/row_count": outcome.rows_written,
            "range": f"{start}..{end}",
            "sites": outcome.sites,
            "api_calls": outcome.api_calls,
            "fetch_s": round(outcome.fetch_s, 3),
            "db_write_s": round(outcome.db_write_s, 3),
            **{f"total_{k}": v for k, v in totals(outcome.frame).items()},
            "top_sites": dg.MetadataValue.md(top_sites_markdown(outcome.frame)),
        }
        if outcome.missing:
            # The other sites' rows are written; fail so the partitions show as failed and a
            # re-run (same range) fills the gap.
            raise dg.Failure(
                description=f"daily_analytics {start}..{end} is incomplete: " + "; ".join(outcome.missing),
                metadata={**metadata, "missing": dg.MetadataValue.md("\n".join(f"- {m}" for m in outcome.missing))},
            )
        gaps = sites_missing_days(ctx.store, start, end)
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[dg.AssetCheckResult(
                check_name=CHECK, passed=not gaps, severity=dg.AssetCheckSeverity.WARN,
                metadata={"sites_with_missing_days": len(gaps), "missing_rows": sum(n for _, n in gaps),
                          "sites": dg.MetadataValue.md("\n".join(f"- {d}: {n} day(s)" for d, n in gaps[:20])
                                                       or "none")})],
        )

    job = dg.define_asset_job("analytics_job", selection=dg.AssetSelection.assets(daily_analytics),
                              description="Daily analytics for a range of days, in one run.")
    return daily_analytics, job
