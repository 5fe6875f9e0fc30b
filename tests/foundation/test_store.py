from __future__ import annotations

import datetime as dt
import subprocess
import threading
import uuid

import psycopg
import pytest

from factory.store import AnalyticsRow, Conflict, InvalidInput, NewSite, NotFound, Store

TOKEN = "cf-token-Zq8s1Lw0pX93kdYt"
REFRESH = "1//refresh-token-Qm2Lk9Zr7Yt"


@pytest.fixture()
def accounts(store: Store):
    cf = store.add_cloudflare_account("Ops@Example.com", "CF_Batch_1", TOKEN)
    gsc = store.add_gsc_account("seo@example.com", REFRESH)
    return cf, gsc


def test_accounts_round_trip_without_exposing_secrets(store: Store, accounts) -> None:
    cf, gsc = accounts
    assert cf.email == "ops@example.com" and cf.account_nickname == "CF_Batch_1"
    assert TOKEN not in repr(cf) and REFRESH not in repr(gsc)
    assert cf.token_hint == "…" + TOKEN[-4:]
    assert store.cloudflare_credential(cf.id) == TOKEN
    assert store.gsc_credential(gsc.id) == REFRESH
    listed = store.list_cloudflare_accounts()
    assert [a.account_nickname for a in listed] == ["CF_Batch_1"]
    assert TOKEN not in repr(listed)
    assert store.get_cloudflare_account("CF_Batch_1").id == cf.id
    assert store.get_gsc_account("SEO@example.com").id == gsc.id


def test_duplicate_accounts_are_refused(store: Store, accounts) -> None:
    with pytest.raises(Conflict, match="nickname"):
        store.add_cloudflare_account("other@example.com", "CF_Batch_1", TOKEN)
    with pytest.raises(Conflict, match="email"):
        store.add_cloudflare_account("OPS@example.com", "CF_Batch_2", TOKEN)
    with pytest.raises(Conflict):
        store.add_gsc_account("seo@example.com", REFRESH)


def test_add_and_get_site(store: Store, accounts) -> None:
    cf, gsc = accounts
    site = store.add_site(NewSite("Bücher.DE.", "CF_Batch_1", "seo@example.com", "Bücher"))
    assert site.domain == "xn--bcher-kva.de"
    assert site.cloudflare_account_id == cf.id and site.gsc_account_id == gsc.id
    assert (site.status_dns, site.status_hosting, site.status_content, site.status_deployment,
            site.gsc_verification_status) == ("pending",) * 5
    assert store.get_site("bücher.de").id == site.id
    assert store.get_site(site.id).domain == site.domain


def test_duplicate_domain_in_any_case_is_refused(store: Store, accounts) -> None:
    store.add_site(NewSite("acme-example.com", "CF_Batch_1"))
    with pytest.raises(Conflict, match="already exists"):
        store.add_site(NewSite("ACME-EXAMPLE.com.", "CF_Batch_1"))


def test_unknown_accounts_are_refused(store: Store, accounts) -> None:
    with pytest.raises(NotFound, match="Cloudflare account"):
        store.add_site(NewSite("acme-example.com", "nope"))
    with pytest.raises(NotFound, match="Google account"):
        store.add_site(NewSite("acme-example.com", "CF_Batch_1", "nobody@example.com"))
    assert store.list_sites() == []


def test_batch_is_all_or_nothing(store: Store, accounts) -> None:
    with pytest.raises(InvalidInput):
        store.add_sites([NewSite("good.com", "CF_Batch_1"), NewSite("bad..com", "CF_Batch_1")])
    with pytest.raises(Conflict, match="twice"):
        store.add_sites([NewSite("good.com", "CF_Batch_1"), NewSite("GOOD.com", "CF_Batch_1")])
    assert store.list_sites() == []


def test_status_vocabulary_is_enforced(store: Store, accounts) -> None:
    store.add_site(NewSite("acme-example.com", "CF_Batch_1"))
    with pytest.raises(InvalidInput, match="not a valid status_dns"):
        store.set_status("acme-example.com", "status_dns", "deployed")
    with pytest.raises(InvalidInput, match="not a status column"):
        store.set_status("acme-example.com", "domain", "active")


def test_failure_message_belongs_to_its_step(store: Store, accounts) -> None:
    store.add_site(NewSite("acme-example.com", "CF_Batch_1"))
    store.set_status("acme-example.com", "status_dns", "failed", "Cloudflare said: invalid token")
    site = store.get_site("acme-example.com")
    assert site.status_dns == "failed" and site.error_message == "Cloudflare said: invalid token"
    store.set_status("acme-example.com", "status_hosting", "active")  # another step: keeps the message
    assert store.get_site("acme-example.com").error_message == "Cloudflare said: invalid token"
    store.set_status("acme-example.com", "status_dns", "active")  # the failed step recovered: clears it
    site = store.get_site("acme-example.com")
    assert site.status_dns == "active" and site.error_message is None
    events = store.site_events("acme-example.com")
    assert [(e["step"], e["status"]) for e in events][:3] == [
        ("status_dns", "active"), ("status_hosting", "active"), ("status_dns", "failed")]


def test_concurrent_status_updates_are_not_lost(store: Store, accounts) -> None:
    """Two steps finishing at the same moment, many times over: both writes always survive."""
    domains = [f"site{i}.com" for i in range(20)]
    store.add_sites([NewSite(d, "CF_Batch_1") for d in domains])
    barrier = threading.Barrier(2)

    def update(column: str, status: str) -> None:
        for d in domains:
            barrier.wait()
            store.set_status(d, column, status)

    threads = [threading.Thread(target=update, args=("status_dns", "active")),
               threading.Thread(target=update, args=("status_hosting", "failed"))]
    # status 'failed' needs a message: the default one is used
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for site in store.list_sites():
        assert site.status_dns == "active"
        assert site.status_hosting == "failed"
        assert site.error_step == "status_hosting"


def test_update_and_delete_site(store: Store, accounts) -> None:
    store.add_site(NewSite("acme-example.com", "CF_Batch_1"))
    site = store.update_site("acme-example.com", hosting_doc_root="/home/example/htdocs/acme-example.com", matomo_site_id=7)
    assert site.hosting_doc_root.endswith("acme-example.com") and site.matomo_site_id == 7
    with pytest.raises(InvalidInput):
        store.update_site("acme-example.com", domain="evil.com")
    store.delete_site("acme-example.com")
    with pytest.raises(NotFound):
        store.get_site("acme-example.com")
    assert [d for _, d in store.deletions_after(0)] == ["acme-example.com"]


def test_sites_after_cursor(store: Store, accounts) -> None:
    store.add_sites([NewSite(f"s{i}.com", "CF_Batch_1") for i in range(5)])
    first = store.sites_after(0, limit=3)
    assert [s.domain for s in first] == ["s0.com", "s1.com", "s2.com"]
    assert [s.domain for s in store.sites_after(first[-1].seq)] == ["s3.com", "s4.com"]


def test_list_filters_and_search(store: Store, accounts) -> None:
    store.add_sites([NewSite("alpha.com", "CF_Batch_1", brand_name="Alpha"),
                     NewSite("beta.com", "CF_Batch_1", brand_name="Beta 100%")])
    store.set_status("beta.com", "status_dns", "active")
    assert [s.domain for s in store.list_sites(status={"status_dns": "active"})] == ["beta.com"]
    assert [s.domain for s in store.list_sites(search="ALP")] == ["alpha.com"]
    assert [s.domain for s in store.list_sites(search="100%")] == ["beta.com"]
    assert [s.domain for s in store.list_sites(search="%")] == ["beta.com"]  # literal, not a wildcard
    assert store.list_sites(search="_") == []
    assert [s.domain for s in store.list_sites(limit=1, offset=1)] == ["beta.com"]


def test_analytics_upsert_is_idempotent(store: Store, accounts) -> None:
    a, b = store.add_sites([NewSite("a.com", "CF_Batch_1"), NewSite("b.com", "CF_Batch_1")])
    day = dt.date(2026, 11, 1)
    rows = [AnalyticsRow(day, a.id, 10, None, None), AnalyticsRow(day, b.id, 0, 3, 40)]
    assert store.upsert_daily_analytics(rows) == 2
    store.upsert_daily_analytics(rows)
    store.upsert_daily_analytics([AnalyticsRow(day, a.id, 12, 1, 9)])
    got = {r.site_id: r for r in store.daily_analytics(day, day)}
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
        store.cloudflare_credential(cf.id)
    assert TOKEN not in str(info.value)
    monkeypatch.setenv("FACTORY_SECRET_KEY", "not-a-key")
    with pytest.raises(SecretKeyError, match="Fernet key"):
        store.cloudflare_credential(cf.id)


def test_delete_account_in_use_is_refused(store: Store, accounts) -> None:
    cf, gsc = accounts
    store.add_site(NewSite("acme-example.com", "CF_Batch_1", "seo@example.com"))
    with pytest.raises(Conflict):
        store.delete_cloudflare_account(cf.id)
    with pytest.raises(Conflict):
        store.delete_gsc_account(gsc.id)
    with pytest.raises(NotFound):
        store.delete_cloudflare_account(uuid.uuid4())


def test_sql_in_inputs_is_data(store: Store, accounts, clean_db: str) -> None:
    hostile = "x'); drop table public.sites; --"
    store.add_site(NewSite("acme-example.com", "CF_Batch_1", brand_name=hostile))
    assert store.get_site("acme-example.com").brand_name == hostile
    assert store.list_sites(search=hostile)[0].domain == "acme-example.com"
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("select count(*) from public.sites").fetchone()[0] == 1
