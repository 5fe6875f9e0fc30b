"""Counters a benchmark reads (calls per vendor and API method, writes, activation checks) through
the Python object and /_sandbox/stats; run-time delays through /_sandbox/delays; the CLI's flags."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import cloudflare
import httpx
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from devtools.sandbox import settings

ROOT = Path(__file__).resolve().parents[2]


def test_calls_per_method_and_writes_per_vendor(cf, env, namecheap, matomo, sb, http):
    z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="count.com")
    cf.zones.get(zone_id=z.id)
    cf.dns.records.create(zone_id=z.id, type="A", name="@", content="203.0.113.10", ttl=1)
    list(cf.dns.records.list(zone_id=z.id))
    namecheap("namecheap.domains.dns.getList", SLD="count", TLD="com")
    namecheap("namecheap.domains.dns.setcustom", SLD="count", TLD="com", Nameservers=",".join(z.name_servers))
    matomo("SitesManager.getSitesIdFromSiteUrl", url="https://count.com")
    matomo("SitesManager.addSite", siteName="count.com", **{"urls[0]": "https://count.com"})
    creds = Credentials(token=None, refresh_token=env["GOOGLE_REFRESH_TOKEN"], client_id=env["GOOGLE_CLIENT_ID"],
                        client_secret=env["GOOGLE_CLIENT_SECRET"], token_uri=env["GOOGLE_TOKEN_URI"])
    sc = build("searchconsole", "v1", credentials=creds, static_discovery=True, cache_discovery=False,
               client_options={"api_endpoint": env["GOOGLE_SEARCHCONSOLE_API_ENDPOINT"]})
    sc.sites().list().execute()
    with pytest.raises(HttpError):
        sc.sites().add(siteUrl="sc-domain:count.com").execute()  # not verified: 403, still a write attempt
    with pytest.raises(cloudflare.BadRequestError):
        cf.zones.activation_check.trigger(zone_id=z.id)  # instant: the zone is active already

    stats = sb.stats()
    assert stats["cloudflare"]["calls"] == {"POST /zones": 1, "GET /zones/{id}": 1, "POST /zones/{id}/dns_records": 1,
                                            "GET /zones/{id}/dns_records": 2,  # the SDK asks for the empty next page
                                            "PUT /zones/{id}/activation_check": 1}
    assert stats["cloudflare"]["writes"] == 3
    assert stats["cloudflare"]["activation"]["activation_checks"] == 1
    assert stats["cloudflare"]["activation"]["zones_activated"] == 1
    assert stats["namecheap"]["calls"] == {"namecheap.domains.dns.getList": 1, "namecheap.domains.dns.setCustom": 1}
    assert stats["namecheap"]["writes"] == 1
    assert stats["matomo"]["calls"] == {"SitesManager.getSitesIdFromSiteUrl": 1, "SitesManager.addSite": 1}
    assert stats["matomo"]["writes"] == 1
    assert stats["google"]["calls"] == {"POST token": 1, "GET webmasters/v3/sites": 1,
                                        "PUT webmasters/v3/sites/{siteUrl}": 1}
    assert stats["google"]["writes"] == 1
    assert stats["clpctl"]["total"] == 0
    assert http.get(f"{sb.url}/_sandbox/stats").json() == stats
    assert sb.requests[-1]["op"] == "PUT /zones/{id}/activation_check" and sb.requests[-1]["write"] is True


def test_delays_change_at_run_time(sb, http):
    assert http.get(f"{sb.url}/_sandbox/health").json()["delays"]["activation_max_s"] == 0
    r = http.post(f"{sb.url}/_sandbox/delays", json={"activation_min_s": 20, "activation_max_s": 90})
    assert r.status_code == 200 and (r.json()["activation_min_s"], r.json()["activation_max_s"]) == (20, 90)
    assert sb.delays.activation_max_s == 90
    bad = http.post(f"{sb.url}/_sandbox/delays", json={"activation_min_s": 100})  # above the max
    assert bad.status_code == 400 and sb.delays.activation_min_s == 20
    assert http.post(f"{sb.url}/_sandbox/delays", json={"bogus_s": 1}).status_code == 400


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Ctrl-C stops the sandbox; if it does not, it is killed (never left running) and the test fails."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError("the sandbox did not stop on SIGINT within 20 s") from None


def test_the_command_line_takes_the_delays(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "devtools.sandbox", "--port", str(port), "--time-scale", "0.5",
                             "--activation-min", "20", "--activation-max", "90", "--activation-propagation", "10",
                             "--txt-propagation", "30", "--activation-check-interval", "60", "--seed", "7",
                             "--token-scope", "account", "--state-dir", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=2).json()
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else ""
                time.sleep(0.2)
        assert health["time_scale"] == 0.5
        assert health["delays"] == {"activation_min_s": 20, "activation_max_s": 90,
                                    "activation_check_interval_s": 60, "activation_propagation_s": 10,
                                    "pending_zone_ttl_s": 28 * 86400, "txt_propagation_s": 30, "seed": 7}
        env = settings(f"http://127.0.0.1:{port}")
        accounts = cloudflare.Cloudflare(api_token="any", base_url=env["CLOUDFLARE_BASE_URL"], max_retries=0).accounts
        assert len(accounts.list().result) == 1  # --token-scope account
    finally:
        _stop(proc)


def test_instant_command_line():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "devtools.sandbox", "--port", str(port), "--instant"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=2).json()
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert (health["delays"]["activation_max_s"], health["delays"]["txt_propagation_s"]) == (0, 0)
    finally:
        _stop(proc)
