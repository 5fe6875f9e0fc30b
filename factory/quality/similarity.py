"""Near-duplicate content across the fleet: MinHash + LSH over every site's page text.

Each published page becomes a set of word shingles (runs of `shingle_words` words, lower-cased;
the site's own brand and domain replaced by placeholders, so two sites that differ only in their
names count as copies). MinHash signatures go into an LSH index (datasketch) that proposes
candidate page pairs from different sites; each candidate's exact Jaccard similarity on the
shingle sets decides. A pair of sites is flagged when any of their pages is at or above the
threshold (FACTORY_QUALITY_SIMILARITY_THRESHOLD); the report names the pages and the Jaccard of
the pages and of the whole sites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from factory.quality.settings import load_settings

NUM_PERM = 128
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class SimilarPages:
    slug_a: str
    slug_b: str
    jaccard: float


@dataclass(frozen=True)
class SimilarSites:
    a: str
    b: str
    jaccard: float                     # whole sites: all their pages' shingles together
    pages: tuple[SimilarPages, ...]    # page pairs at or above the threshold, most similar first

    @property
    def max_page_jaccard(self) -> float:
        return self.pages[0].jaccard if self.pages else 0.0

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "jaccard": self.jaccard, "max_page_jaccard": self.max_page_jaccard,
                "pages": [asdict(p) for p in self.pages]}


def page_text(page: Mapping, *, brand: str = "", domain: str = "") -> str:
    """The words a reader sees on a page (title and body, Markdown syntax dropped), with the
    site's own brand and domain replaced by placeholders."""
    text = f"{page.get('title') or ''}\n{page.get('body') or page.get('body_markdown') or ''}"
    text = _MARKDOWN_LINK.sub(r"\1", text)
    for name, placeholder in ((domain, " sitedomain "), (brand, " sitebrand ")):
        if name.strip():
            text = re.sub(re.escape(name.strip()), placeholder, text, flags=re.IGNORECASE)
    return text


def site_pages_text(site: Mapping) -> dict[str, str]:
    """{slug: text} for a site as `factory.layers.build.site_input` describes it."""
    return {p["slug"]: page_text(p, brand=site.get("brand", ""), domain=site.get("domain", ""))
            for p in site.get("pages", [])}


def shingles(text: str, words: int = 5) -> set[str]:
    tokens = [t.lower() for t in _WORD.findall(text)]
    if len(tokens) < words:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + words]) for i in range(len(tokens) - words + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def near_duplicates(sites: Mapping[str, Mapping[str, str]], *, threshold: float | None = None,
                    shingle_words: int | None = None) -> list[SimilarSites]:
    """Pairs of sites ({domain: {slug: page text}}) with pages at or above `threshold` Jaccard."""
    settings = load_settings() if threshold is None or shingle_words is None else None
    threshold = threshold if threshold is not None else settings.similarity_threshold
    shingle_words = shingle_words or settings.shingle_words
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")

    sets: dict[tuple[str, str], set[str]] = {}
    for domain, pages in sites.items():
        for slug, text in pages.items():
            found = shingles(text, shingle_words)
            if found:
                sets[(domain, slug)] = found
    # Imported here: datasketch brings scipy, over a second for every process that loads the code
    # location (each run), and only this comparison uses it.
    from datasketch import MinHash, MinHashLSH

    keys = list(sets)
    signatures = MinHash.bulk([[s.encode() for s in sets[k]] for k in keys], num_perm=NUM_PERM)
    # LSH proposes candidates a little below the threshold (its estimate is approximate); the exact
    # Jaccard below decides, so a lower LSH threshold costs a few checks and loses no true pair.
    lsh = MinHashLSH(threshold=max(0.1, threshold * 0.7), num_perm=NUM_PERM)
    for key, signature in zip(keys, signatures):
        lsh.insert(key, signature)

    flagged: dict[tuple[str, str], list[SimilarPages]] = {}
    for key, signature in zip(keys, signatures):
        for other in lsh.query(signature):
            if other[0] == key[0] or other <= key:  # same site, or the pair seen from the other side
                continue
            value = jaccard(sets[key], sets[other])
            if value >= threshold:
                (a, slug_a), (b, slug_b) = sorted([key, other])
                flagged.setdefault((a, b), []).append(SimilarPages(slug_a, slug_b, round(value, 3)))

    def whole(domain: str) -> set[str]:
        return set().union(*(s for (d, _), s in sets.items() if d == domain))

    result = [SimilarSites(a, b, round(jaccard(whole(a), whole(b)), 3),
                           tuple(sorted(pages, key=lambda p: (-p.jaccard, p.slug_a, p.slug_b))))
              for (a, b), pages in flagged.items()]
    return sorted(result, key=lambda s: (-s.max_page_jaccard, s.a, s.b))


def pairs(found: Iterable[SimilarSites]) -> set[frozenset[str]]:
    """The flagged site pairs as unordered pairs (for comparing with expectations)."""
    return {frozenset((s.a, s.b)) for s in found}
