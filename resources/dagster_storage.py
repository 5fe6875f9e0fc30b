"""Dagster's Postgres storage, holding its connections (deploy/dagster.yaml's `storage`).

dagster-postgres opens a new connection for every storage call outside the webserver (SQLAlchemy's
NullPool): each event of a run — a step started, an output, a materialization, a check — is a
connection, a Postgres backend forked and authenticated, then closed. An onboarding run writes
about forty events, so a third of a run worker's time went into connecting. This storage keeps one
connection per storage (runs, events, schedules) and opens more only while threads need them at
once, as dagster-webserver's own storage does (`optimize_for_webserver`), without a statement
timeout: a run or the daemon may run a long query the webserver should not.

    storage:
      custom:
        module: resources.dagster_storage
        class: PooledPostgresStorage
        config:
          postgres_url: {env: DAGSTER_PG_URL}

Tests and benchmarks build the same storage with `storage_config(url)`.
"""

from __future__ import annotations

from typing import Any

from dagster._core.storage.base_storage import DagsterStorage
from dagster._serdes import ConfigurableClassData
from dagster_postgres import (
    DagsterPostgresStorage,
    PostgresEventLogStorage,
    PostgresRunStorage,
    PostgresScheduleStorage,
)
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

POOL_RECYCLE_S = 3600  # a held connection is replaced hourly (a server or proxy may cut idle ones)
MAX_OVERFLOW = 10  # connections beyond the held one while threads (the daemon's) need them at once
NO_STATEMENT_TIMEOUT = 0


class _Held:
    """A dagster-postgres storage that holds a connection, and lets it go when disposed (dagster-
    postgres disposes nothing: its NullPool held nothing)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # NullPool holds nothing, so the engine this replaces has no connection to close.
        self.optimize_for_webserver(statement_timeout=NO_STATEMENT_TIMEOUT, pool_recycle=POOL_RECYCLE_S,
                                    max_overflow=MAX_OVERFLOW)

    def optimize_for_webserver(self, *args: Any, **kwargs: Any) -> None:
        # dagster-webserver calls this once more at start; the engine it replaces holds a
        # connection, closed here rather than whenever the garbage collector gets to it.
        replaced = getattr(self, "_engine", None)
        super().optimize_for_webserver(*args, **kwargs)
        if replaced is not None and replaced is not self._engine:
            replaced.dispose()

    def dispose(self) -> None:
        super().dispose()
        self._engine.dispose()


class _RunStorage(_Held, PostgresRunStorage):
    pass


class _ScheduleStorage(_Held, PostgresScheduleStorage):
    pass


class _EventLogStorage(_Held, PostgresEventLogStorage):
    """Remembers the tables it found: every materialization with tags asks whether the tags table
    exists, from inside the connection that stores the event, so each asked on a second one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tables: set[str] = set()

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)  # tables are added by migrations, never dropped under a process
        return table_name in self._tables


class PooledPostgresStorage(DagsterPostgresStorage):
    """`DagsterPostgresStorage` whose run, event log and schedule storages hold their connections."""

    def __init__(self, postgres_url: str, should_autocreate_tables: bool = True,
                 inst_data: ConfigurableClassData | None = None, token_provider: Any = None):
        # As DagsterPostgresStorage.__init__, with the storages above.
        self.postgres_url, self.should_autocreate_tables, self._inst_data = (
            postgres_url, should_autocreate_tables, inst_data)
        self._run_storage = _RunStorage(postgres_url, should_autocreate_tables, token_provider=token_provider)
        self._event_log_storage = _EventLogStorage(postgres_url, should_autocreate_tables,
                                                   token_provider=token_provider)
        self._schedule_storage = _ScheduleStorage(postgres_url, should_autocreate_tables,
                                                  token_provider=token_provider)
        DagsterStorage.__init__(self)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> PooledPostgresStorage:
        return cls(postgres_url=pg_url_from_config(config_value), inst_data=inst_data,
                   should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                   token_provider=get_token_provider_from_config(config_value))


def storage_config(postgres_url: str) -> dict[str, Any]:
    """The instance's `storage` section for this database, as deploy/dagster.yaml configures it."""
    return {"custom": {"module": __name__, "class": PooledPostgresStorage.__name__,
                       "config": {"postgres_url": postgres_url}}}
