"""The content schema on a fresh Directus, created by several runs at once (the first onboarding
runs of a new fleet all start with it): every run succeeds and each object is created once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from factory.vendors.directus import PAGES, SITES, DirectusClient


def test_runs_creating_the_schema_at_once_all_succeed_and_create_each_object_once(directus) -> None:
    with DirectusClient(directus.url, directus.token) as admin:
        for collection in (PAGES, SITES):  # start from a Directus without the content schema
            if admin._exists(f"/collections/{collection}"):
                admin._request("DELETE", f"/collections/{collection}")

    def one_run(_: int) -> list[str]:
        with DirectusClient(directus.url, directus.token) as client:
            return client.ensure_schema()

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one_run, range(6)))
    created = [name for result in results for name in result]
    assert len(created) == len(set(created)), f"created twice: {created}"
    assert {SITES, PAGES, "pages.site -> sites"} <= set(created)
    with DirectusClient(directus.url, directus.token) as client:
        assert client.ensure_schema() == []  # complete: a later run creates nothing
