"""The site template through a real batched Astro build: what every page carries, themes that
look different, and a theme change that rebuilds only its site."""

from __future__ import annotations

import json
import os
import re
from html import unescape
from pathlib import Path

from factory.layers.build import build_hash
from factory.vendors.astro import SiteBuilder
from tests.quality.inputs import build_inputs
from factory.content.themes import all_theme_choices, themes
from tests.quality import png
from tests.quality.conftest import make_input


def _html(root: Path, slug: str) -> str:
    return (root / ("index.html" if slug == "home" else f"{slug}/index.html")).read_text()


def _graph(html: str) -> dict[str, dict]:
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org"
    return {node["@type"]: node for node in data["@graph"]}


def _meta(html: str, attr: str, name: str) -> str | None:
    found = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def test_every_page_carries_structured_data_social_tags_icons_and_its_language(themed_batch):
    for domain, site in themed_batch.inputs.items():
        root = themed_batch.root(domain)
        for page in site["pages"]:
            html = _html(root, page["slug"])
            url = f"https://{domain}/" + ("" if page["slug"] == "home" else f"{page['slug']}/")
            assert f'<html lang="{site["lang"]}">' in html
            graph = _graph(html)
            assert {"Organization", "WebSite", "BreadcrumbList"} <= set(graph), (domain, page["slug"])
            assert graph["Organization"]["name"] == site["brand"]
            assert graph["WebSite"]["inLanguage"] == site["lang"]
            crumbs = graph["BreadcrumbList"]["itemListElement"]
            assert crumbs[0]["item"] == f"https://{domain}/" and crumbs[-1]["item"] == url
            if page["slug"] == "faq":
                questions = [line[3:] for line in page["body"].splitlines() if line.startswith("## ")
                             and line.endswith("?")]
                assert [q["name"] for q in graph["FAQPage"]["mainEntity"]] == questions and questions
                assert all(q["acceptedAnswer"]["text"] for q in graph["FAQPage"]["mainEntity"])
            else:
                assert "FAQPage" not in graph and graph["WebPage"]["url"] == url
            assert _meta(html, "property", "og:image") == f"https://{domain}/og.png"
            assert _meta(html, "name", "description") == page["seo_description"]
            assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in html
            assert '<link rel="manifest" href="/site.webmanifest">' in html
            assert f'<link rel="canonical" href="{url}">' in html
            # Nothing loads over plain HTTP: every absolute URL in the page is https.
            assert not re.findall(r'(?:src|href|content)="http://', html) and 'var u="https://' in html


def test_icons_manifest_and_social_image_are_generated_from_brand_and_theme(themed_batch):
    previews = set()
    for domain, site in themed_batch.inputs.items():
        root = themed_batch.root(domain)
        palette = themes()[site["theme"]["name"]].variations[site["theme"]["variation"]]
        manifest = json.loads((root / "site.webmanifest").read_text())
        assert manifest["name"] == site["brand"] and manifest["lang"] == site["lang"]
        assert manifest["theme_color"] == palette["band"] and manifest["start_url"] == "/"
        for icon in manifest["icons"]:
            assert (root / icon["src"].lstrip("/")).is_file()
            if icon["type"] == "image/png":
                assert "{}x{}".format(*png.size(root / icon["src"].lstrip("/"))) == icon["sizes"]
        width, height, rows = png.pixels(root / "icon-192.png")
        assert (width, height) == (192, 192) and png.hex_colour(rows[8][96]) == palette["accent"]
        initials = "".join(w[0] for w in site["brand"].split()[:2]).upper()
        assert f">{initials}</text>" in (root / "favicon.svg").read_text()
        assert png.size(root / "apple-touch-icon.png") == (180, 180)
        icon = (root / "favicon.ico").read_bytes()  # an ICO holding one 32x32 PNG
        assert icon[:6] == b"\x00\x00\x01\x00\x01\x00" and icon[6:8] == b"\x20\x20" and icon[22:26] == b"\x89PNG"
        assert png.size(root / "og.png") == (1200, 630)
        previews.add((root / "og.png").read_bytes())
    assert len(previews) == len(themed_batch.inputs)  # one social image per site, none shared


def test_404_page_robots_sitemap_and_language_of_the_template_words(themed_batch):
    german = next(d for d, s in themed_batch.inputs.items() if s["lang"] == "de-DE")
    for domain, site in themed_batch.inputs.items():
        root = themed_batch.root(domain)
        missing = (root / "404.html").read_text()
        assert not (root / "404").exists()
        assert '<meta name="robots" content="noindex">' in missing and 'rel="canonical"' not in missing
        assert f'<html lang="{site["lang"]}">' in missing and 'href="/"' in missing
        assert "404" not in (root / "sitemap.xml").read_text()
        assert f"Sitemap: https://{domain}/sitemap.xml" in (root / "robots.txt").read_text()
    home = _html(themed_batch.root(german), "home")
    assert "Zum Inhalt springen" in home and _meta(home, "property", "og:locale") == "de_DE"
    assert "Seite nicht gefunden" in (themed_batch.root(german) / "404.html").read_text()


def _skeleton(html: str) -> list[str]:
    """Tags and classes of the page outside <main>: the theme's header and footer structure."""
    outside = re.sub(r"<main.*</main>", "", html.split("<body>", 1)[1], flags=re.DOTALL)
    return re.findall(r'<(\w+)(?: [^>]*?class="([^"]*)")?', outside)


def test_themes_differ_in_structure_and_variations_in_palette(themed_batch):
    skeletons, styles = {}, {}
    for domain, site in themed_batch.inputs.items():
        html = _html(themed_batch.root(domain), "home")
        name = site["theme"]["name"]
        skeletons.setdefault(name, set()).add(str(_skeleton(html)))
        [css] = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
        styles[(name, site["theme"]["variation"])] = css
    assert all(len(s) == 1 for s in skeletons.values())          # a theme's variations share its structure
    assert len({next(iter(s)) for s in skeletons.values()}) == len(themes())  # themes do not
    assert len(set(styles.values())) == len(all_theme_choices())  # every variation has its own palette


def test_changing_one_sites_theme_rebuilds_only_that_site(npm_ready, tmp_path):
    sites = {d: make_input(d, f"Brand {i}", site_id=i + 1) for i, d in enumerate(["a.com", "b.com", "c.com"])}
    builder = SiteBuilder(tmp_path / "builds")
    template = builder.template_version()
    first = builder.build(build_inputs(sites.values(), template))
    inodes = {d: os.stat(b.path / "index.html").st_ino for d, b in first.items()}

    other = next(c for c in all_theme_choices() if c["name"] != sites["b.com"]["theme"]["name"])
    sites["b.com"] = make_input("b.com", "Brand 1", theme=other, site_id=2)
    # What the build step does: a site whose input hash already has an output is not built again.
    stale = [s for d, s in sites.items() if not builder.output_path(d, build_hash(s, template)).exists()]
    assert [s["domain"] for s in stale] == ["b.com"]
    second = builder.build(build_inputs(stale, template))

    assert set(second) == {"b.com"} and second["b.com"].build_hash != first["b.com"].build_hash
    assert not first["b.com"].path.exists() and second["b.com"].path.is_dir()
    for domain in ("a.com", "c.com"):  # untouched: the same files, not rewritten
        assert os.stat(first[domain].path / "index.html").st_ino == inodes[domain]
    palette = themes()[other["name"]].variations[other["variation"]]
    assert f"--band:{palette['band']}" in _html(second["b.com"].path, "home")
