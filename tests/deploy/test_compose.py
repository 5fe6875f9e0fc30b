"""Static checks of the production deployment (no Docker engine here): deploy/docker-compose.yml
parsed with PyYAML, the Dockerfile's COPY sources, the Dagster workspace, and .env.example
documenting every setting the services and the code read."""

from __future__ import annotations

import glob
import re

import pytest
import yaml

from factory.config import PROJECT_ROOT
from tests.deploy.conftest import DEPLOY

COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
LONG_RUNNING = {"code", "webserver", "daemon", "hub", "directus", "matomo", "matomo-db", "proxy", "redis", "worker"}
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASS|API_KEY|_KEY$|^KEY$|HASH)", re.IGNORECASE)
INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])[^}]*)?\}")


def documented() -> set[str]:
    text = (PROJECT_ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def _env_items(service: dict) -> list[tuple[str, str]]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return [tuple(item.split("=", 1)) if "=" in item else (item, "") for item in env]
    return [(k, "" if v is None else str(v)) for k, v in env.items()]


def test_the_services_are_there():
    assert LONG_RUNNING - {"redis", "worker"} <= set(SERVICES)
    assert "dagster code-server start" in " ".join(SERVICES["code"]["command"])
    assert SERVICES["webserver"]["command"][0] == "dagster-webserver"
    assert "dagster-daemon run" in " ".join(SERVICES["daemon"]["command"])
    assert "factory api" in " ".join(SERVICES["hub"]["command"])
    assert SERVICES["redis"]["profiles"] == SERVICES["worker"]["profiles"] == ["scale-out"]


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_long_running_services_have_healthchecks_and_restart(name):
    service = SERVICES[name]
    assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert service.get("restart") in ("unless-stopped", "always"), name


def test_named_volumes_are_declared_and_state_is_on_volumes():
    declared = set(COMPOSE["volumes"])
    used = set()
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/", "$")):
                used.add(source)
    assert used and used <= declared, used - declared
    for name, path in [("matomo-db", "/var/lib/mysql"), ("matomo", "/var/www/html"), ("directus", "/directus/uploads")]:
        assert any(v.split(":")[1] == path and not v.startswith(".") for v in SERVICES[name]["volumes"]), name


def test_no_literal_secret_anywhere():
    for name, service in SERVICES.items():
        for key, value in _env_items(service):
            if SECRET_NAME.search(key) and key != "MARIADB_RANDOM_ROOT_PASSWORD":  # a flag, not a password
                assert value.startswith(("${", "/run/secrets/")) or value == "", f"{name}: {key} is a literal"
            assert not re.search(r"://[^/\s:@]+:[^/\s@$]+@", value), f"{name}: {key} has credentials in a URL"
    text = (DEPLOY / "Dockerfile").read_text()
    for line in text.splitlines():
        if line.strip().upper().startswith(("ENV ", "ARG ")):
            assert not SECRET_NAME.search(line.split(None, 1)[1].split("=")[0]), line
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert "**/.env" in ignore and ".factory" in ignore


def test_every_variable_compose_and_caddy_use_is_documented():
    names = {m.group(1) for m in INTERPOLATION.finditer((DEPLOY / "docker-compose.yml").read_text())}
    names |= set(re.findall(r"\{\$([A-Z_][A-Z0-9_]*)\}", (DEPLOY / "Caddyfile").read_text()))
    for service in SERVICES.values():
        for key, _ in _env_items(service):
            if key.startswith(("DAGSTER_", "FACTORY_", "DIRECTUS_", "CLOUDPANEL_")):
                names.add(key)
    names -= {"DAGSTER_HOME"}  # fixed inside the image
    missing = sorted(names - documented())
    assert not missing, f"not in .env.example: {missing}"


def test_every_setting_the_code_reads_is_documented():
    patterns = [r'EnvVar\("([A-Z][A-Z0-9_]*)"\)', r'\benv\("([A-Z][A-Z0-9_]*)"', r'environ\.get\("([A-Z][A-Z0-9_]*)"',
                r'environ\["([A-Z][A-Z0-9_]*)"\]', r'getenv\("([A-Z][A-Z0-9_]*)"', r'validation_alias="([A-Z][A-Z0-9_]*)"',
                r'AliasChoices\("([A-Z][A-Z0-9_]*)", "([A-Z][A-Z0-9_]*)"\)', r'_float\("([A-Z][A-Z0-9_]*)"',
                r'read_secret\("([A-Z][A-Z0-9_]*)"']
    found: set[str] = set()
    for folder in ("factory", "factory_assets", "resources", "sensors", "schedules", "hub_api"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            text = path.read_text()
            for pattern in patterns:
                for match in re.findall(pattern, text):
                    found.update(match if isinstance(match, tuple) else (match,))
    # Process plumbing, not settings: set by the OS or by the product for its own children.
    found -= {"HOME", "PATH", "FACTORY_BUILD_INPUT", "FACTORY_BUILD_OUT", "FACTORY_BUILD_CACHE", "DAGSTER_HOME"}
    missing = sorted(found - documented())
    assert not missing, f"settings read by the code but not in .env.example: {missing}"


def test_builds_and_copy_sources_exist():
    for name, service in SERVICES.items():
        build = service.get("build")
        if not build:
            assert "image" in service, name
            continue
        context = (DEPLOY / build["context"]).resolve()
        assert context == PROJECT_ROOT
        dockerfile = context / build["dockerfile"]
        assert dockerfile.is_file(), dockerfile
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./") and "$" not in source:
                assert (DEPLOY / source).exists(), f"{name}: {source}"
    assert (DEPLOY / "dagster.yaml").is_file() and (DEPLOY / "dagster.celery.yaml").is_file()

    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    copies = 0
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].upper() != "COPY" or any(p.startswith("--from") for p in parts):
            continue
        for source in [p for p in parts[1:-1] if not p.startswith("--")]:
            copies += 1
            assert glob.glob(str(PROJECT_ROOT / source)), f"COPY source missing from the repo: {source}"
    assert copies >= 10


def test_workspace_points_at_the_code_server():
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())
    (entry,) = workspace["load_from"]
    grpc = entry["grpc_server"]
    command = SERVICES["code"]["command"]
    assert grpc["host"] == "code" and str(grpc["port"]) == command[command.index("-p") + 1]
    assert grpc["location_name"] == command[command.index("--location-name") + 1]


def test_pools_cover_every_pool_the_assets_use():
    used = set()
    for path in (PROJECT_ROOT / "factory_assets").rglob("*.py"):
        used.update(re.findall(r'pool="([a-z_]+)"', path.read_text()))
    limits = yaml.safe_load((DEPLOY / "pools.yaml").read_text())["pools"]
    assert used <= set(limits), used - set(limits)
