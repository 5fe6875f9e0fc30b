"""Namecheap XML simulator through httpx (the product's thin client)."""
from __future__ import annotations

NS = "{http://api.namecheap.com/xml.response}"


def _err(root):
    e = root.find(f"{NS}Errors/{NS}Error")
    return (e.get("Number"), e.text) if e is not None else None


def test_set_custom_and_get_list(namecheap):
    root = namecheap("namecheap.domains.dns.setCustom", SLD="example", TLD="com",
                     Nameservers="ada.ns.cloudflare.com,bob.ns.cloudflare.com")
    assert root.get("Status") == "OK"
    res = root.find(f"{NS}CommandResponse/{NS}DomainDNSSetCustomResult")
    assert res.get("Domain") == "example.com" and res.get("Updated") == "true"
    assert namecheap.last.headers["content-type"].startswith("text/xml")
    got = namecheap("namecheap.domains.dns.getList", SLD="example", TLD="com")
    r = got.find(f"{NS}CommandResponse/{NS}DomainDNSGetListResult")
    assert r.get("IsUsingOurDNS") == "false"
    assert [n.text for n in r.findall(f"{NS}Nameserver")] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    # command names are case-insensitive, and co.uk style TLDs work
    ok = namecheap("namecheap.domains.dns.setcustom", SLD="shop", TLD="co.uk", Nameservers="a.x.com,b.x.com")
    assert ok.get("Status") == "OK"
    lst = namecheap("namecheap.domains.getList")
    names = [d.get("Name") for d in lst.iter(f"{NS}Domain")]
    assert names == ["example.com", "shop.co.uk"]


def test_error_codes_http_200(namecheap, env):
    cases = [
        ({"SLD": "notmine-site", "TLD": "com", "Nameservers": "a.b.com,c.d.com"}, "2019166"),
        ({"SLD": "notassoc1", "TLD": "com", "Nameservers": "a.b.com,c.d.com"}, "2016166"),
        ({"SLD": "example", "TLD": "com", "Nameservers": "only.one.com"}, "2011170"),
        ({"SLD": "example", "TLD": "com", "Nameservers": "a.b.com,c.d.com", "ClientIp": "198.51.100.7"}, "1011150"),
        ({"SLD": "example", "TLD": "com", "Nameservers": "a.b.com,c.d.com", "ApiKey": "revoked-key"}, "1011102"),
        ({"SLD": "example", "TLD": "com", "ApiUser": ""}, "1010101"),
    ]
    for params, code in cases:
        root = namecheap("namecheap.domains.dns.setCustom", **params)
        assert root.get("Status") == "ERROR", params
        assert _err(root)[0] == code, (params, _err(root))
        assert root.find(f"{NS}CommandResponse") is None
    root = namecheap("namecheap.domains.dns.setCustom", SLD="example", TLD="com", Nameservers="a.b.com,c.d.com",
                     ClientIp="198.51.100.7")
    assert _err(root) == ("1011150", "Invalid request IP: 198.51.100.7")
