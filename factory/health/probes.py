"""Probes over real HTTPS: what a visitor gets from a deployed site.

For each site: a TLS handshake with the apex (the certificate must verify against the CA bundle
and not be within FACTORY_HEALTH_CERT_WARN_DAYS of expiry), GET https://apex/ and
https://www.apex/ (after at most a few redirects: 200, the canonical URL https://apex/, the
site's Matomo snippet), and GET http://apex/ (a redirect to https://). The same code runs in
production and locally; only where it connects (FACTORY_HEALTH_CONNECT_HOST, ports) and which CAs
it trusts (FACTORY_HEALTH_CA_BUNDLE) are settings. A site that cannot be reached at all is one
problem (`https`), not one per check.
"""

from __future__ import annotations

import datetime as dt
import http.client
import multiprocessing
import re
import socket
import ssl
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from factory.config import Settings
from factory.health import checks
from factory.store import Finding, Site

MAX_BODY = 2_000_000
MAX_REDIRECTS = 3
USER_AGENT = "website-factory-health/1"
# From this many sites, a sweep's probes run in a process of their own: TLS handshakes cost CPU,
# and in the sweep's interpreter they would hold the lock its drift reads need between vendor
# calls. Starting the process costs about half a second: below this, threads are quicker.
PROCESS_MIN_SITES = 50
RETRY_PAUSE_S = 1.0
CANONICAL_RE = re.compile(r"""<link\b[^>]*\brel=["']?canonical["']?[^>]*>""", re.IGNORECASE)
HREF_RE = re.compile(r"""\bhref=["']([^"']+)["']""", re.IGNORECASE)


class Unreachable(Exception):
    """No connection could be made (refused, timed out, no address)."""


class TlsFailed(Exception):
    """The site's certificate did not verify (expired, wrong name, unknown issuer). Any other
    handshake failure is `Unreachable`: the site does not serve HTTPS."""


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None
    body: str
    cert_not_after: dt.datetime | None = None


def tls_context(settings: Settings) -> ssl.SSLContext:
    cafile = str(settings.health_ca_bundle) if settings.health_ca_bundle else None
    return ssl.create_default_context(cafile=cafile)


def _connect(settings: Settings, host: str, port: int) -> socket.socket:
    address = settings.health_connect_host or host
    try:
        return socket.create_connection((address, port), timeout=settings.health_timeout_s)
    except OSError as exc:
        raise Unreachable(f"cannot connect to port {port}: {exc.strerror or type(exc).__name__}") from None


def fetch(settings: Settings, host: str, path: str = "/", *, tls: bool = True,
          context: ssl.SSLContext | None = None) -> Answer:
    """One GET, no redirect followed; over TLS with SNI and certificate checks for `host`."""
    port = settings.health_https_port if tls else settings.health_http_port
    sock = _connect(settings, host, port)
    not_after = None
    try:
        if tls:
            try:
                sock = (context or tls_context(settings)).wrap_socket(sock, server_hostname=host)
            except ssl.SSLCertVerificationError as exc:
                raise TlsFailed(f"certificate not valid: {exc.verify_message or exc.reason}") from None
            except (ssl.SSLError, OSError) as exc:
                raise Unreachable(f"TLS handshake failed ({getattr(exc, 'reason', None) or type(exc).__name__})") \
                    from None
            cert = sock.getpeercert()
            if cert and cert.get("notAfter"):
                not_after = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), dt.UTC)
        conn = http.client.HTTPConnection(host, port, timeout=settings.health_timeout_s)
        conn.sock = sock
        try:
            conn.request("GET", path, headers={"Host": host, "User-Agent": USER_AGENT, "Accept": "text/html"})
            response = conn.getresponse()
            body = response.read(MAX_BODY).decode("utf-8", "replace")
            return Answer(response.status, response.getheader("Location"), body, not_after)
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable(f"no answer: {type(exc).__name__}") from None
        finally:
            conn.close()
    finally:
        sock.close()


def fetch_patiently(settings: Settings, host: str, path: str = "/", *, tls: bool = True,
                    context: ssl.SSLContext | None = None, sleep=time.sleep) -> Answer:
    """`fetch`, asked again (FACTORY_HEALTH_PROBE_RETRIES times, RETRY_PAUSE_S apart) while the
    site cannot be reached: one lost connection or slow answer is not an outage."""
    for attempt in range(settings.health_probe_retries + 1):
        try:
            return fetch(settings, host, path, tls=tls, context=context)
        except Unreachable:
            if attempt == settings.health_probe_retries:
                raise
            sleep(RETRY_PAUSE_S)
    raise AssertionError("unreachable")  # the loop returns or raises


def get_following(settings: Settings, domain: str, host: str, context: ssl.SSLContext,
                  first: Answer | None = None) -> tuple[Answer, str]:
    """GET https://host/, following redirects within the site (apex and www) over HTTPS.
    `first`: the answer to GET https://host/ already fetched (not asked again). Returns the last
    answer and its URL."""
    url = f"https://{host}/"
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        answer = first if first is not None else \
            fetch_patiently(settings, parts.hostname or host, parts.path or "/", context=context)
        first = None
        if answer.status not in (301, 302, 303, 307, 308) or not answer.location:
            return answer, url
        target = urlsplit(answer.location if "://" in answer.location else f"https://{parts.hostname}{answer.location}")
        if target.scheme != "https" or target.hostname not in (domain, f"www.{domain}"):
            return answer, url
        url = target.geturl()
    return answer, url


def canonical_of(body: str) -> str | None:
    tag = CANONICAL_RE.search(body)
    href = HREF_RE.search(tag.group(0)) if tag else None
    return href.group(1) if href else None


def has_matomo_snippet(body: str, matomo_site_id: int | None) -> bool:
    if "matomo.php" not in body or "_paq" not in body:
        return False
    return matomo_site_id is None or f"'setSiteId', '{matomo_site_id}'" in body


def probe_site(settings: Settings, site: Site, *, now: dt.datetime | None = None,
               context: ssl.SSLContext | None = None) -> tuple[list[Finding], set]:
    """Every probe of one site: its findings, and the (site, check kind) pairs it could judge."""
    now = now or dt.datetime.now(dt.UTC)
    context = context or tls_context(settings)
    domain = site.domain
    found: list[Finding] = []
    covered = {(site.id, checks.HTTPS)}

    def problem(kind: str, subject: str, status: str, cause: str, observed=None, expected=None) -> None:
        found.append(Finding(site.id, kind, subject, status, checks.generic(cause, domain), observed, expected))

    # Certificate: one handshake with the apex (its answer is also the apex's home page below).
    try:
        apex = fetch_patiently(settings, domain, context=context)
    except Unreachable as exc:
        problem(checks.HTTPS, domain, "fail", f"site down: {exc}", str(exc), "200")
        return found, covered  # nothing else can be judged
    except TlsFailed as exc:
        covered.add((site.id, checks.CERTIFICATE))
        problem(checks.CERTIFICATE, domain, "fail", str(exc), str(exc), "a valid certificate")
        return found, covered
    covered.add((site.id, checks.CERTIFICATE))
    if apex.cert_not_after is not None:
        days = (apex.cert_not_after - now).total_seconds() / 86400
        if days < settings.health_cert_warn_days:
            problem(checks.CERTIFICATE, domain, "warn" if days >= 0 else "fail",
                    f"certificate expires within {settings.health_cert_warn_days} days",
                    f"expires {apex.cert_not_after:%Y-%m-%d} ({days:.0f} days)",
                    f"more than {settings.health_cert_warn_days} days")

    # Pages: apex and www, over HTTPS.
    covered |= {(site.id, checks.CANONICAL), (site.id, checks.MATOMO_SNIPPET)}
    expected_url = f"https://{domain}/"
    for host in (domain, f"www.{domain}"):
        try:
            answer, url = get_following(settings, domain, host, context, first=apex if host == domain else None)
        except (Unreachable, TlsFailed) as exc:
            problem(checks.HTTPS, host, "fail", f"https://{host}/ {exc}", str(exc), "200")
            continue
        if answer.status != 200:
            problem(checks.HTTPS, host, "fail", f"https://{host}/ answers HTTP {answer.status}",
                    f"HTTP {answer.status} at {url}", "200")
            continue
        canonical = canonical_of(answer.body)
        if canonical != expected_url:
            problem(checks.CANONICAL, host, "fail", "the home page's canonical URL is not the site's",
                    canonical or "no canonical link", expected_url)
        if not has_matomo_snippet(answer.body, site.matomo_site_id):
            problem(checks.MATOMO_SNIPPET, host, "fail", "the home page has no Matomo snippet for the site",
                    "no snippet", f"Matomo site {site.matomo_site_id}" if site.matomo_site_id else "a Matomo snippet")

    # HTTP redirects to HTTPS.
    try:
        plain = fetch_patiently(settings, domain, tls=False)
        covered.add((site.id, checks.REDIRECT))
        target = urlsplit(plain.location or "")
        if plain.status not in (301, 302, 307, 308) or target.scheme != "https" \
                or target.hostname not in (domain, f"www.{domain}"):
            problem(checks.REDIRECT, domain, "fail", "http:// does not redirect to https://",
                    f"HTTP {plain.status}" + (f" to {plain.location}" if plain.location else ""),
                    f"a redirect to {expected_url}")
    except Unreachable as exc:
        covered.add((site.id, checks.REDIRECT))
        problem(checks.REDIRECT, domain, "fail", f"http:// {exc}", str(exc), f"a redirect to {expected_url}")
    return found, covered


def probe_sites(settings: Settings, sites: Sequence[Site], now: dt.datetime) -> tuple[list[Finding], set]:
    """`probe_site` for many sites, FACTORY_HEALTH_PROBE_CONCURRENCY at a time."""
    context = tls_context(settings)
    found: list[Finding] = []
    judged: set = set()
    with ThreadPoolExecutor(max_workers=settings.health_probe_concurrency) as pool:
        for findings, seen in pool.map(lambda s: probe_site(settings, s, now=now, context=context), sites):
            found += findings
            judged |= seen
    return found, judged


def probe_fleet(settings: Settings, sites: Sequence[Site], now: dt.datetime) -> tuple[list[Finding], set]:
    """`probe_sites`, in a process of its own from PROCESS_MIN_SITES sites."""
    if len(sites) < PROCESS_MIN_SITES:
        return probe_sites(settings, sites, now)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(probe_sites, settings, list(sites), now).result()
