"""Jobs over the assets (public names: `onboard_site_job`)."""

from __future__ import annotations

import dagster as dg



def onboard_site_job(site_assets: list[dg.AssetsDefinition],
                     other_checks: list[dg.AssetChecksDefinition] | tuple = ()) -> dg.UnresolvedAssetJobDefinition:
    """Every per-site asset, in dependency order, for one `site` partition (with the assets' own
    checks, not `other_checks`: the fleet health checks are evaluated by the health sweep)."""
    selection = dg.AssetSelection.assets(*site_assets)
    if other_checks:
        selection = selection - dg.AssetSelection.checks(*other_checks)
    return dg.define_asset_job(
        "onboard_site_job",
        selection=selection,
        description="Onboard one site end to end: DNS, hosting, Matomo, Search Console, content, build, deploy.",
    )
