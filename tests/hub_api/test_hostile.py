"""Hostile input gets a 4xx with words, writes nothing, and never echoes a secret."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.conftest import table_counts
from tests.foundation.hostile import BAD_DOMAINS
from tests.hub_api.conftest import CF_TOKEN, GSC_TOKEN

NASTY_STRINGS = ["' or '1'='1", "x'; drop table sites; --", "$(reboot)", "`id`", "a|b", "../../etc/passwd",
                 "\x00", "%00", "{{7*7}}", "<script>alert(1)</script>", "\\", "%", "_", "a" * 5000]
UNKNOWN_IDS = ["00000000-0000-0000-0000-000000000000", "nope.com", "not-a-uuid", "1 or 1=1", "%2e%2e"]


def _assert_error(r, *allowed: int) -> None:
    assert r.status_code in allowed, (r.status_code, r.text)
    body = r.json()
    assert "detail" in body and "Traceback" not in r.text


def test_bad_domains_are_refused_everywhere_and_write_nothing(client: TestClient, auth, accounts, clean_db) -> None:
    before = table_counts(clean_db)
    for domain in BAD_DOMAINS:
        r = client.post("/api/sites", headers=auth, json={"domain": domain, "cloudflare_account": "CF_1"})
        _assert_error(r, 400, 422)
        if r.status_code == 400:
            assert isinstance(r.json()["detail"], str) and r.json()["detail"]
        csv = "domain,cloudflare_account\n" + '"' + domain.replace('"', '""') + '",CF_1\n'
        r = client.post("/api/sites/import", headers=auth, json={"csv": csv, "skip_invalid": True})
        if r.status_code == 200:  # the bad row is reported, nothing else was there to write
            assert r.json()["written"] == 0 and len(r.json()["errors"]) == 1, (domain, r.text)
        else:
            _assert_error(r, 400)
        _assert_error(client.get("/api/sites/" + (quote(domain, safe="") or "%20"), headers=auth), 404, 422)
    assert table_counts(clean_db) == before


@pytest.mark.parametrize("body", [
    {"domain": 123, "cloudflare_account": "CF_1"},
    {"domain": ["a.com"], "cloudflare_account": "CF_1"},
    {"domain": None, "cloudflare_account": "CF_1"},
    {"domain": "a.com"},
    {"domain": "a.com", "cloudflare_account": "CF_1", "status_dns": "active"},  # unknown fields refused
    {"domain": "a.com", "cloudflare_account": {"$ne": 1}},
    "just a string",
    [1, 2, 3],
])
def test_wrong_types_are_422(client: TestClient, auth, accounts, clean_db, body) -> None:
    before = table_counts(clean_db)
    _assert_error(client.post("/api/sites", headers=auth, json=body), 422)
    _assert_error(client.post("/api/sites", headers={**auth, "Content-Type": "application/json"},
                              content=b"{not json"), 422)
    assert table_counts(clean_db) == before


def test_oversized_bodies_are_413_or_422(client: TestClient, auth, accounts, clean_db) -> None:
    before = table_counts(clean_db)
    huge = "a" * 11_000_000
    _assert_error(client.post("/api/sites/import", headers=auth, content=huge.encode(),
                              ), 413)
    # Chunked (no Content-Length) bodies are counted as they arrive.
    _assert_error(client.post("/api/sites", headers=auth, content=iter([b"{" + b" " * 6_000_000] * 2)), 413)
    _assert_error(client.post("/api/sites", headers=auth,
                              json={"domain": "a" * 2000 + ".com", "cloudflare_account": "CF_1"}), 422)
    _assert_error(client.post("/api/cloudflare-accounts", headers=auth,
                              json={"email": "x@y.com", "account_nickname": "n", "api_token": "t" * 5000}), 422)
    assert table_counts(clean_db) == before


def test_sql_and_shell_strings_are_data_not_code(client: TestClient, auth, accounts, clean_db) -> None:
    client.post("/api/sites", headers=auth, json={"domain": "keep.com", "cloudflare_account": "CF_1"})
    before = table_counts(clean_db)
    for text in NASTY_STRINGS:
        r = client.get("/api/sites", headers=auth, params={"search": text})
        if text == "\x00":
            _assert_error(r, 400)
        elif len(text) <= 200:
            assert r.status_code == 200 and r.json()["total"] == 0, (text, r.text)
        else:
            _assert_error(r, 422)
        _assert_error(client.post("/api/sites", headers=auth, json={"domain": text, "cloudflare_account": "CF_1"}),
                      400, 422)
        _assert_error(client.post("/api/sites", headers=auth, json={"domain": "fine.com", "cloudflare_account": text}),
                      400, 404, 422)
        r = client.patch("/api/sites/keep.com", headers=auth, json={"gsc_account": text})
        _assert_error(r, 400, 404, 422)
        _assert_error(client.post("/api/cloudflare-accounts", headers=auth,
                                  json={"email": text, "account_nickname": "n", "api_token": "t" * 20}), 400, 422)
    assert table_counts(clean_db) == before
    assert client.get("/api/sites/keep.com", headers=auth).json()["gsc_account"] is None


def test_unknown_ids_are_404_or_422(client: TestClient, auth, accounts, clean_db) -> None:
    before = table_counts(clean_db)
    for ref in UNKNOWN_IDS:
        for method, path, body in (
            ("get", f"/api/sites/{ref}", None), ("patch", f"/api/sites/{ref}", {"brand_name": "x"}),
            ("delete", f"/api/sites/{ref}", None), ("get", f"/api/sites/{ref}/events", None),
            ("post", f"/api/sites/{ref}/runs", {}), ("get", f"/api/sites/{ref}/runs", None),
            ("get", f"/api/cloudflare-accounts/{ref}", None), ("delete", f"/api/google-accounts/{ref}", None),
            ("patch", f"/api/google-accounts/{ref}", {"email": "a@b.com"}),
        ):
            _assert_error(client.request(method, path, headers=auth, json=body), 404, 422)
    r = client.post("/api/runs", headers=auth, json={"sites": UNKNOWN_IDS})
    assert r.status_code == 202 and r.json()["launched"] == [] and len(r.json()["errors"]) == len(UNKNOWN_IDS)
    _assert_error(client.get("/api/analytics/daily?start=2025-02-01&end=2025-01-01", headers=auth), 400)
    _assert_error(client.get("/api/analytics/daily?start=2025-01-01&end=2025-01-02&site=nope.com", headers=auth), 404)
    _assert_error(client.get("/api/analytics/fleet?start=1900-01-01&end=2100-01-01", headers=auth), 400)
    assert table_counts(clean_db) == before


def test_no_response_or_log_line_contains_a_stored_secret(client: TestClient, auth, accounts, hub_store) -> None:
    cf_id, gsc_id = accounts["cloudflare"]["id"], accounts["google"]["id"]
    client.post("/api/sites", headers=auth, json={"domain": "secret-test.com", "cloudflare_account": "CF_1",
                                                  "gsc_account": "seo@example.com"})
    new_token = "rotated-cf-token-SHOULD-NOT-LEAK-1234"
    responses = [
        client.patch(f"/api/cloudflare-accounts/{cf_id}", headers=auth, json={"api_token": new_token}),
        client.patch(f"/api/google-accounts/{gsc_id}", headers=auth, json={"refresh_token": GSC_TOKEN + "-2"}),
        client.get("/api/cloudflare-accounts", headers=auth), client.get("/api/google-accounts", headers=auth),
        client.get(f"/api/cloudflare-accounts/{cf_id}", headers=auth), client.get("/api/sites", headers=auth),
        client.get("/api/sites/secret-test.com", headers=auth), client.get("/api/health"),
        # Secrets in invalid requests must not be echoed back in validation errors either.
        client.post("/api/cloudflare-accounts", headers=auth,
                    json={"email": "x@y.com", "account_nickname": "n", "api_token": ["ARRAY-" + new_token]}),
        client.post("/api/cloudflare-accounts", headers=auth,
                    json={"email": "x@y.com", "account_nickname": "n", "api_token": new_token + "\x01"}),
        client.post("/api/cloudflare-accounts", headers=auth,
                    json={"email": "cf@example.com", "account_nickname": "CF_1", "api_token": new_token}),
        client.post("/api/auth/token", json={"email": "ops@example.com", "password": "pw-" + new_token}),
        client.post("/api/auth/token", json={"email": "ops@example.com", "password": ["pw-" + new_token]}),
    ]
    assert hub_store.cloudflare_accounts.credential(cf_id) == new_token
    secrets = [CF_TOKEN, GSC_TOKEN, new_token, GSC_TOKEN + "-2", "test-jwt-secret"]
    with hub_store.connection() as conn:
        secrets += [r[0] for r in conn.execute("select api_token from public.cloudflare_accounts")]
        secrets += [r[0] for r in conn.execute("select password_hash from public.operators")]
    for r in responses:
        for secret in secrets:
            assert secret not in r.text, (r.request.url, r.status_code)
            assert secret[-12:] not in r.text
    files = [h.baseFilename for h in logging.getLogger("hub_api").handlers if hasattr(h, "baseFilename")]
    assert files, "the hub_api logger writes no file"
    for handler in logging.getLogger("hub_api").handlers:
        handler.flush()
    log_text = "".join(open(f).read() for f in files)
    assert "route=/api/cloudflare-accounts/{account_id} status=200" in log_text
    for secret in secrets:
        assert secret not in log_text
        assert secret[-12:] not in log_text
