"""One settings model: local keeps the zero-configuration defaults; production requires every
vendor setting, validates each one and falls back to nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from factory.clients import Clients
from factory.config import SettingsError, load_settings
from factory.layers import dns
from tests.layers.test_plans import site

ROOT = Path(__file__).resolve().parents[2]


def production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    key = tmp_path / "id_ed25519"
    key.write_text("key")
    key.chmod(0o600)
    known = tmp_path / "known_hosts"
    known.write_text("[panel.example.net]:22 ssh-ed25519 AAAA")
    values = {
        "FACTORY_ENV": "production", "FACTORY_DATABASE_URL": "postgresql://app@db.example.net:5432/factory",
        "FACTORY_SECRET_KEY": Fernet.generate_key().decode(), "FACTORY_JWT_SECRET": "j" * 40,
        "NAMECHEAP_API_USER": "ops", "NAMECHEAP_API_KEY": "k" * 32, "NAMECHEAP_CLIENT_IP": "93.184.216.20",
        "MATOMO_URL": "https://matomo.example.net/", "MATOMO_TOKEN_AUTH": "t" * 32,
        "GOOGLE_CLIENT_ID": "id.apps.googleusercontent.com", "GOOGLE_CLIENT_SECRET": "s" * 24,
        "CLOUDPANEL_SSH_HOST": "panel.example.net", "CLOUDPANEL_SSH_KEY": str(key),
        "CLOUDPANEL_KNOWN_HOSTS": str(known), "CLOUDPANEL_PUBLIC_IP": "93.184.216.34",
        "DIRECTUS_URL": "https://cms.example.net", "DIRECTUS_TOKEN": "d" * 32, "OPENAI_API_KEY": "sk-" + "o" * 40,
    }
    values.update(overrides)
    return values


@pytest.fixture()
def env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("FACTORY_", "CLOUDPANEL_", "NAMECHEAP_", "MATOMO_", "GOOGLE_", "DIRECTUS_", "OPENAI_")):
            monkeypatch.delenv(name)

    def set_all(values: dict[str, str]) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    return set_all


def test_local_needs_no_configuration(env) -> None:
    settings = load_settings(complete=True)
    assert settings.env == "local" and settings.problems() == []
    assert settings.public_ip == "203.0.113.10"  # a documentation address: only ever a local default


def test_common_environment_names_do_not_move_the_factory(env, monkeypatch, tmp_path) -> None:
    # HOME, ENV, DATABASE_URL, LOG_LEVEL are set by shells, containers and other tools; only the
    # documented names configure the factory (its state under ./.factory, not in the user's home).
    monkeypatch.chdir(tmp_path)
    for name, value in {"HOME": str(tmp_path / "home"), "ENV": "production", "LOG_LEVEL": "DEBUG",
                        "DATABASE_URL": "postgresql://other@db.example.net/app", "API_PORT": "1"}.items():
        monkeypatch.setenv(name, value)
    (tmp_path / ".env").write_text("HOME=/elsewhere\nSECRET_KEY=not-ours\n")
    settings = load_settings(complete=True)
    assert settings.state_dir == ROOT / ".factory"
    assert (settings.env, settings.database_url, settings.log_level, settings.api_port) == ("local", None, "INFO", 8000)
    assert settings.secret_key is None
    monkeypatch.setenv("FACTORY_HOME", str(tmp_path / "state"))
    assert load_settings().state_dir == tmp_path / "state"


def test_code_sets_a_setting_by_its_name_and_a_misspelt_name_is_an_error(env) -> None:
    assert load_settings(home="/srv/factory").state_dir == Path("/srv/factory")
    assert load_settings(FACTORY_HOME="/srv/other").state_dir == Path("/srv/other")
    with pytest.raises(TypeError, match="no setting 'hom'"):
        load_settings(hom="/srv/factory")


def test_complete_production_settings_point_where_configured(env, tmp_path) -> None:
    env(production(tmp_path))
    settings = load_settings(complete=True)
    assert settings.problems() == []
    records = dns.desired(site(), settings).records
    assert {r.content for r in records} == {"93.184.216.34"}
    ssh = Clients(settings, store=None).ssh()  # the store is not needed to build the SSH target
    assert (ssh.host, ssh.key_path) == ("panel.example.net", str(tmp_path / "id_ed25519"))
    assert "k" * 32 not in repr(settings) and "sk-" not in repr(settings)


@pytest.mark.parametrize("change, problem", [
    ({"CLOUDPANEL_PUBLIC_IP": "203.0.113.10"}, "CLOUDPANEL_PUBLIC_IP: 203.0.113.10 is not a public address"),
    ({"CLOUDPANEL_PUBLIC_IP": "10.0.0.5"}, "CLOUDPANEL_PUBLIC_IP: 10.0.0.5 is not a public address"),
    ({"CLOUDPANEL_PUBLIC_IP": "panel.example.net"}, "CLOUDPANEL_PUBLIC_IP: Input is not a valid IPv4 address"),
    ({"CLOUDPANEL_SSH_HOST": "127.0.0.1"}, "CLOUDPANEL_SSH_HOST: 127.0.0.1 is this machine"),
    ({"CLOUDPANEL_SSH_HOST": "localhost"}, "CLOUDPANEL_SSH_HOST: localhost is this machine"),
    ({"MATOMO_URL": "matomo.example.net"}, "MATOMO_URL: Value error, not an http(s) URL"),
    ({"FACTORY_RATE_TIME_SCALE": "0.01"}, "FACTORY_RATE_TIME_SCALE: must be 1 in production"),
    ({"FACTORY_SECRET_KEY": "short"}, "FACTORY_SECRET_KEY: not a Fernet key"),
    ({"CLOUDPANEL_SSH_KEY": "/nonexistent/key"}, "CLOUDPANEL_SSH_KEY: /nonexistent/key does not exist"),
    ({"OPENAI_API_KEY": ""}, "OPENAI_API_KEY: required in production"),
])
def test_each_bad_production_setting_is_named(env, tmp_path, change, problem) -> None:
    env(production(tmp_path, **change))
    with pytest.raises(SettingsError) as info:
        load_settings(complete=True)
    assert any(p.startswith(problem) for p in info.value.problems), info.value.problems


def test_a_world_readable_key_file_is_refused(env, tmp_path) -> None:
    values = production(tmp_path)
    Path(values["CLOUDPANEL_SSH_KEY"]).chmod(0o644)
    env(values)
    with pytest.raises(SettingsError, match="CLOUDPANEL_SSH_KEY: .* is readable by other users"):
        load_settings(complete=True)


def test_problems_never_show_a_value(env, tmp_path) -> None:
    env(production(tmp_path, NAMECHEAP_CLIENT_IP="not-an-ip-k" + "x" * 20, MATOMO_URL="ftp://secret-token@m"))
    with pytest.raises(SettingsError) as info:
        load_settings(complete=True)
    assert "secret-token" not in str(info.value) and "x" * 20 not in str(info.value)


def test_the_hub_refuses_to_start_without_production_settings(tmp_path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FACTORY_", "CLOUDPANEL_", "NAMECHEAP_"))}
    proc = subprocess.run([str(Path(sys.executable).with_name("factory")), "api", "--port", "9"], cwd=tmp_path,
                          env={**clean, "FACTORY_ENV": "production", "CLOUDPANEL_PUBLIC_IP": "127.0.0.1"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "FACTORY_DATABASE_URL: required in production" in proc.stderr
    assert "CLOUDPANEL_PUBLIC_IP: 127.0.0.1 is not a public address" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_setting_is_documented_in_env_example() -> None:
    from pydantic import AliasChoices

    from factory.config import Settings

    documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
                  if "=" in line and not line.startswith("#")}
    names = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names.update(alias.choices if isinstance(alias, AliasChoices) else [alias])
    assert names - documented == set()


def test_the_local_key_an_earlier_version_kept_in_home_is_carried_over(env, monkeypatch, tmp_path, caplog) -> None:
    # Before 2026-11-30 an unset FACTORY_HOME meant $HOME: the tokens stored then are encrypted with
    # $HOME/secret.key, and a new key under .factory/ would leave them unreadable.
    from factory import secrets

    home = tmp_path / "home"
    home.mkdir()
    earlier = Fernet.generate_key()
    (home / "secret.key").write_bytes(earlier + b"\n")
    state = tmp_path / "project" / ".factory"
    with caplog.at_level("WARNING", logger="factory.secrets"):
        assert secrets._local_key(state, home) == earlier
    assert (state / "secret.key").read_bytes() == earlier and (state / "secret.key").stat().st_mode & 0o077 == 0
    assert (home / "secret.key").exists() and "copied the local key" in caplog.text
    assert earlier.decode() not in caplog.text
    # Not a key (some other tool's secret.key): a new one is generated, the file left alone.
    (home / "secret.key").write_text("not a fernet key")
    fresh = secrets._local_key(tmp_path / "other", home)
    assert fresh != earlier and Fernet(fresh) and (home / "secret.key").read_text() == "not a fernet key"
    # With FACTORY_HOME set there is no earlier place to look.
    monkeypatch.setenv("HOME", str(home))
    assert load_settings().earlier_state_dir == home
    monkeypatch.setenv("FACTORY_HOME", str(state))
    assert load_settings().earlier_state_dir is None
