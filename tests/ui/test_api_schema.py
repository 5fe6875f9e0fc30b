"""The UI's types are generated from ui/openapi.json; these tests keep that file equal to the schema
the Hub API serves now. Changed the API? Run `scripts/ui schema` and commit ui/openapi.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import BaseModel

from hub_api import openapi
from hub_api.config import Settings
from hub_api.main import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_is_the_one_the_api_has_now() -> None:
    committed = openapi.SCHEMA_FILE.read_text(encoding="utf-8") if openapi.SCHEMA_FILE.is_file() else ""
    problems = openapi.drift(committed, openapi.render(openapi.current_schema()))
    assert not problems, openapi.stale_message(problems)


def test_a_configured_app_serves_exactly_the_committed_schema() -> None:
    # The file is written from an app with default settings; a configured app must not differ.
    settings = Settings(FACTORY_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none", FACTORY_UI_ORIGIN="http://ui.test",
                        FACTORY_DAGSTER_URL="http://127.0.0.1:9", FACTORY_JWT_SECRET="x" * 40)
    with TestClient(create_app(settings)) as client:
        served = client.get("/api/openapi.json")
    assert served.status_code == 200
    problems = openapi.drift(openapi.SCHEMA_FILE.read_text(encoding="utf-8"), openapi.render(served.json()))
    assert not problems, openapi.stale_message(problems)


class DnsRecordOut(BaseModel):
    name: str
    content: str


def test_a_new_endpoint_is_named_with_the_command_that_fixes_it() -> None:
    """What a colleague adding an endpoint sees: which endpoint and model, and the one command."""
    app = create_app(Settings.model_construct())

    @app.get("/api/sites/{site}/dns-records")
    def dns_records(site: str) -> list[DnsRecordOut]:
        return []

    problems = openapi.drift(openapi.SCHEMA_FILE.read_text(encoding="utf-8"), openapi.render(app.openapi()))
    assert problems == ["endpoint added: GET /api/sites/{site}/dns-records", "schema added: DnsRecordOut"]
    message = openapi.stale_message(problems)
    assert "ui/openapi.json is out of date" in message
    assert "Run `scripts/ui schema` and commit ui/openapi.json" in message


def test_the_command_writes_a_stable_file_and_check_names_what_changed(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    assert openapi.main(["--out", str(target)]) == 0
    first = target.read_bytes()
    assert first == openapi.SCHEMA_FILE.read_bytes()  # same bytes on every run and machine
    assert openapi.main(["--out", str(target)]) == 0 and target.read_bytes() == first
    assert openapi.main(["--check", "--out", str(target)]) == 0

    schema = json.loads(first)
    del schema["paths"]["/api/sites/{site}/events"]
    schema["components"]["schemas"]["SiteOut"]["required"].remove("error_step")
    target.write_text(openapi.render(schema), encoding="utf-8")
    stale = subprocess.run([sys.executable, "-m", "hub_api.openapi", "--check", "--out", str(target)], check=False,
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert stale.returncode == 1
    assert "endpoint added: GET /api/sites/{site}/events" in stale.stderr
    assert "schema changed: SiteOut (now required error_step)" in stale.stderr
    assert "Run `scripts/ui schema`" in stale.stderr
    assert target.read_text(encoding="utf-8") == openapi.render(schema)  # --check writes nothing
