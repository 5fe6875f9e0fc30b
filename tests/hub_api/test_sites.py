"""Sites: create, list with filters, get, update, delete, CSV import, concurrent creates."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from tests.conftest import table_counts


def _add(client, auth, domain, **extra):
    return client.post("/api/sites", headers=auth, json={"domain": domain, "cloudflare_account": "CF_1", **extra})


def test_create_get_update_delete(client: TestClient, auth, accounts, hub_store) -> None:
    r = _add(client, auth, "Bücher.Example.de".replace(".Example", ""), brand_name="Bücher", gsc_account="seo@example.com")
    assert r.status_code == 201, r.text
    site = r.json()
    assert site["domain"] == "xn--bcher-kva.de" and site["status_dns"] == "pending" and site["gsc_account"] == "seo@example.com"
    assert client.get(f"/api/sites/{site['id']}", headers=auth).json()["domain"] == site["domain"]
    assert client.get("/api/sites/BÜCHER.de", headers=auth).json()["id"] == site["id"]

    r = client.patch(f"/api/sites/{site['domain']}", headers=auth, json={"brand_name": "Books", "gsc_account": None})
    assert r.status_code == 200 and r.json()["brand_name"] == "Books" and r.json()["gsc_account_id"] is None
    client.post("/api/cloudflare-accounts", headers=auth,
                json={"email": "cf2@example.com", "account_nickname": "CF_2", "api_token": "t" * 20})
    r = client.patch(f"/api/sites/{site['id']}", headers=auth, json={"cloudflare_account": "CF_2"})
    assert r.status_code == 200 and r.json()["cloudflare_account"] == "CF_2" and r.json()["brand_name"] == "Books"
    assert client.patch(f"/api/sites/{site['id']}", headers=auth, json={"cloudflare_account": "nope"}).status_code == 404
    assert client.patch(f"/api/sites/{site['id']}", headers=auth, json={"cloudflare_account": None}).status_code == 400

    purge = client.delete(f"/api/sites/{site['id']}?purge=true", headers=auth)
    assert purge.status_code == 400 and "nothing was deleted" in purge.json()["detail"]
    assert client.delete(f"/api/sites/{site['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/sites/{site['id']}", headers=auth).status_code == 404
    assert hub_store.sites.deletions_after(0)[-1][1] == "xn--bcher-kva.de"  # what the sensor reads


def test_create_refuses_unknown_accounts_and_duplicates(client: TestClient, auth, accounts) -> None:
    assert _add(client, auth, "acme-example.com").status_code == 201
    dup = _add(client, auth, "ACME-EXAMPLE.com.")
    assert dup.status_code == 409 and dup.json() == {"detail": "the site acme-example.com already exists"}
    r = client.post("/api/sites", headers=auth, json={"domain": "other.com", "cloudflare_account": "CF_404"})
    assert r.status_code == 404 and "Cloudflare account" in r.json()["detail"]
    r = _add(client, auth, "other.com", gsc_account="nobody@example.com")
    assert r.status_code == 404 and "Google account" in r.json()["detail"]


def test_list_filters_search_and_pages(client: TestClient, auth, accounts, hub_store) -> None:
    for i in range(12):
        _add(client, auth, f"site{i:02d}.com", brand_name="Alpha" if i % 3 == 0 else "Beta")
    hub_store.steps.fail(hub_store.sites.get("site01.com").id, "dns_zone", "zone refused")
    hub_store.steps.succeed(hub_store.sites.get("site02.com").id, "dns_zone")
    page = client.get("/api/sites?limit=5&offset=5", headers=auth).json()
    assert page["total"] == 12 and [s["domain"] for s in page["items"]] == [f"site{i:02d}.com" for i in range(5, 10)]
    assert client.get("/api/sites?status_dns=failed", headers=auth).json()["items"][0]["error_message"] == "zone refused"
    assert client.get("/api/sites?failed=true", headers=auth).json()["total"] == 1
    assert client.get("/api/sites?failed=false", headers=auth).json()["total"] == 11
    assert client.get("/api/sites?status_dns=active", headers=auth).json()["total"] == 1
    assert client.get("/api/sites?search=alpha", headers=auth).json()["total"] == 4
    assert client.get("/api/sites?search=%25", headers=auth).json()["total"] == 0  # % is literal
    cf = accounts["cloudflare"]["id"]
    assert client.get(f"/api/sites?cloudflare_account_id={cf}", headers=auth).json()["total"] == 12
    assert client.get("/api/sites?status_dns=bogus", headers=auth).status_code == 422
    events = client.get("/api/sites/site01.com/events", headers=auth).json()
    assert events[0]["status"] == "failed" and events[0]["message"] == "zone refused"


CSV_GOOD = "domain,brand_name,cloudflare_account,gsc_account\nalpha.com,Alpha,CF_1,seo@example.com\nbeta.org,,CF_1,\n"
CSV_MIXED = CSV_GOOD + "bad domain.com,X,CF_1,\nalpha.com,Dup,CF_1,\ngamma.net,G,CF_404,\n"


def test_csv_import_preview_reject_and_skip_invalid(client: TestClient, auth, accounts, clean_db) -> None:
    before = table_counts(clean_db)
    preview = client.post("/api/sites/import", headers=auth, json={"csv": CSV_MIXED, "dry_run": True})
    assert preview.status_code == 200
    report = preview.json()
    assert report["dry_run"] and report["rows"] == 5 and report["valid"] == 2 and report["written"] == 0
    assert [e["line"] for e in report["errors"]] == [4, 5, 6]
    assert report["errors"][1]["reason"] == "alpha.com is already on line 2"  # the CLI's words
    assert "no Cloudflare account 'CF_404'" in report["errors"][2]["reason"]

    rejected = client.post("/api/sites/import", headers=auth, json={"csv": CSV_MIXED})
    assert rejected.status_code == 400 and "nothing was written" in rejected.json()["detail"]
    assert len(rejected.json()["errors"]) == 3
    assert table_counts(clean_db) == before

    partial = client.post("/api/sites/import", headers=auth, json={"csv": CSV_MIXED, "skip_invalid": True})
    assert partial.status_code == 200 and partial.json()["written"] == 2 and partial.json()["domains"] == ["alpha.com", "beta.org"]
    again = client.post("/api/sites/import", headers=auth, json={"csv": CSV_GOOD})
    assert again.status_code == 400 and "already exists" in again.json()["errors"][0]["reason"]


def test_csv_import_refuses_unreadable_files(client: TestClient, auth, accounts) -> None:
    for text, words in (("", "empty"), ("dom,cf\nx.com,CF_1\n", "header"), ('domain,cloudflare_account\n"x.com,CF_1\n', "line")):
        r = client.post("/api/sites/import", headers=auth, json={"csv": text})
        assert r.status_code == 400 and words in r.json()["detail"] and r.json()["errors"] == [], (text, r.text)


def test_two_concurrent_creates_of_one_domain_give_one_201_and_one_409(app, auth, accounts) -> None:
    barrier = threading.Barrier(2)
    results: list[int] = []

    def create() -> None:
        with TestClient(app) as own:  # each thread its own client and event loop: truly concurrent
            barrier.wait()
            results.append(_add(own, auth, "race.com").status_code)

    for _ in range(5):  # several rounds, each with a fresh domain race
        results.clear()
        threads = [threading.Thread(target=create) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [201, 409], results
        with TestClient(app) as c:
            assert c.delete("/api/sites/race.com", headers=auth).status_code == 204
