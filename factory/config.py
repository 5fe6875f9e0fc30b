"""One settings model for the Hub, the CLI and the Dagster code location (pydantic-settings).

Every setting is read from the environment (or `.env`) and documented in `.env.example`.
`FACTORY_ENV=local` (the default) keeps the zero-configuration defaults of the quick start:
an embedded Postgres, generated keys under `.factory/`, the simulators' demo values.
`FACTORY_ENV=production` requires every vendor URL, host, IP, key file and token, checks each
one (an IP is an IP, a URL a URL, a key file exists and is not world-readable) and refuses a
time scale other than 1: nothing falls back to a demo value. `Settings.problems()` names every
missing or invalid setting at once; `load_settings(complete=True)` raises them as one error.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import os
import secrets
import stat
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Addresses that only make sense on a developer machine: refused in production.
_DEMO_IP = ipaddress.ip_address("203.0.113.10")


class SettingsError(RuntimeError):
    """Settings are missing or invalid; the message names each one by its environment variable."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid settings:\n" + "\n".join(f"  - {p}" for p in problems))


def _env(name: str, *more: str) -> dict:
    return {"validation_alias": AliasChoices(name, *more) if more else name}


class Settings(BaseSettings):
    # Only the FACTORY_* names (the aliases) are read: with populate_by_name the environment's own
    # HOME, DATABASE_URL or OPENAI_API_KEY would fill `home`, `database_url`, `openai_api_key`.
    # `load_settings(field=value)` maps field names to their aliases for code and tests.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True,
                                      env_ignore_empty=True)  # a blank line in .env means "the default"

    env: Literal["local", "production"] = Field("local", **_env("FACTORY_ENV"))

    # -- system of record, keys, local state --------------------------------------------------
    home: Path | None = Field(None, **_env("FACTORY_HOME"))
    database_url: str | None = Field(None, **_env("FACTORY_DATABASE_URL"), repr=False)
    secret_key: SecretStr | None = Field(None, **_env("FACTORY_SECRET_KEY"))
    log_level: str = Field("INFO", **_env("FACTORY_LOG_LEVEL"))
    log_file: Path | None = Field(None, **_env("FACTORY_LOG_FILE"))

    # -- analytics, budgets, builds -----------------------------------------------------------
    analytics_start_date: dt.date = Field(dt.date(2025, 1, 1), **_env("FACTORY_ANALYTICS_START_DATE"))
    analytics_lookback_days: int = Field(3, ge=1, le=60, **_env("FACTORY_ANALYTICS_LOOKBACK_DAYS"))
    analytics_repair_days: int = Field(30, ge=1, le=366, **_env("FACTORY_ANALYTICS_REPAIR_DAYS"))
    # Cloudflare re-runs a Free zone's activation check at most hourly: spend it once the registry
    # has published the delegation (minutes after the registrar changed it), not at once.
    activation_check_after_s: float = Field(300.0, ge=0, le=86400, **_env("FACTORY_ACTIVATION_CHECK_AFTER_S"))
    # Google's verifier sees a TXT record through public resolvers, minutes after the record was
    # written or its zone activated: a verification refused for that is tried again then.
    txt_propagation_s: float = Field(300.0, ge=0, le=86400, **_env("FACTORY_TXT_PROPAGATION_S"))
    # Stretches every vendor's rate window: 1 in production; the simulators' scale in tests.
    rate_time_scale: float = Field(1.0, gt=0, **_env("FACTORY_RATE_TIME_SCALE"))
    build_dir: Path | None = Field(None, **_env("FACTORY_BUILD_DIR"))
    build_batch_size: int = Field(250, ge=1, le=5000, **_env("FACTORY_BUILD_BATCH_SIZE"))
    keep_releases: int = Field(5, ge=2, le=100, **_env("FACTORY_KEEP_RELEASES"))
    deploy_parallel: int = Field(4, ge=1, le=64, **_env("FACTORY_DEPLOY_PARALLEL"))

    # -- bulk changes: the blast-radius guard ----------------------------------------------------
    guard_max_sites: int = Field(10, ge=0, **_env("FACTORY_GUARD_MAX_SITES"))
    guard_max_fraction: float = Field(0.2, ge=0, le=1, **_env("FACTORY_GUARD_MAX_FRACTION"))
    plan_max_age_minutes: int = Field(15, ge=1, le=24 * 60, **_env("FACTORY_PLAN_MAX_AGE_MINUTES"))
    # Reads a fleet plan (or a health sweep) makes side by side per vendor (like the Dagster pools).
    plan_concurrency: int = Field(4, ge=1, le=64, **_env("FACTORY_PLAN_CONCURRENCY"))
    # New sites are admitted (their onboarding runs requested) as fast as the registrar's budget
    # serves them: this many seconds of it ahead of the work (0: every new site at once).
    onboarding_admit_ahead_s: int = Field(1800, ge=0, le=7 * 86400, **_env("FACTORY_ONBOARDING_ADMIT_AHEAD_S"))

    # -- fleet health: sweeps, probes and alerts (docs/health.md) -------------------------------------
    # Probes connect here instead of resolving each domain (an IP or host; unset: DNS, as in
    # production), on these ports, trusting this CA bundle (unset: the system's CAs).
    # Where the Hub's "Open live site" goes: {domain} is the site's domain. Locally (`factory up`)
    # the local hosting server, https://{domain}.localhost:<port>/.
    live_site_url: str | None = Field(None, **_env("FACTORY_LIVE_SITE_URL"))
    health_connect_host: str | None = Field(None, **_env("FACTORY_HEALTH_CONNECT_HOST"))
    health_https_port: int = Field(443, ge=1, le=65535, **_env("FACTORY_HEALTH_HTTPS_PORT"))
    health_http_port: int = Field(80, ge=1, le=65535, **_env("FACTORY_HEALTH_HTTP_PORT"))
    health_ca_bundle: Path | None = Field(None, **_env("FACTORY_HEALTH_CA_BUNDLE"))
    health_timeout_s: float = Field(10.0, gt=0, le=120, **_env("FACTORY_HEALTH_TIMEOUT_S"))
    health_probe_concurrency: int = Field(16, ge=1, le=256, **_env("FACTORY_HEALTH_PROBE_CONCURRENCY"))
    health_probe_retries: int = Field(1, ge=0, le=5, **_env("FACTORY_HEALTH_PROBE_RETRIES"))
    health_cert_warn_days: int = Field(14, ge=1, le=365, **_env("FACTORY_HEALTH_CERT_WARN_DAYS"))
    health_domain_warn_days: int = Field(30, ge=1, le=365, **_env("FACTORY_HEALTH_DOMAIN_WARN_DAYS"))
    # Alerts: a Slack-compatible incoming webhook and/or e-mail over SMTP; unset: that channel is off.
    alert_webhook_url: SecretStr | None = Field(None, **_env("FACTORY_ALERT_WEBHOOK_URL"))
    alert_smtp_host: str | None = Field(None, **_env("FACTORY_ALERT_SMTP_HOST"))
    alert_smtp_port: int = Field(587, ge=1, le=65535, **_env("FACTORY_ALERT_SMTP_PORT"))
    alert_smtp_user: str | None = Field(None, **_env("FACTORY_ALERT_SMTP_USER"))
    alert_smtp_password: SecretStr | None = Field(None, **_env("FACTORY_ALERT_SMTP_PASSWORD"))
    alert_smtp_starttls: bool = Field(True, **_env("FACTORY_ALERT_SMTP_STARTTLS"))
    alert_email_from: str | None = Field(None, **_env("FACTORY_ALERT_EMAIL_FROM"))
    alert_email_to: str | None = Field(None, **_env("FACTORY_ALERT_EMAIL_TO"))  # comma-separated
    # Which check kinds alert on which channel: "kind=channel,..." (channels webhook, email, both,
    # none; a family like drift covers drift.dns, ...). Unset or unnamed kinds: both channels.
    alert_routes: str | None = Field(None, **_env("FACTORY_ALERT_ROUTES"))
    # The daily digest: off; daily (one message a day summarising the open problems by kind, besides
    # the alerts); only (the digest instead of the per-problem alerts and resolved messages).
    alert_digest: Literal["off", "daily", "only"] = Field("off", **_env("FACTORY_ALERT_DIGEST"))
    alert_digest_hour: int = Field(8, ge=0, le=23, **_env("FACTORY_ALERT_DIGEST_HOUR"))  # UTC

    # -- quality: the Lighthouse gate and near-duplicates (docs/quality.md) ----------------------
    # Every build is audited and only a passing build is deployed; off only for stacks that test
    # other layers (a build is then deployed unaudited).
    quality_gate: bool = Field(True, **_env("FACTORY_QUALITY_GATE"))
    quality_min_performance: int = Field(90, ge=0, le=100, **_env("FACTORY_QUALITY_MIN_PERFORMANCE"))
    quality_min_accessibility: int = Field(95, ge=0, le=100, **_env("FACTORY_QUALITY_MIN_ACCESSIBILITY"))
    quality_min_best_practices: int = Field(95, ge=0, le=100, **_env("FACTORY_QUALITY_MIN_BEST_PRACTICES"))
    quality_min_seo: int = Field(95, ge=0, le=100, **_env("FACTORY_QUALITY_MIN_SEO"))
    quality_workers: int = Field(2, ge=1, le=16, **_env("FACTORY_QUALITY_WORKERS"))
    quality_browsers: int | None = Field(None, ge=1, le=16, **_env("FACTORY_QUALITY_BROWSERS"))  # None: one per worker
    # Seconds the gate of one batch may take; unset: 60 + 6 s per page per worker. A gate that
    # runs out of time is tried again later (a loaded machine), never passed unaudited.
    quality_time_limit_s: float | None = Field(None, ge=1, le=7200, **_env("FACTORY_QUALITY_TIME_LIMIT_S"))
    quality_similarity_threshold: float = Field(0.5, ge=0.05, le=1.0, **_env("FACTORY_QUALITY_SIMILARITY_THRESHOLD"))
    quality_shingle_words: int = Field(5, ge=1, le=20, **_env("FACTORY_QUALITY_SHINGLE_WORDS"))
    chromium_path: str = Field("/usr/bin/chromium", **_env("CHROMIUM_PATH"))

    # -- vendors --------------------------------------------------------------------------------
    cloudflare_base_url: str = Field("https://api.cloudflare.com/client/v4", **_env("CLOUDFLARE_BASE_URL"))
    namecheap_api_url: str = Field("https://api.namecheap.com/xml.response", **_env("NAMECHEAP_API_URL"))
    namecheap_api_user: str | None = Field(None, **_env("NAMECHEAP_API_USER"))
    namecheap_api_key: SecretStr | None = Field(None, **_env("NAMECHEAP_API_KEY"))
    namecheap_username: str | None = Field(None, **_env("NAMECHEAP_USERNAME"))
    namecheap_client_ip: ipaddress.IPv4Address | None = Field(None, **_env("NAMECHEAP_CLIENT_IP"))
    matomo_url: str | None = Field(None, **_env("MATOMO_URL"))
    matomo_token_auth: SecretStr | None = Field(None, **_env("MATOMO_TOKEN_AUTH"))
    google_client_id: str | None = Field(None, **_env("GOOGLE_CLIENT_ID"))
    google_client_secret: SecretStr | None = Field(None, **_env("GOOGLE_CLIENT_SECRET"))
    google_token_uri: str = Field("https://oauth2.googleapis.com/token", **_env("GOOGLE_TOKEN_URI"))
    google_site_verification_endpoint: str | None = Field(None, **_env("GOOGLE_SITE_VERIFICATION_API_ENDPOINT"))
    google_searchconsole_endpoint: str | None = Field(None, **_env("GOOGLE_SEARCHCONSOLE_API_ENDPOINT"))
    cloudpanel_ssh_host: str | None = Field(None, **_env("CLOUDPANEL_SSH_HOST"))
    cloudpanel_ssh_port: int = Field(22, ge=1, le=65535, **_env("CLOUDPANEL_SSH_PORT"))
    cloudpanel_ssh_user: str = Field("root", **_env("CLOUDPANEL_SSH_USER"))
    cloudpanel_ssh_key: Path | None = Field(None, **_env("CLOUDPANEL_SSH_KEY"))
    cloudpanel_known_hosts: Path | None = Field(None, **_env("CLOUDPANEL_KNOWN_HOSTS"))
    cloudpanel_clpctl: str = Field("clpctl", **_env("CLOUDPANEL_CLPCTL"))
    cloudpanel_home_dir: str = Field("/home", **_env("CLOUDPANEL_HOME_DIR"))
    cloudpanel_public_ip: ipaddress.IPv4Address | None = Field(None, **_env("CLOUDPANEL_PUBLIC_IP"))
    directus_url: str | None = Field(None, **_env("DIRECTUS_URL"))
    directus_token: SecretStr | None = Field(None, **_env("DIRECTUS_TOKEN"))
    openai_api_key: SecretStr | None = Field(None, **_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, **_env("OPENAI_BASE_URL"))
    openai_model: str = Field("gpt-4o-mini", **_env("OPENAI_MODEL"))
    # Request budgets of the vendors without a fixed public limit (0 = no budget).
    openai_requests_per_minute: int = Field(500, ge=0, **_env("OPENAI_REQUESTS_PER_MINUTE"))
    directus_requests_per_second: int = Field(50, ge=0, **_env("DIRECTUS_REQUESTS_PER_SECOND"))
    matomo_requests_per_minute: int = Field(0, ge=0, **_env("MATOMO_REQUESTS_PER_MINUTE"))

    # -- the local stack (`factory up`; dev-only) ---------------------------------------------------
    dagster_port: int = Field(3000, ge=1, le=65535, **_env("FACTORY_DAGSTER_PORT"))
    sandbox_port: int = Field(8787, ge=1, le=65535, **_env("FACTORY_SANDBOX_PORT"))
    # The local hosting server: the deployed releases over HTTPS (and HTTP redirecting to it).
    local_https_port: int = Field(8443, ge=1, le=65535, **_env("FACTORY_LOCAL_HTTPS_PORT"))
    local_http_port: int = Field(8081, ge=1, le=65535, **_env("FACTORY_LOCAL_HTTP_PORT"))
    directus_port: int = Field(8055, ge=1, le=65535, **_env("FACTORY_DIRECTUS_PORT"))
    demo_operator: str = Field("operator@example.com", **_env("FACTORY_DEMO_OPERATOR"))
    dagster_pg_url: str | None = Field(None, **_env("DAGSTER_PG_URL"), repr=False)
    directus_db_url: str | None = Field(None, **_env("DIRECTUS_DB_URL"), repr=False)

    # -- backups of the databases the stack owns (factory backup; docs/production.md) ------------
    backup_dir: Path | None = Field(None, **_env("FACTORY_BACKUP_DIR"))  # default: <state dir>/backups
    backup_databases: str = Field("factory,dagster,directus", **_env("FACTORY_BACKUP_DATABASES"))
    backup_keep: int = Field(14, ge=1, le=1000, **_env("FACTORY_BACKUP_KEEP"))
    backup_interval_hours: float = Field(24.0, gt=0, le=24 * 31, **_env("FACTORY_BACKUP_INTERVAL_HOURS"))

    # -- Hub API --------------------------------------------------------------------------------
    api_host: str = Field("127.0.0.1", **_env("FACTORY_API_HOST"))
    api_port: int = Field(8000, ge=1, le=65535, **_env("FACTORY_API_PORT"))
    jwt_secret: SecretStr | None = Field(None, **_env("FACTORY_JWT_SECRET"))
    jwt_ttl_minutes: int = Field(30, ge=1, le=24 * 60, **_env("FACTORY_JWT_TTL_MINUTES"))
    ui_origin: str | None = Field(None, **_env("FACTORY_UI_ORIGIN"))
    ui_dist: Path = Field(PROJECT_ROOT / "ui" / "dist", **_env("FACTORY_UI_DIST"))
    dagster_url: str = Field("http://127.0.0.1:3000", **_env("FACTORY_DAGSTER_URL", "DAGSTER_GRAPHQL_URL"))
    supabase_url: str | None = Field(None, **_env("SUPABASE_URL"))
    supabase_anon_key: str | None = Field(None, **_env("SUPABASE_ANON_KEY", "SUPABASE_KEY"), repr=False)
    supabase_jwt_secret: str | None = Field(None, **_env("SUPABASE_JWT_SECRET"), repr=False)
    sign_in_attempts: int = Field(5, ge=1, **_env("FACTORY_SIGN_IN_ATTEMPTS_PER_MINUTE"))
    # Distinct accounts one client address may fail to sign in to per 15 minutes (password spraying).
    sign_in_accounts_per_address: int = Field(10, ge=1, **_env("FACTORY_SIGN_IN_ACCOUNTS_PER_ADDRESS"))
    max_body_bytes: int = Field(10_000_000, ge=1024, **_env("FACTORY_API_MAX_BODY_BYTES"))
    # Proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed; none by default.
    trusted_proxies: Annotated[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], NoDecode] = Field(
        (), **_env("FACTORY_TRUSTED_PROXIES"))
    # /docs and /api/openapi.json: on (open), signed-in (the schema needs a token), off (404).
    # Unset: on locally, signed-in in production.
    api_docs: Literal["on", "signed-in", "off"] | None = Field(None, **_env("FACTORY_API_DOCS"))
    # How long (seconds) a process trusts its last look at an operator (disabled? token version?).
    token_check_seconds: float = Field(5.0, ge=0, le=300, **_env("FACTORY_TOKEN_CHECK_SECONDS"))
    # How long (seconds) Supabase's signing keys (JWKS) are kept before they are fetched again;
    # a key removed from the project is refused at most this long after.
    supabase_jwks_cache_seconds: float = Field(600.0, ge=1, le=86_400, **_env("FACTORY_SUPABASE_JWKS_CACHE_SECONDS"))

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value):
        # `.env.example` lists every setting with an empty value: empty means "not set".
        return None if isinstance(value, str) and value.strip() == "" else value

    @field_validator("cloudflare_base_url", "namecheap_api_url", "matomo_url", "google_token_uri",
                     "google_site_verification_endpoint", "google_searchconsole_endpoint", "directus_url",
                     "openai_base_url", "dagster_url", "supabase_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("live_site_url")
    @classmethod
    def _live_site_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            probe = value.format(domain="example.com")
        except (KeyError, IndexError, ValueError):
            raise ValueError("must be a URL with {domain} where the site's domain goes, and no other braces") from None
        if "{domain}" not in value or urlsplit(probe).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL with {domain} where the site's domain goes")
        return value

    def live_url(self, domain: str) -> str:
        """Where the site's live pages open (the Hub's "Open live site")."""
        return (self.live_site_url or "https://{domain}/").format(domain=domain)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return tuple(ipaddress.ip_network(part.strip(), strict=False)
                             for part in value.split(",") if part.strip())
            except ValueError:
                raise ValueError("IP addresses or CIDRs, comma-separated") from None
        return value

    # -- derived ------------------------------------------------------------------------------
    @property
    def docs_mode(self) -> str:
        return self.api_docs or ("signed-in" if self.production else "on")

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def state_dir(self) -> Path:
        """Local state (embedded Postgres, generated keys, logs, builds): FACTORY_HOME or ./.factory."""
        return Path(self.home or PROJECT_ROOT / ".factory")

    @property
    def earlier_state_dir(self) -> Path | None:
        """Where versions before 2026-11-30 kept local state when FACTORY_HOME was unset: the
        user's $HOME (the environment's HOME was read as FACTORY_HOME). None with FACTORY_HOME set."""
        home = os.environ.get("HOME")
        return Path(home) if home and self.home is None else None

    @property
    def public_ip(self) -> str:
        """Where the apex and www records point (a documentation address only in local mode)."""
        return str(self.cloudpanel_public_ip or _DEMO_IP)

    @property
    def dagster_base(self) -> str:
        return self.dagster_url.rstrip("/").removesuffix("/graphql")

    def signing_key(self) -> str:
        """The key the Hub signs its tokens with; locally, one generated once under FACTORY_HOME."""
        return self.secret("jwt_secret") or _local_key_file(self.state_dir / "jwt.key")

    def vendor_urls(self) -> dict[str, str]:
        """The vendors' base URLs the detailed health check probes (those configured)."""
        fields = {"cloudflare": "cloudflare_base_url", "namecheap": "namecheap_api_url", "matomo": "matomo_url",
                  "google_oauth": "google_token_uri", "google_search_console": "google_searchconsole_endpoint",
                  "openai": "openai_base_url", "directus": "directus_url"}
        return {name: getattr(self, f) for name, f in fields.items()
                if f in self.model_fields_set and getattr(self, f)}

    def secret(self, name: str) -> str:
        """The plain value of a secret setting ('' when unset), for the one client that sends it."""
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else ""

    def problems(self) -> list[str]:
        """What production needs and does not have (empty in local mode), one line per setting."""
        if not self.production:
            return []
        found: list[str] = []
        required = {
            "FACTORY_DATABASE_URL": self.database_url, "FACTORY_SECRET_KEY": self.secret_key,
            "FACTORY_JWT_SECRET": self.jwt_secret,
            "NAMECHEAP_API_USER": self.namecheap_api_user, "NAMECHEAP_API_KEY": self.namecheap_api_key,
            "NAMECHEAP_CLIENT_IP": self.namecheap_client_ip,
            "MATOMO_URL": self.matomo_url, "MATOMO_TOKEN_AUTH": self.matomo_token_auth,
            "GOOGLE_CLIENT_ID": self.google_client_id, "GOOGLE_CLIENT_SECRET": self.google_client_secret,
            "CLOUDPANEL_SSH_HOST": self.cloudpanel_ssh_host, "CLOUDPANEL_SSH_KEY": self.cloudpanel_ssh_key,
            "CLOUDPANEL_KNOWN_HOSTS": self.cloudpanel_known_hosts,
            "CLOUDPANEL_PUBLIC_IP": self.cloudpanel_public_ip,
            "DIRECTUS_URL": self.directus_url, "DIRECTUS_TOKEN": self.directus_token,
            "OPENAI_API_KEY": self.openai_api_key,
        }
        found += [f"{name}: required in production" for name, value in required.items() if value is None]
        if self.rate_time_scale != 1:
            found.append(f"FACTORY_RATE_TIME_SCALE: must be 1 in production (is {self.rate_time_scale:g})")
        for name, ip in (("CLOUDPANEL_PUBLIC_IP", self.cloudpanel_public_ip),
                         ("NAMECHEAP_CLIENT_IP", self.namecheap_client_ip)):
            if ip is not None and (ip.is_private or ip.is_loopback or ip.is_reserved or ip == _DEMO_IP
                                   or ip in ipaddress.ip_network("203.0.113.0/24")):
                found.append(f"{name}: {ip} is not a public address")
        if self.cloudpanel_ssh_host is not None and _is_loopback(self.cloudpanel_ssh_host):
            found.append(f"CLOUDPANEL_SSH_HOST: {self.cloudpanel_ssh_host} is this machine, not the CloudPanel host")
        for name, path in (("CLOUDPANEL_SSH_KEY", self.cloudpanel_ssh_key),
                           ("CLOUDPANEL_KNOWN_HOSTS", self.cloudpanel_known_hosts)):
            if path is not None:
                found += _file_problems(name, path, private=name == "CLOUDPANEL_SSH_KEY")
        if self.secret_key is not None:
            from cryptography.fernet import Fernet

            try:
                Fernet(self.secret_key.get_secret_value().encode())
            except (ValueError, TypeError):
                found.append("FACTORY_SECRET_KEY: not a Fernet key (url-safe base64 of 32 bytes)")
        if self.jwt_secret is not None and len(self.jwt_secret.get_secret_value()) < 32:
            found.append("FACTORY_JWT_SECRET: shorter than 32 characters")
        return found


def _local_key_file(path: Path) -> str:
    # Local default only: generated once, readable by the owner only.
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _file_problems(name: str, path: Path, *, private: bool) -> list[str]:
    path = path.expanduser()
    if not path.is_file():
        return [f"{name}: {path} does not exist"]
    mode = path.stat().st_mode
    if private and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [f"{name}: {path} is readable by other users (chmod 600 it)"]
    if mode & stat.S_IWOTH:
        return [f"{name}: {path} is writable by anyone"]
    return []


def load_settings(*, complete: bool = False, **overrides) -> Settings:
    """Read the settings from the environment; with `complete`, production settings must all be
    present and valid. Raises SettingsError naming every problem (never a value)."""
    try:
        settings = Settings(**{_alias_of(name): value for name, value in overrides.items()})
    except ValidationError as exc:
        raise SettingsError([_describe(e) for e in exc.errors()]) from None
    if complete and settings.problems():
        raise SettingsError(settings.problems())
    return settings


def _alias_of(name: str) -> str:
    """The environment name a field is read from (`home` -> FACTORY_HOME); an alias stays itself.
    Unknown names raise: the model ignores extra keys, so a typo would silently change nothing."""
    field = Settings.model_fields.get(name)
    if field is None:
        if any(name in _aliases(f) for f in Settings.model_fields.values()):
            return name
        raise TypeError(f"load_settings: no setting {name!r}")
    return _aliases(field)[0]


def _aliases(field) -> list[str]:
    alias = field.validation_alias
    return list(alias.choices) if isinstance(alias, AliasChoices) else [alias]


def current_settings() -> Settings:
    """`load_settings()` for hot paths (a credential decrypted per vendor call): the same frozen
    Settings while the environment, the working directory and its .env file are unchanged."""
    try:
        env_file = os.stat(".env").st_mtime_ns
    except OSError:
        env_file = None
    return _settings_for(frozenset(os.environ.items()), os.getcwd(), env_file)


@functools.lru_cache(maxsize=8)
def _settings_for(environ: frozenset, cwd: str, env_file_mtime: int | None) -> Settings:
    return load_settings()


def _describe(error: dict) -> str:
    name = ".".join(str(part) for part in error.get("loc", ())) or "settings"
    return f"{name}: {error.get('msg', 'invalid')}"


def state_dir() -> Path:
    """Where local state lives (FACTORY_HOME or ./.factory), for code without settings at hand."""
    return load_settings().state_dir
