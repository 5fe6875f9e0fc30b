"""One connection pool per process over the system of record (psycopg 3)."""

from __future__ import annotations

import threading

from psycopg_pool import ConnectionPool

from factory.db import database_url


class Database:
    """Opens lazily; `connection()` is one transaction (commit on success, rollback on error)."""

    def __init__(self, url: str | None = None, *, max_connections: int = 8):
        self._url = url
        self._max = max_connections
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self._url or database_url()

    def _get_pool(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None:
                self._pool = ConnectionPool(self.url, min_size=0, max_size=self._max, open=True,
                                            kwargs={"autocommit": False}, name="factory-store")
            return self._pool

    def connection(self):
        return self._get_pool().connection()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
