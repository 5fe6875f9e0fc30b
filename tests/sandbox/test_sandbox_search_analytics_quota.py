"""Search Analytics' per-user quota (1,200 queries a minute, vendor-apis.md §5.6): the 1,201st query
of a minute is refused with Google's 429, and another Google account is not affected."""
from __future__ import annotations

import google.auth.transport.requests
import httpx
import pytest
from google.oauth2.credentials import Credentials

from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.ratelimit import SEARCH_ANALYTICS_LIMIT


def _access_token(env: dict[str, str], refresh_token: str) -> str:
    creds = Credentials(token=None, refresh_token=refresh_token, client_id=env["GOOGLE_CLIENT_ID"],
                        client_secret=env["GOOGLE_CLIENT_SECRET"], token_uri=env["GOOGLE_TOKEN_URI"])
    creds.refresh(google.auth.transport.requests.Request())
    return creds.token


@pytest.fixture
def real_minute() -> SandboxServer:
    with SandboxServer(time_scale=1.0, instant=True) as server:  # a real minute: the quota's window
        yield server


def test_the_1201st_query_of_a_minute_is_refused_for_that_user_only(real_minute: SandboxServer) -> None:
    env = settings(real_minute.url)
    url = (env["GOOGLE_SEARCHCONSOLE_API_ENDPOINT"].rstrip("/")
           + "/webmasters/v3/sites/sc-domain%3Aexample.com/searchAnalytics/query")
    body = {"startDate": "2026-05-01", "endDate": "2026-05-02", "dimensions": ["date"]}
    first = {"Authorization": f"Bearer {_access_token(env, env['GOOGLE_REFRESH_TOKEN'])}"}
    with httpx.Client(timeout=30) as client:
        statuses = [client.post(url, json=body, headers=first).status_code for _ in range(SEARCH_ANALYTICS_LIMIT)]
        assert 429 not in statuses
        refused = client.post(url, json=body, headers=first)
        assert refused.status_code == 429
        assert refused.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
        assert 0 < float(refused.headers["Retry-After"]) <= 60
        other = {"Authorization": f"Bearer {_access_token(env, 'another-account-refresh-token')}"}
        assert client.post(url, json=body, headers=other).status_code != 429
    assert real_minute.stats()["google"]["rate_limited"] == 1
