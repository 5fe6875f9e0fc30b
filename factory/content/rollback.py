"""Operator rollback: make a site's previous release live again (`factory sites rollback DOMAIN`)."""

from __future__ import annotations

from factory.content.release import Releaser, Remote, layout
from factory.store import Store


def rollback_site(store: Store, remote: Remote, domain: str) -> tuple[str, str]:
    """Swap the doc root back to the release before the live one; returns (from, to).

    The recorded deployed hash is cleared, so the next site_deployment publishes the current build
    again (after the operator fixes whatever made them roll back).
    """
    site = store.get_site(domain)
    lay = layout(site.hosting_doc_root or "", site.domain)
    before, after = Releaser(remote).rollback(lay)
    store.record_publishing(site.domain, deployed_hash=None, deployed_release=after)
    return before, after
