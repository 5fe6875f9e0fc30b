"""`fleet_near_duplicates`: every site's published text compared with every other's (MinHash +
LSH, factory/quality/fleet.py), with the check `no_near_duplicates` that warns while pairs of
sites say nearly the same thing; `near_duplicates_job` runs it, `near_duplicates_schedule` daily."""

import dagster as dg

from factory.quality.fleet import check_fleet
from resources.factory import FactoryResource

CHECK = "no_near_duplicates"
SHOWN_PAIRS = 50  # in the check's table; every pair is stored (Hub, UI, `factory quality duplicates`)


@dg.asset(group_name="quality", kinds={"directus", "postgres"},
          check_specs=[dg.AssetCheckSpec(CHECK, asset="fleet_near_duplicates",
                                         description="No two sites publish pages whose word-shingle Jaccard is at "
                                                     "or above FACTORY_QUALITY_SIMILARITY_THRESHOLD.")],
          description="Pairs of sites whose published pages are near-duplicates (MinHash + LSH over word "
                      "shingles, exact Jaccard), stored for the Hub, the UI and the content step's "
                      "`differ` regeneration.")
def fleet_near_duplicates(context: dg.AssetExecutionContext, factory: FactoryResource) -> dg.MaterializeResult:
    found = check_fleet(factory.ctx)
    context.log.info("%d sites, %d pages: %d near-duplicate pairs in %.2fs", found.sites, found.pages,
                     len(found.pairs), found.seconds)
    rows = [f"| {p.a} | {p.b} | {p.max_page_jaccard:.2f} | {p.jaccard:.2f} | "
            f"{', '.join(f'{x.slug_a}~{x.slug_b}' for x in p.pages[:3])} |" for p in found.pairs[:SHOWN_PAIRS]]
    table = "\n".join(["| site | site | page Jaccard | site Jaccard | pages |", "|---|---|---|---|---|", *rows])
    check = dg.AssetCheckResult(
        check_name=CHECK, passed=not found.pairs, severity=dg.AssetCheckSeverity.WARN,
        description=(f"{len(found.pairs)} pair(s) of sites at or above Jaccard {found.threshold}"
                     if found.pairs else f"no pair at or above Jaccard {found.threshold}"),
        metadata={"pairs": len(found.pairs), "flagged": dg.MetadataValue.md(table) if rows else "none"})
    return dg.MaterializeResult(
        metadata={"sites": found.sites, "pages": found.pages, "pairs": len(found.pairs),
                  "threshold": found.threshold, "seconds": found.seconds,
                  "flagged": dg.MetadataValue.json([p.as_dict() for p in found.pairs[:SHOWN_PAIRS]])},
        check_results=[check])


near_duplicates_job = dg.define_asset_job(
    "near_duplicates_job", selection=dg.AssetSelection.assets(fleet_near_duplicates),
    description="Compare every site's published text with every other's and store the near-duplicate pairs.")

near_duplicates_schedule = dg.ScheduleDefinition(
    name="near_duplicates_schedule", job=near_duplicates_job, cron_schedule="30 4 * * *",
    execution_timezone="UTC", default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily: the fleet's near-duplicate check.")
