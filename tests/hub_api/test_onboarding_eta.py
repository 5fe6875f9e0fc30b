"""Onboarding ETA: when queued sites are live, from the vendors' budgets, in the Hub and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from factory.cli import app as cli_app
from factory.cli import common
from factory.layers.dns import WAIT_DELEGATION
from factory.onboarding_eta import QueuedSite, estimate, machine_pace

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_ten_thousand_sites_take_days_and_say_which_budget_holds_them() -> None:
    queue = [QueuedSite(f"s{i}.com", f"cf{i % 25}") for i in range(10_000)]
    found = estimate(queue, NOW)
    days = found.per_day()
    # Let's Encrypt's 300 orders per 3 hours (2,400 a day) is tighter than Namecheap's 8,000 calls a day.
    assert max(days.values()) <= 2400 and len(days) == 5
    assert found.bottleneck == "letsencrypt"
    assert dt.timedelta(days=4) < found.all_live_at - NOW < dt.timedelta(days=4, hours=6)
    assert [s.live_at for s in found.sites] == sorted(s.live_at for s in found.sites)  # in queue order
    # The first site only waits for its zone's activation and the steps after it.
    assert found.sites[0].waits_for == "none" and found.sites[0].live_at - NOW < dt.timedelta(hours=1)


def test_namecheap_paces_a_few_hundred_sites() -> None:
    found = estimate([QueuedSite(f"s{i}.com", "cf") for i in range(290)], NOW)
    # 1 call a site, 20 a minute: the last of 290 sites delegates after 14 minutes, then activates
    # (the activation check after 5 minutes, at the follow-up sensor's next tick) and goes live (the
    # TXT record's 5 minutes of propagation, then a run). Fewer than Let's Encrypt's 300 orders: no
    # wait there.
    assert found.bottleneck == "namecheap"
    expected = dt.timedelta(minutes=14, seconds=305 + 360)  # plus the budget's safety margin per window
    assert expected <= found.all_live_at - NOW < expected + dt.timedelta(minutes=1)
    # Sites whose zone is active already need no registrar call: they finish first.
    done = estimate([QueuedSite("a.com", "cf", dns_done=True)], NOW)
    assert done.sites[0].live_at - NOW == dt.timedelta(minutes=6)
    # Scaled time (the simulators'): the same schedule, shorter.
    scaled = estimate([QueuedSite(f"s{i}.com", "cf") for i in range(290)], NOW, time_scale=0.01)
    assert abs((scaled.all_live_at - NOW) / (found.all_live_at - NOW) - 0.01) < 1e-6


def test_sites_under_way_are_counted_from_where_they_stand() -> None:
    """A delegated site waits only for the rest of its activation (no second registrar call), an
    active one for the rest of what follows the activation, and the delegations just made fill
    Namecheap's minute for the sites behind them (was: every site not yet active started over)."""
    ago = lambda s: NOW - dt.timedelta(seconds=s)
    # 20 delegations in the last minute: Namecheap's minute is full.
    delegated = [QueuedSite(f"d{i}.com", "cf", delegated_at=ago(60 - i)) for i in range(20)]
    active = [QueuedSite("a.com", "cf", dns_done=True, active_at=ago(300))]
    fresh = [QueuedSite("n.com", "cf")]
    found = estimate(active + delegated + fresh, NOW)
    at = {s.domain: (s.live_at - NOW).total_seconds() for s in found.sites}
    assert at["a.com"] == 360 - 300  # TXT propagation and a run, five minutes of it gone
    assert at["d0.com"] == -60 + 305 + 360 and at["d19.com"] == -41 + 305 + 360
    # The 21st call waits until the first of the 20 leaves Namecheap's minute (plus its margin).
    assert 0 < at["n.com"] - (305 + 360) <= 1 + 5 and found.sites[-1].waits_for == "namecheap"
    # An overdue site is expected any moment, not in the past.
    late = estimate([QueuedSite("late.com", "cf", delegated_at=ago(3600))], NOW)
    assert late.sites[0].live_at == NOW + dt.timedelta(seconds=360)
    gone = estimate([QueuedSite("gone.com", "cf", dns_done=True, active_at=ago(3600))], NOW)
    assert gone.sites[0].live_at == NOW


def test_the_machine_paces_a_time_scaled_fleet() -> None:
    """With the vendors' time scaled down (tests, the benches) the machine is the limit: sites go
    live one per measured interval, and the ETA says so rather than promising the vendors' pace."""
    queue = [QueuedSite(f"s{i}.com", f"cf{i % 25}") for i in range(100)]
    vendors_only = estimate(queue, NOW, time_scale=0.001)
    assert vendors_only.all_live_at - NOW < dt.timedelta(minutes=2)
    paced = estimate(queue, NOW, time_scale=0.001, pace=0.1)  # a site every 10 s
    assert paced.bottleneck == "machine" and paced.all_live_at - NOW == dt.timedelta(seconds=1000)
    assert [s.waits_for for s in paced.sites[:3]] == ["machine"] * 3
    assert paced.sites[9].live_at - NOW == dt.timedelta(seconds=100)
    # In real time the vendors stay the limit of a fast machine.
    assert estimate(queue, NOW, pace=1.0).bottleneck != "machine"  # a site a second


def test_the_machine_pace_is_measured_over_the_last_hour() -> None:
    at = [NOW - dt.timedelta(seconds=30 * k) for k in range(20, 0, -1)]  # 20 sites, one every 30 s
    assert machine_pace(at, NOW) == 19 / 600  # 19 intervals since the first, up to now
    assert machine_pace(at[1:], NOW) is None  # too few to tell: sites go live in bursts
    # Sites live long ago say nothing of today's pace; a pace that stopped slows down.
    assert machine_pace([NOW - dt.timedelta(hours=2), *at[1:]], NOW) is None
    assert machine_pace(at, NOW + dt.timedelta(seconds=600)) == 19 / 1200


def test_hub_and_cli_show_the_queue(client: TestClient, auth, accounts, hub_store, clean_db, monkeypatch) -> None:
    with psycopg.connect(clean_db) as conn:
        conn.execute("insert into public.sites (domain, cloudflare_account_id)"
                     " select 'queued-' || lpad(i::text, 4, '0') || '.com', %s from generate_series(1, 800) i",
                     (accounts["cloudflare"]["id"],))
    live = hub_store.sites.get("queued-0001.com").id
    for step in ("dns_zone", "hosting_site", "gsc_property", "site_content", "site_deployment"):
        hub_store.steps.succeed(live, step)
    hub_store.steps.succeed(live, "matomo_site", record={"matomo_site_id": 1})
    # Neither a failed site nor a decommissioned one is queued: 797 left.
    hub_store.steps.fail(hub_store.sites.get("queued-0799.com").id, "dns_zone", "the zone was refused")
    hub_store.sites.mark_decommissioned(hub_store.sites.get("queued-0800.com").id, {})

    r = client.get("/api/sites/eta?limit=3", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    # 797 sites: Let's Encrypt's 300 orders per 3 hours holds the last hundreds.
    assert body["queued"] == 797 and body["bottleneck"] == "letsencrypt"
    assert [s["domain"] for s in body["items"]] == ["queued-0002.com", "queued-0003.com", "queued-0004.com"]
    assert sum(d["sites"] for d in body["per_day"]) == 797
    last = dt.datetime.fromisoformat(body["all_live_at"])
    assert dt.timedelta(hours=6) < last - dt.datetime.now(dt.UTC) < dt.timedelta(hours=8)

    # A site whose delegation was made 4 minutes ago waits only for the rest of it (its activation
    # check, then the TXT record's propagation and a run), wherever it stands in the queue.
    delegated = hub_store.sites.get("queued-0100.com").id
    hub_store.steps.wait(delegated, "dns_zone", WAIT_DELEGATION, dt.datetime.now(dt.UTC))
    with psycopg.connect(clean_db) as conn:
        conn.execute("update public.site_steps set waiting_since = now() - interval '4 minutes'"
                     " where site_id = %s and step = 'dns_zone'", (delegated,))
    mine = client.get("/api/sites/eta?site=queued-0100.com", headers=auth).json()["items"][0]
    left = dt.datetime.fromisoformat(mine["live_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=305 + 360 - 240 - 10) < left < dt.timedelta(seconds=305 + 360 - 240), mine

    # One site's place and ETA (the site's page asks this way): the last of the queue, any spelling.
    one = client.get("/api/sites/eta?site=QUEUED-0798.COM.", headers=auth).json()
    assert [(s["domain"], s["position"]) for s in one["items"]] == [("queued-0798.com", 797)]
    mine = dt.datetime.fromisoformat(one["items"][0]["live_at"])
    assert abs(mine - last) < dt.timedelta(minutes=1) and one["queued"] == 797  # the last one, asked a moment later
    assert client.get("/api/sites/eta?site=queued-0001.com", headers=auth).json()["items"] == []  # live
    for hostile in ("nobody.com", "../etc/passwd", "x.com'; drop table sites;--", "a\x00b.com"):
        r = client.get("/api/sites/eta", params={"site": hostile}, headers=auth)
        assert r.status_code == 404, (hostile, r.text)

    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    common.store.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["sites", "eta", "--json", "--limit", "1"])
        assert result.exit_code == 0, result.output
        shown = json.loads(result.output)
        assert shown["queued"] == 797 and shown["sites"][0]["domain"] == "queued-0002.com"
        text = CliRunner().invoke(cli_app, ["sites", "eta", "--limit", "2"])
        assert text.exit_code == 0 and "797 queued site(s) expected live by" in text.output
        assert "held back by Let's Encrypt's order limit" in text.output
        mine = CliRunner().invoke(cli_app, ["sites", "eta", "--site", "queued-0798.com"])
        assert mine.exit_code == 0 and "queued-0798.com: 797 of 797 in the queue, expected live by" in mine.output
        assert "waiting for Let's Encrypt's order limit" in mine.output
        done = CliRunner().invoke(cli_app, ["sites", "eta", "--site", "queued-0001.com"])
        assert done.exit_code == 0 and "is not queued for onboarding" in done.output
        unknown = CliRunner().invoke(cli_app, ["sites", "eta", "--site", "nobody.com"])
        assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    finally:
        common.store.cache_clear()


def test_sites_going_live_record_when_and_pace_the_eta(client: TestClient, auth, accounts, hub_store, clean_db,
                                                        monkeypatch) -> None:
    """`live_since` is set when a site becomes live and cleared when it stops being live; sites gone
    live in the last hour slow the ETA to the pace the machine showed, in the Hub and the CLI."""
    with psycopg.connect(clean_db) as conn:
        conn.execute("insert into public.sites (domain, cloudflare_account_id)"
                     " select 'paced-' || lpad(i::text, 4, '0') || '.com', %s from generate_series(1, 306) i",
                     (accounts["cloudflare"]["id"],))
    ids = [hub_store.sites.get(f"paced-{i:04d}.com").id for i in range(1, 22)]
    for site in ids:
        for step in ("dns_zone", "hosting_site", "gsc_property", "site_content", "site_deployment"):
            hub_store.steps.succeed(site, step)
        assert hub_store.sites.get(site).state == "onboarding"  # no Matomo site yet
        hub_store.steps.succeed(site, "matomo_site", record={"matomo_site_id": 1})
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("select count(*) from public.sites where live_since > now() - interval '1 minute'"
                            " and site_state = 'live'").fetchone()[0] == 21
        for n, site in enumerate(ids):  # one every 3 minutes, the last just now
            conn.execute("update public.sites set live_since = now() - make_interval(mins => %s) where id = %s",
                         (60 - 3 * n, site))
    hub_store.steps.fail(ids[0], "site_deployment", "rsync: connection refused")
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("select live_since from public.sites where id = %s", (ids[0],)).fetchone()[0] is None
        conn.execute("update public.sites set live_since = now() - interval '60 minutes' where id = %s", (ids[0],))
        assert conn.execute("select live_since from public.sites where id = %s", (ids[0],)).fetchone()[0] is None

    r = client.get("/api/sites/eta?limit=2", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    # Twenty sites still live, the first 57 minutes ago: a site every 3 minutes; 285 queued sites
    # -> 14.25 hours, later than any vendor budget (Namecheap and Let's Encrypt: under an hour).
    assert body["queued"] == 285 and body["bottleneck"] == "machine", body
    last = dt.datetime.fromisoformat(body["all_live_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=14) < last < dt.timedelta(hours=14.5), last

    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    common.store.cache_clear()
    try:
        text = CliRunner().invoke(cli_app, ["sites", "eta", "--limit", "1"])
        assert text.exit_code == 0, text.output
        assert "held back by this machine's onboarding pace" in text.output, text.output
    finally:
        common.store.cache_clear()
