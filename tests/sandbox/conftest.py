"""Fixtures: a real SandboxServer on a free 127.0.0.1 port and the official clients."""
from __future__ import annotations

from collections.abc import Iterator

import cloudflare
import httpx
import pytest

from devtools.sandbox import SandboxServer, settings


@pytest.fixture
def sb() -> Iterator[SandboxServer]:
    """Wire-format tests: vendors that react at once (zones activate when delegated, TXT records
    are visible at once). The slow world is tested with its own servers (test_sandbox_slow_*)."""
    with SandboxServer(time_scale=0.02, instant=True) as server:
        yield server


@pytest.fixture
def env(sb: SandboxServer) -> dict[str, str]:
    return settings(sb.url)


@pytest.fixture
def cf(env) -> cloudflare.Cloudflare:
    return cloudflare.Cloudflare(api_token=env["CLOUDFLARE_API_TOKEN"], base_url=env["CLOUDFLARE_BASE_URL"],
                                 max_retries=0, timeout=10)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def namecheap(env, http):
    """call(Command, **params) -> parsed ApiResponse root (ElementTree), HTTP status asserted 200."""
    import xml.etree.ElementTree as ET

    def call(command: str, expect_http: int = 200, **params):
        data = {"ApiUser": env["NAMECHEAP_API_USER"], "ApiKey": env["NAMECHEAP_API_KEY"],
                "UserName": env["NAMECHEAP_USERNAME"], "ClientIp": env["NAMECHEAP_CLIENT_IP"], "Command": command}
        data.update(params)
        data = {k: v for k, v in data.items() if v is not None}
        r = http.post(env["NAMECHEAP_API_URL"], data=data)
        assert r.status_code == expect_http, r.text
        call.last = r  # type: ignore[attr-defined]
        return ET.fromstring(r.content)

    return call


@pytest.fixture
def matomo(env, http):
    """call(method, http_status=200, **params) -> decoded JSON (POST form, like the product)."""

    def call(method: str, expect_http: int = 200, token: str | None = None, **params):
        data = {"module": "API", "method": method, "format": "JSON",
                "token_auth": env["MATOMO_TOKEN_AUTH"] if token is None else token}
        data.update(params)
        r = http.post(env["MATOMO_URL"] + "index.php", data=data)
        assert r.status_code == expect_http, r.text
        return r.json()

    return call
