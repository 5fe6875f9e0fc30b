"""Google Site Verification v1 and Search Console v1 through google-api-python-client.

Static discovery (no network at build time); endpoints and the token URI are configuration so
the sandbox can stand in. One set of credentials per Google account (its refresh token).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import google.auth.exceptions
import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from factory.vendors.budget import budget
from factory.vendors.caller import VendorCaller
from factory.vendors.retry import VendorError

VENDOR = "google"
SCOPES = ["https://www.googleapis.com/auth/webmasters", "https://www.googleapis.com/auth/siteverification"]
# Search Console's strictest per-user quota (sites.*: 200 per minute), per Google account.
BUDGET = budget(VENDOR, (200, 60.0, 1.0))
# Search Analytics queries have a quota of their own: 1,200 per minute per user (vendor-apis.md §5.6).
SEARCH_ANALYTICS_BUDGET = budget("google-search-analytics", (1200, 60.0, 1.0))
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "RESOURCE_EXHAUSTED"}


def _error_reason(exc: HttpError) -> tuple[str, str]:
    try:
        error = json.loads(exc.content.decode() if isinstance(exc.content, bytes) else exc.content)["error"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", str(exc.reason or "")
    details = error.get("errors") or [{}]
    return details[0].get("reason") or error.get("status", ""), error.get("message", "")


def classify(exc: Exception) -> VendorError | None:
    if isinstance(exc, google.auth.exceptions.RefreshError):
        # google-auth marks a token endpoint that answered 5xx/429 (or timed out) as retryable: the
        # refresh token is fine then; only a refusal (invalid_grant, invalid_client) needs an operator.
        if getattr(exc, "retryable", False):
            return VendorError(VENDOR, "Google's token endpoint is unavailable; will retry", retryable=True)
        return VendorError(VENDOR, "the Google account's refresh token was refused (expired or revoked); "
                                   "re-authorise the account")
    if isinstance(exc, google.auth.exceptions.TransportError | httplib2.HttpLib2Error | OSError | TimeoutError):
        return VendorError(VENDOR, f"cannot reach the API ({type(exc).__name__})", retryable=True)
    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        reason, message = _error_reason(exc)
        retry_after = exc.resp.get("retry-after")
        retryable = status >= 500 or status == 429 or (status == 403 and reason in RATE_REASONS)
        return VendorError(VENDOR, f"HTTP {status} {reason}: {message}".strip(), retryable=retryable,
                           retry_after=float(retry_after) if retry_after else None, code=reason, status=status)
    return None


@dataclass(frozen=True)
class Verification:
    domain: str
    verified: bool
    owners: list[str]


class GoogleClient:
    def __init__(self, verification: Any, search_console: Any, call: VendorCaller):
        self._sv = verification
        self._sc = search_console
        self._call = call

    def verification_token(self, domain: str) -> str:
        body = {"site": {"type": "INET_DOMAIN", "identifier": domain}, "verificationMethod": "DNS_TXT"}
        return self._call(lambda: self._sv.webResource().getToken(body=body).execute(), "getToken")["token"]

    def verified(self) -> dict[str, str]:
        """Every resource the account has verified: identifier -> web resource id."""
        resources = self._call(lambda: self._sv.webResource().list().execute(), "list verified")
        return {r.get("site", {}).get("identifier", ""): r.get("id", "") for r in resources.get("items", [])}

    def is_verified(self, domain: str) -> bool:
        return domain in self.verified()

    def unverify(self, resource_id: str) -> None:
        self._call(lambda: self._sv.webResource().delete(id=resource_id).execute(), "delete verification")

    def delete_property(self, site_url: str) -> None:
        self._call(lambda: self._sc.sites().delete(siteUrl=site_url).execute(), f"delete {site_url}")

    def verify(self, domain: str) -> None:
        body = {"site": {"type": "INET_DOMAIN", "identifier": domain}}
        self._call(lambda: self._sv.webResource().insert(verificationMethod="DNS_TXT", body=body).execute(),
                   f"verify {domain}")

    def properties(self) -> dict[str, str]:
        entries = self._call(lambda: self._sc.sites().list().execute(), "list properties").get("siteEntry", [])
        return {e["siteUrl"]: e.get("permissionLevel", "") for e in entries}

    def add_property(self, site_url: str) -> None:
        self._call(lambda: self._sc.sites().add(siteUrl=site_url).execute(), f"add {site_url}")

    def search_analytics(self, site_url: str, body: dict[str, Any], http: Any = None) -> dict[str, Any]:
        """`http`: the connection to use (httplib2 is not thread-safe: one per thread shares this client)."""
        return self._call(lambda: self._sc.searchanalytics().query(siteUrl=site_url, body=body).execute(http=http),
                          f"searchanalytics {site_url}")


@dataclass(frozen=True)
class GoogleEndpoints:
    """The OAuth client and where Google's APIs are (the simulators' in tests; empty = Google's)."""

    client_id: str
    client_secret: str
    token_uri: str = "https://oauth2.googleapis.com/token"
    site_verification: str = ""
    search_console: str = ""
    timeout_s: float = 30.0

    def credentials(self, refresh_token: str) -> Credentials:
        return Credentials(token=None, refresh_token=refresh_token, client_id=self.client_id,
                           client_secret=self.client_secret, token_uri=self.token_uri, scopes=SCOPES)

    def refresh(self, credentials: Credentials, call: VendorCaller) -> Credentials:
        """Fetch a fresh access token once (threads then share it; a revoked token fails here, once)."""
        call(lambda: credentials.refresh(google_auth_httplib2.Request(httplib2.Http(timeout=self.timeout_s))),
             "token refresh")
        return credentials

    def service(self, name: str, version: str, credentials: Credentials) -> Any:
        endpoint = {"siteVerification": self.site_verification, "searchconsole": self.search_console}[name]
        options = {"api_endpoint": endpoint} if endpoint else None
        return build(name, version, credentials=credentials, static_discovery=True, cache_discovery=False,
                     client_options=options)

    def http(self, credentials: Credentials) -> Any:
        """A connection of one's own over these credentials (for one thread)."""
        return google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=self.timeout_s))

    def client(self, credentials: Credentials, call: VendorCaller, *, verification: bool = True) -> GoogleClient:
        """Search Console (and Site Verification) over these credentials. httplib2 is not
        thread-safe: build one client per thread."""
        sv = self.service("siteVerification", "v1", credentials) if verification else None
        return GoogleClient(sv, self.service("searchconsole", "v1", credentials), call)
