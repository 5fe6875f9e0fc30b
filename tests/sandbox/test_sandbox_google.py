"""Google OAuth, Site Verification and Search Console through googleapiclient + google-auth."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from devtools.sandbox.traffic import gsc_metrics

SITE = {"type": "INET_DOMAIN", "identifier": "example.com"}


def _creds(env, refresh_token=None):
    return Credentials(token=None, refresh_token=refresh_token or env["GOOGLE_REFRESH_TOKEN"],
                       client_id=env["GOOGLE_CLIENT_ID"], client_secret=env["GOOGLE_CLIENT_SECRET"],
                       token_uri=env["GOOGLE_TOKEN_URI"])


def _services(env, refresh_token=None):
    creds = _creds(env, refresh_token)
    sv = build("siteVerification", "v1", credentials=creds, static_discovery=True, cache_discovery=False,
               client_options={"api_endpoint": env["GOOGLE_SITE_VERIFICATION_API_ENDPOINT"]})
    sc = build("searchconsole", "v1", credentials=creds, static_discovery=True, cache_discovery=False,
               client_options={"api_endpoint": env["GOOGLE_SEARCHCONSOLE_API_ENDPOINT"]})
    return sv, sc


def _zone_with_txt(cf, env, namecheap, content, activate=True):
    z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="example.com")
    if content:
        cf.dns.records.create(zone_id=z.id, type="TXT", name="@", content=content, ttl=1)
    if activate:
        namecheap("namecheap.domains.dns.setCustom", SLD="example", TLD="com", Nameservers=",".join(z.name_servers))
    return z


def test_refresh_and_revoked(env):
    sv, _ = _services(env, "revoked-rt")
    with pytest.raises(RefreshError) as ei:
        sv.webResource().list().execute()
    assert "invalid_grant" in str(ei.value)


def test_verify_flow_and_search_console(cf, env, namecheap, sb):
    sv, sc = _services(env)
    tok = sv.webResource().getToken(body={"site": SITE, "verificationMethod": "DNS_TXT"}).execute()
    assert tok["method"] == "DNS_TXT" and tok["token"].startswith("google-site-verification=")
    # deterministic per (account, domain)
    assert sv.webResource().getToken(body={"site": SITE, "verificationMethod": "DNS_TXT"}).execute() == tok

    # no zone / no TXT -> Google's 400
    with pytest.raises(HttpError) as ei:
        sv.webResource().insert(verificationMethod="DNS_TXT", body={"site": SITE}).execute()
    assert ei.value.resp.status == 400
    assert "The necessary verification token could not be found on your site." in str(ei.value)
    # sites.add before verification -> 403 permission error
    with pytest.raises(HttpError) as ei:
        sc.sites().add(siteUrl="sc-domain:example.com").execute()
    assert ei.value.resp.status == 403 and "sufficient permission" in str(ei.value)

    z = _zone_with_txt(cf, env, namecheap, tok["token"], activate=False)
    with pytest.raises(HttpError):  # zone still pending: DNS not delegated yet
        sv.webResource().insert(verificationMethod="DNS_TXT", body={"site": SITE}).execute()
    namecheap("namecheap.domains.dns.setCustom", SLD="example", TLD="com", Nameservers=",".join(z.name_servers))
    res = sv.webResource().insert(verificationMethod="DNS_TXT", body={"site": SITE}).execute()
    assert res["id"] == "dns%3A%2F%2Fexample.com" and res["site"] == SITE and res["owners"]
    assert sv.webResource().list().execute()["items"] == [res]
    assert sv.webResource().get(id=res["id"]).execute() == res

    sc.sites().add(siteUrl="sc-domain:example.com").execute()
    sc.sites().add(siteUrl="sc-domain:example.com").execute()  # idempotent
    assert sc.sites().list().execute() == {"siteEntry": [{"siteUrl": "sc-domain:example.com",
                                                           "permissionLevel": "siteOwner"}]}
    assert sc.sites().get(siteUrl="sc-domain:example.com").execute()["permissionLevel"] == "siteOwner"

    # another Google account sees nothing and cannot add the property
    _, sc2 = _services(env, "someone-else")
    assert sc2.sites().list().execute() == {}
    with pytest.raises(HttpError):
        sc2.sites().add(siteUrl="sc-domain:example.com").execute()

    # Search Analytics with lag relative to the server's "today"
    today = date(2026, 5, 20)
    sb.today = today
    body = {"startDate": "2026-05-10", "endDate": today.isoformat(), "dimensions": ["date"]}
    rows = sc.searchanalytics().query(siteUrl="sc-domain:example.com", body=body).execute()["rows"]
    got = {r["keys"][0]: r for r in rows}
    assert max(got) == (today - timedelta(days=2)).isoformat()  # today-1 (and today) missing
    for d in range(10, 18):
        day = date(2026, 5, d)
        exp = gsc_metrics("example.com", day)
        if exp:
            assert got[day.isoformat()]["clicks"] == exp["clicks"]
            assert got[day.isoformat()]["impressions"] == exp["impressions"]
    partial = got["2026-05-18"]
    assert partial["impressions"] == round(gsc_metrics("example.com", "2026-05-18")["impressions"] * 0.6)
    fresh = sc.searchanalytics().query(siteUrl="sc-domain:example.com", body={**body, "dataState": "all"}).execute()
    assert max(r["keys"][0] for r in fresh["rows"]) == (today - timedelta(days=1)).isoformat()
    empty = sc.searchanalytics().query(siteUrl="sc-domain:example.com",
                                       body={"startDate": "2026-05-19", "endDate": "2026-05-20",
                                             "dimensions": ["date"]}).execute()
    assert "rows" not in empty
    assert sb.count(vendor="google", path_contains="searchAnalytics") == 3
