"""Cloudflare v4 through the official `cloudflare` SDK, one client per account token."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import cloudflare
import httpx

from factory.vendors.budget import budget
from factory.vendors.caller import VendorCaller
from factory.vendors.retry import VendorError
from factory.vendors.tls import ssl_context

VENDOR = "cloudflare"
# 1200 requests per 5 minutes per token (vendor-apis.md §1.7); crossing it blocks the token for 5 minutes.
BUDGET = budget(VENDOR, (1200, 300.0, 3.0))
# Errors that mean "this already exists": we look up first, but a concurrent run may win.
ZONE_EXISTS = 1061
RECORD_EXISTS = (81057, 81058)


def _retry_after(response: httpx.Response | None) -> float | None:
    if response is None:
        return None
    ms = response.headers.get("retry-after-ms")
    if ms:
        return float(ms) / 1000
    value = response.headers.get("retry-after")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def classify(exc: Exception) -> VendorError | None:
    if isinstance(exc, cloudflare.APIConnectionError):  # includes timeouts
        return VendorError(VENDOR, f"cannot reach the API ({type(exc).__name__})", retryable=True)
    if isinstance(exc, cloudflare.APIStatusError):
        errors = getattr(exc, "errors", None) or []
        code = errors[0].code if errors else None
        text = "; ".join(f"{e.code} {e.message}" for e in errors) or exc.message
        status = exc.status_code
        if status == 429:
            return VendorError(VENDOR, f"rate limited ({text})", retryable=True,
                               retry_after=_retry_after(exc.response), code=code, status=status)
        if status >= 500 or status == 408:
            return VendorError(VENDOR, f"server error {status}", retryable=True, code=code, status=status)
        if status == 403 and code == 9109:
            # The token is valid but lacks a permission (e.g. Zone:Edit, or account-level access).
            return VendorError(VENDOR, f"the account's API token lacks a permission this call needs ({text}); "
                                       "grant it Zone:Edit and DNS:Edit on the account", code=code, status=status)
        if status in (401, 403):
            return VendorError(VENDOR, f"the account's API token was refused ({text}); replace the token",
                               code=code, status=status)
        return VendorError(VENDOR, f"HTTP {status}: {text}", code=code, status=status)
    return None


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    status: str
    name_servers: list[str]
    activated_on: dt.datetime | None = None  # when Cloudflare activated it (None: not yet)


@dataclass(frozen=True)
class Record:
    id: str
    type: str
    name: str
    content: str
    proxied: bool | None
    modified_on: dt.datetime | None = None  # when it was last written: resolvers see it some time after


def _when(value: object) -> dt.datetime | None:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # Cloudflare's times are UTC


def _zone(z) -> Zone:
    return Zone(z.id, z.name, z.status or "pending", list(z.name_servers or []), _when(getattr(z, "activated_on", None)))


def _record(r) -> Record:
    return Record(r.id, r.type, r.name, r.content, getattr(r, "proxied", None), _when(getattr(r, "modified_on", None)))


class CloudflareClient:
    """The calls the product makes, each budgeted and retried."""

    def __init__(self, sdk: cloudflare.Cloudflare, call: VendorCaller):
        self._sdk = sdk
        self._call = call

    def expect(self, calls: int) -> None:
        """About `calls` requests are coming now (a fleet's reads): budgeted a few dozen at a time."""
        self._call.expect(calls)

    def settle(self) -> None:
        self._call.settle()

    def verify_token(self) -> str:
        """The token's status as Cloudflare sees it (`active`, `disabled`, `expired`); any token may ask."""
        result = self._call(lambda: self._sdk.user.tokens.verify(), "verify token")
        return str(getattr(result, "status", "") or "unknown")

    def find_zone(self, name: str) -> Zone | None:
        page = self._call(lambda: self._sdk.zones.list(name=name, per_page=5), f"find zone {name}")
        for z in page.result:
            if z.name == name:
                return _zone(z)
        return None

    def zones(self, *, status: str | None = None, account_id: str | None = None) -> list[Zone]:
        """Every zone the token sees (optionally of one status / account): 50 per request."""
        params = {"per_page": 50, **({"status": status} if status else {}),
                  **({"account": {"id": account_id}} if account_id else {})}
        found: list[Zone] = []
        page = 1
        while True:
            batch = self._call(lambda: self._sdk.zones.list(page=page, **params).result, "list zones")
            found += [_zone(z) for z in batch]
            if len(batch) < params["per_page"]:
                return found
            page += 1

    def trigger_activation_check(self, zone_id: str) -> None:
        """Ask Cloudflare to look for the delegation now (at most hourly for a Free zone)."""
        self._call(lambda: self._sdk.zones.activation_check.trigger(zone_id=zone_id), "activation check")

    def get_zone(self, zone_id: str) -> Zone:
        z = self._call(lambda: self._sdk.zones.get(zone_id=zone_id), "get zone")
        return _zone(z)

    def create_zone(self, name: str, account_id: str) -> Zone:
        z = self._call(lambda: self._sdk.zones.create(account={"id": account_id}, name=name, type="full"),
                       f"create zone {name}")
        return _zone(z)

    def list_records(self, zone_id: str, type: str, name: str) -> list[Record]:
        page = self._call(
            lambda: self._sdk.dns.records.list(zone_id=zone_id, type=type, name={"exact": name}, per_page=100),
            f"list {type} {name}",
        )
        return [_record(r) for r in page.result]

    def records(self, zone_id: str) -> list[Record]:
        """Every record of the zone (100 per request): one look answers for all of them."""
        found: list[Record] = []
        page = 1
        while True:
            batch = self._call(lambda: self._sdk.dns.records.list(zone_id=zone_id, page=page, per_page=100).result,
                               "list records")
            found += [_record(r) for r in batch]
            if len(batch) < 100:
                return found
            page += 1

    def delete_record(self, zone_id: str, record_id: str) -> None:
        self._call(lambda: self._sdk.dns.records.delete(record_id, zone_id=zone_id), "delete record")

    def delete_zone(self, zone_id: str) -> None:
        self._call(lambda: self._sdk.zones.delete(zone_id=zone_id), "delete zone")

    def create_record(self, zone_id: str, type: str, name: str, content: str, proxied: bool | None) -> Record:
        kwargs = {"proxied": proxied} if proxied is not None else {}
        r = self._call(
            lambda: self._sdk.dns.records.create(zone_id=zone_id, type=type, name=name, content=content, ttl=1, **kwargs),
            f"create {type} {name}",
        )
        return _record(r)

    def update_record(self, zone_id: str, record_id: str, type: str, name: str, content: str,
                      proxied: bool | None) -> Record:
        kwargs = {"proxied": proxied} if proxied is not None else {}
        r = self._call(
            lambda: self._sdk.dns.records.update(record_id, zone_id=zone_id, type=type, name=name, content=content,
                                                  ttl=1, **kwargs),
            f"update {type} {name}",
        )
        return _record(r)

    def get_setting(self, zone_id: str, setting: str) -> str:
        s = self._call(lambda: self._sdk.zones.settings.get(setting, zone_id=zone_id), f"get {setting}")
        return str(s.value)

    def set_setting(self, zone_id: str, setting: str, value: str) -> None:
        self._call(lambda: self._sdk.zones.settings.edit(setting, zone_id=zone_id, value=value), f"set {setting}")


def sdk(api_token: str, base_url: str, timeout_s: float = 30.0) -> cloudflare.Cloudflare:
    """The official client with its own retries off: ours count every attempt against the budget."""
    return cloudflare.Cloudflare(api_token=api_token, base_url=base_url, max_retries=0, timeout=timeout_s,
                                 http_client=cloudflare.DefaultHttpxClient(verify=ssl_context(), timeout=timeout_s))
