"""CloudPanel through its CLI, `clpctl`, run over SSH on the hosting server (vendor-apis.md §3)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import dagster as dg

from factory.domains import normalize_domain
from factory.retry import RetryPolicy, VendorError, call_with_retries
from resources.ssh import SshError, SshResource

VENDOR = "cloudpanel"
_SLUG = re.compile(r"[^a-z0-9]+")


def site_user_for(domain: str) -> str:
    """A Linux user name for the site: readable, at most 32 characters, and never shared by two
    domains (the hash of the whole domain is part of it, so truncation cannot collide)."""
    domain = normalize_domain(domain)
    slug = _SLUG.sub("-", domain).strip("-")
    if not slug[0].isalpha():
        slug = "s-" + slug
    digest = hashlib.sha256(domain.encode()).hexdigest()[:8]
    return f"{slug[:23].rstrip('-')}-{digest}"


@dataclass(frozen=True)
class HostedSite:
    domain: str
    site_user: str
    doc_root: str
    created: bool


def classify(exc: Exception) -> VendorError | None:
    if isinstance(exc, SshError):
        return VendorError(VENDOR, str(exc), retryable=True)
    return None


class CloudPanelResource(dg.ConfigurableResource):
    ssh: SshResource
    clpctl: str = "clpctl"
    home_dir: str = "/home"  # CloudPanel puts sites under /home/{siteUser}/htdocs/{domain}
    public_ip: str  # where the apex and www records point
    max_attempts: int = 4

    def doc_root(self, domain: str) -> str:
        return f"{self.home_dir.rstrip('/')}/{site_user_for(domain)}/htdocs/{normalize_domain(domain)}"

    def _run(self, argv: list[str], what: str):
        policy = RetryPolicy(max_attempts=self.max_attempts)
        return call_with_retries(lambda: self.ssh.run(argv), classify, policy, what=what)

    def exists(self, domain: str) -> bool:
        result = self._run(["test", "-d", self.doc_root(domain)], f"look for {domain}")
        return result.returncode == 0

    def ensure_site(self, domain: str) -> HostedSite:
        """Adopt the site if its doc root exists, else add it as a static site."""
        domain = normalize_domain(domain)
        user, root = site_user_for(domain), self.doc_root(domain)
        if self.exists(domain):
            return HostedSite(domain, user, root, created=False)
        password = secrets.token_urlsafe(24)  # CloudPanel requires one; deploys use SSH keys, not it
        result = self._run([self.clpctl, "site:add:static", f"--domainName={domain}", f"--siteUser={user}",
                            f"--siteUserPassword={password}"], f"add {domain}")
        if result.returncode != 0:
            message = (result.stdout + result.stderr).strip().replace(password, "***")
            if "already exists" in message and self.exists(domain):
                return HostedSite(domain, user, root, created=False)  # a concurrent run added it
            raise VendorError(VENDOR, f"clpctl site:add:static failed: {message or 'exit ' + str(result.returncode)}")
        return HostedSite(domain, user, root, created=True)

    def install_certificate(self, domain: str) -> None:
        result = self._run([self.clpctl, "lets-encrypt:install:certificate", f"--domainName={normalize_domain(domain)}"],
                           f"certificate for {domain}")
        if result.returncode != 0:
            raise VendorError(VENDOR, f"Let's Encrypt failed: {(result.stdout + result.stderr).strip()[:500]}")
