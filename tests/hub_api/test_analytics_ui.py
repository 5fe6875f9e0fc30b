"""Analytics aggregates (daily rows, per-site totals, fleet rollup) and the UI mount."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from factory.store import AnalyticsRow
from hub_api.main import create_app
from tests.hub_api.conftest import hub_settings

START = dt.date(2025, 1, 1)


def test_daily_rows_site_totals_and_fleet_totals(client: TestClient, auth, accounts, hub_store) -> None:
    ids = {}
    for name in ("a.com", "b.com", "c.com"):
        ids[name] = client.post("/api/sites", headers=auth, json={"domain": name, "cloudflare_account": "CF_1"}).json()["id"]
    rows = [AnalyticsRow(START + dt.timedelta(days=d), ids[name], 10 * (i + 1), i + 1, 100, )
            for d in range(10) for i, name in enumerate(("a.com", "b.com"))]
    hub_store.analytics.upsert(rows)
    # A later upsert of one day replaces it; the fleet rollup follows.
    hub_store.analytics.upsert([AnalyticsRow(START, ids["a.com"], 1000, None, None)])
    q = "start=2025-01-01&end=2025-01-31"

    daily = client.get(f"/api/analytics/daily?{q}&site=a.com&limit=3", headers=auth).json()
    assert daily["total"] == 10 and [r["matomo_visits"] for r in daily["items"]] == [1000, 10, 10]
    totals = client.get(f"/api/analytics/sites?{q}", headers=auth).json()
    assert totals["total"] == 3
    assert [(t["domain"], t["matomo_visits"], t["days"]) for t in totals["items"]] == [
        ("a.com", 1090, 10), ("b.com", 200, 10), ("c.com", 0, 0)]
    by_clicks = client.get(f"/api/analytics/sites?{q}&sort=gsc_clicks&order=asc&search=b", headers=auth).json()
    assert [t["domain"] for t in by_clicks["items"]] == ["b.com"]

    fleet = client.get(f"/api/analytics/fleet?{q}", headers=auth).json()
    assert len(fleet["days"]) == 10
    assert fleet["days"][0] == {"date": "2025-01-01", "sites": 2, "matomo_visits": 1020, "gsc_clicks": 2,
                                "gsc_impressions": 100}
    assert fleet["totals"]["matomo_visits"] == 1090 + 200
    # History is kept: a site with analytics cannot be deleted (only decommissioned), and its
    # rows stay in the rollup.
    refused = client.delete("/api/sites/a.com", headers=auth)
    assert refused.status_code == 409 and "decommission it instead" in refused.json()["detail"]
    fleet = client.get(f"/api/analytics/fleet?{q}", headers=auth).json()
    assert fleet["totals"]["matomo_visits"] == 1090 + 200


def test_built_ui_is_served_with_spa_fallback(tmp_path, clean_db, hub_store, fake_dagster, auth) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app.js").write_text("console.log('hub')")
    app = create_app(hub_settings(clean_db, FACTORY_UI_DIST=str(tmp_path)), store=hub_store, dagster=fake_dagster)
    with TestClient(app) as client:
        assert "id=root" in client.get("/").text
        assert "id=root" in client.get("/sites/example.com").text  # a client-side route
        assert client.get("/assets/app.js").text == "console.log('hub')"
        assert "id=root" in client.get("/../../etc/passwd").text  # never outside dist
        assert client.get("/api/nope").status_code == 404 and client.get("/api/nope").json()["detail"]
        assert client.get("/api/sites").status_code == 401
        assert client.get("/docs").status_code == 200
        assert "/" not in app.openapi()["paths"]
