"""Matomo Reporting API simulator through httpx POST forms."""
from __future__ import annotations

from datetime import date, timedelta

from devtools.sandbox.traffic import matomo_metrics, matomo_visits

TODAY = date(2026, 5, 10)


def test_add_site_and_lookup(matomo):
    r = matomo("SitesManager.addSite", siteName="Example", **{"urls[0]": "https://example.com",
                                                             "urls[1]": "https://www.example.com"})
    assert r == {"value": 1}
    assert matomo("SitesManager.getSitesIdFromSiteUrl", url="https://example.com/") == [{"idsite": "1"}]
    assert matomo("SitesManager.getSitesIdFromSiteUrl", url="http://www.example.com") == [{"idsite": "1"}]
    assert matomo("SitesManager.getSitesIdFromSiteUrl", url="https://nothere.com") == []
    # duplicates are allowed, exactly like Matomo
    assert matomo("SitesManager.addSite", siteName="Again", **{"urls[]": "https://example.com"}) == {"value": 2}
    assert matomo("SitesManager.getSitesIdFromSiteUrl", url="example.com") == [{"idsite": "1"}, {"idsite": "2"}]
    assert matomo("SitesManager.getSiteFromId", idSite="1")["main_url"] == "https://example.com"


def test_errors_are_json_with_status(matomo):
    assert matomo("SitesManager.addSite", expect_http=401, token="revoked-x", siteName="x", urls="https://x.com") == {
        "result": "error", "message": "You can't access this resource as it requires 'superuser' access."}
    r = matomo("Nope.method")
    assert r["result"] == "error" and "Nope" in r["message"]
    r = matomo("VisitsSummary.get", idSite="99", period="day", date="2026-05-01")
    assert r["result"] == "error"
    r = matomo("SitesManager.addSite", siteName="", urls="https://x.com")
    assert r["result"] == "error"


def test_visits_summary_shapes(matomo, sb):
    sb.today = TODAY
    a = matomo("SitesManager.addSite", siteName="A", urls="https://alpha-example.com")["value"]
    b = matomo("SitesManager.addSite", siteName="B", urls="https://www.beta-example.org")["value"]
    day = "2026-05-01"
    one = matomo("VisitsSummary.get", idSite=str(a), period="day", date=day)
    assert one == (matomo_metrics("alpha-example.com", day) or [])
    days = [TODAY - timedelta(days=i) for i in range(12, -1, -1)]
    rng = f"{days[0]},{(TODAY + timedelta(days=1)).isoformat()}"
    multi_date = matomo("VisitsSummary.get", idSite=str(a), period="day", date=rng)
    assert list(multi_date) == [d.isoformat() for d in days] + [(TODAY + timedelta(days=1)).isoformat()]
    assert multi_date[(TODAY + timedelta(days=1)).isoformat()] == []  # future: no data
    for d in days:
        exp = matomo_metrics("alpha-example.com", d)
        assert multi_date[d.isoformat()] == (exp or [])
        assert (multi_date[d.isoformat()] or {"nb_visits": 0})["nb_visits"] == matomo_visits("alpha-example.com", d)
    multi_site = matomo("VisitsSummary.get", idSite=f"{a},{b}", period="day", date=day)
    assert set(multi_site) == {str(a), str(b)}
    assert multi_site[str(b)] == (matomo_metrics("beta-example.org", day) or [])
    both = matomo("VisitsSummary.get", idSite="all", period="day", date="2026-05-01,2026-05-03")
    assert set(both) == {str(a), str(b)} and list(both[str(a)]) == ["2026-05-01", "2026-05-02", "2026-05-03"]
    rng_row = matomo("VisitsSummary.get", idSite=str(a), period="range", date="2026-05-01,2026-05-07")
    total = sum(matomo_visits("alpha-example.com", date(2026, 5, i)) for i in range(1, 8))
    assert rng_row["nb_visits"] == total
    yesterday = matomo("VisitsSummary.get", idSite=str(a), period="day", date="yesterday")
    assert yesterday == (matomo_metrics("alpha-example.com", TODAY - timedelta(days=1)) or [])


def test_some_days_have_no_data():
    # the pure function has zero days somewhere in a year for a typical site
    start = date(2025, 1, 1)
    zeros = [d for d in (start + timedelta(days=i) for i in range(365)) if matomo_visits("example.com", d) == 0]
    assert zeros and len(zeros) < 60


def test_bulk_request_preserves_order(matomo, sb):
    sb.today = TODAY
    a = matomo("SitesManager.addSite", siteName="A", urls="https://alpha-example.com")["value"]
    r = matomo("API.getBulkRequest", **{
        "urls[0]": f"method=VisitsSummary.get&idSite={a}&period=day&date=2026-05-02",
        "urls[1]": "method=SitesManager.getSitesIdFromSiteUrl&url=https://alpha-example.com",
        "urls[2]": "method=VisitsSummary.get&idSite=42&period=day&date=2026-05-02",
    })
    assert len(r) == 3
    assert r[0] == (matomo_metrics("alpha-example.com", "2026-05-02") or [])
    assert r[1] == [{"idsite": str(a)}]
    assert r[2]["result"] == "error"
