"""deploy/dagster.yaml's storage holds its Postgres connections: a run's events do not each open
one (dagster-postgres alone connects anew for every event; an onboarding run writes ~40)."""

import time

import dagster as dg
import psycopg
import pytest
import yaml

from resources.dagster_storage import PooledPostgresStorage
from tests.deploy.conftest import DEPLOY

pytestmark = pytest.mark.timeout(300)


def _chain(n: int) -> list[dg.AssetsDefinition]:
    """n assets in a line, each a step that logs and materializes, as an onboarding step does."""
    assets = []
    for i in range(n):
        @dg.asset(name=f"layer_{i}", deps=[f"layer_{i - 1}"] if i else [])
        def layer(context):  # unannotated: Dagster refuses string annotations here
            context.log.info("nothing to change")
            return dg.MaterializeResult(metadata={"status": "active"})
        assets.append(layer)
    return assets


def _sessions(conn: psycopg.Connection) -> int:
    """Connections ever made to this database, once the counts have settled (a backend reports
    its connection when it flushes its statistics, at the latest when it exits)."""
    last, stable_since = -1, time.monotonic()
    while time.monotonic() - stable_since < 1.5:
        conn.execute("select pg_stat_clear_snapshot()")
        now = conn.execute("select sessions from pg_stat_database where datname = current_database()").fetchone()[0]
        if now != last:
            last, stable_since = now, time.monotonic()
        time.sleep(0.25)
    return last


def _open_connections(conn: psycopg.Connection) -> int:
    return conn.execute("select count(*) from pg_stat_activity where datname = current_database()"
                        " and pid <> pg_backend_pid()").fetchone()[0]


def _connections_for_one_run(storage: dict, home, url: str) -> tuple[int, int]:
    """(connections opened, events stored) by one run of a seven-step job on this storage; none
    is left open once the instance is disposed."""
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump({"storage": storage, "telemetry": {"enabled": False}}))
    with psycopg.connect(url, autocommit=True) as conn:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            instance.get_runs(limit=1)  # the instance opens its storage on first use: not part of the run
            before = _sessions(conn)
            result = dg.materialize(_chain(7), instance=instance)
            assert result.success
            events = len(instance.all_logs(result.run_id))
            opened = _sessions(conn) - before
        deadline = time.monotonic() + 10
        while _open_connections(conn) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _open_connections(conn) == 0
        return opened, events


def test_the_production_storage_holds_its_connections_through_a_run(dagster_db, tmp_path, monkeypatch):
    production = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())["storage"]
    assert production["custom"]["class"] == PooledPostgresStorage.__name__
    monkeypatch.setenv("DAGSTER_PG_URL", dagster_db)

    plain, plain_events = _connections_for_one_run({"postgres": {"postgres_url": dagster_db}}, tmp_path / "plain",
                                                   dagster_db)
    held, events = _connections_for_one_run(production, tmp_path / "production", dagster_db)

    assert events >= 35 and plain_events == events
    assert plain >= events  # dagster-postgres alone: a connection (at least) per event
    assert held <= 4, f"{held} connections for {events} events"  # one held by each storage


def test_the_webserver_replacing_the_engine_closes_the_held_connection(dagster_db):
    """dagster-webserver tunes the storage once more at start; the connection the first engine held
    is closed then, not left to the garbage collector."""
    import gc

    storage = PooledPostgresStorage.from_config_value(None, {"postgres_url": dagster_db})
    with psycopg.connect(dagster_db, autocommit=True) as conn:
        gc.disable()  # only an explicit close may count
        try:
            storage.run_storage.get_runs(limit=1)
            held = _open_connections(conn)
            storage.run_storage.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=10)
            storage.run_storage.get_runs(limit=1)
            deadline = time.monotonic() + 5
            while _open_connections(conn) > held and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _open_connections(conn) == held
        finally:
            gc.enable()
            for part in (storage.run_storage, storage.event_log_storage, storage.schedule_storage):
                part.dispose()
