"""The vendor clients the layers talk through, built from the settings, with each account's
credential from the store and every call through the shared budget and retry rules.

One `Clients` per process (Dagster resource, Hub, CLI); building a client is cheap.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from factory.config import Settings, SettingsError
from factory.store import Store
from factory.vendors import cloudflare, directus, google, matomo, namecheap, openai
from factory.vendors.astro import TEMPLATE_DIR, SiteBuilder
from factory.vendors.budget import Budget, SharedRateLimiter
from factory.vendors.caller import VendorCaller
from factory.vendors.cloudpanel import CloudPanelClient
from factory.vendors.retry import RetryPolicy, VendorError
from factory.vendors.rsync import Releaser
from factory.vendors.ssh import SshTarget
from factory.vendors.tls import ssl_context


class Clients:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.limiter = SharedRateLimiter(lambda: self.store.connection())

    def caller(self, budget: Budget, credential: str, classify: Callable[[Exception], VendorError | None], *,
               max_attempts: int = 6) -> VendorCaller:
        return VendorCaller(self.limiter, budget.scaled(self.settings.rate_time_scale), credential,
                            RetryPolicy(max_attempts=max_attempts), classify)

    def _required(self, name: str, value: object) -> str:
        if value is None or value == "":
            raise SettingsError([f"{name}: not set (needed to call this vendor)"])
        return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)

    # -- DNS and registrar --------------------------------------------------------------------
    def cloudflare(self, account_id: uuid.UUID) -> cloudflare.CloudflareClient:
        token = self.store.cloudflare_accounts.credential(account_id)
        return cloudflare.CloudflareClient(cloudflare.sdk(token, self.settings.cloudflare_base_url),
                                           self.caller(cloudflare.BUDGET, token, cloudflare.classify))

    def namecheap(self) -> namecheap.NamecheapClient:
        s = self.settings
        params = namecheap.global_params(self._required("NAMECHEAP_API_USER", s.namecheap_api_user),
                                         self._required("NAMECHEAP_API_KEY", s.namecheap_api_key),
                                         s.namecheap_username,
                                         self._required("NAMECHEAP_CLIENT_IP", s.namecheap_client_ip))
        return namecheap.NamecheapClient(httpx.Client(timeout=30.0, verify=ssl_context()), s.namecheap_api_url, params,
                                         self.caller(namecheap.BUDGET, params["ApiUser"], namecheap.classify))

    # -- hosting --------------------------------------------------------------------------------
    def ssh(self) -> SshTarget:
        s = self.settings
        return SshTarget(host=self._required("CLOUDPANEL_SSH_HOST", s.cloudpanel_ssh_host),
                         key_path=str(Path(self._required("CLOUDPANEL_SSH_KEY", s.cloudpanel_ssh_key)).expanduser()),
                         known_hosts_path=str(Path(self._required("CLOUDPANEL_KNOWN_HOSTS",
                                                                  s.cloudpanel_known_hosts)).expanduser()),
                         port=s.cloudpanel_ssh_port, user=s.cloudpanel_ssh_user)

    def cloudpanel(self) -> CloudPanelClient:
        return CloudPanelClient(self.ssh(), clpctl=self.settings.cloudpanel_clpctl,
                                home_dir=self.settings.cloudpanel_home_dir)

    # -- analytics and Search Console -------------------------------------------------------------
    def matomo(self) -> matomo.MatomoClient:
        url = self._required("MATOMO_URL", self.settings.matomo_url)
        token = self._required("MATOMO_TOKEN_AUTH", self.settings.matomo_token_auth)
        http = httpx.Client(base_url=url if url.endswith("/") else url + "/", timeout=30.0, verify=ssl_context())
        return matomo.MatomoClient(http, token, self.caller(
            matomo.matomo_budget(self.settings.matomo_requests_per_minute), token, matomo.classify))

    def google_endpoints(self) -> google.GoogleEndpoints:
        s = self.settings
        return google.GoogleEndpoints(
            client_id=self._required("GOOGLE_CLIENT_ID", s.google_client_id),
            client_secret=self._required("GOOGLE_CLIENT_SECRET", s.google_client_secret),
            token_uri=s.google_token_uri, site_verification=s.google_site_verification_endpoint or "",
            search_console=s.google_searchconsole_endpoint or "")

    def google_caller(self, refresh_token: str) -> VendorCaller:
        return self.caller(google.BUDGET, refresh_token, google.classify)

    def search_analytics_caller(self, refresh_token: str) -> VendorCaller:
        return self.caller(google.SEARCH_ANALYTICS_BUDGET, refresh_token, google.classify)

    def google(self, account_id: uuid.UUID) -> google.GoogleClient:
        token = self.store.gsc_accounts.credential(account_id)
        endpoints = self.google_endpoints()
        return endpoints.client(endpoints.credentials(token), self.google_caller(token))

    # -- content, build, deploy ---------------------------------------------------------------------
    def llm(self) -> openai.LlmClient:
        key = self._required("OPENAI_API_KEY", self.settings.openai_api_key)
        return openai.LlmClient(openai.sdk(key, self.settings.openai_base_url), self.settings.openai_model,
                                self.caller(openai.openai_budget(self.settings.openai_requests_per_minute), key,
                                            openai.classify))

    def directus(self) -> directus.DirectusClient:
        token = self._required("DIRECTUS_TOKEN", self.settings.directus_token)
        return directus.DirectusClient(
            self._required("DIRECTUS_URL", self.settings.directus_url), token,
            call=self.caller(directus.directus_budget(self.settings.directus_requests_per_second), token,
                             lambda exc: None, max_attempts=4))

    def builder(self) -> SiteBuilder:
        return SiteBuilder(self.settings.build_dir or self.settings.state_dir / "builds", TEMPLATE_DIR)

    def releaser(self) -> Releaser:
        return Releaser(self.ssh(), keep=self.settings.keep_releases)
