"""Authentication: every route but health needs a token; sign-in, rate limit, Supabase tokens, CORS."""

from __future__ import annotations

import time

import jwt
import pytest
from fastapi.testclient import TestClient

from hub_api.main import create_app
from tests.hub_api.conftest import OPERATOR, PASSWORD, hub_settings

PUBLIC = {("get", "/api/health"), ("post", "/api/auth/token")}
SUPABASE_URL = "https://project.supabase.test"
SUPABASE_SECRET = "supabase-jwt-secret-" + "s" * 32


def _concrete(path: str) -> str:
    return path.replace("{account_id}", "00000000-0000-0000-0000-000000000000").replace("{site}", "acme-example.com")


def test_every_route_in_the_openapi_document_refuses_a_missing_token(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    checked = 0
    for path, operations in spec["paths"].items():
        for method in operations:
            if (method, path) in PUBLIC:
                continue
            for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic b3BzOnB3"}):
                r = client.request(method, _concrete(path), headers=headers, json={})
                assert r.status_code == 401, (method, path, headers, r.status_code, r.text)
                assert r.headers["www-authenticate"] == "Bearer"
                assert isinstance(r.json()["detail"], str)
            checked += 1
    assert checked >= 18


def test_health_needs_no_token_and_shows_no_secret(client: TestClient, auth) -> None:
    for path in ("/api/health", "/health"):
        r = client.get(path)
        assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = client.get("/api/health/details", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["database"]["ok"] is True
    assert body["dagster"]["ok"] is False  # nothing listens on port 9
    assert "test-jwt-secret" not in r.text and "postgres" not in r.text


def test_sign_in_issues_a_token_that_works_and_wrong_passwords_are_refused(client: TestClient) -> None:
    r = client.post("/api/auth/token", json={"email": OPERATOR.upper(), "password": PASSWORD})
    assert r.status_code == 200 and r.json()["source"] == "local" and 0 < r.json()["expires_in"] <= 3600
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == OPERATOR
    for email, password in ((OPERATOR, "wrong-password"), ("nobody@example.com", PASSWORD)):
        r = client.post("/api/auth/token", json={"email": email, "password": password})
        assert r.status_code == 401 and r.json() == {"detail": "wrong email or password"}


def test_a_database_without_the_schema_is_a_503_saying_to_upgrade_it(unmigrated_db, fake_dagster) -> None:
    with TestClient(create_app(hub_settings(unmigrated_db), dagster=fake_dagster)) as client:
        r = client.post("/api/auth/token", json={"email": OPERATOR, "password": PASSWORD})
    assert r.status_code == 503 and "factory db upgrade" in r.json()["detail"], r.text
    assert "relation" not in r.text  # the database's own words go to the log only


def test_failed_sign_ins_are_rate_limited_per_email(client: TestClient) -> None:
    statuses = [client.post("/api/auth/token", json={"email": OPERATOR, "password": "nope"}).status_code
                for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    blocked = client.post("/api/auth/token", json={"email": OPERATOR, "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    # Another email from the same address is not blocked.
    other = client.post("/api/auth/token", json={"email": "other@example.com", "password": "nope"})
    assert other.status_code == 401


def test_disabled_operator_cannot_sign_in(client: TestClient, hub_store) -> None:
    hub_store.operators.set_disabled(OPERATOR, True)
    assert client.post("/api/auth/token", json={"email": OPERATOR, "password": PASSWORD}).status_code == 401


def _local(claims: dict, key: str = "test-jwt-secret-" + "x" * 32) -> str:
    now = int(time.time())
    base = {"iss": "website-factory", "aud": "hub-api", "sub": "op-1", "role": "operator", "ver": 1, "iat": now,
            "exp": now + 60}
    return jwt.encode({**base, **claims}, key, algorithm="HS256")


@pytest.mark.parametrize("token", [
    _local({"exp": int(time.time()) - 10}),            # expired
    _local({}, key="some-other-key-" + "k" * 32),      # forged
    _local({"aud": "someone-else"}),                   # wrong audience
    _local({"iss": "https://evil.test/auth/v1"}),      # unknown issuer
    jwt.encode({"sub": "x", "role": "operator"}, "test-jwt-secret-" + "x" * 32, algorithm="HS256"),  # no exp/iss
])
def test_bad_tokens_are_refused(client: TestClient, token: str) -> None:
    r = client.get("/api/sites", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text


def test_a_token_without_the_operator_role_is_forbidden(client: TestClient) -> None:
    r = client.get("/api/sites", headers={"Authorization": f"Bearer {_local({'role': 'viewer'})}"})
    assert r.status_code == 403


def _supabase_token(app_metadata: dict, *, secret: str = SUPABASE_SECRET, exp: int = 300) -> str:
    now = int(time.time())
    claims = {"iss": f"{SUPABASE_URL}/auth/v1", "aud": "authenticated", "sub": "5f0c-supabase-user",
              "email": "boss@example.com", "role": "authenticated", "app_metadata": app_metadata,
              "iat": now, "exp": now + exp}
    return jwt.encode(claims, secret, algorithm="HS256")


def test_supabase_tokens_are_verified_locally_and_need_the_operator_role(pg_url, hub_store, fake_dagster) -> None:
    settings = hub_settings(pg_url, SUPABASE_URL=SUPABASE_URL, SUPABASE_JWT_SECRET=SUPABASE_SECRET,
                            SUPABASE_ANON_KEY="anon-key")
    with TestClient(create_app(settings, store=hub_store, dagster=fake_dagster)) as client:
        def get(token: str) -> int:
            return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code

        ok = client.get("/api/auth/me", headers={"Authorization": f"Bearer {_supabase_token({'role': 'operator'})}"})
        assert ok.status_code == 200 and ok.json()["source"] == "supabase"
        assert get(_supabase_token({"roles": ["operator", "x"]})) == 200
        assert get(_supabase_token({})) == 403
        assert get(_supabase_token({"role": "operator"}, secret="wrong-" + "w" * 32)) == 401
        assert get(_supabase_token({"role": "operator"}, exp=-5)) == 401
        # Local operators still sign in alongside Supabase.
        r = client.post("/api/auth/token", json={"email": OPERATOR, "password": PASSWORD})
        assert r.status_code == 200 and r.json()["source"] == "local"


def test_cors_allows_only_the_configured_ui_origin(client: TestClient) -> None:
    def preflight(origin: str):
        return client.options("/api/sites", headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                                     "Access-Control-Request-Headers": "authorization"})

    assert preflight("http://ui.test").headers.get("access-control-allow-origin") == "http://ui.test"
    assert "access-control-allow-origin" not in preflight("http://evil.test").headers
