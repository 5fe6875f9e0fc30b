"""Site Verification sees a DNS_TXT token only through an active zone and after propagation
(google-api-python-client + the cloudflare SDK against the sandbox)."""
from __future__ import annotations

import time

import cloudflare
import httpx
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from devtools.sandbox import SandboxServer, settings

NOT_FOUND = "The necessary verification token could not be found on your site."


def _verification(env):
    creds = Credentials(token=None, refresh_token=env["GOOGLE_REFRESH_TOKEN"], client_id=env["GOOGLE_CLIENT_ID"],
                        client_secret=env["GOOGLE_CLIENT_SECRET"], token_uri=env["GOOGLE_TOKEN_URI"])
    return build("siteVerification", "v1", credentials=creds, static_discovery=True, cache_discovery=False,
                 client_options={"api_endpoint": env["GOOGLE_SITE_VERIFICATION_API_ENDPOINT"]})


def _delegate(env, domain, nameservers):
    sld, tld = domain.split(".", 1)
    httpx.post(env["NAMECHEAP_API_URL"], data={
        "ApiUser": env["NAMECHEAP_API_USER"], "ApiKey": env["NAMECHEAP_API_KEY"], "UserName": env["NAMECHEAP_USERNAME"],
        "ClientIp": env["NAMECHEAP_CLIENT_IP"], "Command": "namecheap.domains.dns.setCustom", "SLD": sld, "TLD": tld,
        "Nameservers": ",".join(nameservers)}).raise_for_status()


def _insert(sv, domain):
    site = {"type": "INET_DOMAIN", "identifier": domain}
    return sv.webResource().insert(verificationMethod="DNS_TXT", body={"site": site}).execute()


def _refused(sv, domain):
    with pytest.raises(HttpError) as ei:
        _insert(sv, domain)
    assert ei.value.resp.status == 400
    assert ei.value.error_details[0]["message"] == NOT_FOUND
    assert ei.value.error_details[0]["reason"] == "badRequest"


def _token(sv, domain):
    body = {"site": {"type": "INET_DOMAIN", "identifier": domain}, "verificationMethod": "DNS_TXT"}
    return sv.webResource().getToken(body=body).execute()["token"]


def test_txt_is_visible_after_activation_and_propagation():
    scale = 0.002  # the default 300 s of propagation -> 0.6 s real
    with SandboxServer(time_scale=scale, activation_min_s=0, activation_max_s=0) as sb:
        env = settings(sb.url)
        sv = _verification(env)
        cf = cloudflare.Cloudflare(api_token=env["CLOUDFLARE_API_TOKEN"], base_url=env["CLOUDFLARE_BASE_URL"],
                                   max_retries=0)
        acct = env["CLOUDFLARE_ACCOUNT_ID"]

        # TXT written while the zone is pending: visible `txt_propagation_s` after activation.
        z = cf.zones.create(account={"id": acct}, name="early.com")
        cf.dns.records.create(zone_id=z.id, type="TXT", name="@", content=_token(sv, "early.com"), ttl=1)
        time.sleep(300 * scale + 0.1)
        _refused(sv, "early.com")  # the zone is pending: the registrar still points elsewhere
        _delegate(env, "early.com", z.name_servers)
        activated = time.time()  # at the latest
        assert cf.zones.get(zone_id=z.id).status == "active"
        _refused(sv, "early.com")  # active, but Google's resolvers have not seen it yet
        time.sleep(max(0.0, activated + 300 * scale + 0.05 - time.time()))
        assert _insert(sv, "early.com")["site"]["identifier"] == "early.com"

        # TXT written on an active zone: visible `txt_propagation_s` after it was written.
        z2 = cf.zones.create(account={"id": acct}, name="late.com")
        _delegate(env, "late.com", z2.name_servers)
        time.sleep(300 * scale + 0.1)
        cf.dns.records.create(zone_id=z2.id, type="TXT", name="@", content=_token(sv, "late.com"), ttl=1)
        written = time.time()  # at the latest
        _refused(sv, "late.com")
        time.sleep(max(0.0, written + 300 * scale + 0.05 - time.time()))
        _insert(sv, "late.com")
        assert sb.stats()["google"]["verification"] == {"verified": 2, "token_not_found": 3}


def test_instant_vendors_verify_at_once():
    with SandboxServer(time_scale=0.02, instant=True) as sb:
        env = settings(sb.url)
        sv = _verification(env)
        cf = cloudflare.Cloudflare(api_token=env["CLOUDFLARE_API_TOKEN"], base_url=env["CLOUDFLARE_BASE_URL"],
                                   max_retries=0)
        z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="quick.com")
        cf.dns.records.create(zone_id=z.id, type="TXT", name="@", content=_token(sv, "quick.com"), ttl=1)
        _delegate(env, "quick.com", z.name_servers)
        assert _insert(sv, "quick.com")["id"] == "dns%3A%2F%2Fquick.com"
