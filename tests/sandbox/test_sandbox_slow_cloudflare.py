"""Cloudflare as slow as the world, through the official SDK: activation after delegation (a seeded
random delay), the activation check and its hourly limit, the 28-day deletion, zone-scoped tokens.
Each test runs its own server at a small time_scale (vendor seconds x scale = real seconds)."""
from __future__ import annotations

import time
from datetime import datetime

import cloudflare
import httpx
import pytest

from devtools.sandbox import SandboxServer, settings
from devtools.sandbox.cloudflare import account_id_for
from devtools.sandbox.delays import Delays


def _sdk(env, token=None) -> cloudflare.Cloudflare:
    return cloudflare.Cloudflare(api_token=token or env["CLOUDFLARE_API_TOKEN"], base_url=env["CLOUDFLARE_BASE_URL"],
                                 max_retries=0, timeout=10)


def _delegate(env, domain: str, nameservers: list[str]) -> None:
    sld, tld = domain.split(".", 1)
    r = httpx.post(env["NAMECHEAP_API_URL"], data={
        "ApiUser": env["NAMECHEAP_API_USER"], "ApiKey": env["NAMECHEAP_API_KEY"], "UserName": env["NAMECHEAP_USERNAME"],
        "ClientIp": env["NAMECHEAP_CLIENT_IP"], "Command": "namecheap.domains.dns.setCustom", "SLD": sld, "TLD": tld,
        "Nameservers": ",".join(nameservers)})
    assert 'Status="OK"' in r.text, r.text


def _wait_status(cf, zone_id: str, status: str, deadline_s: float) -> float:
    deadline = time.monotonic() + deadline_s
    while cf.zones.get(zone_id=zone_id).status != status:
        assert time.monotonic() < deadline, f"zone never became {status}"
        time.sleep(0.02)
    return time.time()


def _epoch(iso: str | datetime) -> float:
    if isinstance(iso, datetime):
        return iso.timestamp()
    return datetime.fromisoformat(iso).timestamp()


def test_defaults_are_the_real_worlds():
    d = SandboxServer().delays  # not started: only the configuration
    assert (d.activation_min_s, d.activation_max_s) == (300.0, 3600.0)  # 5 minutes to an hour
    assert d.activation_check_interval_s == 3600.0  # once per hour for a Free zone
    assert d.activation_propagation_s == 300.0 and d.txt_propagation_s == 300.0
    assert d.pending_zone_ttl_s == 28 * 86400.0
    fast = SandboxServer(instant=True).delays
    assert (fast.activation_min_s, fast.activation_max_s, fast.activation_propagation_s, fast.txt_propagation_s) == (0, 0, 0, 0)
    assert fast.activation_check_interval_s == 3600.0  # a limit, not a delay: instant keeps it
    assert SandboxServer(instant=True, txt_propagation_s=30).delays.txt_propagation_s == 30  # explicit wins
    with pytest.raises(ValueError):
        SandboxServer(activation_min_s=90, activation_max_s=20)


def test_zone_activates_a_seeded_random_delay_after_delegation():
    scale = 0.002  # default delays: 300..3600 vendor s -> 0.6..7.2 real s
    with SandboxServer(time_scale=scale) as sb:
        env = settings(sb.url)
        cf, acct = _sdk(env), env["CLOUDFLARE_ACCOUNT_ID"]
        names = [f"slow{i}.com" for i in range(12)]
        delays = {n: sb.delays.activation_delay_s(acct, n) for n in names}
        assert all(300 <= d <= 3600 for d in delays.values()) and len(set(delays.values())) == len(names)
        assert delays == {n: Delays().activation_delay_s(acct, n) for n in names}  # repeatable
        assert delays != {n: Delays(seed=1).activation_delay_s(acct, n) for n in names}
        name = min(delays, key=delays.get)
        z = cf.zones.create(account={"id": acct}, name=name, type="full")
        assert z.status == "pending" and z.activated_on is None
        time.sleep(delays[name] * scale + 0.1)
        assert cf.zones.get(zone_id=z.id).status == "pending"  # nobody delegated: nothing to see

        before = time.time()
        _delegate(env, name, z.name_servers)
        assert cf.zones.get(zone_id=z.id).status == "pending"  # Cloudflare has not looked yet
        became = _wait_status(cf, z.id, "active", delays[name] * scale + 5)
        assert became - before >= delays[name] * scale - 0.01
        activated = _epoch(cf.zones.get(zone_id=z.id).activated_on)
        assert before + delays[name] * scale - 0.01 <= activated <= became
        assert sb.stats()["cloudflare"]["activation"]["zones_activated"] == 1


def test_only_the_zones_own_pair_activates_it():
    with SandboxServer(time_scale=0.01, activation_min_s=10, activation_max_s=10) as sb:  # 0.1 s real
        env = settings(sb.url)
        cf = _sdk(env)
        z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="pair.com")
        _delegate(env, "pair.com", ["ada.ns.cloudflare.com", "zed.ns.cloudflare.com"])  # someone else's pair
        time.sleep(0.3)
        assert cf.zones.get(zone_id=z.id).status == "pending"
        _delegate(env, "pair.com", z.name_servers)
        _wait_status(cf, z.id, "active", 3)


def test_activation_check_runs_once_an_hour_and_needs_a_propagated_delegation():
    scale = 0.0005  # the hour between checks is 1.8 s real
    with SandboxServer(time_scale=scale, activation_min_s=86400, activation_max_s=86400,  # periodic check: a day
                       activation_propagation_s=600) as sb:  # 0.3 s real
        env = settings(sb.url)
        cf = _sdk(env)
        z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="check.com")
        assert cf.zones.activation_check.trigger(zone_id=z.id).id == z.id  # not delegated: stays pending
        assert cf.zones.get(zone_id=z.id).status == "pending"
        with pytest.raises(cloudflare.RateLimitError) as ei:
            cf.zones.activation_check.trigger(zone_id=z.id)
        assert ei.value.status_code == 429 and ei.value.errors[0].code == 1224
        assert "once per hour" in ei.value.errors[0].message
        wait = float(ei.value.response.headers["Retry-After"])
        assert 0 < wait <= 3600 * scale

        time.sleep(wait + 0.02)
        _delegate(env, "check.com", z.name_servers)
        cf.zones.activation_check.trigger(zone_id=z.id)  # the delegation is too fresh to be seen
        assert cf.zones.get(zone_id=z.id).status == "pending"

        time.sleep(3600 * scale + 0.02)
        cf.zones.activation_check.trigger(zone_id=z.id)
        zone = cf.zones.get(zone_id=z.id)
        assert zone.status == "active" and zone.activated_on is not None
        with pytest.raises(cloudflare.BadRequestError) as ei:
            cf.zones.activation_check.trigger(zone_id=z.id)
        assert ei.value.errors[0].code == 1225
        counters = sb.stats()["cloudflare"]["activation"]
        assert (counters["activation_checks"], counters["activation_checks_activated"],
                counters["activation_checks_refused"]) == (5, 1, 2)


def test_a_zone_added_again_gets_another_pair():
    with SandboxServer(time_scale=0.01, instant=True) as sb:
        env = settings(sb.url)
        cf = _sdk(env)
        acct = env["CLOUDFLARE_ACCOUNT_ID"]
        first = cf.zones.create(account={"id": acct}, name="again.com")
        _delegate(env, "again.com", first.name_servers)
        cf.zones.delete(zone_id=first.id)
        second = cf.zones.create(account={"id": acct}, name="again.com")
        assert sorted(second.name_servers) != sorted(first.name_servers)
        time.sleep(0.1)
        assert cf.zones.get(zone_id=second.id).status == "pending"  # the registrar points at the old pair
        _delegate(env, "again.com", second.name_servers)
        assert cf.zones.get(zone_id=second.id).status == "active"


def test_auto_activate_after_still_activates_without_delegation():
    with SandboxServer(time_scale=0.01, auto_activate_after_s=20) as sb:  # 0.2 s real
        env = settings(sb.url)
        cf = _sdk(env)
        z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="auto.com")
        assert z.status == "pending"
        _wait_status(cf, z.id, "active", 3)


def test_zones_pending_too_long_are_deleted():
    with SandboxServer(time_scale=0.01, instant=True, pending_zone_ttl_s=400) as sb:  # 4 s real
        env = settings(sb.url)
        cf = _sdk(env)
        acct = env["CLOUDFLARE_ACCOUNT_ID"]
        kept = cf.zones.create(account={"id": acct}, name="kept.com")
        _delegate(env, "kept.com", kept.name_servers)
        created = time.monotonic()
        lost = cf.zones.create(account={"id": acct}, name="lost.com")
        cf.dns.records.create(zone_id=lost.id, type="A", name="@", content="203.0.113.10", ttl=1)
        assert cf.zones.get(zone_id=lost.id).status == "pending"
        time.sleep(max(0.0, created + 4.1 - time.monotonic()))
        assert [z.name for z in cf.zones.list()] == ["kept.com"]
        with pytest.raises(cloudflare.NotFoundError):
            cf.zones.get(zone_id=lost.id)
        assert all(r["zone_id"] != lost.id for r in sb.state["cloudflare"]["records"])
        assert sb.stats()["cloudflare"]["activation"]["zones_expired"] == 1


def test_tokens_are_zone_scoped_unless_granted_the_account():
    with SandboxServer(time_scale=0.02, instant=True) as sb:
        env = settings(sb.url)
        cf = _sdk(env)
        with pytest.raises(cloudflare.PermissionDeniedError) as ei:
            cf.accounts.list()
        assert ei.value.status_code == 403
        assert (ei.value.errors[0].code, ei.value.errors[0].message) == (9109, "Unauthorized to access requested resource")

        verified = cf.user.tokens.verify()
        assert verified.status == "active" and len(verified.id) == 32
        raw = httpx.get(env["CLOUDFLARE_BASE_URL"] + "/user/tokens/verify",
                        headers={"Authorization": f"Bearer {env['CLOUDFLARE_API_TOKEN']}"}).json()
        assert raw["success"] is True and raw["messages"][0]["message"] == "This API Token is valid and active"
        with pytest.raises(cloudflare.AuthenticationError) as ei:
            _sdk(env, "revoked-token-1").user.tokens.verify()
        assert ei.value.status_code == 401 and ei.value.errors[0].code == 1000

        # A zone-scoped token creates zones in its own account, and only there.
        assert cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="scoped.com").status == "pending"
        hdr = {"Authorization": f"Bearer {env['CLOUDFLARE_API_TOKEN']}"}
        r = httpx.post(env["CLOUDFLARE_BASE_URL"] + "/zones", json={"name": "noacct.com", "type": "full"}, headers=hdr)
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == 1001
        with pytest.raises(cloudflare.PermissionDeniedError) as ei:
            cf.zones.create(account={"id": account_id_for("someone-else")}, name="theirs.com")
        assert ei.value.errors[0].code == 9109
        assert [z.name for z in cf.zones.list()] == ["scoped.com"]

        # Account-scoped: the "acct-" prefix, or a grant through the admin API.
        acct_token = "acct-ops-token"
        listed = _sdk(env, acct_token).accounts.list()
        assert [a.id for a in listed.result] == [account_id_for(acct_token)]
        r = httpx.post(f"{sb.url}/_sandbox/cloudflare/tokens", json={"token": env["CLOUDFLARE_API_TOKEN"],
                                                                     "scope": "account"})
        assert r.status_code == 200
        assert [a.id for a in cf.accounts.list().result] == [env["CLOUDFLARE_ACCOUNT_ID"]]
        assert httpx.post(f"{sb.url}/_sandbox/cloudflare/tokens", json={"token": "x", "scope": "all"}).status_code == 400
    with SandboxServer(time_scale=0.02, instant=True, token_scope="account") as sb:
        env = settings(sb.url)
        assert [a.id for a in _sdk(env, "any-token").accounts.list().result] == [account_id_for("any-token")]


def test_activation_progress_survives_a_restart(tmp_path):
    scale = 0.01
    with SandboxServer(time_scale=scale, state_dir=tmp_path, activation_min_s=100, activation_max_s=100) as sb:
        env = settings(sb.url)
        cf = _sdk(env)
        z = cf.zones.create(account={"id": env["CLOUDFLARE_ACCOUNT_ID"]}, name="restart.com")
        before = time.time()
        _delegate(env, "restart.com", z.name_servers)
    with SandboxServer(time_scale=scale, state_dir=tmp_path) as sb:
        env = settings(sb.url)
        cf = _sdk(env)
        assert cf.zones.get(zone_id=z.id).status == "pending"
        _wait_status(cf, z.id, "active", 5)
        activated = _epoch(cf.zones.get(zone_id=z.id).activated_on)
        assert before + 100 * scale - 0.01 <= activated <= before + 100 * scale + 0.5
