"""Item 9: Supabase sign-in, exercised against a Supabase Auth stand-in over real HTTP
(tests/security/supabase_auth.py): supabase-py's password sign-in, and Supabase access tokens
verified against the project's JWKS (ES256 and RS256, as current projects issue) or the legacy
HS256 secret; expiry, audience, issuer, algorithm confusion, and a revoked (removed) key."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from hub_api.main import create_app
from tests.hub_api.conftest import OPERATOR, PASSWORD, hub_settings
from tests.security.supabase_auth import ANON_KEY, SigningKey, SupabaseAuth

LEGACY_SECRET = "legacy-supabase-jwt-secret-" + "s" * 24
JWKS_PATH = "/auth/v1/.well-known/jwks.json"
JWKS_SECONDS = 2.0
CHECK_SECONDS = 0.3


@pytest.fixture()
def supabase() -> Iterator[SupabaseAuth]:
    auth = SupabaseAuth().start()
    auth.add_user("boss@example.org", "supabase-passphrase-1", {"role": "operator"})
    auth.add_user("viewer@example.org", "supabase-passphrase-2", {})
    yield auth
    auth.stop()


@pytest.fixture()
def hub(supabase, hub_store, clean_db, fake_dagster) -> Iterator[TestClient]:
    settings = hub_settings(clean_db, SUPABASE_URL=supabase.url, SUPABASE_ANON_KEY=ANON_KEY,
                            SUPABASE_JWT_SECRET=LEGACY_SECRET, FACTORY_SUPABASE_JWKS_CACHE_SECONDS=str(JWKS_SECONDS),
                            FACTORY_TOKEN_CHECK_SECONDS=str(CHECK_SECONDS))
    with TestClient(create_app(settings, store=hub_store, dagster=fake_dagster)) as c:
        yield c


def _me(hub: TestClient, token: str):
    return hub.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def _boss(supabase: SupabaseAuth):
    return supabase.users["boss@example.org"]


def test_supabase_py_signs_in_and_its_token_works(hub: TestClient, supabase: SupabaseAuth) -> None:
    timers_before = {t for t in threading.enumerate() if isinstance(t, threading.Timer)}
    r = hub.post("/api/auth/token", json={"email": "boss@example.org", "password": "supabase-passphrase-1"})
    assert r.status_code == 200, r.text
    token = r.json()
    assert token["source"] == "supabase" and 3500 < token["expires_in"] <= 3600
    assert jwt.get_unverified_header(token["access_token"])["alg"] == "ES256"
    me = _me(hub, token["access_token"])
    assert me.status_code == 200 and me.json()["email"] == "boss@example.org" and me.json()["source"] == "supabase"
    assert hub.get("/api/sites", headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 200
    assert "POST /auth/v1/token?grant_type=password" in supabase.requests
    # The hub keeps no Supabase session: no refresh timer left running, no refresh request later.
    assert {t for t in threading.enumerate() if isinstance(t, threading.Timer)} == timers_before
    assert not any("grant_type=refresh_token" in r for r in supabase.requests)


def test_supabase_sign_in_refusals(hub: TestClient, supabase: SupabaseAuth) -> None:
    wrong = hub.post("/api/auth/token", json={"email": "boss@example.org", "password": "not-it"})
    assert wrong.status_code == 401 and wrong.json() == {"detail": "wrong email or password"}
    viewer = hub.post("/api/auth/token", json={"email": "viewer@example.org", "password": "supabase-passphrase-2"})
    assert viewer.status_code == 403 and "operator role" in viewer.json()["detail"]
    # A local operator signs in locally, without asking Supabase.
    asked = len(supabase.requests)
    local = hub.post("/api/auth/token", json={"email": OPERATOR, "password": PASSWORD})
    assert local.status_code == 200 and local.json()["source"] == "local" and len(supabase.requests) == asked


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_asymmetric_tokens_verify_against_the_jwks(hub: TestClient, supabase: SupabaseAuth, alg: str) -> None:
    key = next(k for k in supabase.keys if k.alg == alg)
    boss = _boss(supabase)
    assert _me(hub, key.sign(supabase.claims(boss))).status_code == 200
    refused = {
        "expired": key.sign(supabase.claims(boss, exp=int(time.time()) - 5)),
        "wrong audience": key.sign(supabase.claims(boss, aud="service_role")),
        "wrong issuer": key.sign(supabase.claims(boss, iss="https://other-project.supabase.co/auth/v1")),
        "no expiry": key.sign({k: v for k, v in supabase.claims(boss).items() if k != "exp"}),
    }
    for why, token in refused.items():
        r = _me(hub, token)
        assert r.status_code == 401, (why, r.text)
    assert "expired" in _me(hub, refused["expired"]).json()["detail"]
    no_role = key.sign(supabase.claims(supabase.users["viewer@example.org"]))
    assert _me(hub, no_role).status_code == 403


def test_forged_and_confused_tokens_are_refused(hub: TestClient, supabase: SupabaseAuth) -> None:
    boss = _boss(supabase)
    claims = supabase.claims(boss)
    es = next(k for k in supabase.keys if k.alg == "ES256")
    rs = next(k for k in supabase.keys if k.alg == "RS256")
    impostor = SigningKey.new("ES256")
    impostor.kid = es.kid  # names a real key id, signed by another key
    rs_public_pem = rs.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = {
        "another key under a real kid": impostor.sign(claims),
        "a key that is not the project's": SigningKey.new("RS256").sign(claims),
        "ES256 header on the RS256 key": jwt.encode(claims, es.private, algorithm="ES256", headers={"kid": rs.kid}),
        "HS256 with the RSA public key as secret": _hs256_with_bytes(claims, rs_public_pem, rs.kid),
        "HS256 with a wrong secret": jwt.encode(claims, "wrong-secret-" + "w" * 24, algorithm="HS256"),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "no kid": jwt.encode(claims, es.private, algorithm="ES256"),
    }
    for why, token in forged.items():
        r = _me(hub, token)
        assert r.status_code == 401, (why, r.status_code, r.text)


def test_the_legacy_hs256_secret_still_verifies(hub: TestClient, supabase: SupabaseAuth) -> None:
    boss = _boss(supabase)
    assert _me(hub, jwt.encode(supabase.claims(boss), LEGACY_SECRET, algorithm="HS256")).status_code == 200
    expired = jwt.encode(supabase.claims(boss, exp=int(time.time()) - 1), LEGACY_SECRET, algorithm="HS256")
    assert _me(hub, expired).status_code == 401
    other_aud = jwt.encode(supabase.claims(boss, aud="anon"), LEGACY_SECRET, algorithm="HS256")
    assert _me(hub, other_aud).status_code == 401


def test_a_revoked_key_stops_verifying_after_the_jwks_cache(hub: TestClient, supabase: SupabaseAuth) -> None:
    boss = _boss(supabase)
    rs = next(k for k in supabase.keys if k.alg == "RS256")
    es = next(k for k in supabase.keys if k.alg == "ES256")
    token, other = rs.sign(supabase.claims(boss)), es.sign(supabase.claims(boss))
    assert _me(hub, token).status_code == 200 and _me(hub, other).status_code == 200
    supabase.keys.remove(rs)  # revoked in the project
    time.sleep(JWKS_SECONDS + 0.2)
    r = _me(hub, token)
    assert r.status_code == 401 and "not one of the project's current keys" in r.json()["detail"]
    assert _me(hub, other).status_code == 200
    # A key added by a rotation verifies once the keys are read again.
    rotated = SigningKey.new("ES256")
    supabase.keys.append(rotated)
    time.sleep(JWKS_SECONDS + 0.2)
    assert _me(hub, rotated.sign(supabase.claims(boss))).status_code == 200


def test_forged_key_ids_cannot_make_the_hub_hammer_supabase(hub: TestClient, supabase: SupabaseAuth) -> None:
    boss = _boss(supabase)
    for _ in range(30):
        stranger = SigningKey.new("ES256")
        stranger.kid = str(uuid.uuid4())
        assert _me(hub, stranger.sign(supabase.claims(boss))).status_code == 401
        time.sleep(0.02)
    assert supabase.fetches(JWKS_PATH) <= 2, supabase.requests


def test_unreachable_jwks_is_a_clear_503(supabase, hub_store, clean_db, fake_dagster) -> None:
    key = next(k for k in supabase.keys if k.alg == "ES256")
    token = key.sign(supabase.claims(_boss(supabase)))
    supabase.stop()
    settings = hub_settings(clean_db, SUPABASE_URL=supabase.url, SUPABASE_ANON_KEY=ANON_KEY)
    with TestClient(create_app(settings, store=hub_store, dagster=fake_dagster)) as hub:
        r = _me(hub, token)
        assert r.status_code == 503 and "signing keys are unreachable" in r.json()["detail"]


def _hs256_with_bytes(claims: dict, secret: bytes, kid: str) -> str:
    # PyJWT refuses a PEM as an HMAC secret; an attacker's library would not, so sign by hand.
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()) + "." + \
        b64(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)
