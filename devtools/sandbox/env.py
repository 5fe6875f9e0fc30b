"""Environment variables that point the product at a running sandbox."""
from __future__ import annotations

from .cloudflare import account_id_for
from .google import CLIENT_ID, CLIENT_SECRET
from .openai import API_KEY as OPENAI_KEY

CLOUDFLARE_TOKEN = "sandbox-cf-token"
NAMECHEAP_USER = "sandboxuser"
NAMECHEAP_KEY = "sandbox-nc-key"
NAMECHEAP_CLIENT_IP = "127.0.0.1"
MATOMO_TOKEN = "sandbox-matomo-token"
GOOGLE_REFRESH_TOKEN = "sandbox-google-refresh-token"


def settings(url: str) -> dict[str, str]:
    """Env settings for a sandbox at base `url` (e.g. "http://127.0.0.1:8787")."""
    url = url.rstrip("/")
    return {
        "SANDBOX_URL": url,
        "CLOUDFLARE_BASE_URL": f"{url}/cloudflare/client/v4",
        "CLOUDFLARE_API_TOKEN": CLOUDFLARE_TOKEN,
        "CLOUDFLARE_ACCOUNT_ID": account_id_for(CLOUDFLARE_TOKEN),
        "NAMECHEAP_API_URL": f"{url}/namecheap/xml.response",
        "NAMECHEAP_API_USER": NAMECHEAP_USER,
        "NAMECHEAP_USERNAME": NAMECHEAP_USER,
        "NAMECHEAP_API_KEY": NAMECHEAP_KEY,
        "NAMECHEAP_CLIENT_IP": NAMECHEAP_CLIENT_IP,
        "MATOMO_URL": f"{url}/matomo/",
        "MATOMO_TOKEN_AUTH": MATOMO_TOKEN,
        "GOOGLE_TOKEN_URI": f"{url}/google/token",
        "GOOGLE_CLIENT_ID": CLIENT_ID,
        "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
        "GOOGLE_REFRESH_TOKEN": GOOGLE_REFRESH_TOKEN,
        # client_options={"api_endpoint": ...} replaces rootUrl+servicePath; must end with "/".
        "GOOGLE_SITE_VERIFICATION_API_ENDPOINT": f"{url}/google/siteVerification/v1/",
        "GOOGLE_SEARCHCONSOLE_API_ENDPOINT": f"{url}/google/",
        "CLPCTL_SANDBOX_URL": url,
        "OPENAI_BASE_URL": f"{url}/openai/v1",
        "OPENAI_API_KEY": OPENAI_KEY,
    }


def hosting_settings(sshd) -> dict[str, str]:
    """Env settings that point the product's CloudPanel access at a sandbox sshd (sandbox.sshd)."""
    return {
        "CLOUDPANEL_SSH_HOST": sshd.host,
        "CLOUDPANEL_SSH_PORT": str(sshd.port),
        "CLOUDPANEL_SSH_USER": sshd.user,
        "CLOUDPANEL_SSH_KEY": str(sshd.client_key),
        "CLOUDPANEL_KNOWN_HOSTS": str(sshd.known_hosts),
        "CLOUDPANEL_HOME_DIR": str(sshd.home_root),
    }
