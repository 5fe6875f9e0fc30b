"""Near-duplicates across the fleet, with content from the OpenAI simulator through the official
SDK: distinct sites are not flagged, injected near-copies are, with their pages and Jaccard."""

from __future__ import annotations

import itertools

import httpx
import pytest

from devtools.sandbox import settings as sandbox_settings
from factory.content.generate import generate_site_plan
from factory.vendors.openai import standalone
from factory.content.prompt import load_prompt
from factory.quality.settings import QualitySettingsError, load_settings
from factory.quality.similarity import (
    jaccard,
    near_duplicates,
    page_text,
    pairs,
    shingles,
    site_pages_text,
)


@pytest.fixture()
def llm(sandbox):
    sandbox.openai.reset()
    env = sandbox_settings(sandbox.url)
    client = standalone(env["OPENAI_API_KEY"], env["OPENAI_BASE_URL"], "gpt-4o-mini", max_attempts=1)
    yield client
    client.sdk.close()
    sandbox.openai.reset()


def _generate(client, domain: str, brand: str) -> dict[str, str]:
    plan = generate_site_plan(client, load_prompt(), brand=brand, domain=domain).plan
    return {p.slug: page_text({"title": p.title, "body": p.body}, brand=brand, domain=domain) for p in plan.pages}


def test_simulated_sites_differ_and_nothing_is_flagged(llm):
    sites = {f"shop-{i:02d}.com": _generate(llm, f"shop-{i:02d}.com", f"Shop {i}") for i in range(30)}
    assert near_duplicates(sites, threshold=0.5, shingle_words=5) == []
    sets = {(d, s): shingles(t) for d, pages in sites.items() for s, t in pages.items()}
    closest = max(jaccard(sets[a], sets[b]) for a, b in itertools.combinations(sets, 2) if a[0] != b[0])
    assert closest < 0.35  # the same pattern filled for every site would be far above this
    assert len({tuple(pages) for pages in sites.values()}) > 3  # page sets vary too


def test_injected_near_copies_are_found_with_their_pages(llm, sandbox):
    sites = {f"shop-{i:02d}.com": _generate(llm, f"shop-{i:02d}.com", f"Shop {i}") for i in range(12)}
    injected = set()
    for n, source in enumerate(["shop-01.com", "shop-05.com", "shop-09.com"]):
        sandbox.openai.set_output("near_copy", count=1, source=source)
        copy = f"copycat-{n}.com"
        sites[copy] = _generate(llm, copy, f"Copycat {n}")
        injected.add(frozenset((source, copy)))
    found = near_duplicates(sites, threshold=0.5, shingle_words=5)
    assert pairs(found) == injected
    for pair in found:
        source, copy = sorted((pair.a, pair.b), key=lambda d: d.startswith("copycat"))
        assert {p.slug_a for p in pair.pages} == set(sites[source]) == set(sites[copy])
        assert all(p.slug_a == p.slug_b and 0.5 <= p.jaccard < 0.95 for p in pair.pages)
        assert 0.5 <= pair.jaccard < 0.95 and pair.as_dict()["max_page_jaccard"] == pair.pages[0].jaccard


def test_a_copy_that_only_changes_the_names_is_a_duplicate():
    body = "Acme helps home gardeners with compost and raised beds at acme.com, every season of the year."
    a = {"home": page_text({"title": "Acme", "body": body}, brand="Acme", domain="acme.com")}
    b = {"home": page_text({"title": "Bloom", "body": body.replace("Acme", "Bloom").replace("acme.com", "bloom.net")},
                           brand="Bloom", domain="bloom.net")}
    [pair] = near_duplicates({"acme.com": a, "bloom.net": b}, threshold=0.9, shingle_words=5)
    assert (pair.a, pair.b, pair.jaccard) == ("acme.com", "bloom.net", 1.0)
    site = {"domain": "acme.com", "brand": "Acme", "pages": [{"slug": "home", "title": "Acme", "body": body}]}
    assert site_pages_text(site) == a


def test_threshold_and_shingle_size_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("FACTORY_QUALITY_SIMILARITY_THRESHOLD", "0.8")
    monkeypatch.setenv("FACTORY_QUALITY_SHINGLE_WORDS", "3")
    settings = load_settings()
    assert (settings.similarity_threshold, settings.shingle_words) == (0.8, 3)
    text = "one two three four five six seven eight"
    half = "one two three four five nine ten eleven"
    assert near_duplicates({"a.com": {"p": text}, "b.com": {"p": half}}) == []  # Jaccard 3/9 < 0.8
    monkeypatch.setenv("FACTORY_QUALITY_SIMILARITY_THRESHOLD", "0.3")
    assert pairs(near_duplicates({"a.com": {"p": text}, "b.com": {"p": half}})) == {frozenset(("a.com", "b.com"))}
    monkeypatch.setenv("FACTORY_QUALITY_SIMILARITY_THRESHOLD", "2")
    with pytest.raises(QualitySettingsError, match="FACTORY_QUALITY_SIMILARITY_THRESHOLD: .*less than or equal to 1"):
        load_settings()


def test_near_copy_mode_needs_a_source(sandbox):
    with pytest.raises(ValueError, match="source"):
        sandbox.openai.set_output("near_copy")
    answer = httpx.post(f"{sandbox.url}/_sandbox/openai/output", json={"mode": "near_copy"})
    assert answer.status_code == 400 and "source" in answer.json()["error"]
    answer = httpx.post(f"{sandbox.url}/_sandbox/openai/output",
                        json={"mode": "near_copy", "count": 1, "source": "shop-01.com"})
    assert answer.status_code == 200 and answer.json()["source"] == "shop-01.com"
    sandbox.openai.reset()
