"""Fast checks of the plain logic: schema, prompt, build inputs, release layout, page check."""

from __future__ import annotations

import json

import pytest

from factory.content.prompt import PromptTemplate, load_prompt
from factory.layers.build import BuildDesired, BuildInputError, BuildObserved, build_hash, site_input
from factory.layers.deploy import verify_page
from factory.vendors.rsync import ReleaseError, layout, new_release_id
from factory.content.schema import SITE_PLAN_SCHEMA, ContentSchemaError, parse_site_plan
from devtools.sandbox.openai import instance_for, site_plan


def _plan(**overrides) -> dict:
    plan = site_plan("Brand name: Acme\nDomain: acme.com", b"\x01" * 32)
    plan.update(overrides)
    return plan


def test_simulated_plan_is_schema_valid_and_parses():
    plan = parse_site_plan(json.dumps(_plan()))
    assert plan.pages[0].slug == "home" and [p.nav_order for p in plan.pages] == list(range(len(plan.pages)))


@pytest.mark.parametrize("raw, message", [
    ("", "no content"),
    ("{not json", "is not JSON"),
    (json.dumps({"pages": []}), "'tagline' is a required property"),
    (json.dumps(_plan(extra=1)), "Additional properties are not allowed"),
])
def test_schema_violations_fail_clearly(raw, message):
    with pytest.raises(ContentSchemaError, match="") as info:
        parse_site_plan(raw)
    assert message in str(info.value)


def test_semantic_rules():
    plan = _plan()
    plan["pages"][0]["slug"] = "start"
    with pytest.raises(ContentSchemaError, match="first page must be 'home'"):
        parse_site_plan(json.dumps(plan))
    plan = _plan()
    plan["pages"][2]["slug"] = plan["pages"][1]["slug"]
    with pytest.raises(ContentSchemaError, match="duplicate slugs"):
        parse_site_plan(json.dumps(plan))
    plan = _plan()
    plan["pages"][1]["slug"] = "Not A Slug"
    with pytest.raises(ContentSchemaError, match=r"pages\.1\.slug"):
        parse_site_plan(json.dumps(plan))


def test_generic_instances_follow_the_schema():
    import jsonschema

    jsonschema.validate(instance_for(SITE_PLAN_SCHEMA, b"\x00" * 32), {**SITE_PLAN_SCHEMA, "minItems": 0})


def test_prompt_version_follows_the_text():
    template = load_prompt()
    assert template.version.startswith("site_plan@")
    edited = PromptTemplate(template.name, template.text + "\nBe brief.")
    assert edited.version != template.version
    rendered = template.render(brand="Braces {x}", domain="acme.com")
    assert "Brand name: Braces {x}" in rendered and "Domain: acme.com" in rendered


def _pages():
    return [{"slug": "home", "title": "Hi", "status": "published", "body": "x"},
            {"slug": "draft-page", "title": "D", "status": "draft", "body": "y"}]


def _input(pages, matomo_id, tagline="t"):
    return site_input(BuildDesired("acme.com", "Acme", "https://m.example/", matomo_id, "tpl"),
                      BuildObserved(None, tagline, pages))


def test_site_input_keeps_published_pages_and_hash_tracks_inputs():
    data = _input(_pages(), 3)
    assert [p["slug"] for p in data["pages"]] == ["home"] and data["matomo"]["url"] == "https://m.example/"
    other = _input(_pages(), 4)
    assert build_hash(data, "tpl1") != build_hash(other, "tpl1") != build_hash(other, "tpl2")
    assert build_hash(data, "tpl1") == build_hash(json.loads(json.dumps(data)), "tpl1")


@pytest.mark.parametrize("pages, message", [
    ([{"slug": "about", "status": "published"}], "no published page with slug 'home'"),
    ([{"slug": "home"}, {"slug": "../etc", "status": "published"}], "is not valid"),
])
def test_site_input_refuses_unbuildable_sites(pages, message):
    with pytest.raises(BuildInputError, match=message):
        _input(pages, 1, tagline="")


@pytest.mark.parametrize("doc_root", [
    "relative/acme.com", "/home/u/htdocs/other.com", "/home/u/../root/acme.com", "/home/u/htdocs/acme.com;rm",
    "/home/u/ht docs/acme.com",
])
def test_layout_refuses_unsafe_doc_roots(doc_root):
    with pytest.raises(ReleaseError):
        layout(doc_root, "acme.com")


def test_layout_and_release_ids():
    lay = layout("/home/acme/htdocs/acme.com", "acme.com")
    assert lay.releases == "/home/acme/htdocs/.releases/acme.com"
    assert lay.link_target("x") == ".releases/acme.com/x"
    first, second = new_release_id("a" * 64), new_release_id("b" * 64)
    assert first < second and first.endswith("-aaaaaaaaaaaa")


def test_verify_page():
    good = ('<link rel="canonical" href="https://acme.com/"><!-- Matomo -->'
            "<script>_paq.push(['setSiteId', '9']);</script>")
    assert verify_page(good, domain="acme.com", matomo_site_id=9) == []
    assert len(verify_page(good, domain="other.com", matomo_site_id=8)) == 2
