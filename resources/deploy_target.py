"""Where builds are made and how releases are kept (the host itself is the `ssh` resource)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from factory.config import state_dir
from factory.content.build import TEMPLATE_DIR, SiteBuilder


class SiteBuilderResource(dg.ConfigurableResource):
    """build_dir: local directory for build outputs (empty: <FACTORY_HOME>/builds);
    matomo_url: the Matomo base URL that tracking snippets load from."""

    matomo_url: str
    build_dir: str = ""
    template_dir: str = ""

    def builder(self) -> SiteBuilder:
        return SiteBuilder(Path(self.build_dir or state_dir() / "builds"),
                           Path(self.template_dir) if self.template_dir else TEMPLATE_DIR)


class DeployTargetResource(dg.ConfigurableResource):
    """keep_releases: release directories kept per site (rollback depth);
    parallel: sites deployed at once in a batched run."""

    keep_releases: int = 5
    parallel: int = 4
