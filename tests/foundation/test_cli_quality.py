"""The operator CLI for site quality: a site's gate verdict (scores, failed audits, preview), its
theme (checked against the registry, then that site alone rebuilt) and the near-duplicate pairs."""

from __future__ import annotations

import json

from factory.cli import common
from factory.store import Store
from tests.foundation.test_cli import cli, with_accounts  # noqa: F401 - fixtures

VERDICT = {"passed": False, "scores": {"performance": 97, "accessibility": 100, "best-practices": 100, "seo": 92},
           "thresholds": {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95},
           "audits": [{"id": "meta-description", "title": "Document does not have a meta description", "score": 0,
                       "categories": ["seo"], "path": "/about/", "display": "", "items": []}],
           "errors": [], "message": "quality gate failed for acme.com: seo 92 < 95"}


def test_sites_quality_set_theme_and_duplicates(with_accounts, clean_db, monkeypatch) -> None:
    cli = with_accounts
    for domain in ("acme.com", "other.com"):
        assert cli("sites", "add", domain, "--cloudflare-account", "CF1").exit_code == 0
    store = Store(clean_db)
    try:
        shown = cli("sites", "quality", "acme.com")
        assert shown.exit_code == 0 and "quality gate: no build checked yet" in shown.output
        store.quality.record(store.sites.get("acme.com").id, "f" * 64, VERDICT, "/builds/acme.com/ff-preview.png")
        shown = cli("sites", "quality", "acme.com")
        assert shown.exit_code == 0, shown.output
        assert "quality gate: FAILED for build ffffffffffff" in shown.output
        assert "seo              92  (min 95)  below" in shown.output
        assert "failed audit: meta-description on /about/ (Document does not have a meta description)" in shown.output
        assert "preview: /builds/acme.com/ff-preview.png" in shown.output
        data = json.loads(cli("sites", "quality", "acme.com", "--json").output)
        assert data["quality"]["passed"] is False and data["quality"]["scores"]["seo"] == 92
        assert [a["id"] for a in data["quality"]["failed_audits"]] == ["meta-description"]

        # An unknown theme is refused with the ones there are; nothing is written.
        bad = cli("sites", "set-theme", "acme.com", "neon")
        assert bad.exit_code == 1 and "unknown theme 'neon'; available: atlas, canopy" in bad.output
        assert store.sites.get("acme.com").theme is None
        # Dagster is not running here: the choice is recorded and the operator told how it will be built.
        monkeypatch.setenv("FACTORY_DAGSTER_URL", "http://127.0.0.1:9")
        chosen = cli("sites", "set-theme", "acme.com", "ledger", "--variation", "ink")
        assert chosen.exit_code == 0, chosen.output
        assert "acme.com: theme ledger/ink" in chosen.output and "the next run of site_build rebuilds it" in chosen.output
        assert store.sites.get("acme.com").theme == "ledger/ink" and store.sites.get("other.com").theme is None
        assert cli("sites", "set-theme", "acme.com", "auto", "--no-run").exit_code == 0
        assert store.sites.get("acme.com").theme is None

        store.quality.replace_duplicates([{"a": "other.com", "b": "acme.com", "jaccard": 0.4, "max_page_jaccard": 0.66,
                                           "pages": [{"slug_a": "faq", "slug_b": "faq", "jaccard": 0.66}]}])
        pairs = cli("quality", "duplicates")
        assert pairs.exit_code == 0 and "acme.com" in pairs.output and "faq~faq 0.66" in pairs.output
        assert "1 near-duplicate pair(s)" in pairs.output
        assert json.loads(cli("quality", "duplicates", "--json").output)[0]["b"] == "other.com"
        assert "near-duplicate of other.com: page Jaccard 0.66" in cli("sites", "quality", "acme.com").output
    finally:
        store.close()
        common.store.cache_clear()
