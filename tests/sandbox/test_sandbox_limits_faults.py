"""Rate limits at scaled time, fault injection, request log and admin API."""
from __future__ import annotations

import time

import cloudflare
import httpx
import pytest

from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.ratelimit import CLOUDFLARE_LIMIT, CLOUDFLARE_WINDOW_S, NAMECHEAP_LIMIT


def test_cloudflare_rate_limit_429_retry_after_and_block():
    with SandboxServer(time_scale=0.02) as sb:  # 300 s window/block -> 6 s real
        env = settings(sb.url)
        hdr = {"Authorization": "Bearer limited-token"}
        url = env["CLOUDFLARE_BASE_URL"] + "/zones"
        with httpx.Client(timeout=10) as c:
            # 1200 requests must land within the 6 s scaled window
            statuses = []
            while len(statuses) < CLOUDFLARE_LIMIT * 3:
                r = c.get(url, headers=hdr)
                statuses.append(r.status_code)
                if r.status_code == 429:
                    break
            assert r.status_code == 429, "limit never reached"
            assert statuses.count(200) >= CLOUDFLARE_LIMIT
            body = r.json()
            assert body["success"] is False and body["errors"][0]["code"] == 971
            ra = float(r.headers["Retry-After"])
            assert CLOUDFLARE_WINDOW_S * 0.02 - 1 < ra <= CLOUDFLARE_WINDOW_S * 0.02 + 0.01
            assert int(r.headers["retry-after-ms"]) >= 1
            # another token is unaffected
            assert c.get(url, headers={"Authorization": "Bearer fresh"}).status_code == 200
            # the SDK raises RateLimitError while blocked
            sdk = cloudflare.Cloudflare(api_token="limited-token", base_url=env["CLOUDFLARE_BASE_URL"], max_retries=0)
            with pytest.raises(cloudflare.RateLimitError):
                sdk.zones.list()
            time.sleep(ra + 0.05)
            assert c.get(url, headers=hdr).status_code == 200
        assert sb.stats()["cloudflare"]["rate_limited"] >= 2


def test_namecheap_rate_limit(namecheap):
    ns = "{http://api.namecheap.com/xml.response}"
    for _ in range(NAMECHEAP_LIMIT):
        assert namecheap("namecheap.domains.dns.getList", SLD="example", TLD="com").get("Status") == "OK"
    root = namecheap("namecheap.domains.dns.getList", SLD="example", TLD="com")
    assert root.get("Status") == "ERROR"
    assert root.find(f"{ns}Errors/{ns}Error").get("Number") == "500000"
    ra = float(namecheap.last.headers["Retry-After"])
    assert 0 < ra <= 60 * 0.02 + 0.01  # time_scale 0.02: 60 s window -> 1.2 s
    time.sleep(ra + 0.05)
    assert namecheap("namecheap.domains.dns.getList", SLD="example", TLD="com").get("Status") == "OK"


def test_faults_are_seeded_counted_and_never_mutate(sb, env, http):
    r = http.post(f"{sb.url}/_sandbox/faults", json={"vendor": "cloudflare", "rate_429": 0.3, "rate_5xx": 0.2,
                                                     "seed": 7})
    assert r.status_code == 200 and r.json()["cloudflare"]["rate_429"] == 0.3
    cf = cloudflare.Cloudflare(api_token=env["CLOUDFLARE_API_TOKEN"], base_url=env["CLOUDFLARE_BASE_URL"],
                               max_retries=0)
    ok = failed = 0
    for i in range(40):
        try:
            cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name=f"f{i}.com")
            ok += 1
        except cloudflare.RateLimitError as e:
            assert float(e.response.headers["Retry-After"]) > 0
            failed += 1
        except cloudflare.InternalServerError:
            failed += 1
    assert ok + failed == 40 and 5 < failed < 35
    assert len(sb.state["cloudflare"]["zones"]) == ok  # faulted requests changed nothing
    stats = http.get(f"{sb.url}/_sandbox/stats").json()["cloudflare"]
    assert stats["total"] == 40
    assert stats["by_status"]["200"] == ok
    assert stats["faults"].get("429", 0) + stats["faults"].get("5xx", 0) == failed
    assert stats["rate_limited"] == stats["faults"].get("429", 0)
    assert sb.count(vendor="cloudflare", method="POST", path_contains="/zones", status=429) == stats["faults"]["429"]

    # same seed -> same fault sequence
    def pattern(seed):
        sb.reset()
        sb.set_faults("matomo", rate_5xx=0.5, seed=seed)
        return [http.post(env["MATOMO_URL"] + "index.php", data={"module": "API", "method": "API.getMatomoVersion",
                                                                  "format": "JSON", "token_auth": "t"}).status_code
                for _ in range(20)]
    assert pattern(3) == pattern(3)
    assert 503 in pattern(3) and 200 in pattern(3)


def test_timeout_and_drop_faults(sb, env):
    sb.set_faults("google", rate_drop=1.0, seed=1)
    with pytest.raises(httpx.HTTPError):
        httpx.post(env["GOOGLE_TOKEN_URI"], data={"grant_type": "refresh_token"}, timeout=5)
    sb.set_faults("google", rate_timeout=1.0, timeout_hold_s=2.0, seed=1)
    t0 = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(env["GOOGLE_TOKEN_URI"], data={"grant_type": "refresh_token"}, timeout=0.5)
    assert time.monotonic() - t0 < 1.5
    stats = sb.stats()["google"]
    assert stats["faults"] == {"drop": 1, "timeout": 1} or stats["faults"].get("drop") == 1
    sb.set_faults("all", rate_malformed=1.0, seed=1)
    r = httpx.get(env["CLOUDFLARE_BASE_URL"] + "/zones", headers={"Authorization": "Bearer x"})
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()


def test_admin_endpoints(sb, http, env, cf):
    assert http.get(f"{sb.url}/_sandbox/health").status_code == 200
    cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="admin.com")
    reqs = http.get(f"{sb.url}/_sandbox/requests").json()["requests"]
    assert reqs[-1]["vendor"] == "cloudflare" and reqs[-1]["status"] == 200 and reqs[-1]["method"] == "POST"
    assert http.get(f"{sb.url}/_sandbox/state").json()["cloudflare"]["zones"][0]["name"] == "admin.com"
    assert http.post(f"{sb.url}/_sandbox/today", json={"today": "2026-01-02"}).json() == {"today": "2026-01-02"}
    assert http.post(f"{sb.url}/_sandbox/reset").status_code == 200
    assert sb.state["cloudflare"]["zones"] == [] and sb.requests == []
    assert http.post(f"{sb.url}/_sandbox/faults", json={"vendor": "nope"}).status_code == 400
