"""Namecheap XML API over httpx (no official Python client takes a base URL).

Requests are POSTed as form data so the API key never appears in a URL (or in an httpx
exception that quotes one). Namecheap answers HTTP 200 for errors: the XML says what happened.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import httpx

from factory.domains import split_registrable
from factory.vendors.budget import budget
from factory.vendors.caller import VendorCaller
from factory.vendors.retry import VendorError

VENDOR = "namecheap"
# Per API key: 20 a minute (the stricter reading), 700 an hour, 8,000 a day (vendor-apis.md §2.5).
BUDGET = budget(VENDOR, (20, 60.0, 1.0), (700, 3600.0, 5.0), (8000, 86400.0, 30.0))
NS = {"nc": "http://api.namecheap.com/xml.response"}
# Errors that will not change by retrying: credentials, IP allow-list, domain ownership.
PERMANENT = {"1010101", "1011102", "1010102", "1011150", "1017150", "1017105", "1017101", "2019166", "2016166",
             "2030166", "1019103", "1016103", "1017103"}
EXPLAIN = {
    "1011150": "this server's IP is not on Namecheap's API allow-list",
    "1011102": "the Namecheap API key is invalid or API access is not enabled",
    "2019166": "the domain is not in the Namecheap account",
    "2016166": "the domain is not associated with the Namecheap account",
}


def classify(exc: Exception) -> VendorError | None:
    if isinstance(exc, httpx.TransportError):
        return VendorError(VENDOR, f"cannot reach the API ({type(exc).__name__})", retryable=True)
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        retry_after = exc.response.headers.get("retry-after")
        return VendorError(VENDOR, f"HTTP {status}", retryable=status >= 500 or status == 429,
                           retry_after=float(retry_after) if retry_after else None, status=status)
    return None


@dataclass(frozen=True)
class NameserverState:
    domain: str
    using_our_dns: bool
    nameservers: list[str]


@dataclass(frozen=True)
class Registration:
    """A domain's registration as the registrar sees it (getList / getInfo)."""

    domain: str
    expires: dt.date | None
    auto_renew: bool | None  # getInfo does not say; getList does
    expired: bool


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


class NamecheapClient:
    def __init__(self, http: httpx.Client, api_url: str, params: dict[str, str], call: VendorCaller):
        self._http = http
        self._url = api_url  # exactly as configured: no trailing slash added
        self._params = params
        self._call = call

    def _command(self, command: str, **params: str) -> ET.Element:
        def send() -> ET.Element:
            response = self._http.post(self._url, data={**self._params, "Command": command, **params})
            response.raise_for_status()
            try:
                root = ET.fromstring(response.content)
            except ET.ParseError:
                raise VendorError(VENDOR, "the API answered with malformed XML", retryable=True) from None
            if root.get("Status") != "OK":
                errors = root.findall("nc:Errors/nc:Error", NS)
                number = errors[0].get("Number", "") if errors else ""
                text = errors[0].text if errors else "unknown error"
                message = EXPLAIN.get(number, text)
                retry_after = response.headers.get("retry-after")
                raise VendorError(VENDOR, f"{message} (error {number}: {text})", code=number,
                                  retryable=number not in PERMANENT,
                                  retry_after=float(retry_after) if retry_after else None)
            return root

        return self._call(send, command)

    def get_nameservers(self, domain: str) -> NameserverState:
        sld, tld = split_registrable(domain)
        root = self._command("namecheap.domains.dns.getList", SLD=sld, TLD=tld)
        result = root.find(".//nc:DomainDNSGetListResult", NS)
        servers = [n.text.lower() for n in result.findall("nc:Nameserver", NS) if n.text] if result is not None else []
        using = (result.get("IsUsingOurDNS", "false") if result is not None else "false") == "true"
        return NameserverState(domain, using, servers)

    def registrations(self, page_size: int = 100) -> dict[str, Registration]:
        """Every domain of the account with its expiry and auto-renew flag (namecheap.domains.getList,
        100 a page: one call per 100 domains, where getInfo would cost one per domain)."""
        found: dict[str, Registration] = {}
        page = 1
        while True:
            root = self._command("namecheap.domains.getList", ListType="ALL", Page=str(page), PageSize=str(page_size))
            for item in root.findall(".//nc:DomainGetListResult/nc:Domain", NS):
                name = (item.get("Name") or "").lower()
                found[name] = Registration(name, _date(item.get("Expires")), item.get("AutoRenew") == "true",
                                           item.get("IsExpired") == "true")
            total = root.findtext(".//nc:Paging/nc:TotalItems", default="0", namespaces=NS)
            if page * page_size >= int(total or 0):
                return found
            page += 1

    def registration(self, domain: str) -> Registration:
        """One domain's registration (namecheap.domains.getInfo); auto-renew is not in getInfo."""
        root = self._command("namecheap.domains.getInfo", DomainName=domain)
        result = root.find(".//nc:DomainGetInfoResult", NS)
        expires = _date(result.findtext("nc:DomainDetails/nc:ExpiredDate", namespaces=NS)) if result is not None \
            else None
        status = result.get("Status", "") if result is not None else ""
        return Registration(domain, expires, None, status.lower() == "expired")

    def set_default_nameservers(self, domain: str) -> None:
        """Back to the registrar's own DNS (namecheap.domains.dns.setDefault)."""
        sld, tld = split_registrable(domain)
        root = self._command("namecheap.domains.dns.setDefault", SLD=sld, TLD=tld)
        result = root.find(".//nc:DomainDNSSetDefaultResult", NS)
        if result is None or result.get("Updated") != "true":
            raise VendorError(VENDOR, f"setDefault did not confirm the update for {domain}")

    def set_nameservers(self, domain: str, nameservers: list[str]) -> None:
        if len(nameservers) < 2:
            raise VendorError(VENDOR, "Namecheap needs at least two nameservers")
        sld, tld = split_registrable(domain)
        root = self._command("namecheap.domains.dns.setCustom", SLD=sld, TLD=tld, Nameservers=",".join(nameservers))
        result = root.find(".//nc:DomainDNSSetCustomResult", NS)
        if result is None or result.get("Updated") != "true":
            raise VendorError(VENDOR, f"setCustom did not confirm the update for {domain}")


def global_params(api_user: str, api_key: str, username: str | None, client_ip: str) -> dict[str, str]:
    return {"ApiUser": api_user, "ApiKey": api_key, "UserName": username or api_user, "ClientIp": client_ip}
