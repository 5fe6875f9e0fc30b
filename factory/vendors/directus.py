"""A small Directus REST client (vendor-apis.md §6) for the one multi-tenant content instance.

Schema: `sites` (one row per domain) and `pages` (many per site, unique per (site, slug) via the
`key` field "<domain>/<slug>", since Directus' API only offers single-column uniqueness).
`ensure_schema` creates what is missing and nothing else, looking up before creating.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from factory.vendors.budget import budget
from factory.vendors.caller import VendorCaller
from factory.vendors.retry import RetryPolicy, VendorError
from factory.vendors.tls import ssl_context

SITES, PAGES = "sites", "pages"
EDITABLE_FIELDS = ("title", "nav_label", "nav_order", "seo_description", "body")


def _readonly(note: str) -> dict:
    return {"interface": "input", "readonly": True, "note": note, "width": "half"}


# (collection, field, type, meta, schema) in creation order.
FIELDS: tuple[tuple[str, str, str, dict, dict], ...] = (
    (SITES, "domain", "string", {"interface": "input", "required": True, "width": "half"},
     {"is_unique": True, "is_nullable": False}),
    (SITES, "brand_name", "string", {"interface": "input", "width": "half"}, {}),
    (SITES, "tagline", "string", {"interface": "input", "width": "full"}, {}),
    (SITES, "content_model", "string", _readonly("Model of the last generation"), {}),
    (SITES, "content_prompt_version", "string", _readonly("Prompt template version of the last generation"), {}),
    (SITES, "content_hash", "string", _readonly("Hash of the last generated plan"), {}),
    (SITES, "archived_at", "timestamp", _readonly("When the site was decommissioned; its pages are kept, archived"),
     {}),
    (PAGES, "key", "string", {"interface": "input", "hidden": True, "readonly": True},
     {"is_unique": True, "is_nullable": False}),
    (PAGES, "site", "integer", {"interface": "select-dropdown-m2o", "special": ["m2o"], "required": True,
                                "display_options": None, "options": {"template": "{{domain}}"}, "width": "half"},
     {"is_nullable": False}),
    (PAGES, "slug", "string", {"interface": "input", "required": True, "width": "half",
                               "note": "URL path: lower-case words joined by hyphens; 'home' is the front page"},
     {"is_nullable": False}),
    (PAGES, "status", "string", {"interface": "select-dropdown", "width": "half", "options": {"choices": [
        {"text": "Published", "value": "published"}, {"text": "Draft", "value": "draft"}]}},
     {"default_value": "published", "is_nullable": False}),
    (PAGES, "nav_order", "integer", {"interface": "input", "width": "half"}, {"default_value": 0}),
    (PAGES, "title", "string", {"interface": "input", "required": True, "width": "full"}, {}),
    (PAGES, "nav_label", "string", {"interface": "input", "width": "half"}, {}),
    (PAGES, "seo_description", "text", {"interface": "input-multiline", "width": "full",
                                        "note": "Meta description shown by search engines (50-160 characters)"}, {}),
    (PAGES, "body", "text", {"interface": "input-rich-text-md", "width": "full"}, {}),
    (PAGES, "generated_hash", "string", {"interface": "input", "hidden": True, "readonly": True,
                                         "note": "Hash of the generated text; differs from the page once edited"}, {}),
)
COLLECTION_META = {
    SITES: {"icon": "public", "note": "One row per site of the fleet (keyed by domain)", "display_template": "{{domain}}"},
    PAGES: {"icon": "article", "note": "Pages of every site", "display_template": "{{site.domain}}/{{slug}}",
            "sort_field": "nav_order"},
}


VENDOR = "directus"
# Characters of domains in one filtered GET: Directus (Node) refuses request headers over 16 KB with
# HTTP 431, which the domains of a build batch of 1,000 sites exceeded (commas are sent as %2C).
DOMAIN_CHARS_PER_REQUEST = 6000


def _chunks(domains: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    size = DOMAIN_CHARS_PER_REQUEST
    for domain in domains:
        if size + len(domain) + 3 > DOMAIN_CHARS_PER_REQUEST:
            chunks.append([])
            size = 0
        chunks[-1].append(domain)
        size += len(domain) + 3
    return chunks


def directus_budget(per_second: int):
    """Directus's own limiter, when enabled, allows 50 requests a second per IP (vendor-apis.md §6.5)."""
    return budget(VENDOR, (per_second, 1.0, 0.05))


class DirectusError(VendorError):
    def __init__(self, status: int, code: str | None, message: str):
        super().__init__(VENDOR, f"HTTP {status}{f' {code}' if code else ''}: {message}", code=code, status=status,
                         retryable=status == 0 or status == 429 or status >= 500)


class DirectusClient:
    def __init__(self, url: str, token: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
                 call: VendorCaller | None = None):
        self._http = httpx.Client(
            base_url=url.rstrip("/"), timeout=timeout, transport=transport, verify=ssl_context(),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        # Without a shared budget (tests, one-off tools) calls are still retried by the same rules.
        self._call = call or VendorCaller(None, None, token, RetryPolicy(max_attempts=4), lambda exc: None)

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plumbing ---------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, missing_ok: bool = False, **kwargs) -> Any:
        return self._call(lambda: self._send(method, path, missing_ok=missing_ok, **kwargs), f"{method} {path}")

    def _send(self, method: str, path: str, *, missing_ok: bool = False, **kwargs) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise DirectusError(0, None, f"could not reach Directus ({type(exc).__name__})") from None
        if response.status_code == 204:
            return None
        # Directus answers 403 for anything that does not exist (it never reveals existence).
        if missing_ok and response.status_code == 403:
            return None
        if response.status_code >= 400:
            try:
                err = response.json()["errors"][0]
                code, message = err.get("extensions", {}).get("code"), err.get("message", "")
            except (ValueError, KeyError, IndexError, TypeError):
                code, message = None, response.text[:200]
            raise DirectusError(response.status_code, code, message)
        return response.json().get("data")

    def ping(self) -> bool:
        try:
            return self._http.get("/server/ping").status_code == 200
        except httpx.HTTPError:
            return False

    # -- schema -----------------------------------------------------------------------------
    def ensure_schema(self) -> list[str]:
        """Create the content collections, fields and relation if missing; return what was created.
        Several runs may do this at once on a fresh Directus: what another created first counts."""
        created = []
        for collection in (SITES, PAGES):
            where = f"/collections/{collection}"
            if self._create(where, "/collections", {"collection": collection, "meta": COLLECTION_META[collection],
                                                    "schema": {}}):
                created.append(collection)
        for collection, field, type_, meta, schema in FIELDS:
            if self._create(f"/fields/{collection}/{field}", f"/fields/{collection}",
                            {"field": field, "type": type_, "meta": meta, "schema": schema or {}}):
                created.append(f"{collection}.{field}")
        if self._create(f"/relations/{PAGES}/site", "/relations",
                        {"collection": PAGES, "field": "site", "related_collection": SITES,
                         "meta": {"one_field": None}, "schema": {"on_delete": "CASCADE"}}):
            created.append("pages.site -> sites")
        return created

    def _exists(self, where: str) -> bool:
        return self._request("GET", where, missing_ok=True) is not None

    def _create(self, where: str, path: str, body: dict) -> bool:
        """POST a schema object unless `where` already answers; False if it exists, also when a
        concurrent run created it first (Directus then answers 400 "already exists" or "already has
        an associated relationship", or 500 from the database's "column ... already exists")."""
        if self._exists(where):
            return False
        for post in (self._send, self._request):  # once; then with the usual retry rules
            try:
                post("POST", path, json=body)
                return True
            except DirectusError:
                if self._appeared(where):
                    return False
                if post == self._request:
                    raise
        raise AssertionError("unreachable")

    def _appeared(self, where: str, within_s: float = 3.0) -> bool:
        """Whether a concurrent creator made `where` (it may still be finishing: a field's column
        exists a moment before its metadata)."""
        deadline = time.monotonic() + within_s
        while True:
            if self._exists(where):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.3)

    # -- items ------------------------------------------------------------------------------
    def sites(self, domains: Sequence[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for chunk in _chunks(list(domains)):
            rows = self._request("GET", f"/items/{SITES}", params={
                "filter[domain][_in]": ",".join(chunk), "limit": "-1", "fields": "*"})
            found.update({row["domain"]: row for row in rows or []})
        return found

    def upsert_site(self, domain: str, values: dict[str, Any]) -> dict:
        existing = self.sites([domain]).get(domain)
        if existing is None:
            try:
                return self._request("POST", f"/items/{SITES}", json={"domain": domain, **values})
            except DirectusError as exc:
                if exc.code != "RECORD_NOT_UNIQUE":
                    raise
                existing = self.sites([domain])[domain]  # a concurrent run created it first
        changed = {k: v for k, v in values.items() if existing.get(k) != v}
        return self._request("PATCH", f"/items/{SITES}/{existing['id']}", json=changed) if changed else existing

    def pages(self, domains: Iterable[str], *, published_only: bool = False) -> dict[str, list[dict]]:
        """Pages by domain (one request for a few hundred sites)."""
        domains = list(domains)
        out: dict[str, list[dict]] = {d: [] for d in domains}
        for chunk in _chunks(domains):
            params = {"filter[site][domain][_in]": ",".join(chunk), "limit": "-1",
                      "fields": "*,site.domain", "sort": "nav_order,slug"}
            if published_only:
                params["filter[status][_eq]"] = "published"
            for row in self._request("GET", f"/items/{PAGES}", params=params) or []:
                out.setdefault(row["site"]["domain"], []).append(row)
        return out

    def create_page(self, values: dict[str, Any]) -> dict:
        return self._request("POST", f"/items/{PAGES}", json=values)

    def update_page(self, page_id: int, values: dict[str, Any]) -> dict:
        return self._request("PATCH", f"/items/{PAGES}/{page_id}", json=values)

    def archive_site(self, domain: str, when: str) -> int:
        """Mark the site archived and its pages `archived` (kept, never built again); idempotent.
        Returns how many pages were archived now."""
        existing = self.sites([domain]).get(domain)
        if existing is None:
            return 0
        pages = [p for p in self.pages([domain])[domain] if p.get("status") != "archived"]
        for page in pages:
            self.update_page(page["id"], {"status": "archived"})
        if not existing.get("archived_at"):
            self._request("PATCH", f"/items/{SITES}/{existing['id']}", json={"archived_at": when})
        return len(pages)

    def delete_site(self, domain: str) -> None:
        existing = self.sites([domain]).get(domain)
        if existing is not None:
            self._request("DELETE", f"/items/{SITES}/{existing['id']}")
