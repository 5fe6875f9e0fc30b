"""The content/build/deploy resources, configured from the environment (see docs/content.md)."""

from __future__ import annotations

import dagster as dg

from factory.config import env
from resources.deploy_target import DeployTargetResource, SiteBuilderResource
from resources.directus import DirectusResource
from resources.llm import LlmResource


def publishing_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "directus": DirectusResource(url=env("DIRECTUS_URL", "http://127.0.0.1:8055"), token=dg.EnvVar("DIRECTUS_TOKEN")),
        "llm": LlmResource(api_key=dg.EnvVar("OPENAI_API_KEY"), base_url=env("OPENAI_BASE_URL", ""),
                           model=env("OPENAI_MODEL", "gpt-4o-mini")),
        "site_builder": SiteBuilderResource(matomo_url=dg.EnvVar("MATOMO_URL"), build_dir=env("FACTORY_BUILD_DIR", "")),
        "deploy_target": DeployTargetResource(keep_releases=int(env("FACTORY_KEEP_RELEASES", "5"))),
    }
