"""The probes over real TLS handshakes against a local HTTPS host with a local CA: every probe
kind is found when it is wrong and silent when it is right."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest

from devtools.https_host import HttpsHost
from factory.config import load_settings
from factory.health import checks
from factory.health import probes as probes_module
from factory.health.probes import probe_fleet, probe_site
from factory.store import Site

DOMAIN = "probe-example.com"


def page(domain: str = DOMAIN, site_id: int | None = 7, canonical: str | None = None) -> str:
    snippet = ("<!-- Matomo --><script>var _paq = window._paq = window._paq || [];"
               f"_paq.push(['setTrackerUrl', u+'matomo.php']);_paq.push(['setSiteId', '{site_id}']);</script>"
               if site_id is not None else "")
    href = canonical if canonical is not None else f"https://{domain}/"
    return f'<html><head><link rel="canonical" href="{href}" />{snippet}</head><body>Hi</body></html>'


def a_site(domain: str = DOMAIN, matomo_site_id: int | None = 7) -> Site:
    now = dt.datetime.now(dt.UTC)
    return Site(id=uuid.uuid4(), created_at=now, updated_at=now, seq=1, domain=domain, brand_name="Example",
                cloudflare_account_id=uuid.uuid4(), cloudflare_account="CF", gsc_account_id=None, gsc_account=None,
                status_dns="active", status_hosting="active", status_content="generated",
                status_deployment="deployed", hosting_doc_root=None, matomo_site_id=matomo_site_id,
                gsc_verification_status="verified", error_message=None, error_step=None, cloudflare_zone_id="z",
                cloudflare_name_servers=None, cloudflare_zone_status="active", hosting_site_user=None,
                hosting_certificate=True, gsc_property=None)


@pytest.fixture()
def host(tmp_path) -> Iterator[HttpsHost]:
    with HttpsHost(tmp_path) as served:
        yield served


def probe(host: HttpsHost, site: Site | None = None):
    settings = load_settings(**{"health_" + k.removeprefix("FACTORY_HEALTH_").lower(): v
                                for k, v in host.settings().items()}, health_timeout_s=3)
    found, covered = probe_site(settings, site or a_site())
    return {(f.check_kind, f.subject, f.status) for f in found}, {k for _, k in covered}, found


def test_a_healthy_site_has_no_problem_and_every_probe_judged_it(host: HttpsHost) -> None:
    host.serve(DOMAIN, page())
    problems, covered, _ = probe(host)
    assert problems == set()
    assert covered == {checks.HTTPS, checks.CERTIFICATE, checks.CANONICAL, checks.MATOMO_SNIPPET, checks.REDIRECT}


def test_a_site_down_is_one_problem_not_one_per_check(host: HttpsHost) -> None:
    host.serve(DOMAIN, page())
    host.down(DOMAIN)
    problems, covered, found = probe(host)
    assert problems == {(checks.HTTPS, DOMAIN, "fail")}
    assert "site down" in found[0].cause and DOMAIN not in found[0].cause
    assert checks.CERTIFICATE not in covered  # what could not be seen is not resolved


def test_a_site_that_drops_one_connection_is_asked_again_not_reported_down(host: HttpsHost) -> None:
    host.serve(DOMAIN, page())
    host.down(DOMAIN)
    back = threading.Timer(0.3, host.down, args=(DOMAIN, False))  # up again before the probe asks again
    back.start()
    try:
        problems, covered, _ = probe(host)
    finally:
        back.cancel()
    assert problems == set() and checks.CERTIFICATE in covered


def test_a_large_fleet_is_probed_in_a_process_of_its_own_with_the_same_findings(host: HttpsHost, monkeypatch) -> None:
    down = "down-example.com"
    host.serve(DOMAIN, page())
    host.serve(down, page(down))
    host.down(down)
    settings = load_settings(**{"health_" + k.removeprefix("FACTORY_HEALTH_").lower(): v
                                for k, v in host.settings().items()}, health_timeout_s=3, health_probe_retries=0)
    sites = [a_site(), a_site(down)]
    now = dt.datetime.now(dt.UTC)
    in_threads = probe_fleet(settings, sites, now)
    monkeypatch.setattr(probes_module, "PROCESS_MIN_SITES", 2)
    in_process = probe_fleet(settings, sites, now)
    assert in_process == in_threads
    assert {(f.check_kind, f.subject) for f in in_process[0]} == {(checks.HTTPS, down)}


def test_certificate_expiring_soon_warns_and_expired_fails(host: HttpsHost) -> None:
    host.serve(DOMAIN, page(), cert_days=5)
    problems, _, found = probe(host)
    assert problems == {(checks.CERTIFICATE, DOMAIN, "warn")}
    assert "(5 days)" in found[0].observed or "(4 days)" in found[0].observed
    host.set_certificate(DOMAIN, -1)
    problems, _, found = probe(host)
    assert problems == {(checks.CERTIFICATE, DOMAIN, "fail")}
    assert "expired" in found[0].observed


def test_certificate_from_an_unknown_issuer_fails(host: HttpsHost, tmp_path) -> None:
    host.serve(DOMAIN, page())
    other = HttpsHost(tmp_path / "other")  # another CA: the probes do not trust it
    cert, key = other.ca.issue([DOMAIN, f"www.{DOMAIN}"], 90)
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    host.sites[DOMAIN].context = context
    problems, _, _ = probe(host)
    assert problems == {(checks.CERTIFICATE, DOMAIN, "fail")}


def test_page_without_snippet_wrong_canonical_and_error_status(host: HttpsHost) -> None:
    host.serve(DOMAIN, page(site_id=None), www_body=page(canonical=f"https://www.{DOMAIN}/"))
    problems, _, _ = probe(host)
    assert problems == {(checks.MATOMO_SNIPPET, DOMAIN, "fail"), (checks.CANONICAL, f"www.{DOMAIN}", "fail")}
    host.set_page(f"www.{DOMAIN}", "gone", status=404)
    host.set_page(DOMAIN, page(site_id=8))  # another site's Matomo id is not this site's snippet
    problems, _, _ = probe(host)
    assert problems == {(checks.HTTPS, f"www.{DOMAIN}", "fail"), (checks.MATOMO_SNIPPET, DOMAIN, "fail")}


def test_http_that_does_not_redirect_to_https(host: HttpsHost) -> None:
    host.serve(DOMAIN, page())
    host.no_redirect(DOMAIN)
    problems, _, found = probe(host)
    assert problems == {(checks.REDIRECT, DOMAIN, "fail")}
    assert found[0].observed == "HTTP 200"


def test_www_redirecting_to_the_apex_is_healthy(host: HttpsHost) -> None:
    host.serve(DOMAIN, page())
    host.sites[DOMAIN].pages[f"www.{DOMAIN}"].status = 301
    host.sites[DOMAIN].pages[f"www.{DOMAIN}"].location = f"https://{DOMAIN}/"
    problems, _, _ = probe(host)
    assert problems == set()


def test_the_local_hosting_server_serves_the_live_release_from_its_doc_root(tmp_path) -> None:
    """As `factory up` runs it: the CloudPanel stand-in's doc roots over HTTPS, the release the
    doc root's symlink names, a certificate from the local CA on first use; the same site at
    <domain>.localhost for a browser; a removed doc root is a site that answers 404."""
    import socket
    import ssl

    htdocs = tmp_path / "home" / "probe-example" / "htdocs"
    release = htdocs / ".releases" / DOMAIN / "20261129T000000000000-ab12"
    release.mkdir(parents=True)
    (release / "index.html").write_text(page())
    (htdocs / DOMAIN).symlink_to(f".releases/{DOMAIN}/20261129T000000000000-ab12")
    with HttpsHost(tmp_path / "https", doc_roots=tmp_path / "home") as host:
        problems, covered, _ = probe(host)
        assert problems == set() and checks.CERTIFICATE in covered  # a real handshake, verified by the local CA

        context = ssl.create_default_context(cafile=host.settings()["FACTORY_HEALTH_CA_BUNDLE"])
        port = host.https.server_address[1]

        # What a browser does with https://<domain>.localhost:<port>/ (*.localhost is this machine).
        name = f"{DOMAIN}.localhost"
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname=name) as tls:
            tls.sendall(f"GET / HTTP/1.1\r\nHost: {name}:{port}\r\nConnection: close\r\n\r\n".encode())
            answer = b"".join(iter(lambda: tls.recv(65536), b"")).decode()
        assert answer.startswith("HTTP/1.0 200") and f'href="https://{DOMAIN}/"' in answer

        (htdocs / DOMAIN).unlink()  # the doc root removed by hand
        problems, _, _ = probe(host)
        assert (checks.HTTPS, DOMAIN, "fail") in problems
