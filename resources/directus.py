"""The shared Directus instance holding every site's content (DIRECTUS_URL, DIRECTUS_TOKEN)."""

from __future__ import annotations

import dagster as dg

from factory.content.directus import DirectusClient


class DirectusResource(dg.ConfigurableResource):
    """url: base URL of Directus 11; token: a static token of a user allowed to edit the schema."""

    url: str
    token: str
    timeout_s: float = 30.0

    def client(self) -> DirectusClient:
        return DirectusClient(self.url, self.token, timeout=self.timeout_s)
