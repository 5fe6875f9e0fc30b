"""`factory health`: the open problems as text and JSON, history on request, repair refused
when there is nothing to repair."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factory.cli import app, common
from factory.store import Finding, NewSite, Store


@pytest.fixture()
def cli(clean_db: str, monkeypatch):
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    common.store.cache_clear()
    common.context.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    common.store.cache_clear()
    common.context.cache_clear()


def test_health_lists_open_problems_and_history(cli, store: Store) -> None:
    assert "no open problems (no sweep yet" in cli("health").output
    store.cloudflare_accounts.add("cf@example.com", "CF", "sandbox-token-cli-abcdef")
    one, two = store.sites.add_many([NewSite("cli-one.com", "CF"), NewSite("cli-two.com", "CF")])
    store.health.record([Finding(one.id, "certificate", one.domain, "warn", "certificate expires within 14 days",
                                 "expires 2026-12-05 (6 days)", "more than 14 days"),
                         Finding(two.id, "drift.dns", "A www.cli-two.com", "fail",
                                 "dns: update A www.<site> (points elsewhere)", "192.0.2.99 (proxied)",
                                 "203.0.113.10 (proxied)")], [])
    result = cli("health")
    assert result.exit_code == 0, result.output
    assert "cli-two.com" in result.output and "drift.dns" in result.output and "192.0.2.99 (proxied)" in result.output
    assert "2 open problem(s) on 2 site(s)" in result.output
    data = json.loads(cli("health", "--json", "--check", "drift").output)
    assert [(p["domain"], p["check"], p["status"]) for p in data["problems"]] == [("cli-two.com", "drift.dns", "fail")]
    assert data["summary"]["open_problems"] == 2

    store.health.record([], [(one.id, "certificate")])  # renewed
    assert "cli-one.com" not in cli("health").output
    assert "resolved" in cli("health", "--history", "--domain", "cli-one.com").output


def test_repair_needs_a_selection_and_says_when_nothing_drifted(cli, store: Store) -> None:
    result = cli("health", "repair")
    assert result.exit_code == 1 and "name the sites to repair, or use --all" in result.output
    result = cli("health", "repair", "--all")
    assert result.exit_code == 0 and "no open drift to repair" in result.output
