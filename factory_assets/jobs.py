"""Jobs over the assets (public names: `onboard_site_job`)."""

from __future__ import annotations

import dagster as dg



def onboard_site_job(site_assets: list[dg.AssetsDefinition]) -> dg.UnresolvedAssetJobDefinition:
    """Every per-site asset, in dependency order, for one `site` partition."""
    return dg.define_asset_job(
        "onboard_site_job",
        selection=dg.AssetSelection.assets(*site_assets),
        description="Onboard one site end to end: DNS, hosting, Matomo, Search Console, content, build, deploy.",
    )
