"""Google simulators: OAuth token endpoint, Site Verification v1, Search Console v1
(vendor-apis.md §5, Appendix A).

Accounts: each refresh token is one Google account (refresh tokens starting
with "revoked" → 400 invalid_grant). Access tokens are bound to that account.
Site Verification DNS_TXT succeeds only if the Cloudflare simulator holds a TXT
record at the apex whose content is the token (quotes ignored) in a zone that
is active, and Google's resolvers have seen it: `Delays.txt_propagation_s` after
the record was written or its zone activated, whichever is later
(`require_active_zone=False` accepts pending zones and skips the wait).
Search Console: sites.add needs a verified domain; searchanalytics.query data
come from sandbox.traffic.gsc_metrics with Search Console's lag relative to
the server's today: today-1 and today-2 missing, today-3 at 60 %
(dataState "all": today-2 at 40 %, today-1 at 20 %).
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import date as Date
from datetime import timedelta
from urllib.parse import quote, unquote

from .clock import Clock
from .delays import Delays
from .traffic import gsc_metrics, normalize_domain
from .wire import Request, Response, first, json_response

CLIENT_ID = "sandbox-client-id.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_SCOPE = "https://www.googleapis.com/auth/webmasters https://www.googleapis.com/auth/siteverification"
FINAL_LAG_DAYS = 2            # days before today-2 are final (2-3 days late)
PARTIAL = {2: 0.6}            # dataState=final: today-2 is partial
PARTIAL_ALL = {2: 0.6, 1: 0.3}  # dataState=all adds fresh data
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
REASONS = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound", 429: "rateLimitExceeded",
           500: "backendError", 503: "backendError"}


def gerror(status: int, message: str, reason: str | None = None, headers=None) -> Response:
    """Google's JSON error body (googleapiclient.errors.HttpError parses it)."""
    return json_response({"error": {"code": status, "message": message,
                                    "errors": [{"message": message, "domain": "global",
                                                "reason": reason or REASONS.get(status, "unknown")}],
                                    "status": STATUS_NAMES.get(status, "UNKNOWN")}}, status, headers)


def account_email(refresh_token: str) -> str:
    return f"owner-{hashlib.sha256(refresh_token.encode()).hexdigest()[:10]}@sandbox.test"


def verification_token(account: str, domain: str) -> str:
    digest = hashlib.sha256(f"gsv|{account}|{domain}".encode()).digest()
    return "google-site-verification=" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _unquote_all(s: str) -> str:
    while True:
        u = unquote(s)
        if u == s:
            return s
        s = u


def permission_denied(site_url: str) -> Response:
    return gerror(403, f"User does not have sufficient permission for site '{site_url}'. "
                       f"See also: https://support.google.com/webmasters/answer/2451999.")


class GoogleSim:
    vendor = "google"

    def __init__(self, clock: Clock, cloudflare=None, require_active_zone: bool = True, delays: Delays | None = None):
        self.clock = clock
        self.cloudflare = cloudflare
        self.require_active_zone = require_active_zone
        self.delays = delays if delays is not None else Delays()
        self.reset()

    def reset(self) -> None:
        self.counters = {"verified": 0, "token_not_found": 0}
        self.access_tokens: dict[str, str] = {}      # access token -> account (refresh token)
        self.verified: dict[tuple[str, str], dict] = {}   # (account, domain) -> webResource
        self.verified_at: dict[str, float] = {}  # domain -> wall time of its first verification (benches' timelines)
        self.gsc_sites: dict[tuple[str, str], dict] = {}  # (account, siteUrl) -> WmxSite

    def dump(self) -> dict:
        return {"access_tokens": dict(self.access_tokens),
                "verified": [{"account": a, "domain": d, **v} for (a, d), v in self.verified.items()],
                "gsc_sites": [{"account": a, **v} for (a, _), v in self.gsc_sites.items()]}

    def load(self, data: dict) -> None:
        self.reset()
        self.access_tokens = dict(data.get("access_tokens", {}))
        for v in data.get("verified", []):
            v = dict(v)
            self.verified[(v.pop("account"), v.pop("domain"))] = v
        for v in data.get("gsc_sites", []):
            v = dict(v)
            acct = v.pop("account")
            self.gsc_sites[(acct, v["siteUrl"])] = v

    # ---- OAuth ---------------------------------------------------------
    def token(self, req: Request) -> Response:
        form = req.form()
        if first(form, "grant_type") != "refresh_token":
            return json_response({"error": "unsupported_grant_type",
                                  "error_description": "Invalid grant_type: " + str(first(form, "grant_type"))}, 400)
        if first(form, "client_id") != CLIENT_ID or first(form, "client_secret") != CLIENT_SECRET:
            return json_response({"error": "invalid_client", "error_description": "Unauthorized"}, 401)
        rt = first(form, "refresh_token") or ""
        if not rt:
            return json_response({"error": "invalid_request", "error_description": "Missing required parameter: refresh_token"}, 400)
        if rt.startswith("revoked"):
            return json_response({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, 400)
        at = "ya29.sandbox-" + secrets.token_urlsafe(24)
        self.access_tokens[at] = rt
        return json_response({"access_token": at, "expires_in": 3599, "token_type": "Bearer",
                              "scope": first(form, "scope") or DEFAULT_SCOPE})

    def account_for(self, req: Request) -> str | None:
        auth = req.header("authorization") or ""
        if not auth.lower().startswith("bearer "):
            return None
        return self.access_tokens.get(auth[7:].strip())

    @staticmethod
    def unauthenticated() -> Response:
        return gerror(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                           "cookie or other valid authentication credential.", "authError",
                      headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})

    # ---- Site Verification v1 -------------------------------------------
    def site_verification(self, req: Request, account: str, rest: list[str]) -> Response:
        m = req.method
        if rest == ["token"] and m == "POST":
            body = req.json()
            site = body.get("site") or {}
            method = body.get("verificationMethod")
            domain, err = self._site_domain(site, method)
            if err:
                return err
            return json_response({"method": method, "token": verification_token(account, domain)})
        if rest == ["webResource"] and m == "POST":
            method = req.q("verificationMethod")
            site = (req.json() or {}).get("site") or {}
            if not method:
                return gerror(400, "Required parameter: verificationMethod", "required")
            domain, err = self._site_domain(site, method)
            if err:
                return err
            return self._verify(account, domain, method)
        if rest == ["webResource"] and m == "GET":
            items = [v for (a, _), v in sorted(self.verified.items()) if a == account]
            return json_response({"items": items} if items else {})
        if len(rest) == 2 and rest[0] == "webResource":
            rid = _unquote_all(rest[1])  # clients re-encode the already-encoded id
            key = next((k for k, v in self.verified.items() if k[0] == account and _unquote_all(v["id"]) == rid), None)
            if key is None:
                return gerror(404, "You are not an owner of this site.", "notFound")
            if m == "GET":
                return json_response(self.verified[key])
            if m == "DELETE":
                del self.verified[key]
                return Response(204, b"")
        return gerror(404, "Not Found", "notFound")

    @staticmethod
    def _site_domain(site: dict, method: str | None) -> tuple[str, Response | None]:
        stype, ident = site.get("type"), (site.get("identifier") or "").strip()
        if not stype or not ident:
            return "", gerror(400, "Required parameter: site", "required")
        if method in ("DNS_TXT", "DNS_CNAME", "DNS") and stype != "INET_DOMAIN":
            return "", gerror(400, f"You cannot use the verification method {method} to verify a site of type {stype}.",
                              "invalid")
        if stype == "INET_DOMAIN" and method not in ("DNS_TXT", "DNS_CNAME", "DNS"):
            return "", gerror(400, f"You cannot use the verification method {method} to verify a site of type {stype}.",
                              "invalid")
        if method != "DNS_TXT":
            return "", gerror(400, f"The sandbox only simulates DNS_TXT verification (got {method}).", "invalid")
        return normalize_domain(ident), None

    def _verify(self, account: str, domain: str, method: str) -> Response:
        token = verification_token(account, domain)
        if not self._token_visible(domain, token):
            self.counters["token_not_found"] += 1
            return gerror(400, "The necessary verification token could not be found on your site.", "badRequest")
        self.counters["verified"] += 1
        owner = account_email(account)
        res = {"id": quote(f"dns://{domain}", safe=""), "site": {"type": "INET_DOMAIN", "identifier": domain},
               "owners": [owner]}
        self.verified[(account, domain)] = res
        self.verified_at.setdefault(domain, self.clock.wall())
        return json_response(res)

    def _token_visible(self, domain: str, token: str) -> bool:
        """Google's resolvers see the TXT through the public delegation, after propagation."""
        wait = self.clock.scaled(self.delays.txt_propagation_s)
        for zone, rec in (self.cloudflare.txt_records(domain) if self.cloudflare else []):
            if rec["content"].strip().strip('"') != token:
                continue
            if not self.require_active_zone:
                return True
            since = self.cloudflare.visible_since(zone, rec)
            if since is not None and self.clock.wall() - since >= wait:
                return True
        return False

    def seed_property(self, refresh_token: str, domain: str) -> str:
        """Test/bench helper: the domain verified and its sc-domain: property added for the account
        (the state onboarding leaves), without the DNS round trip. Returns the property URL."""
        domain = normalize_domain(domain)
        self.verified[(refresh_token, domain)] = {
            "id": quote(f"dns://{domain}", safe=""), "site": {"type": "INET_DOMAIN", "identifier": domain},
            "owners": [account_email(refresh_token)]}
        site_url = f"sc-domain:{domain}"
        self.gsc_sites[(refresh_token, site_url)] = {"siteUrl": site_url, "permissionLevel": "siteOwner"}
        return site_url

    def is_verified(self, account: str, domain: str) -> bool:
        return (account, normalize_domain(domain)) in self.verified

    # ---- Search Console v1 (webmasters/v3 paths) -------------------------
    def search_console(self, req: Request, account: str, rest: list[str]) -> Response:
        m = req.method
        if rest == ["sites"] and m == "GET":
            entries = [v for (a, _), v in sorted(self.gsc_sites.items()) if a == account]
            return json_response({"siteEntry": entries} if entries else {})
        if len(rest) >= 2 and rest[0] == "sites":
            site_url = unquote(rest[1])
            tail = rest[2:]
            if not site_url.startswith(("sc-domain:", "http://", "https://")):
                return gerror(400, f"'{site_url}' is not a valid Search Console site URL.", "invalidParameter")
            if site_url.startswith("http") and not site_url.endswith("/"):
                return gerror(400, f"'{site_url}' is not a valid Search Console site URL.", "invalidParameter")
            domain = normalize_domain(site_url)
            key = (account, site_url)
            if not tail:
                if m == "PUT":
                    if not self.is_verified(account, domain):
                        return permission_denied(site_url)
                    self.gsc_sites[key] = {"siteUrl": site_url, "permissionLevel": "siteOwner"}
                    return Response(200, b"", "application/json")
                if m == "GET":
                    if key not in self.gsc_sites:
                        return permission_denied(site_url)
                    return json_response(self.gsc_sites[key])
                if m == "DELETE":
                    if key not in self.gsc_sites:
                        return permission_denied(site_url)
                    del self.gsc_sites[key]
                    return Response(204, b"")
            if tail == ["searchAnalytics", "query"] and m == "POST":
                if key not in self.gsc_sites or not self.is_verified(account, domain):
                    return permission_denied(site_url)
                return self.query(req, domain)
            if tail and tail[0] == "sitemaps":
                if key not in self.gsc_sites:
                    return permission_denied(site_url)
                if m == "GET" and len(tail) == 1:
                    return json_response({})
                if m == "PUT" and len(tail) == 2:
                    return Response(200, b"", "application/json")
        return gerror(404, "Not Found", "notFound")

    def query(self, req: Request, domain: str) -> Response:
        body = req.json() or {}
        try:
            start = Date.fromisoformat(body["startDate"])
            end = Date.fromisoformat(body["endDate"])
        except (KeyError, ValueError, TypeError):
            return gerror(400, "startDate and endDate are required in YYYY-MM-DD format.", "invalidParameter")
        if end < start:
            return gerror(400, "startDate must be earlier than or equal to endDate.", "invalidParameter")
        dims = [str(d).lower() for d in body.get("dimensions") or []]
        if any(d != "date" for d in dims):
            return gerror(400, f"The sandbox only simulates the 'date' dimension (got {dims}).", "invalidParameter")
        partial = PARTIAL_ALL if str(body.get("dataState", "")).lower() == "all" else PARTIAL
        today = self.clock.today()
        per_day = []
        d = start
        while d <= end:
            age = (today - d).days
            metrics = None
            if age >= FINAL_LAG_DAYS + 1:
                metrics = gsc_metrics(domain, d)
            elif age in partial:
                full = gsc_metrics(domain, d)
                if full:
                    f = partial[age]
                    clicks, impr = float(round(full["clicks"] * f)), float(round(full["impressions"] * f))
                    if impr > 0:
                        metrics = {"clicks": clicks, "impressions": impr, "ctr": clicks / impr,
                                   "position": full["position"]}
            if metrics:
                per_day.append((d, metrics))
            d += timedelta(days=1)
        if dims:
            rows = [{"keys": [day.isoformat()], **met} for day, met in per_day]
        elif per_day:
            clicks = sum(m["clicks"] for _, m in per_day)
            impr = sum(m["impressions"] for _, m in per_day)
            pos = sum(m["position"] * m["impressions"] for _, m in per_day) / impr
            rows = [{"clicks": clicks, "impressions": impr, "ctr": clicks / impr, "position": round(pos, 1)}]
        else:
            rows = []
        start_row = int(body.get("startRow") or 0)
        limit = int(body.get("rowLimit") or 1000)
        rows = rows[start_row: start_row + min(max(limit, 1), 25000)]
        out = {"responseAggregationType": "byProperty"}
        if rows:
            out = {"rows": rows, **out}
        return json_response(out)
