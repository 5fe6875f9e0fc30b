"""The resources of the code location, configured from the environment (see .env.example).

Secrets are `EnvVar`s: Dagster resolves them at run time and shows only their names in the UI.
Non-secret settings with a sensible default are read here, at load time.
"""

from __future__ import annotations

import dagster as dg

from factory.config import env
from resources.cloudflare import CloudflareResource
from resources.cloudpanel import CloudPanelResource
from resources.google import GoogleResource
from resources.matomo import MatomoResource
from resources.namecheap import NamecheapResource
from resources.ssh import SshResource
from resources.store import StoreResource


def _float(name: str, default: float) -> float:
    return float(env(name, str(default)))


def build_resources() -> dict[str, dg.ConfigurableResource]:
    # Stretches (or shrinks) every vendor's rate-limit window: 1 in production; the sandbox's
    # time scale in tests and benchmarks so the budget matches the simulators.
    scale = _float("FACTORY_RATE_TIME_SCALE", 1.0)
    store = StoreResource()
    ssh = SshResource(
        host=env("CLOUDPANEL_SSH_HOST", "127.0.0.1"),
        port=int(env("CLOUDPANEL_SSH_PORT", "22")),
        user=env("CLOUDPANEL_SSH_USER", "root"),
        key_path=env("CLOUDPANEL_SSH_KEY", "~/.ssh/id_ed25519"),
        known_hosts_path=env("CLOUDPANEL_KNOWN_HOSTS", "~/.ssh/known_hosts"),
    )
    return {
        "store": store,
        "ssh": ssh,
        "cloudflare": CloudflareResource(
            store=store,
            base_url=env("CLOUDFLARE_BASE_URL", "https://api.cloudflare.com/client/v4"),
            rate_window_s=300.0 * scale, rate_margin_s=3.0 * scale,
        ),
        "namecheap": NamecheapResource(
            store=store,
            api_url=env("NAMECHEAP_API_URL", "https://api.namecheap.com/xml.response"),
            api_user=dg.EnvVar("NAMECHEAP_API_USER"),
            api_key=dg.EnvVar("NAMECHEAP_API_KEY"),
            username=env("NAMECHEAP_USERNAME", ""),
            client_ip=dg.EnvVar("NAMECHEAP_CLIENT_IP"),
            rate_window_s=60.0 * scale, rate_margin_s=max(1.0 * scale, 0.05),
        ),
        "matomo": MatomoResource(store=store, url=dg.EnvVar("MATOMO_URL"), token_auth=dg.EnvVar("MATOMO_TOKEN_AUTH")),
        "google": GoogleResource(
            store=store,
            client_id=dg.EnvVar("GOOGLE_CLIENT_ID"),
            client_secret=dg.EnvVar("GOOGLE_CLIENT_SECRET"),
            token_uri=env("GOOGLE_TOKEN_URI", "https://oauth2.googleapis.com/token"),
            site_verification_endpoint=env("GOOGLE_SITE_VERIFICATION_API_ENDPOINT", ""),
            searchconsole_endpoint=env("GOOGLE_SEARCHCONSOLE_API_ENDPOINT", ""),
            # Search Console's strictest per-user quota (sites.*: 200 per minute), per Google account.
            rate_limit=200, rate_window_s=60.0 * scale, rate_margin_s=1.0 * scale,
        ),
        "cloudpanel": CloudPanelResource(
            ssh=ssh,
            clpctl=env("CLOUDPANEL_CLPCTL", "clpctl"),
            home_dir=env("CLOUDPANEL_HOME_DIR", "/home"),
            public_ip=env("CLOUDPANEL_PUBLIC_IP", "203.0.113.10"),
        ),
    }
