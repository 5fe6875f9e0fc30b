"""Item 5: what answers without sign-in. Liveness only (no database query, no outbound call,
no host names); the detailed health after sign-in; in production the OpenAPI document needs a
token (or is off by FACTORY_API_DOCS), while local defaults stay open."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from factory.store import Store
from hub_api.main import create_app
from tests.hub_api.conftest import hub_settings


# The vendor URLs a detailed health check would probe (factory.config.Settings.vendor_urls).
VENDOR_URL_SETTINGS = ("CLOUDFLARE_BASE_URL", "NAMECHEAP_API_URL", "MATOMO_URL", "GOOGLE_TOKEN_URI",
                       "GOOGLE_SEARCHCONSOLE_API_ENDPOINT", "OPENAI_BASE_URL", "DIRECTUS_URL")


class _Counter(BaseHTTPRequestHandler):
    hits: list[str]  # set per server (see `outside`)

    def _answer(self) -> None:
        type(self).hits.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def outside() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server standing in for Dagster and every vendor; it counts what reaches it."""
    hits: list[str] = []
    handler = type("Counter", (_Counter,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture()
def production(hub_store, clean_db, fake_dagster, outside, monkeypatch):
    url, _ = outside
    for name in VENDOR_URL_SETTINGS:
        monkeypatch.setenv(name, f"{url}/{name.lower()}")
    settings = hub_settings(clean_db, FACTORY_ENV="production", FACTORY_DAGSTER_URL=url)
    app = create_app(settings, store=hub_store, dagster=fake_dagster)
    with TestClient(app) as c:
        yield c


def test_unauthenticated_health_is_liveness_without_any_outbound_call(production: TestClient, outside) -> None:
    _, hits = outside
    for path in ("/api/health", "/health"):
        for _ in range(20):
            r = production.get(path)
            assert r.status_code == 200 and r.json() == {"status": "ok"}
            assert "127.0.0.1" not in r.text
    # A bad token does not open the details, nor make a call.
    assert production.get("/api/health/details").status_code == 401
    assert production.get("/api/health/details", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert hits == []


def test_the_details_need_sign_in_and_check_everything(production: TestClient, outside, token) -> None:
    _, hits = outside
    r = production.get("/api/health/details", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["dagster"]["ok"]
    assert {v["name"] for v in body["vendors"]} == {"cloudflare", "namecheap", "matomo", "google_oauth",
                                                    "google_search_console", "openai", "directus"}
    assert "POST /graphql" in hits and len(hits) == 1 + len(VENDOR_URL_SETTINGS)


def test_liveness_answers_without_the_database(clean_db) -> None:
    """No query behind /api/health: it answers even with the database unreachable."""
    dead = Store("postgresql://postgres@127.0.0.1:1/nowhere")
    with TestClient(create_app(hub_settings(clean_db), store=dead)) as c:
        assert c.get("/api/health").json() == {"status": "ok"}


def test_production_schema_needs_a_token_and_docs_are_an_empty_shell(production: TestClient, token) -> None:
    r = production.get("/api/openapi.json")
    assert r.status_code == 401 and "/api/sites" not in r.text
    r = production.get("/api/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and "/api/sites" in r.json()["paths"]
    page = production.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/api/sites" not in page.text and "cloudflare" not in page.text.lower()
    assert 'sessionStorage.getItem("factory.session")' in page.text  # the UI's session, this tab only
    assert "needs sign-in" in page.text


@pytest.mark.parametrize("env, docs, schema_open", [
    ({}, "on", True),                                              # local default: open
    ({"FACTORY_ENV": "production"}, "signed-in", False),           # production default
    ({"FACTORY_ENV": "production", "FACTORY_API_DOCS": "off"}, "off", False),
    ({"FACTORY_API_DOCS": "signed-in"}, "signed-in", False),
    ({"FACTORY_ENV": "production", "FACTORY_API_DOCS": "on"}, "on", True),
])
def test_docs_follow_the_setting(hub_store, clean_db, fake_dagster, env, docs, schema_open) -> None:
    settings = hub_settings(clean_db, **env)
    assert settings.docs_mode == docs
    with TestClient(create_app(settings, store=hub_store, dagster=fake_dagster)) as c:
        schema = c.get("/api/openapi.json")
        page = c.get("/docs")
        if docs == "off":
            assert schema.status_code == 404 and page.status_code == 404
        else:
            assert (schema.status_code == 200) is schema_open and page.status_code == 200
        if schema_open:
            assert "swagger-ui" in page.text and "/api/openapi.json" in page.text
