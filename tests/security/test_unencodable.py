"""Item 1: text that is not text (a lone UTF-16 surrogate such as the JSON escape "\\ud800"),
bodies nested 1,000 deep, and other JSON a strict parser refuses: a 422 that says what is
wrong, on every route that takes a body, with nothing written and the connection kept."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import table_counts
from tests.hub_api.conftest import OPERATOR
from tests.security.conftest import send_json

LONE = "\ud800"


def _refused_as_not_text(r) -> None:
    assert r.status_code == 422, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert detail[0]["type"] == "json_invalid" and "unpaired UTF-16 surrogate" in detail[0]["msg"], detail


def test_the_six_requests_that_answered_500_now_answer_422(client: TestClient, auth, accounts, clean_db) -> None:
    cf_id, gsc_id = accounts["cloudflare"]["id"], accounts["google"]["id"]
    client.post("/api/sites", headers=auth, json={"domain": "keep-me.com", "cloudflare_account": "CF_1"})
    before = table_counts(clean_db)
    requests = [
        ("POST", "/api/auth/token", {"email": OPERATOR, "password": "pw" + LONE}, {}),
        ("POST", "/api/auth/token", {"email": "nobody@example.com", "password": LONE}, {}),
        ("POST", "/api/cloudflare-accounts", {"email": "x@y.com", "account_nickname": "N", "api_token": "t" + LONE}, auth),
        ("PATCH", f"/api/cloudflare-accounts/{cf_id}", {"api_token": LONE + "token"}, auth),
        ("POST", "/api/google-accounts", {"email": "g@y.com", "refresh_token": "r" + LONE}, auth),
        ("PATCH", f"/api/google-accounts/{gsc_id}", {"refresh_token": "\udfff"}, auth),
        ("POST", "/api/runs", {"sites": ["keep-me.com" + LONE]}, auth),
    ]
    for method, path, body, headers in requests:
        _refused_as_not_text(send_json(client, method, path, body, headers))
    # Every other string field too, keys included.
    for method, path, body in [
        ("POST", "/api/sites", {"domain": "a" + LONE + ".com", "cloudflare_account": "CF_1"}),
        ("POST", "/api/sites", {"domain": "ok-site.com", "cloudflare_account": "CF_1", "brand_name": LONE}),
        ("PATCH", "/api/sites/keep-me.com", {"brand_name": "\udc80"}),
        ("POST", "/api/sites/import", {"csv": "domain,cloudflare_account\nz.com,CF" + LONE + "\n"}),
        ("POST", "/api/sites/keep-me.com/runs", {"step": "dns_zone" + LONE}),
        ("POST", "/api/sites", {"domain" + LONE: "x.com", "cloudflare_account": "CF_1"}),
    ]:
        _refused_as_not_text(send_json(client, method, path, body, auth))
    assert table_counts(clean_db) == before
    # The connection and the account are fine afterwards: the right password still signs in.
    ok = client.post("/api/auth/token", json={"email": OPERATOR, "password": "correct-horse-battery-staple"})
    assert ok.status_code == 200


def test_deep_nesting_is_refused_with_its_own_message(client: TestClient, auth, accounts, clean_db) -> None:
    before = table_counts(clean_db)
    for depth in (33, 1000, 100_000):
        body = ("[" * depth + "]" * depth).encode()
        for path in ("/api/runs", "/api/auth/token", "/api/sites"):
            r = client.post(path, content=body, headers={**auth, "Content-Type": "application/json"})
            assert r.status_code == 422, (depth, path, r.text)
            assert r.json()["detail"][0]["msg"] == "the body is not valid JSON: the JSON is nested more than 32 levels deep"
    nested = {"sites": ["x.com"], "step": None}
    for _ in range(40):
        nested = {"sites": [nested]}
    r = send_json(client, "POST", "/api/runs", nested, auth)
    assert r.status_code == 422 and "nested more than 32 levels" in r.text
    assert table_counts(clean_db) == before


@pytest.mark.parametrize("body, words", [
    (b'{"domain": "a.com", "cloudflare_account": "CF_1", "domain": "b.com"}', "the key 'domain' is given twice"),
    (b'{"domain": NaN, "cloudflare_account": "CF_1"}', "NaN is not a JSON number"),
    (b'{"domain": "a\xff.com", "cloudflare_account": "CF_1"}', "the body is not UTF-8 (byte 13)"),
    (b'\xef\xbb\xbf{"domain": "a.com", "cloudflare_account": "CF_1"}', "BOM"),
    (b'{"domain": "a.com", "cloudflare_account": ', "Expecting value"),
    ('{"domain": "a.com", "cloudflare_account": "CF_1"}'.encode("utf-16"), "not UTF-8"),
])
def test_json_that_is_not_strict_json_is_a_422_in_words(client: TestClient, auth, accounts, clean_db, body,
                                                        words) -> None:
    before = table_counts(clean_db)
    r = client.post("/api/sites", content=body, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert words in json.dumps(r.json()["detail"], ensure_ascii=False), r.text
    assert table_counts(clean_db) == before
