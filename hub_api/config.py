"""Hub API settings (pydantic-settings), read from the environment and `.env`."""

from __future__ import annotations

import functools
import ipaddress
import os
import secrets as pysecrets
import stat
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from factory.config import PROJECT_ROOT, state_dir

# Vendor base URLs the health check may probe: (vendor, env var). Only those set are probed.
VENDOR_URL_SETTINGS = (
    ("cloudflare", "CLOUDFLARE_BASE_URL"),
    ("namecheap", "NAMECHEAP_API_URL"),
    ("matomo", "MATOMO_URL"),
    ("google_oauth", "GOOGLE_TOKEN_URI"),
    ("google_search_console", "GOOGLE_SEARCHCONSOLE_API_ENDPOINT"),
    ("openai", "OPENAI_BASE_URL"),
    ("directus", "DIRECTUS_URL"),
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(None, validation_alias="FACTORY_DATABASE_URL")
    # Local tokens are HS256-signed with this key; unset, one is generated under FACTORY_HOME.
    jwt_secret: str | None = Field(None, validation_alias="FACTORY_JWT_SECRET", repr=False)
    jwt_ttl_minutes: int = Field(30, validation_alias="FACTORY_JWT_TTL_MINUTES", ge=1, le=24 * 60)
    ui_origin: str | None = Field(None, validation_alias="FACTORY_UI_ORIGIN")
    ui_dist: Path = Field(PROJECT_ROOT / "ui" / "dist", validation_alias="FACTORY_UI_DIST")
    dagster_url: str = Field(
        "http://127.0.0.1:3000", validation_alias=AliasChoices("FACTORY_DAGSTER_URL", "DAGSTER_GRAPHQL_URL")
    )
    supabase_url: str | None = Field(None, validation_alias="SUPABASE_URL")
    supabase_anon_key: str | None = Field(
        None, validation_alias=AliasChoices("SUPABASE_ANON_KEY", "SUPABASE_KEY"), repr=False
    )
    supabase_jwt_secret: str | None = Field(None, validation_alias="SUPABASE_JWT_SECRET", repr=False)
    sign_in_attempts: int = Field(5, validation_alias="FACTORY_SIGN_IN_ATTEMPTS_PER_MINUTE", ge=1)
    # Distinct accounts one client address may fail to sign in to per 15 minutes (password spraying).
    sign_in_accounts_per_address: int = Field(10, validation_alias="FACTORY_SIGN_IN_ACCOUNTS_PER_ADDRESS", ge=1)
    max_body_bytes: int = Field(10_000_000, validation_alias="FACTORY_API_MAX_BODY_BYTES", ge=1024)
    # local | production. Production closes what is convenient locally (see api_docs).
    env: Literal["local", "production"] = Field("local", validation_alias="FACTORY_ENV")
    # Proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed; none by default.
    trusted_proxies: Annotated[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], NoDecode] = Field(
        (), validation_alias="FACTORY_TRUSTED_PROXIES")
    # /docs and /api/openapi.json: on (open), signed-in (the schema needs a token), off (404).
    # Unset: on locally, signed-in in production.
    api_docs: Literal["on", "signed-in", "off"] | None = Field(None, validation_alias="FACTORY_API_DOCS")
    # How long (seconds) a process trusts its last look at an operator (disabled? token version?).
    token_check_seconds: float = Field(5.0, validation_alias="FACTORY_TOKEN_CHECK_SECONDS", ge=0, le=300)
    # How long (seconds) Supabase's signing keys (JWKS) are kept before they are fetched again;
    # a key removed from the project is refused at most this long after.
    supabase_jwks_cache_seconds: float = Field(600.0, validation_alias="FACTORY_SUPABASE_JWKS_CACHE_SECONDS",
                                               ge=1, le=86_400)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return tuple(ipaddress.ip_network(part.strip(), strict=False)
                             for part in value.split(",") if part.strip())
            except ValueError as exc:
                raise ValueError(f"FACTORY_TRUSTED_PROXIES holds IP addresses or CIDRs, comma-separated: {exc}") from None
        return value

    @field_validator("api_docs", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value  # `FACTORY_API_DOCS=` in .env: the default for the env

    @property
    def docs_mode(self) -> str:
        return self.api_docs or ("signed-in" if self.env == "production" else "on")

    @property
    def dagster_base(self) -> str:
        return self.dagster_url.rstrip("/").removesuffix("/graphql")

    def signing_key(self) -> str:
        return self.jwt_secret or _local_jwt_key()

    def vendor_urls(self) -> dict[str, str]:
        found = {}
        for vendor, name in VENDOR_URL_SETTINGS:
            value = os.environ.get(name)
            if value and urlsplit(value).scheme in ("http", "https"):
                found[vendor] = value
        return found


@functools.cache
def _local_jwt_key() -> str:
    # Local default only, like factory/secrets.py: generated once, readable by the owner only.
    path = state_dir() / "jwt.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(pysecrets.token_urlsafe(48))
    return path.read_text().strip()


@functools.cache
def get_settings() -> Settings:
    return Settings()
