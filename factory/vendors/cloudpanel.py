"""CloudPanel through its CLI, `clpctl`, run over SSH on the hosting server (vendor-apis.md §3)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from factory.domains import normalize_domain
from factory.vendors.retry import RetryPolicy, VendorError, call_with_retries
from factory.vendors.ssh import SshError, SshResult, SshTarget

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


def doc_root_for(home_dir: str, domain: str) -> str:
    """CloudPanel puts a site under /home/{siteUser}/htdocs/{domain}."""
    domain = normalize_domain(domain)
    return f"{home_dir.rstrip('/')}/{site_user_for(domain)}/htdocs/{domain}"


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


# clpctl takes the site user's password only as an option. It travels on stdin to a fixed remote
# script that hands it to clpctl, so it is never on the ssh command line (ps on either host).
_ADD_STATIC = r'''set -eu
IFS= read -r password
exec "$1" site:add:static "--domainName=$2" "--siteUser=$3" "--siteUserPassword=$password"
'''


class CloudPanelClient:
    """Sites on the CloudPanel host: looked up by their doc root, added, certified, deleted."""

    def __init__(self, ssh: SshTarget, *, clpctl: str = "clpctl", home_dir: str = "/home", max_attempts: int = 4):
        self.ssh = ssh
        self.clpctl = clpctl
        self.home_dir = home_dir
        self.max_attempts = max_attempts

    def doc_root(self, domain: str) -> str:
        return doc_root_for(self.home_dir, domain)

    def _run(self, argv: list[str], what: str, *, input: str | None = None) -> SshResult:
        policy = RetryPolicy(max_attempts=self.max_attempts)
        return call_with_retries(lambda: self.ssh.run(argv, input=input), classify, policy, what=what)

    def exists(self, domain: str) -> bool:
        return self._run(["test", "-d", self.doc_root(domain)], f"look for {domain}").returncode == 0

    def site_exists(self, domain: str) -> bool:
        """Whether CloudPanel has the site: its user's htdocs, which outlives the doc root (a site
        taken offline has no doc root but is still there to delete)."""
        return self._run(["test", "-d", self.site_htdocs(domain)], f"look for {domain}").returncode == 0

    def site_htdocs(self, domain: str) -> str:
        return self.doc_root(domain).rsplit("/", 1)[0]

    def sites_htdocs(self) -> set[str]:
        """Every site's htdocs on the host (one SSH command for the whole fleet)."""
        return self.listing()[0]

    def listing(self) -> tuple[set[str], set[str]]:
        """In one SSH command for the whole fleet: every site's htdocs on the host, and every doc
        root that serves something (a directory, or a release symlink whose release is there) — a
        removed doc root, or a symlink to a release that was deleted, is not listed."""
        script = ('for d in "$1"/*/htdocs; do [ -d "$d" ] || continue; echo "htdocs $d"; '
                  'for r in "$d"/*; do [ -d "$r" ] && echo "root $r"; done; done; true')
        result = self._run(["sh", "-c", script, "sites", self.home_dir.rstrip("/") or "/"], "list sites")
        htdocs, roots = set(), set()
        for line in result.stdout.splitlines():
            kind, _, path = line.strip().partition(" ")
            if kind == "htdocs":
                htdocs.add(path)
            elif kind == "root":
                roots.add(path)
        return htdocs, roots

    def delete_site(self, domain: str) -> None:
        """clpctl site:delete --force (without --force it asks, and a 'no' exits 0 having deleted nothing)."""
        result = self._run([self.clpctl, "site:delete", f"--domainName={normalize_domain(domain)}", "--force"],
                           f"delete {domain}")
        if result.returncode != 0:
            raise VendorError(VENDOR, f"clpctl site:delete failed: {(result.stdout + result.stderr).strip()[:500]}")

    def add_static_site(self, domain: str) -> HostedSite:
        """Add the site (the caller has looked first); a concurrent creator's site is adopted."""
        domain = normalize_domain(domain)
        user, root = site_user_for(domain), self.doc_root(domain)
        password = secrets.token_urlsafe(24)  # CloudPanel requires one; deploys use SSH keys, not it
        result = self._run(["sh", "-c", _ADD_STATIC, "clpctl-add", self.clpctl, domain, user], f"add {domain}",
                           input=password + "\n")
        if result.returncode != 0:
            message = (result.stdout + result.stderr).strip().replace(password, "***")
            if "already exists" in message and self.exists(domain):
                return HostedSite(domain, user, root, created=False)
            raise VendorError(VENDOR, f"clpctl site:add:static failed: {message or 'exit ' + str(result.returncode)}")
        return HostedSite(domain, user, root, created=True)

    def install_certificate(self, domain: str) -> None:
        result = self._run([self.clpctl, "lets-encrypt:install:certificate",
                            f"--domainName={normalize_domain(domain)}"], f"certificate for {domain}")
        if result.returncode != 0:
            raise VendorError(VENDOR, f"Let's Encrypt failed: {(result.stdout + result.stderr).strip()[:500]}")
