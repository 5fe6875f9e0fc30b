"""Namecheap's hourly and daily budgets, domains.getInfo / domains.getList with expiry and auto-renew
set by tests, and the exact API URL (httpx, as the product's client)."""
from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from datetime import date

import httpx

from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.clock import Clock
from devtools.sandbox.ratelimit import (
    NAMECHEAP_DAY_LIMIT,
    NAMECHEAP_HOUR_LIMIT,
    NAMECHEAP_LIMIT,
    NAMECHEAP_WINDOWS,
    RateLimiter,
)

NS = "{http://api.namecheap.com/xml.response}"


def _params(env, command, **extra):
    return {"ApiUser": env["NAMECHEAP_API_USER"], "ApiKey": env["NAMECHEAP_API_KEY"],
            "UserName": env["NAMECHEAP_USERNAME"], "ClientIp": env["NAMECHEAP_CLIENT_IP"], "Command": command, **extra}


def _error(root):
    e = root.find(f"{NS}Errors/{NS}Error")
    return (e.get("Number"), e.text) if e is not None else None


def test_hourly_budget_refuses_the_701st_call_of_the_hour():
    scale = 0.005  # a minute is 0.3 s real, an hour 18 s
    with SandboxServer(time_scale=scale, instant=True) as sb, httpx.Client(timeout=10) as http:
        env = settings(sb.url)
        data = _params(env, "namecheap.domains.dns.getList", SLD="budget", TLD="com")
        ok, started = 0, time.monotonic()
        while True:
            r = http.post(env["NAMECHEAP_API_URL"], data=data)
            assert r.status_code == 200  # no clean 429: an XML error, HTTP 200
            root = ET.fromstring(r.content)
            if root.get("Status") == "OK":
                ok += 1
                continue
            assert _error(root) == ("500000", "Too many requests")
            wait = float(r.headers["Retry-After"])
            if r.headers["X-Sandbox-Limit"] == f"{NAMECHEAP_LIMIT}/60s":
                time.sleep(wait)  # the per-minute budget: wait it out and go on
                continue
            break
        assert time.monotonic() - started < 3600 * scale, "the client was too slow to exhaust an hour"
        assert r.headers["X-Sandbox-Limit"] == f"{NAMECHEAP_HOUR_LIMIT}/3600s"
        assert ok == NAMECHEAP_HOUR_LIMIT
        assert 0 < wait <= 3600 * scale
        assert sb.stats()["namecheap"]["calls"]["namecheap.domains.dns.getList"] > NAMECHEAP_HOUR_LIMIT


def test_every_window_counts_only_accepted_calls():
    class Manual(Clock):
        t = 0.0

        def now(self):
            return self.t

    clock = Manual()
    limiter = RateLimiter(clock, NAMECHEAP_WINDOWS)
    accepted = 0
    while accepted < NAMECHEAP_DAY_LIMIT:  # 20 a minute, 700 an hour, 8000 a day
        refusal = limiter.check("key")
        if refusal is None:
            accepted += 1
            clock.t += 0.5
            continue
        assert refusal.window_s in (60.0, 3600.0)
        clock.t += float(refusal)
    assert clock.t < 86400 - 3600
    clock.t += 3600  # the minute and the hour are fresh again; the day is not
    refusal = limiter.check("key")
    assert (refusal.limit, refusal.window_s) == (NAMECHEAP_DAY_LIMIT, 86400.0)
    assert 0 < float(refusal) <= 86400
    clock.t += float(refusal)
    assert limiter.check("key") is None
    assert limiter.check("other") is None  # per API key


def test_get_info_and_get_list_report_expiry_and_auto_renew():
    with SandboxServer(time_scale=0.02, instant=True) as sb, httpx.Client(timeout=10) as http:
        env = settings(sb.url)
        sb.today = date(2026, 6, 1)
        admin = f"{sb.url}/_sandbox/namecheap/domains"
        for domain, expires, renew in (("alpha.com", "2027-03-01", True), ("bravo.com", "2026-06-20", False),
                                       ("charlie.com", "2026-05-01", False)):
            r = http.post(admin, json={"domain": domain, "created": "2020-03-01", "expires": expires,
                                       "auto_renew": renew})
            assert r.status_code == 200, r.text
        sb.namecheap.set_domain(env["NAMECHEAP_API_USER"], "delta.org", created=date(2025, 1, 2),
                                expires=date(2028, 1, 2), locked=True)
        assert http.post(admin, json={"domain": "x.com", "expires": "not a date"}).status_code == 400

        def call(command, **params):
            r = http.post(env["NAMECHEAP_API_URL"], data=_params(env, command, **params))
            assert r.status_code == 200
            return ET.fromstring(r.content)

        info = call("namecheap.domains.getInfo", DomainName="bravo.com").find(f"{NS}CommandResponse/{NS}DomainGetInfoResult")
        assert (info.get("Status"), info.get("DomainName"), info.get("IsOwner")) == ("Ok", "bravo.com", "true")
        details = info.find(f"{NS}DomainDetails")
        assert details.find(f"{NS}CreatedDate").text == "03/01/2020"
        assert details.find(f"{NS}ExpiredDate").text == "06/20/2026"
        assert info.find(f"{NS}Modificationrights").get("All") == "true"
        dns = info.find(f"{NS}DnsDetails")
        assert (dns.get("ProviderType"), dns.get("IsUsingOurDNS")) == ("FREE", "true")
        assert [n.text for n in dns.findall(f"{NS}Nameserver")] == ["dns1.registrar-servers.com",
                                                                   "dns2.registrar-servers.com"]
        expired = call("namecheap.domains.getInfo", DomainName="charlie.com").find(f".//{NS}DomainGetInfoResult")
        assert expired.get("Status") == "Expired"
        assert call("namecheap.domains.getInfo", DomainName="delta.org").find(f".//{NS}DomainGetInfoResult").get(
            "Status") == "Locked"
        assert _error(call("namecheap.domains.getInfo", DomainName="notmine-x.com")) == ("2019166", "Domain not found")

        def listed(**params):
            root = call("namecheap.domains.getList", **params)
            rows = root.findall(f"{NS}CommandResponse/{NS}DomainGetListResult/{NS}Domain")
            paging = root.find(f"{NS}CommandResponse/{NS}Paging")
            return [d.attrib for d in rows], {c.tag.removeprefix(NS): c.text for c in paging}

        rows, paging = listed()
        assert paging == {"TotalItems": "4", "CurrentPage": "1", "PageSize": "20"}
        assert [r["Name"] for r in rows] == ["delta.org", "alpha.com", "bravo.com", "charlie.com"]  # newest first
        by_name = {r["Name"]: r for r in rows}
        assert {k: by_name["bravo.com"][k] for k in ("Created", "Expires", "IsExpired", "AutoRenew", "IsOurDNS")} == {
            "Created": "03/01/2020", "Expires": "06/20/2026", "IsExpired": "false", "AutoRenew": "false",
            "IsOurDNS": "true"}
        assert by_name["charlie.com"]["IsExpired"] == "true" and by_name["alpha.com"]["AutoRenew"] == "true"
        assert by_name["delta.org"]["IsLocked"] == "true"
        assert len({r["ID"] for r in rows}) == 4
        assert [r["Name"] for r in listed(ListType="EXPIRED")[0]] == ["charlie.com"]
        assert [r["Name"] for r in listed(ListType="EXPIRING")[0]] == ["bravo.com"]
        assert [r["Name"] for r in listed(SearchTerm="lph")[0]] == ["alpha.com"]
        assert [r["Name"] for r in listed(SortBy="EXPIREDATE")[0]] == ["charlie.com", "bravo.com", "alpha.com",
                                                                         "delta.org"]
        assert [r["Name"] for r in listed(SortBy="NAME_DESC")[0]] == ["delta.org", "charlie.com", "bravo.com",
                                                                        "alpha.com"]
        for i in range(12):
            sb.namecheap.set_domain(env["NAMECHEAP_API_USER"], f"extra{i:02d}.net")
        page2, paging2 = listed(Page="2", PageSize="10", SortBy="NAME")
        assert paging2 == {"TotalItems": "16", "CurrentPage": "2", "PageSize": "10"}
        assert [r["Name"] for r in page2] == [f"extra{i:02d}.net" for i in range(6, 12)]
        assert _error(call("namecheap.domains.getList", ListType="SOON"))[0] == "2011166"
        # another ApiUser's account holds none of these
        other = ET.fromstring(http.post(env["NAMECHEAP_API_URL"], data={
            **_params(env, "namecheap.domains.getList"), "ApiUser": "someoneelse"}).content)
        assert other.find(f"{NS}CommandResponse/{NS}Paging/{NS}TotalItems").text == "0"


def test_only_the_documented_url_answers():
    with SandboxServer(time_scale=0.02, instant=True) as sb, httpx.Client(timeout=10) as http:
        env = settings(sb.url)
        data = _params(env, "namecheap.domains.dns.getList", SLD="url", TLD="com")
        assert http.post(env["NAMECHEAP_API_URL"] + "/", data=data).status_code == 404
        assert http.post(env["NAMECHEAP_API_URL"], data=data).status_code == 200
