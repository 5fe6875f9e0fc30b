"""`factory`: the one resource every asset, sensor and schedule uses.

It holds no configuration of its own: the settings are read from the environment when a run
(or a sensor tick) starts, never at import, and Dagit shows nothing secret. In production every
missing or invalid setting is named at once (`factory.config`).
"""

from __future__ import annotations

import dagster as dg
from pydantic import PrivateAttr

from factory.clients import Clients
from factory.config import Settings, load_settings
from factory.layers.runner import LayerContext
from factory.store import Store


class FactoryResource(dg.ConfigurableResource):
    """The settings, the store (one pool per process) and the vendor clients."""

    _ctx: LayerContext | None = PrivateAttr(default=None)

    @property
    def ctx(self) -> LayerContext:
        if self._ctx is None:
            settings = load_settings(complete=True)
            store = Store(settings.database_url)
            self._ctx = LayerContext(settings, store, Clients(settings, store))
        return self._ctx

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def store(self) -> Store:
        return self.ctx.store

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._ctx is not None:
            self._ctx.store.close()
            self._ctx = None
