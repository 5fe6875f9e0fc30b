"""Cloudflare simulator through the official `cloudflare` SDK (max_retries=0)."""
from __future__ import annotations

import cloudflare
import httpx
import pytest

from devtools.sandbox.cloudflare import account_id_for


def _zone(cf, env, name):
    return cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name=name, type="full")


def test_zone_create_get_list_and_duplicate(cf, env):
    z = _zone(cf, env, "Example.com")
    assert z.name == "example.com" and z.status == "pending"
    assert len(z.name_servers) == 2 and all(n.endswith(".ns.cloudflare.com") for n in z.name_servers)
    assert z.account.id == env["CLOUDFLARE_ACCOUNT_ID"]
    assert cf.zones.get(zone_id=z.id).name == "example.com"
    found = list(cf.zones.list(name="example.com", account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}))
    assert [x.id for x in found] == [z.id]
    with pytest.raises(cloudflare.BadRequestError) as ei:
        _zone(cf, env, "example.com")
    assert ei.value.status_code == 400
    assert ei.value.errors[0].code == 1061
    assert ei.value.errors[0].message == "example.com already exists"


def test_pagination_past_last_page_is_empty(cf, env, http):
    names = [f"site{i:02d}.com" for i in range(23)]
    for n in names:
        _zone(cf, env, n)
    # SDK auto-pagination terminates because the page after the last one is empty
    assert sorted(z.name for z in cf.zones.list(per_page=10)) == names
    hdr = {"Authorization": f"Bearer {env['CLOUDFLARE_API_TOKEN']}"}
    r = http.get(env["CLOUDFLARE_BASE_URL"] + "/zones", params={"page": 4, "per_page": 10}, headers=hdr).json()
    assert r["success"] is True and r["result"] == []
    assert r["result_info"] == {"page": 4, "per_page": 10, "count": 0, "total_count": 23, "total_pages": 3}
    r3 = http.get(env["CLOUDFLARE_BASE_URL"] + "/zones", params={"page": 3, "per_page": 10}, headers=hdr).json()
    assert r3["result_info"]["count"] == 3


def test_tokens_are_isolated_and_revoked_rejected(cf, env):
    z = _zone(cf, env, "mine.com")
    other = cloudflare.Cloudflare(api_token="other-token", base_url=env["CLOUDFLARE_BASE_URL"], max_retries=0)
    assert list(other.zones.list(name="mine.com")) == []
    with pytest.raises(cloudflare.NotFoundError):
        other.zones.get(zone_id=z.id)
    # the other account may hold its own zone of the same name
    oz = other.zones.create(account={"id": account_id_for("other-token")}, name="mine.com")
    assert oz.id != z.id
    with pytest.raises(cloudflare.PermissionDeniedError):
        other.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="x.com")
    revoked = cloudflare.Cloudflare(api_token="revoked-123", base_url=env["CLOUDFLARE_BASE_URL"], max_retries=0)
    with pytest.raises(cloudflare.PermissionDeniedError) as ei:
        list(revoked.zones.list())
    assert ei.value.status_code == 403 and ei.value.errors[0].code == 10000


def test_dns_records_crud_and_duplicates(cf, env):
    z = _zone(cf, env, "example.com")
    a = cf.dns.records.create(zone_id=z.id, type="A", name="@", content="203.0.113.10", proxied=True, ttl=1)
    assert a.name == "example.com" and a.proxied is True and a.ttl == 1
    www = cf.dns.records.create(zone_id=z.id, type="CNAME", name="www", content="example.com", proxied=True, ttl=1)
    assert www.name == "www.example.com"
    with pytest.raises(cloudflare.BadRequestError) as ei:
        cf.dns.records.create(zone_id=z.id, type="A", name="example.com", content="203.0.113.10", ttl=1)
    assert ei.value.errors[0].code == 81058
    assert ei.value.errors[0].message == "An identical record already exists."
    with pytest.raises(cloudflare.BadRequestError) as ei:
        cf.dns.records.create(zone_id=z.id, type="CNAME", name="www", content="other.example.net", ttl=1)
    assert ei.value.errors[0].code == 81057
    with pytest.raises(cloudflare.BadRequestError) as ei:
        cf.dns.records.create(zone_id=z.id, type="A", name="www", content="203.0.113.11", ttl=1)
    assert ei.value.errors[0].code == 81053

    listed = list(cf.dns.records.list(zone_id=z.id, type="A", name={"exact": "example.com"}))
    assert [r.id for r in listed] == [a.id]
    assert len(list(cf.dns.records.list(zone_id=z.id))) == 2

    upd = cf.dns.records.update(a.id, zone_id=z.id, type="A", name="@", content="203.0.113.20", proxied=True, ttl=1)
    assert upd.content == "203.0.113.20"
    ed = cf.dns.records.edit(a.id, zone_id=z.id, type="A", name="@", content="203.0.113.21", ttl=1)
    assert ed.content == "203.0.113.21" and ed.proxied is True
    assert cf.dns.records.delete(a.id, zone_id=z.id).id == a.id
    with pytest.raises(cloudflare.NotFoundError):
        cf.dns.records.get(a.id, zone_id=z.id)


def test_ssl_setting_and_activation_via_namecheap(cf, env, namecheap, sb):
    z = _zone(cf, env, "example.com")
    assert cf.zones.settings.edit("ssl", zone_id=z.id, value="full").value == "full"
    assert cf.zones.settings.get("ssl", zone_id=z.id).value == "full"
    with pytest.raises(cloudflare.BadRequestError):
        cf.zones.settings.edit("ssl", zone_id=z.id, value="bogus")
    assert cf.zones.get(zone_id=z.id).status == "pending"
    namecheap("namecheap.domains.dns.setCustom", SLD="example", TLD="com", Nameservers=",".join(z.name_servers))
    got = cf.zones.get(zone_id=z.id)
    assert got.status == "active" and got.activated_on is not None
    status = httpx.get(f"{sb.url}/_sandbox/cloudflare/zone-status", params={"name": "www.example.com"}).json()
    assert status["status"] == "active" and status["zone"] == "example.com"
    assert sb.state["cloudflare"]["zones"][0]["status"] == "active"
