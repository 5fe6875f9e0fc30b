"""Near-duplicates across the fleet in the product: the fleet asset reads every site's published
pages from Directus, its check flags the pair of sites that say nearly the same thing (the OpenAI
simulator's near-copy mode) and no other, and the content step regenerates the flagged site told
to differ, after which the check passes."""

from __future__ import annotations

import dagster as dg

from factory.store import Store
from factory_assets.publishing import publishing_assets
from factory_assets.quality import CHECK, fleet_near_duplicates
from tests.content.conftest import materialize, onboarded_site

site_content = publishing_assets(batch_size=250)[0]


def _check(result) -> dg.AssetCheckEvaluation:
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.check_name == CHECK
    return evaluation


def test_a_near_copy_is_flagged_by_the_check_and_regenerated_to_differ(resources, cms, sandbox, tmp_path):
    store: Store = resources["factory"].store
    original, copy, other = "original-garden.com", "copied-garden.com", "unrelated-bakery.com"
    instance = dg.DagsterInstance.ephemeral()
    for i, domain in enumerate((original, copy, other)):
        onboarded_site(store, tmp_path / "host", domain, brand=domain.split(".")[0].replace("-", " ").title(),
                       matomo_site_id=i + 1)
    assert materialize([site_content], original, resources, instance).success
    sandbox.openai.set_output("near_copy", count=1, source=original)  # the model repeats another site
    assert materialize([site_content], copy, resources, instance).success
    assert materialize([site_content], other, resources, instance).success

    checked = dg.materialize([fleet_near_duplicates], resources=resources, instance=instance)
    evaluation = _check(checked)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.description.startswith("1 pair(s) of sites at or above Jaccard 0.5")
    [pair] = store.quality.duplicates()
    assert (pair.a, pair.b) == (copy, original)  # ordered by domain
    assert pair.max_page_jaccard >= 0.5 and pair.pages[0]["jaccard"] == pair.max_page_jaccard
    assert store.quality.duplicates(other) == []
    meta = {k: v.value for k, v in checked.asset_materializations_for_node("fleet_near_duplicates")[0].metadata.items()}
    assert (meta["sites"], meta["pairs"]) == (3, 1)

    # The content step regenerates only flagged sites, told to differ from the other one.
    differ = {"ops": {"site_content": {"config": {"differ": True}}}}
    before = store.publishing.states([copy])[copy].content_hash
    regenerated = materialize([site_content], copy, resources, instance, run_config=differ)
    [event] = regenerated.asset_materializations_for_node("site_content")
    assert event.metadata["differ_from"].value == original
    assert store.publishing.states([copy])[copy].content_hash != before
    # None of the copied text stays published: generated pages the new plan lacks are archived.
    archived = {p["slug"] for p in cms.pages([copy])[copy] if p["status"] == "archived"}
    assert len(archived) == event.metadata["archived"].value
    untouched = materialize([site_content], other, resources, instance, run_config=differ)
    [event] = untouched.asset_materializations_for_node("site_content")
    assert event.metadata["skip_reason"].value == "not flagged as a near-duplicate"

    again = dg.materialize([fleet_near_duplicates], resources=resources, instance=instance)
    assert _check(again).passed and store.quality.duplicates() == []
