"""The sites list at fleet size: sorting, the site state filter, counts per state, and the
"what changed since" feed the UI polls instead of re-reading every site."""

from __future__ import annotations

import threading

import psycopg
from fastapi.testclient import TestClient


def _add(client, auth, domain, **extra):
    r = client.post("/api/sites", headers=auth, json={"domain": domain, "cloudflare_account": "CF_1", **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _live(store, domain):
    site = store.sites.get(domain)
    for step in ("dns_zone", "hosting_site", "gsc_property", "site_content", "site_deployment"):
        store.steps.succeed(site.id, step)
    store.steps.succeed(site.id, "matomo_site", record={"matomo_site_id": 7})


def test_sorts_filters_by_state_and_counts(client: TestClient, auth, accounts, hub_store) -> None:
    _add(client, auth, "charlie.com", brand_name="alpha")
    _add(client, auth, "alpha.com", brand_name="Zulu")
    _add(client, auth, "bravo.com")
    _add(client, auth, "delta.com", brand_name="Mike")
    hub_store.steps.fail(hub_store.sites.get("bravo.com").id, "hosting_site", "disk quota")
    hub_store.steps.start(hub_store.sites.get("delta.com").id, "dns_zone")
    _live(hub_store, "charlie.com")

    def domains(query: str) -> list[str]:
        r = client.get(f"/api/sites?{query}", headers=auth)
        assert r.status_code == 200, r.text
        return [s["domain"] for s in r.json()["items"]]

    assert domains("") == ["charlie.com", "alpha.com", "bravo.com", "delta.com"]  # the order they were added
    assert domains("sort=created&dir=desc") == ["delta.com", "bravo.com", "alpha.com", "charlie.com"]
    assert domains("sort=domain") == ["alpha.com", "bravo.com", "charlie.com", "delta.com"]
    assert domains("sort=brand") == ["bravo.com", "charlie.com", "delta.com", "alpha.com"]  # no brand first
    assert domains("sort=status") == ["bravo.com", "delta.com", "alpha.com", "charlie.com"]
    assert domains("sort=status&dir=desc&limit=2") == ["charlie.com", "alpha.com"]
    assert domains("state=failed") == ["bravo.com"]
    assert domains("state=onboarding") == ["delta.com"]
    assert domains("state=live&search=CHAR") == ["charlie.com"]
    assert client.get("/api/sites?state=pending", headers=auth).json()["total"] == 1
    assert client.get("/api/sites?sort=seq", headers=auth).status_code == 422

    by_id = {s["domain"]: s for s in client.get("/api/sites", headers=auth).json()["items"]}
    assert {d: s["state"] for d, s in by_id.items()} == {
        "charlie.com": "live", "alpha.com": "pending", "bravo.com": "failed", "delta.com": "onboarding"}
    assert client.get("/api/sites/summary", headers=auth).json() == {
        "total": 4, "failed": 1, "onboarding": 1, "pending": 1, "live": 1, "decommissioned": 0}

    # A failed step that is retried stays failed (its error is shown) until it succeeds.
    bravo = hub_store.sites.get("bravo.com").id
    hub_store.steps.start(bravo, "hosting_site")
    assert client.get("/api/sites/bravo.com", headers=auth).json()["state"] == "failed"
    hub_store.steps.succeed(bravo, "hosting_site")
    assert client.get("/api/sites/bravo.com", headers=auth).json()["state"] == "onboarding"
    hub_store.sites.mark_decommissioned(hub_store.sites.get("alpha.com").id, {})
    assert client.get("/api/sites/summary", headers=auth).json() == {
        "total": 3, "failed": 0, "onboarding": 2, "pending": 0, "live": 1, "decommissioned": 1}


def test_changes_since_a_cursor(client: TestClient, auth, accounts, hub_store, clean_db) -> None:
    _add(client, auth, "one.com")
    _add(client, auth, "two.com")
    start = client.get("/api/sites/changes", headers=auth).json()
    assert start["changed"] == [] and start["summary"] is None and start["cursor"].isdigit()

    # Nothing changed (a row may come again while another transaction of the server is still open).
    quiet = client.get(f"/api/sites/changes?since={start['cursor']}", headers=auth).json()
    assert {s["domain"] for s in quiet["changed"]} <= {"one.com", "two.com"} and quiet["deleted"] == []

    # A step that has no status column of its own (site_build) still changes its site.
    hub_store.steps.fail(hub_store.sites.get("one.com").id, "site_build", "astro crashed")
    _add(client, auth, "three.com")
    client.delete("/api/sites/two.com", headers=auth)
    changes = client.get(f"/api/sites/changes?since={quiet['cursor']}", headers=auth).json()
    assert {s["domain"]: s["state"] for s in changes["changed"]} == {"one.com": "failed", "three.com": "pending"}
    one = next(s for s in changes["changed"] if s["domain"] == "one.com")
    assert [(t["step"], t["last_error"]) for t in one["steps"]] == [("site_build", "astro crashed")]
    assert changes["deleted"] == ["two.com"] and changes["more"] is False
    assert changes["summary"] == {"total": 2, "failed": 1, "onboarding": 0, "pending": 1, "live": 0,
                                  "decommissioned": 0}
    # An operator's SQL counts as a change too.
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute("update public.sites set brand_name = 'Three' where domain = 'three.com'")
    later = client.get(f"/api/sites/changes?since={changes['cursor']}", headers=auth).json()
    assert [s["brand_name"] for s in later["changed"] if s["domain"] == "three.com"] == ["Three"]

    many = client.get(f"/api/sites/changes?since={quiet['cursor']}&limit=1", headers=auth).json()
    assert many["more"] is True and len(many["changed"]) == 1
    assert client.get("/api/sites/changes?since=abc", headers=auth).status_code == 400


def test_a_change_committed_after_the_cursor_was_handed_out_is_not_missed(
        client: TestClient, auth, accounts, hub_store, clean_db) -> None:
    _add(client, auth, "slow.com")
    first = client.get("/api/sites/changes", headers=auth).json()["cursor"]
    started, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with psycopg.connect(clean_db) as conn:
            conn.execute("update public.sites set brand_name = 'Late' where domain = 'slow.com'")
            started.set()
            release.wait(10)
        # commits here, after the poll below

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert started.wait(10)
    during = client.get(f"/api/sites/changes?since={first}", headers=auth).json()
    assert "Late" not in [s["brand_name"] for s in during["changed"]]  # not committed yet
    release.set()
    writer.join()
    after = client.get(f"/api/sites/changes?since={during['cursor']}", headers=auth).json()
    assert [s["brand_name"] for s in after["changed"]] == ["Late"]
