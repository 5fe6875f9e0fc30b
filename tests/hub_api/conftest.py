"""Hub API fixtures: the app on the session's real Postgres, a signed-in operator, a fake Dagster."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from factory.store import Store
from hub_api.auth import hash_password, issue_local_token
from hub_api.config import Settings
from hub_api.main import create_app
from hub_api.operator_tokens import operator_for_sign_in

PASSWORD = "correct-horse-battery-staple"
OPERATOR = "ops@example.com"
CF_TOKEN = "cf-secret-token-0123456789-ZZQX"
GSC_TOKEN = "google-refresh-token-9876543210-WWQY"
HUB_TABLES = ("operators", "fleet_daily_analytics", "sign_in_attempts")


class FakeDagster:
    """Stands in for Dagster's GraphQL API where a test is not about Dagster itself."""

    base_url = "http://dagster.test"

    def __init__(self) -> None:
        self.launched: list[tuple[str, str | None]] = []
        self.tags: list[dict] = []
        self._ids = itertools.count(1)

    def run_url(self, run_id: str) -> str:
        return f"{self.base_url}/runs/{run_id}"

    def launch(self, domain: str, steps: list[str] | None = None, tags: dict | None = None) -> str:
        self.launched.append((domain, steps[0] if steps else None))
        self.tags.append(dict(tags or {}))
        return f"run-{next(self._ids):04d}"

    def runs_for(self, domain: str, limit: int) -> list[dict]:
        return [{"run_id": f"run-{i:04d}", "status": "SUCCESS", "job": "onboard_site_job",
                 "url": self.run_url(f"run-{i:04d}"), "created_at": None, "started_at": None, "ended_at": None,
                 "steps": [step] if step else None}
                for i, (d, step) in enumerate(self.launched, 1) if d == domain][:limit]


def hub_settings(pg_url: str, **overrides) -> Settings:
    values = dict(FACTORY_DATABASE_URL=pg_url, FACTORY_JWT_SECRET="test-jwt-secret-" + "x" * 32,
                  FACTORY_DAGSTER_URL="http://127.0.0.1:9", FACTORY_UI_ORIGIN="http://ui.test",
                  FACTORY_UI_DIST="/nonexistent/ui/dist")
    values.update(overrides)
    return Settings(**values)


@pytest.fixture()
def hub_store(store: Store) -> Store:
    with psycopg.connect(store.db.url, autocommit=True) as conn:
        conn.execute("truncate " + ", ".join(f"public.{t}" for t in HUB_TABLES))
    store.operators.add(OPERATOR, _password_hash())
    return store


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per session


@pytest.fixture()
def fake_dagster() -> FakeDagster:
    return FakeDagster()


@pytest.fixture()
def app(hub_store: Store, clean_db: str, fake_dagster: FakeDagster):
    return create_app(hub_settings(clean_db), store=hub_store, dagster=fake_dagster)


@pytest.fixture()
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture()
def token(app, hub_store: Store) -> str:
    return mint_token(app, hub_store, OPERATOR)


def mint_token(app, store: Store, email: str) -> str:
    """A token as sign-in issues it, minted directly (sign-in itself is tested in test_auth):
    argon2 is slow by design."""
    operator = operator_for_sign_in(store, email)
    return issue_local_token(app.state.settings, operator.id, operator.email, operator.token_version).access_token


@pytest.fixture()
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def accounts(client: TestClient, auth) -> dict[str, dict]:
    """One Cloudflare and one Google account."""
    cf = client.post("/api/cloudflare-accounts", headers=auth,
                     json={"email": "cf@example.com", "account_nickname": "CF_1", "api_token": CF_TOKEN})
    gsc = client.post("/api/google-accounts", headers=auth,
                      json={"email": "seo@example.com", "refresh_token": GSC_TOKEN})
    assert cf.status_code == 201 and gsc.status_code == 201, (cf.text, gsc.text)
    return {"cloudflare": cf.json(), "google": gsc.json()}
