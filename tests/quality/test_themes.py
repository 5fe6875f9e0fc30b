"""Themes without a build: the registry, deterministic assignment, the build input and its hash."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from factory.layers.build import BuildInputError, build_hash
from tests.quality.inputs import site_input
from factory.content.themes import ThemeError, all_theme_choices, theme_for, themes

PAGES = [{"slug": "home", "title": "Home", "status": "published", "body": "Hello."}]


def _input(domain: str, **kwargs) -> dict:
    return site_input(domain, brand="Acme", tagline="t", pages=PAGES, matomo_url="https://m.example/",
                      matomo_site_id=3, **kwargs)


def test_at_least_six_themes_each_with_its_own_header_and_footer_and_variations():
    registry = themes()
    assert len(registry) >= 6
    assert len({(t.header, t.footer) for t in registry.values()}) == len(registry)
    assert len({t.header for t in registry.values()}) == len(registry)
    assert all(len(t.variations) >= 2 for t in registry.values())


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("choice", all_theme_choices(), ids=lambda c: f"{c['name']}/{c['variation']}")
def test_every_palette_meets_wcag_aa_contrast_for_text(choice):
    palette = themes()[choice["name"]].variations[choice["variation"]]
    pairs = [("text", "bg"), ("text", "surface"), ("muted", "bg"), ("muted", "surface"), ("accent", "bg"),
             ("accent", "surface"), ("on_accent", "accent"), ("on_band", "band")]
    low = {f"{a} on {b}": round(_contrast(palette[a], palette[b]), 2) for a, b in pairs
           if _contrast(palette[a], palette[b]) < 4.5}
    assert not low, f"text below 4.5:1 in {choice}: {low}"


def test_assignment_is_deterministic_and_spreads_over_every_theme():
    domains = [f"site-{i}.com" for i in range(400)]
    first = [theme_for(d) for d in domains]
    assert first == [theme_for(d) for d in domains]
    used = Counter(t["name"] for t in first)
    assert set(used) == set(themes()) and min(used.values()) >= 400 / len(themes()) / 3
    assert all(t["variation"] in themes()[t["name"]].variations for t in first)


def test_adding_a_theme_moves_only_the_sites_the_new_theme_wins():
    registry = dict(themes())
    grown = {**registry, "zenith": dataclasses.replace(registry["harbor"], name="zenith")}
    domains = [f"site-{i}.com" for i in range(400)]
    moved = [d for d in domains if theme_for(d, registry=grown) != theme_for(d, registry=registry)]
    assert all(theme_for(d, registry=grown)["name"] == "zenith" for d in moved)
    assert 0 < len(moved) < 400 / len(grown) * 1.6


@pytest.mark.parametrize("chosen, expected", [
    ("ledger/forest", {"name": "ledger", "variation": "forest"}),
    ({"name": "meadow", "variation": "sky"}, {"name": "meadow", "variation": "sky"}),
    (" canopy ", None),
])
def test_operator_choice_wins(chosen, expected):
    result = theme_for("acme.com", chosen)
    if expected:
        assert result == expected
    else:  # a name alone keeps the domain's variation of that theme
        assert result["name"] == "canopy" and result["variation"] in themes()["canopy"].variations
        assert result == theme_for("acme.com", "canopy")


@pytest.mark.parametrize("chosen, message", [
    ("nope", "unknown theme 'nope'; available: atlas, canopy"),
    ("ledger/neon", "theme 'ledger' has no variation 'neon'; available: forest, ink, midnight"),
    (42, "a theme is a name"),
])
def test_bad_choices_fail_clearly(chosen, message):
    with pytest.raises(ThemeError, match=message):
        theme_for("acme.com", chosen)
    with pytest.raises(BuildInputError, match="acme.com: " + message.split(";")[0]):
        _input("acme.com", theme=chosen)


def test_theme_and_language_are_build_input_so_only_the_changed_site_hashes_differently():
    domains = ["one.com", "two.com", "three.com"]
    before = {d: _input(d) for d in domains}
    assert before["one.com"]["theme"] == theme_for("one.com") and before["one.com"]["lang"] == "en"
    other = next(c for c in all_theme_choices() if c != before["two.com"]["theme"])
    after = {**before, "two.com": _input("two.com", theme=other)}
    changed = [d for d in domains if build_hash(after[d], "tpl") != build_hash(before[d], "tpl")]
    assert changed == ["two.com"]
    assert build_hash(_input("one.com", lang="de"), "tpl") != build_hash(before["one.com"], "tpl")


@pytest.mark.parametrize("kwargs, message", [
    ({"lang": "english"}, "language 'english' is not a language tag"),
    ({"lang": ""}, "language '' is not a language tag"),
])
def test_bad_language_fails_clearly(kwargs, message):
    with pytest.raises(BuildInputError, match=message):
        _input("acme.com", **kwargs)


@pytest.mark.parametrize("lang", ["en", "de", "pt-BR", "zh-Hant-TW", "es-419"])
def test_language_tags(lang):
    assert _input("acme.com", lang=lang)["lang"] == lang


def test_tracker_must_be_https_except_on_this_machine():
    with pytest.raises(BuildInputError, match="must be https://"):
        site_input("acme.com", brand="A", tagline="", pages=PAGES, matomo_url="http://matomo.example/",
                   matomo_site_id=1)
    assert site_input("acme.com", brand="A", tagline="", pages=PAGES, matomo_url="http://127.0.0.1:8787/matomo/",
                      matomo_site_id=1)["matomo"]["url"] == "http://127.0.0.1:8787/matomo/"


def test_template_pages_are_reserved_slugs():
    with pytest.raises(BuildInputError, match="'404' is reserved"):
        site_input("acme.com", brand="A", tagline="", matomo_url="https://m/", matomo_site_id=1,
                   pages=PAGES + [{"slug": "404", "status": "published"}])

