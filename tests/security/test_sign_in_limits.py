"""Item 3: the sign-in limit holds. X-Forwarded-For is believed only from configured proxies;
the counts live in Postgres, so two Uvicorn workers (as compose runs) share them; one address
cannot spray many accounts; and nobody can lock an operator out from another address."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from hub_api.main import create_app
from tests.hub_api.conftest import OPERATOR, PASSWORD, hub_settings

WRONG = {"email": OPERATOR, "password": "not-the-password"}
RIGHT = {"email": OPERATOR, "password": PASSWORD}


def _sign_in(client, body: dict, forwarded: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/api/auth/token", json=body, headers=headers)


def test_a_new_x_forwarded_for_each_time_does_not_reset_the_limit(client: TestClient) -> None:
    statuses = [_sign_in(client, WRONG, f"203.0.113.{i}").status_code for i in range(20)]
    assert statuses == [401] * 5 + [429] * 15
    r = _sign_in(client, RIGHT, "198.51.100.7")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "too many failed sign-ins" in r.json()["detail"]


@pytest.fixture()
def behind_proxy(hub_store, clean_db, fake_dagster):
    """The Hub behind a proxy at 10.0.0.5 that it trusts (FACTORY_TRUSTED_PROXIES)."""
    settings = hub_settings(clean_db, FACTORY_TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16")
    with TestClient(create_app(settings, store=hub_store, dagster=fake_dagster), client=("10.0.0.5", 41000)) as c:
        yield c


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(behind_proxy: TestClient) -> None:
    attacker = "203.0.113.9"
    assert [_sign_in(behind_proxy, WRONG, attacker).status_code for _ in range(6)] == [401] * 5 + [429]
    # What the client writes to the left of what the proxy appended is not believed.
    assert _sign_in(behind_proxy, WRONG, f"198.51.100.1, {attacker}").status_code == 429
    assert _sign_in(behind_proxy, WRONG, f"198.51.100.2, {attacker}, 10.1.2.3").status_code == 429  # via 2 proxies
    # The operator, elsewhere, is not locked out by the attacker.
    r = _sign_in(behind_proxy, RIGHT, "198.51.100.50")
    assert r.status_code == 200, r.text


def test_an_untrusted_peer_cannot_pose_as_a_proxy(hub_store, clean_db, fake_dagster) -> None:
    settings = hub_settings(clean_db, FACTORY_TRUSTED_PROXIES="10.0.0.5")
    with TestClient(create_app(settings, store=hub_store, dagster=fake_dagster), client=("203.0.113.66", 1)) as c:
        assert [_sign_in(c, WRONG, f"198.51.100.{i}").status_code for i in range(6)] == [401] * 5 + [429]


def test_one_address_cannot_try_many_accounts(client: TestClient, hub_store) -> None:
    statuses = [_sign_in(client, {"email": f"user{i}@example.com", "password": "guess"}).status_code
                for i in range(40)]
    assert statuses == [401] * 10 + [429] * 30
    blocked = _sign_in(client, RIGHT)
    assert blocked.status_code == 429 and "from this address" in blocked.json()["detail"]
    assert 1 <= int(blocked.headers["retry-after"]) <= 900


def test_behind_a_proxy_spraying_from_one_address_leaves_others_alone(behind_proxy: TestClient) -> None:
    for i in range(12):
        _sign_in(behind_proxy, {"email": f"user{i}@example.com", "password": "guess"}, "203.0.113.77")
    assert _sign_in(behind_proxy, {"email": "user99@example.com", "password": "x"}, "203.0.113.77").status_code == 429
    assert _sign_in(behind_proxy, RIGHT, "198.51.100.50").status_code == 200


def test_the_lock_lifts_when_the_window_passes(app, client: TestClient, hub_store) -> None:
    app.state.sign_in_limiter.account_window = 5.0  # five seconds instead of a minute
    started = time.monotonic()
    assert [_sign_in(client, WRONG).status_code for _ in range(6)] == [401] * 5 + [429]
    assert time.monotonic() - started < 5, "the machine is too slow for this window"
    time.sleep(5.2)
    assert _sign_in(client, RIGHT).status_code == 200
    # Success clears this address's failures on the account: a typo afterwards is a 401, not a 429.
    assert _sign_in(client, WRONG).status_code == 401


def test_two_uvicorn_workers_share_the_counts_and_ignore_forwarded_headers(hub_server, clean_db) -> None:
    """`factory api --workers 2`, as compose runs the Hub: 40 guesses, each on a new connection
    with its own X-Forwarded-For, 20 of them in parallel; exactly 5 are answered 401."""
    base = hub_server(workers=2)
    _assert_two_workers(base)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        r = httpx.post(base + "/api/auth/token", json=WRONG, headers={"X-Forwarded-For": f"203.0.113.{i}",
                                                                       "Connection": "close"}, timeout=60)
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(20, 40):
        guess(i)
    assert sorted(statuses) == [401] * 5 + [429] * 35, statuses
    r = httpx.post(base + "/api/auth/token", json=RIGHT, headers={"X-Forwarded-For": "198.51.100.1"}, timeout=60)
    assert r.status_code == 429


def _assert_two_workers(base: str) -> None:
    # The server's port is held by the uvicorn supervisor; its children are the workers.
    port = base.rsplit(":", 1)[1]
    supervisors = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline(p).count("api") and
                   f"--port\x00{port}\x00" in _cmdline(p)]
    assert len(supervisors) == 1, supervisors
    pid = supervisors[0].name
    children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == pid]
    assert len(children) >= 2, children


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_text()
    except OSError:
        return ""


def _ppid(proc: Path) -> str | None:
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return None



