"""The system of record as a Dagster resource (a thin wrapper over factory.store.Store)."""

from __future__ import annotations

import dagster as dg
from pydantic import PrivateAttr

from factory.store import Store


class StoreResource(dg.ConfigurableResource):
    """Reads and writes `sites`, accounts and analytics.

    database_url: empty means FACTORY_DATABASE_URL, or the embedded Postgres when that is unset.
    """

    database_url: str = ""
    _store: Store | None = PrivateAttr(default=None)

    def get(self) -> Store:
        if self._store is None:
            self._store = Store(self.database_url or None)
        return self._store

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._store is not None:
            self._store.close()
