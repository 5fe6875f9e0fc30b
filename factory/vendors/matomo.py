"""Matomo Reporting API over httpx: POST form with token_auth in the body (vendor-apis.md §4).

Matomo answers most errors with HTTP 200 and {"result": "error"}; those are not retried.
"""

from __future__ import annotations

from typing import Any

import httpx

from factory.vendors.budget import budget
from factory.vendors.caller import VendorCaller
from factory.vendors.retry import VendorError

VENDOR = "matomo"
# Self-hosted Matomo documents no limit; the budget is a setting (0 = none), still shared by all runs.
def matomo_budget(per_minute: int):
    return budget(VENDOR, (per_minute, 60.0, 0.5))


def classify(exc: Exception) -> VendorError | None:
    if isinstance(exc, httpx.TransportError):
        return VendorError(VENDOR, f"cannot reach Matomo ({type(exc).__name__})", retryable=True)
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        if status == 401:
            return VendorError(VENDOR, "the Matomo token was refused (needs superuser access)", status=status)
        retry_after = exc.response.headers.get("retry-after")
        return VendorError(VENDOR, f"HTTP {status}", retryable=status >= 500 or status == 429,
                           retry_after=float(retry_after) if retry_after else None, status=status)
    return None


def site_url(domain: str) -> str:
    return f"https://{domain}"


class MatomoClient:
    def __init__(self, http: httpx.Client, token: str, call: VendorCaller):
        self._http = http
        self._token = token
        self._call = call

    def api(self, method: str, **params: Any) -> Any:
        def send() -> Any:
            response = self._http.post("index.php", data={
                "module": "API", "method": method, "format": "JSON", "format_metrics": "0",
                "token_auth": self._token, **params,
            })
            if response.status_code == 401:
                response.raise_for_status()
            response.raise_for_status()
            try:
                body = response.json()
            except ValueError:
                raise VendorError(VENDOR, f"{method} answered with malformed JSON", retryable=True) from None
            if isinstance(body, dict) and body.get("result") == "error":
                raise VendorError(VENDOR, f"{method}: {body.get('message', 'error')}")
            return body

        return self._call(send, method)

    def find_site(self, domain: str) -> int | None:
        rows = self.api("SitesManager.getSitesIdFromSiteUrl", url=site_url(domain))
        ids = sorted(int(r["idsite"]) for r in rows or [])
        return ids[0] if ids else None

    def add_site(self, domain: str, name: str) -> int:
        body = self.api("SitesManager.addSite", siteName=name, **{"urls[0]": site_url(domain),
                                                                  "urls[1]": f"https://www.{domain}"},
                        timezone="UTC", currency="USD")
        return int(body["value"])

    def all_sites(self) -> dict[str, int]:
        """Every Matomo site by its main URL (one request for the whole fleet)."""
        rows = self.api("SitesManager.getAllSites")
        found: dict[str, int] = {}
        for row in rows.values() if isinstance(rows, dict) else rows or []:
            url = str(row.get("main_url", "")).rstrip("/")
            found.setdefault(url, int(row["idsite"]))
        return found

    def delete_site(self, site_id: int) -> None:
        self.api("SitesManager.deleteSite", idSite=str(site_id))

    def visits(self, start: str, end: str) -> Any:
        """nb_visits of every site for every day from start to end (inclusive), in one request.

        Shape (vendor-apis.md §4.5): {"<idsite>": {"YYYY-MM-DD": {"nb_visits": n} or []}}.
        """
        return self.api("VisitsSummary.get", idSite="all", period="day", date=f"{start},{end}", columns="nb_visits")
