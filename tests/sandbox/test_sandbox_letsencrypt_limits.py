"""Let's Encrypt's limits as the clpctl stand-in counts them (over ssh, time-scaled by the sandbox):
5 failed validations per hostname per hour, 300 new orders per account per 3 hours (kept in the
stand-in's state, so they survive between runs)."""
from __future__ import annotations

import json
import subprocess
import time

import pytest

from devtools.sandbox import SandboxServer
from devtools.sandbox.sshd import start_sshd

SCALE = 0.01  # an hour is 36 s real, three hours 108 s (an ssh round trip takes up to ~1 s on a busy machine)
TOO_MANY_FAILURES = ("Error creating new order :: too many failed authorizations recently: "
                     "see https://letsencrypt.org/docs/failed-validation-limit/")
TOO_MANY_ORDERS = "Error creating new order :: too many new orders recently: see https://letsencrypt.org/docs/rate-limits/"


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    server = SandboxServer(time_scale=SCALE, instant=True).start()
    handle = start_sshd(tmp_path_factory.mktemp("le"), sandbox_url=server.url)
    handle.sandbox = server
    yield handle
    handle.stop()
    server.stop()


def _clpctl(h, *args):
    return subprocess.run(["ssh", *h.ssh_args(), f"{h.user}@{h.host}", "clpctl", *args], capture_output=True,
                          text=True, timeout=30, check=False)


def _certificate(h, domain):
    return _clpctl(h, "lets-encrypt:install:certificate", f"--domainName={domain}")


def _edit_state(h, change):
    path = h.sandbox_root / "clpctl-state.json"
    state = json.loads(path.read_text())
    change(state)
    path.write_text(json.dumps(state))


def test_five_failed_validations_an_hour_per_hostname(host):
    assert _clpctl(host, "site:add:static", "--domainName=fails.com", "--siteUser=fails",
                   "--siteUserPassword=s3cretpass").returncode == 0
    for _ in range(2):  # no zone at all: both names fail to validate, and each failure counts
        r = _certificate(host, "fails.com")
        assert r.returncode == 1 and r.stdout.startswith("fails.com: DNS problem: NXDOMAIN")
    le = host.clpctl_state()["letsencrypt"]
    assert len(le["failures"]["fails.com"]) == 2 and len(le["failures"]["www.fails.com"]) == 2
    now = time.time()
    _edit_state(host, lambda s: s["letsencrypt"]["failures"]["www.fails.com"].extend([now - 1] * 2))  # 4 for www
    r = _certificate(host, "fails.com")  # the fifth failure of www.fails.com
    assert r.returncode == 1 and "www.fails.com: DNS problem" in r.stdout
    r = _certificate(host, "fails.com")
    assert (r.returncode, r.stdout.strip()) == (1, TOO_MANY_FAILURES)
    le = host.clpctl_state()["letsencrypt"]
    assert len(le["failures"]["fails.com"]) == 3 and len(le["failures"]["www.fails.com"]) == 5
    assert len(le["orders"]) == 3  # the refused order is not one
    assert host.sandbox.stats()["clpctl"]["rate_limited"] == 1
    # another hostname is not affected
    assert _clpctl(host, "site:add:static", "--domainName=other.com", "--siteUser=other",
                   "--siteUserPassword=s3cretpass").returncode == 0
    assert _certificate(host, "other.com").stdout.startswith("other.com: DNS problem")
    # an hour later (vendor time) the failures no longer count
    hour_ago = time.time() - 3600 * SCALE - 1
    _edit_state(host, lambda s: s["letsencrypt"]["failures"].update(
        {"fails.com": [hour_ago] * 3, "www.fails.com": [hour_ago] * 5}))
    r = _certificate(host, "fails.com")
    assert r.returncode == 1 and r.stdout.startswith("fails.com: DNS problem: NXDOMAIN")
    le = host.clpctl_state()["letsencrypt"]
    assert len(le["failures"]["fails.com"]) == 1 and len(le["failures"]["www.fails.com"]) == 1
    counters = host.sandbox.stats()["clpctl"]
    assert (counters["failed_validations"], counters["orders"]) == (3 * 2 + 2 + 2, 5)


def test_three_hundred_new_orders_per_three_hours_kept_in_the_state(host):
    assert _clpctl(host, "site:add:static", "--domainName=orders.com", "--siteUser=orders",
                   "--siteUserPassword=s3cretpass").returncode == 0
    now = time.time()
    _edit_state(host, lambda s: s["letsencrypt"].update(orders=[now - 1] * 300))  # 300 in the last 3 hours
    r = _certificate(host, "orders.com")
    assert (r.returncode, r.stdout.strip()) == (1, TOO_MANY_ORDERS)
    assert len(host.clpctl_state()["letsencrypt"]["orders"]) == 300  # a refused order is not counted
    _edit_state(host, lambda s: s["letsencrypt"].update(orders=[now - 3 * 3600 * SCALE - 1] * 300))  # all older
    r = _certificate(host, "orders.com")
    assert r.returncode == 1 and "NXDOMAIN" in r.stdout  # ordered (and validated) again
    assert len(host.clpctl_state()["letsencrypt"]["orders"]) == 1
