"""Item 4: `factory operators disable` and a password change refuse the tokens issued before,
within FACTORY_TOKEN_CHECK_SECONDS, on every route; nothing is written with such a token."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from hub_api.main import create_app
from tests.conftest import table_counts
from tests.hub_api.conftest import OPERATOR, PASSWORD, hub_settings

CHECK_SECONDS = 0.5


@pytest.fixture()
def hub(hub_store, clean_db, fake_dagster):
    settings = hub_settings(clean_db, FACTORY_TOKEN_CHECK_SECONDS=str(CHECK_SECONDS))
    with TestClient(create_app(settings, store=hub_store, dagster=fake_dagster)) as c:
        yield c


def _sign_in(hub: TestClient, password: str = PASSWORD) -> dict[str, str]:
    r = hub.post("/api/auth/token", json={"email": OPERATOR, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _refused(r) -> None:
    assert r.status_code == 401, r.text
    assert "revoked" in r.json()["detail"] and r.headers["www-authenticate"] == "Bearer"


def test_a_disabled_operators_token_is_refused(hub: TestClient, cli, clean_db) -> None:
    auth = _sign_in(hub)
    assert hub.get("/api/sites", headers=auth).status_code == 200
    result = cli("operators", "disable", OPERATOR)
    assert result.exit_code == 0 and "tokens issued before are refused" in result.output
    time.sleep(CHECK_SECONDS + 0.1)
    before = table_counts(clean_db)
    _refused(hub.get("/api/sites", headers=auth))
    _refused(hub.post("/api/cloudflare-accounts", headers=auth,
                      json={"email": "cf@example.com", "account_nickname": "CF_9", "api_token": "t" * 24}))
    _refused(hub.get("/api/auth/me", headers=auth))
    _refused(hub.get("/api/health/details", headers=auth))
    assert table_counts(clean_db) == before
    # Enabled again, the old token stays refused; a new sign-in works.
    assert cli("operators", "disable", OPERATOR, "--enable").exit_code == 0
    time.sleep(CHECK_SECONDS + 0.1)
    _refused(hub.get("/api/sites", headers=auth))
    assert hub.get("/api/sites", headers=_sign_in(hub)).status_code == 200


def test_a_token_from_before_a_password_change_is_refused(hub: TestClient, cli) -> None:
    old = _sign_in(hub)
    assert hub.get("/api/auth/me", headers=old).status_code == 200
    new_password = "an-entirely-new-passphrase"
    result = cli("operators", "set-password", OPERATOR, env={"FACTORY_OPERATOR_PASSWORD": new_password})
    assert result.exit_code == 0, result.output
    time.sleep(CHECK_SECONDS + 0.1)
    _refused(hub.get("/api/auth/me", headers=old))
    _refused(hub.post("/api/sites", headers=old, json={"domain": "never-added.com", "cloudflare_account": "x"}))
    assert hub.post("/api/auth/token", json={"email": OPERATOR, "password": PASSWORD}).status_code == 401
    fresh = _sign_in(hub, new_password)
    assert hub.get("/api/auth/me", headers=fresh).json()["email"] == OPERATOR


def test_a_deleted_operators_token_is_refused(hub: TestClient, hub_store) -> None:
    auth = _sign_in(hub)
    with hub_store.connection() as conn:
        conn.execute("delete from public.operators where email = %s", (OPERATOR,))
    time.sleep(CHECK_SECONDS + 0.1)
    _refused(hub.get("/api/sites", headers=auth))

