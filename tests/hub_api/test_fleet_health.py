"""Fleet health in the Hub: the summary by check kind with its trend, problems with filters and
history, open problems on the site's own page, and repair behind the guard."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factory.store import Finding, NewSite


def _problems(hub_store) -> list:
    sites = hub_store.sites.add_many([NewSite(f"health{i}.com", "CF_1") for i in range(3)])
    findings = [Finding(s.id, "certificate", s.domain, "warn", "certificate expires within 14 days",
                        "expires 2026-12-05 (6 days)", "more than 14 days") for s in sites[:2]]
    findings.append(Finding(sites[2].id, "drift.dns", f"A www.{sites[2].domain}", "fail",
                            "dns: update A www.<site> (points elsewhere)", "192.0.2.99 (proxied)",
                            "203.0.113.10 (proxied)"))
    hub_store.health.record(findings, [(s.id, k) for s in sites for k in ("certificate", "drift.dns")])
    return sites


def test_summary_problems_filters_history_and_site_page(client: TestClient, auth, accounts, hub_store) -> None:
    sites = _problems(hub_store)
    summary = client.get("/api/health/summary", headers=auth)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert (body["open_problems"], body["sites_affected"], body["sites"]) == (3, 3, 3)
    assert {k["check_kind"]: (k["problems"], k["sites"], k["status"]) for k in body["kinds"]} == {
        "certificate": (2, 2, "warn"), "drift.dns": (1, 1, "fail")}
    assert len(body["trend"]) == 14 and body["trend"][-1]["open_problems"] == 3

    drift = client.get("/api/health/problems?check_kind=drift", headers=auth).json()
    assert [(p["domain"], p["check_kind"], p["observed"], p["expected"]) for p in drift] == [
        ("health2.com", "drift.dns", "192.0.2.99 (proxied)", "203.0.113.10 (proxied)")]
    assert len(client.get("/api/health/problems?status=warn", headers=auth).json()) == 2
    assert client.get("/api/health/problems?status=bad", headers=auth).status_code in (400, 422)

    # The first site's certificate was renewed: resolved, kept as history.
    hub_store.health.record([], [(sites[0].id, "certificate")])
    assert [p["domain"] for p in client.get("/api/health/problems?check_kind=certificate", headers=auth).json()] \
        == ["health1.com"]
    history = client.get("/api/health/problems?domain=health0.com&include_resolved=true", headers=auth).json()
    assert len(history) == 1 and history[0]["resolved_at"] is not None

    page = client.get("/api/sites/health2.com", headers=auth).json()
    assert [(p["check_kind"], p["subject"]) for p in page["problems"]] == [("drift.dns", "A www.health2.com")]
    assert page["live_url"] == "https://health2.com/"  # production: the real domain
    assert client.get("/api/sites/health0.com", headers=auth).json()["problems"] == []
    listed = client.get("/api/sites", headers=auth).json()
    assert all(s["problems"] == [] for s in listed["items"])  # lists stay light


def test_repair_with_nothing_drifted_and_an_unknown_plan(client: TestClient, auth, accounts, hub_store) -> None:
    r = client.post("/api/health/repair", headers=auth, json={"all": True})
    assert r.status_code == 202 and r.json()["detail"] == "no open drift to repair" and r.json()["runs"] == []
    r = client.post("/api/health/repair", headers=auth, json={"confirm": "0123456789abcdef"})
    assert r.status_code == 404
    hub_store.plans.save("abcdefabcdefabcd", "ops@example.com", {"all": True, "action": "decommission"},
                         {"sites": 1}, {"changes": []}, "decommission")
    r = client.post("/api/health/repair", headers=auth, json={"confirm": "abcdefabcdefabcd"})
    assert r.status_code == 409 and "not a repair plan" in r.json()["detail"]  # a repair never applies other plans
    assert client.post("/api/health/repair", headers={}, json={"all": True}).status_code == 401
    actions = [e.action for e in hub_store.audit.entries(limit=10)[0]]
    assert "repair_sites" in actions


def test_digest_preview_and_send_once_a_day(hub_store, clean_db, fake_dagster) -> None:
    from hub_api.main import create_app
    from tests.health.test_alerts import WEBHOOK_SECRET, Receiver
    from tests.hub_api.conftest import OPERATOR, hub_settings, mint_token

    receiver = Receiver()
    try:
        app = create_app(hub_settings(clean_db, FACTORY_ALERT_WEBHOOK_URL=receiver.url, FACTORY_ALERT_DIGEST="daily",
                                      FACTORY_LIVE_SITE_URL="https://{domain}.localhost:8443/"),
                         store=hub_store, dagster=fake_dagster)
        with TestClient(app) as client:
            auth = {"Authorization": f"Bearer {mint_token(app, hub_store, OPERATOR)}"}
            quiet = client.get("/api/health/digest", headers=auth).json()
            assert (quiet["open_problems"], quiet["kinds"], quiet["sent_at"], quiet["mode"]) == (0, [], None, "daily")
            hub_store.cloudflare_accounts.add("cf@example.com", "CF_1", "sandbox-token-hub-abcdef")
            _problems(hub_store)
            preview = client.get("/api/health/digest", headers=auth).json()
            assert [(k["check_kind"], k["problems"], k["sites"], k["repairable"]) for k in preview["kinds"]] == [
                ("certificate", 2, ["health0.com", "health1.com"], False), ("drift.dns", 1, ["health2.com"], True)]
            assert preview["text"].startswith("[DIGEST]") and receiver.posts == []
            sent = client.post("/api/health/digest", headers=auth)
            assert sent.status_code == 200 and sent.json()["sent"] is True, sent.text
            [post] = receiver.posts
            assert post["text"] == preview["text"] and WEBHOOK_SECRET not in post["text"]
            assert WEBHOOK_SECRET not in sent.text
            again = client.post("/api/health/digest", headers=auth).json()
            assert again["sent"] is False and "already sent" in again["reason"] and len(receiver.posts) == 1
            assert client.get("/api/health/digest", headers=auth).json()["sent_at"] is not None
            assert client.get("/api/health/digest").status_code == 401
            # The local stack: "Open live site" opens the local hosting server.
            assert client.get("/api/sites/health2.com", headers=auth).json()["live_url"] == \
                "https://health2.com.localhost:8443/"
    finally:
        receiver.close()
