"""Site quality in the Hub: the gate's verdict and failed audits, the preview PNG, the theme
(chosen, then that site alone rebuilt) and the fleet's near-duplicate pairs."""

from __future__ import annotations

from fastapi.testclient import TestClient

PNG_1x1 = b"\x89PNG\r\n\x1a\n" + b"preview-bytes"
FAILED = {"passed": False, "scores": {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 92},
          "thresholds": {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95},
          "pages": {"/": {"seo": 100}, "/about/": {"seo": 92}},
          "audits": [{"id": "meta-description", "title": "Document does not have a meta description", "score": 0,
                      "categories": ["seo"], "path": "/about/", "display": "", "items": []},
                     {"id": "color-contrast", "title": "Contrast", "score": 0.5, "categories": ["accessibility"],
                      "path": "/", "display": "", "items": ["p.small"]}],
          "errors": [], "message": "quality gate failed for a-site.com: seo 92 < 95; failing audits: meta-description"}


def _add(client, auth, domain):
    r = client.post("/api/sites", headers=auth, json={"domain": domain, "cloudflare_account": "CF_1"})
    assert r.status_code == 201, r.text
    return r.json()


def test_quality_verdict_preview_and_duplicates(client: TestClient, auth, accounts, hub_store, tmp_path) -> None:
    a, b = _add(client, auth, "a-site.com"), _add(client, auth, "b-site.com")
    assert client.get("/api/sites/a-site.com/quality", headers=auth).json()["quality"] is None
    assert client.get("/api/sites/a-site.com/preview", headers=auth).status_code == 404

    preview = tmp_path / "a-site.com" / "abc-preview.png"
    preview.parent.mkdir()
    preview.write_bytes(PNG_1x1)
    hub_store.quality.record(a["id"], "abc" * 10, FAILED, str(preview))
    body = client.get("/api/sites/a-site.com/quality", headers=auth).json()
    assert body["theme"]["name"] and body["theme_chosen"] is False and body["lang"] == "en"
    q = body["quality"]
    assert q["passed"] is False and q["scores"]["seo"] == 92 and q["thresholds"]["seo"] == 95 and q["preview"]
    # Only the audits of the categories below threshold stopped the build.
    assert [x["id"] for x in q["failed_audits"]] == ["meta-description"] and len(q["audits"]) == 2
    assert q["message"].startswith("quality gate failed for a-site.com")
    assert "preview_path" not in q and str(tmp_path) not in str(body)  # no server paths in answers
    shot = client.get(f"/api/sites/{a['id']}/preview", headers=auth)
    assert shot.status_code == 200 and shot.headers["content-type"] == "image/png" and shot.content == PNG_1x1
    assert client.get("/api/sites/a-site.com/preview").status_code == 401

    hub_store.quality.replace_duplicates([{"a": "b-site.com", "b": "a-site.com", "jaccard": 0.41,
                                           "max_page_jaccard": 0.7, "pages": [{"slug_a": "about", "slug_b": "about",
                                                                               "jaccard": 0.7}]},
                                          {"a": "a-site.com", "b": "gone.com", "jaccard": 0.9, "max_page_jaccard": 0.9,
                                           "pages": []}])
    pairs = client.get("/api/quality/duplicates", headers=auth).json()
    assert [(p["a"], p["b"], p["max_page_jaccard"]) for p in pairs] == [("a-site.com", "b-site.com", 0.7)]
    assert client.get("/api/quality/duplicates", headers=auth, params={"site": b["id"]}).json() == pairs
    assert client.get("/api/sites/b-site.com/quality", headers=auth).json()["duplicates"][0]["b"] == "b-site.com"
    assert client.get("/api/quality/duplicates", headers=auth, params={"site": "nope.com"}).status_code == 404


def test_choosing_a_theme_rebuilds_that_site_only(client: TestClient, auth, accounts, hub_store, fake_dagster) -> None:
    _add(client, auth, "a-site.com")
    _add(client, auth, "b-site.com")
    themes = client.get("/api/themes", headers=auth).json()
    assert len(themes) >= 6 and all(len(t["variations"]) >= 2 for t in themes)

    r = client.put("/api/sites/a-site.com/theme", headers=auth, json={"theme": "ledger", "variation": "ink"})
    assert r.status_code == 200, r.text
    assert r.json()["theme"] == {"name": "ledger", "variation": "ink"} and r.json()["theme_chosen"] is True
    assert r.json()["run"]["domain"] == "a-site.com"
    assert fake_dagster.launched == [("a-site.com", "site_build")]
    assert hub_store.sites.get("a-site.com").theme == "ledger/ink" and hub_store.sites.get("b-site.com").theme is None
    assert client.get("/api/sites/a-site.com/quality", headers=auth).json()["theme"] == {"name": "ledger",
                                                                                           "variation": "ink"}

    bad = client.put("/api/sites/a-site.com/theme", headers=auth, json={"theme": "neon"})
    assert bad.status_code == 400 and "unknown theme 'neon'; available: " in bad.json()["detail"]
    bad = client.put("/api/sites/a-site.com/theme", headers=auth, json={"theme": "ledger", "variation": "neon"})
    assert bad.status_code == 400 and "has no variation 'neon'" in bad.json()["detail"]
    assert hub_store.sites.get("a-site.com").theme == "ledger/ink" and len(fake_dagster.launched) == 1

    back = client.put("/api/sites/a-site.com/theme", headers=auth, json={"theme": None, "rebuild": False})
    assert back.status_code == 200 and back.json()["theme_chosen"] is False and back.json()["run"] is None
    assert hub_store.sites.get("a-site.com").theme is None and len(fake_dagster.launched) == 1
