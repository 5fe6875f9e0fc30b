"""Cloudflare and Google accounts: CRUD, write-only secrets, refusal to delete accounts in use."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.hub_api.conftest import CF_TOKEN, GSC_TOKEN


def test_cloudflare_account_lifecycle(client: TestClient, auth, hub_store) -> None:
    r = client.post("/api/cloudflare-accounts", headers=auth,
                    json={"email": "A@Example.com", "account_nickname": "CF_A", "api_token": CF_TOKEN})
    assert r.status_code == 201
    account = r.json()
    assert account["email"] == "a@example.com" and account["token_hint"] == "…" + CF_TOKEN[-4:]
    assert "api_token" not in account and CF_TOKEN not in r.text
    again = client.post("/api/cloudflare-accounts", headers=auth,
                        json={"email": "b@example.com", "account_nickname": "CF_A", "api_token": CF_TOKEN})
    assert again.status_code == 409 and "nickname" in again.json()["detail"]

    listed = client.get("/api/cloudflare-accounts?search=cf_a", headers=auth).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == account["id"]
    r = client.patch(f"/api/cloudflare-accounts/{account['id']}", headers=auth,
                     json={"account_nickname": "CF_Renamed", "api_token": "new-token-abcdefgh-WXYZ"})
    assert r.status_code == 200 and r.json()["account_nickname"] == "CF_Renamed" and r.json()["token_hint"] == "…WXYZ"
    assert hub_store.cloudflare_accounts.credential(account["id"]) == "new-token-abcdefgh-WXYZ"
    assert client.get(f"/api/cloudflare-accounts/{account['id']}", headers=auth).json()["account_nickname"] == "CF_Renamed"
    assert client.delete(f"/api/cloudflare-accounts/{account['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/cloudflare-accounts/{account['id']}", headers=auth).status_code == 404
    assert client.delete(f"/api/cloudflare-accounts/{account['id']}", headers=auth).status_code == 404


def test_google_account_lifecycle(client: TestClient, auth, hub_store) -> None:
    r = client.post("/api/google-accounts", headers=auth, json={"email": "seo@example.com", "refresh_token": GSC_TOKEN})
    assert r.status_code == 201 and r.json()["token_hint"] == "…" + GSC_TOKEN[-4:] and GSC_TOKEN not in r.text
    gid = r.json()["id"]
    assert client.post("/api/google-accounts", headers=auth,
                       json={"email": "SEO@example.com", "refresh_token": GSC_TOKEN}).status_code == 409
    r = client.patch(f"/api/google-accounts/{gid}", headers=auth, json={"email": "seo2@example.com"})
    assert r.status_code == 200 and r.json()["email"] == "seo2@example.com"
    assert hub_store.gsc_accounts.credential(gid) == GSC_TOKEN
    assert client.get("/api/google-accounts", headers=auth).json()["total"] == 1
    assert client.delete(f"/api/google-accounts/{gid}", headers=auth).status_code == 204


def test_accounts_used_by_sites_cannot_be_deleted(client: TestClient, auth, accounts) -> None:
    r = client.post("/api/sites", headers=auth, json={"domain": "acme-example.com", "cloudflare_account": "CF_1",
                                                       "gsc_account": "seo@example.com"})
    assert r.status_code == 201
    cf, gsc = accounts["cloudflare"]["id"], accounts["google"]["id"]
    for path in (f"/api/cloudflare-accounts/{cf}", f"/api/google-accounts/{gsc}"):
        refused = client.delete(path, headers=auth)
        assert refused.status_code == 409 and "used by sites" in refused.json()["detail"]
    assert client.get(f"/api/cloudflare-accounts/{cf}", headers=auth).json()["sites"] == 1


def test_bad_account_input_is_refused_with_words(client: TestClient, auth) -> None:
    r = client.post("/api/cloudflare-accounts", headers=auth,
                    json={"email": "not-an-email", "account_nickname": "X", "api_token": CF_TOKEN})
    assert r.status_code == 400 and "email" in r.json()["detail"]
    r = client.post("/api/cloudflare-accounts", headers=auth, json={"email": "a@b.com", "account_nickname": "X"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "api_token"]
    r = client.patch("/api/google-accounts/00000000-0000-0000-0000-000000000000", headers=auth, json={})
    assert r.status_code == 404
