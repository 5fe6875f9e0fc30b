from __future__ import annotations

import datetime as dt
import subprocess
import threading
import uuid

import psycopg
import pytest

from factory.store import AnalyticsRow, Conflict, InvalidInput, NewSite, NotFound, SiteQuery, Store

TOKEN = "cf-token-Zq8s1Lw0pX93kdYt"
REFRESH = "1//refresh-token-Qm2Lk9Zr7Yt"


@pytest.fixture()
def accounts(store: Store):
    cf = store.cloudflare_accounts.add("Ops@Example.com", "CF_Batch_1", TOKEN)
    gsc = store.gsc_accounts.add("seo@example.com", REFRESH)
    return cf, gsc


def test_accounts_round_trip_without_exposing_secrets(store: Store, accounts) -> None:
    cf, gsc = accounts
    assert cf.email == "ops@example.com" and cf.account_nickname == "CF_Batch_1"
    assert TOKEN not in repr(cf) and REFRESH not in repr(gsc)
    assert cf.token_hint == "…" + TOKEN[-4:]
    assert store.cloudflare_accounts.credential(cf.id) == TOKEN
    assert store.gsc_accounts.credential(gsc.id) == REFRESH
    listed = store.cloudflare_accounts.list()
    assert [a.account_nickname for a in listed] == ["CF_Batch_1"]
    assert TOKEN not in repr(listed)
    assert store.cloudflare_accounts.get("CF_Batch_1").id == cf.id
    assert store.cloudflare_accounts.get("ops@example.com").token_hint == "…" + TOKEN[-4:]
    assert store.gsc_accounts.get("SEO@example.com").id == gsc.id


def test_duplicate_accounts_are_refused(store: Store, accounts) -> None:
    with pytest.raises(Conflict, match="nickname"):
        store.cloudflare_accounts.add("other@example.com", "CF_Batch_1", TOKEN)
    with pytest.raises(Conflict, match="email"):
        store.cloudflare_accounts.add("OPS@example.com", "CF_Batch_2", TOKEN)
    with pytest.raises(Conflict):
        store.gsc_accounts.add("seo@example.com", REFRESH)


def test_add_and_get_site(store: Store, accounts) -> None:
    cf, gsc = accounts
    site = store.sites.add(NewSite("Bücher.DE.", "CF_Batch_1", "seo@example.com", "Bücher"))
    assert site.domain == "xn--bcher-kva.de"
    assert site.cloudflare_account_id == cf.id and site.gsc_account_id == gsc.id
    assert (site.status_dns, site.status_hosting, site.status_content, site.status_deployment,
            site.gsc_verification_status) == ("pending",) * 5
    assert store.sites.get("bücher.de").id == site.id
    assert store.sites.get(site.id).domain == site.domain


def test_duplicate_domain_in_any_case_is_refused(store: Store, accounts) -> None:
    store.sites.add(NewSite("acme-example.com", "CF_Batch_1"))
    with pytest.raises(Conflict, match="already exists"):
        store.sites.add(NewSite("ACME-EXAMPLE.com.", "CF_Batch_1"))


def test_unknown_accounts_are_refused(store: Store, accounts) -> None:
    with pytest.raises(NotFound, match="Cloudflare account"):
        store.sites.add(NewSite("acme-example.com", "nope"))
    with pytest.raises(NotFound, match="Google account"):
        store.sites.add(NewSite("acme-example.com", "CF_Batch_1", "nobody@example.com"))
    assert store.sites.list() == []


def test_batch_is_all_or_nothing(store: Store, accounts) -> None:
    with pytest.raises(InvalidInput):
        store.sites.add_many([NewSite("good.com", "CF_Batch_1"), NewSite("bad..com", "CF_Batch_1")])
    with pytest.raises(Conflict, match="twice"):
        store.sites.add_many([NewSite("good.com", "CF_Batch_1"), NewSite("GOOD.com", "CF_Batch_1")])
    assert store.sites.list() == []


def test_step_names_and_status_vocabulary_are_enforced(store: Store, accounts) -> None:
    site = store.sites.add(NewSite("acme-example.com", "CF_Batch_1"))
    with pytest.raises(InvalidInput, match="not a step"):
        store.steps.start(site.id, "status_dns")
    with pytest.raises(InvalidInput, match="not a status column"):
        store.sites.list(SiteQuery(status={"domain": "active"}))
    with pytest.raises(InvalidInput, match="not a valid status_dns"):
        store.sites.list(SiteQuery(status={"status_dns": "deployed"}))
    with psycopg.connect(store.db.url) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("update public.sites set status_dns = 'deployed'")


def test_each_step_keeps_its_own_error(store: Store, accounts) -> None:
    """error_message is the latest error of any step; a step's success never hides another's."""
    site = store.sites.add(NewSite("acme-example.com", "CF_Batch_1"))
    store.steps.start(site.id, "dns_zone")
    store.steps.fail(site.id, "dns_zone", "Cloudflare said: invalid token")
    got = store.sites.get(site.id)
    assert (got.status_dns, got.error_message, got.error_step) == ("failed", "Cloudflare said: invalid token",
                                                                   "dns_zone")
    store.steps.fail(site.id, "matomo_site", "Matomo: no superuser access")  # a later error: the latest
    got = store.sites.get(site.id)
    assert (got.error_step, got.error_message) == ("matomo_site", "Matomo: no superuser access")
    store.steps.succeed(site.id, "matomo_site", record={"matomo_site_id": 7})  # DNS's error comes back
    got = store.sites.get(site.id)
    assert (got.error_step, got.error_message, got.matomo_site_id) == ("dns_zone", "Cloudflare said: invalid token", 7)
    store.steps.succeed(site.id, "hosting_site")  # another step's success leaves it alone
    assert store.sites.get(site.id).error_step == "dns_zone"
    store.steps.succeed(site.id, "dns_zone")
    got = store.sites.get(site.id)
    assert (got.status_dns, got.error_message, got.error_step) == ("active", None, None)
    steps = {s.step: s for s in store.steps.of_sites([site.id])[site.id]}
    assert all(s.last_error is None and s.state == "succeeded" for s in steps.values())
    events = store.steps.events(site.id)
    assert [(e["step"], e["status"]) for e in events][:4] == [
        ("dns_zone", "active"), ("hosting_site", "active"), ("matomo_site", "succeeded"), ("matomo_site", "failed")]


def test_waiting_keeps_its_start_while_the_reason_stays(store: Store, accounts) -> None:
    site = store.sites.add(NewSite("acme-example.com", "CF_Batch_1"))
    now = dt.datetime.now(dt.UTC)
    store.steps.start(site.id, "dns_zone")
    first = store.steps.wait(site.id, "dns_zone", "Cloudflare to see the delegation", now + dt.timedelta(minutes=1),
                             deadline=dt.timedelta(hours=72), seen="zone pending")
    assert (first.state, first.checks, store.sites.get(site.id).status_dns) == ("waiting", 1, "pending")
    store.steps.start(site.id, "dns_zone")  # the next look
    again = store.steps.wait(site.id, "dns_zone", "Cloudflare to see the delegation", now + dt.timedelta(minutes=2),
                             deadline=dt.timedelta(hours=72))
    assert again.waiting_since == first.waiting_since and again.deadline_at == first.deadline_at
    assert again.checks == 2 and again.next_check_at > first.next_check_at
    other = store.steps.wait(site.id, "dns_zone", "something else", now, deadline=dt.timedelta(hours=1))
    assert other.waiting_since > first.waiting_since and other.checks == 1
    assert [(d, s.step) for d, s in store.steps.waiting(due_before=now + dt.timedelta(seconds=1))] == [
        ("acme-example.com", "dns_zone")]
    store.steps.succeed(site.id, "dns_zone")
    done = store.steps.get(site.id, "dns_zone")
    assert (done.state, done.waiting_for, done.next_check_at) == ("succeeded", None, None)


def test_concurrent_step_transitions_are_not_lost(store: Store, accounts) -> None:
    """Two steps finishing at the same moment, many times over: both writes always survive."""
    domains = [f"site{i}.com" for i in range(20)]
    sites = store.sites.add_many([NewSite(d, "CF_Batch_1") for d in domains])
    barrier = threading.Barrier(2)

    def finish(step: str, ok: bool) -> None:
        for site in sites:
            barrier.wait()
            if ok:
                store.steps.succeed(site.id, step)
            else:
                store.steps.fail(site.id, step, "disk quota")

    threads = [threading.Thread(target=finish, args=("dns_zone", True)),
               threading.Thread(target=finish, args=("hosting_site", False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for site in store.sites.list():
        assert site.status_dns == "active"
        assert site.status_hosting == "failed"
        assert site.error_step == "hosting_site"


def test_update_and_delete_site(store: Store, accounts) -> None:
    site = store.sites.add(NewSite("acme-example.com", "CF_Batch_1"))
    store.sites.update(site.id, hosting_doc_root="/home/example/htdocs/acme-example.com", matomo_site_id=7)
    got = store.sites.get("acme-example.com")
    assert got.hosting_doc_root.endswith("acme-example.com") and got.matomo_site_id == 7
    with pytest.raises(InvalidInput):
        store.sites.update(site.id, domain="evil.com")
    store.sites.delete("acme-example.com")
    with pytest.raises(NotFound):
        store.sites.get("acme-example.com")
    assert [d for _, d in store.sites.deletions_after(0)] == ["acme-example.com"]


def test_sites_after_cursor(store: Store, accounts) -> None:
    store.sites.add_many([NewSite(f"s{i}.com", "CF_Batch_1") for i in range(5)])
    first = store.sites.after(0, limit=3)
    assert [s.domain for s in first] == ["s0.com", "s1.com", "s2.com"]
    assert [s.domain for s in store.sites.after(first[-1].seq)] == ["s3.com", "s4.com"]


def test_list_filters_and_search(store: Store, accounts) -> None:
    store.sites.add_many([NewSite("alpha.com", "CF_Batch_1", brand_name="Alpha"),
                     NewSite("beta.com", "CF_Batch_1", brand_name="Beta 100%")])
    store.steps.succeed(store.sites.get("beta.com").id, "dns_zone")
    assert [s.domain for s in store.sites.list(SiteQuery(status={"status_dns": "active"}))] == ["beta.com"]
    assert [s.domain for s in store.sites.list(SiteQuery(search="ALP"))] == ["alpha.com"]
    assert [s.domain for s in store.sites.list(SiteQuery(search="100%"))] == ["beta.com"]
    assert [s.domain for s in store.sites.list(SiteQuery(search="%"))] == ["beta.com"]  # literal, not a wildcard
    assert store.sites.list(SiteQuery(search="_")) == []
    assert [s.domain for s in store.sites.list(SiteQuery(limit=1, offset=1))] == ["beta.com"]
    assert store.sites.count(SiteQuery(search="a")) == 2


def test_analytics_upsert_is_idempotent(store: Store, accounts) -> None:
    a, b = store.sites.add_many([NewSite("a.com", "CF_Batch_1"), NewSite("b.com", "CF_Batch_1")])
    day = dt.date(2026, 11, 1)
    rows = [AnalyticsRow(day, a.id, 10, None, None), AnalyticsRow(day, b.id, 0, 3, 40)]
    assert store.analytics.upsert(rows) == 2
    store.analytics.upsert(rows)
    store.analytics.upsert([AnalyticsRow(day, a.id, 12, 1, 9)])
    got = {r.site_id: r for r in store.analytics.rows(day, day)}
    assert len(got) == 2
    assert (got[a.id].matomo_visits, got[a.id].gsc_clicks) == (12, 1)
    assert (got[b.id].matomo_visits, got[b.id].gsc_clicks, got[b.id].gsc_impressions) == (0, 3, 40)


def test_tokens_are_encrypted_at_rest(store: Store, accounts, clean_db: str, tmp_path) -> None:
    dump = subprocess.run(["pg_dump", "--data-only", clean_db], capture_output=True, text=True, check=True).stdout
    assert "CF_Batch_1" in dump  # the dump really holds the accounts
    assert TOKEN not in dump and REFRESH not in dump
    assert "fernet:" in dump


def test_wrong_key_is_a_clear_error(store: Store, accounts, monkeypatch) -> None:
    from cryptography.fernet import Fernet

    from factory.secrets import SecretKeyError

    cf, _ = accounts
    monkeypatch.setenv("FACTORY_SECRET_KEY", Fernet.generate_key().decode())
    with pytest.raises(SecretKeyError, match="cannot be decrypted") as info:
        store.cloudflare_accounts.credential(cf.id)
    assert TOKEN not in str(info.value)
    monkeypatch.setenv("FACTORY_SECRET_KEY", "not-a-key")
    with pytest.raises(SecretKeyError, match="Fernet key"):
        store.cloudflare_accounts.credential(cf.id)


def test_delete_account_in_use_is_refused(store: Store, accounts) -> None:
    cf, gsc = accounts
    store.sites.add(NewSite("acme-example.com", "CF_Batch_1", "seo@example.com"))
    with pytest.raises(Conflict):
        store.cloudflare_accounts.delete(cf.id)
    with pytest.raises(Conflict):
        store.gsc_accounts.delete(gsc.id)
    with pytest.raises(NotFound):
        store.cloudflare_accounts.delete(uuid.uuid4())


def test_sql_in_inputs_is_data(store: Store, accounts, clean_db: str) -> None:
    hostile = "x'); drop table public.sites; --"
    store.sites.add(NewSite("acme-example.com", "CF_Batch_1", brand_name=hostile))
    assert store.sites.get("acme-example.com").brand_name == hostile
    assert store.sites.list(SiteQuery(search=hostile))[0].domain == "acme-example.com"
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("select count(*) from public.sites").fetchone()[0] == 1


def test_sites_are_looked_up_by_domain_on_the_unique_index_after_many_updates(store: Store, accounts,
                                                                               clean_db: str) -> None:
    """`domain = any(...)` (the follow-up sensor, a fleet's statuses) was planned on the trigram
    index, whose pending list every update of a row grows: 3 s for 1,000 domains after four
    rounds of updates. Searching by part of the domain still goes through the trigram index."""
    from factory.store.sites import _SELECT

    store.sites.add_many([NewSite(f"lookup-{i:04d}.com", "CF_Batch_1") for i in range(1000)])
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute("analyze public.sites")  # statistics from before most of the updates, as autovacuum leaves them
        for status in ("active", "pending", "active", "pending"):
            conn.execute("update public.sites set status_dns = %s", (status,))
        trigram = conn.execute("select 1 from pg_indexes where indexname = 'sites_domain_trgm_idx'").fetchone()
        domains = [f"lookup-{i:04d}.com" for i in range(1000)]
        plan = "\n".join(r[0] for r in conn.execute("explain " + _SELECT + " where s.domain = any(%s)", (domains,)))
        assert "trgm" not in plan, plan
        if trigram:
            conn.execute("set enable_seqscan = off")  # a search on a small table would just scan it
            search = "\n".join(r[0] for r in conn.execute(
                "explain select id from public.sites s where lower(s.domain) ilike '%ookup-01%'"))
            assert "sites_domain_trgm_idx" in search, search
    assert len(store.sites.by_domains(domains)) == 1000
    assert [s.domain for s in store.sites.list(SiteQuery(search="LOOKUP-0999"))] == ["lookup-0999.com"]
