"""A local HTTPS host for the health probes (dev-only): a local CA whose certificates' expiry a
test sets, one HTTPS port serving every site by SNI and Host, and one plain-HTTP port that
redirects to HTTPS — real TLS handshakes through the same probe code as production (only the
CA bundle and where to connect are settings).

    with HttpsHost(tmp_path) as host:
        host.serve("a.com", html)                          # apex and www, certificate valid 90 days
        host.serve("b.com", html, cert_days=5)             # expiring
        host.down("c.com")                                 # connection reset for that site
        env = host.settings()                              # FACTORY_HEALTH_* for the probes

With `doc_roots` (the CloudPanel stand-in's home, as `factory up` runs it) it is the local
hosting server: a site not set up in memory is served from its doc root on disk,
`<home>/<site user>/htdocs/<domain>` (the deployed release the symlink names), with a
certificate from the local CA issued on first use; `<domain>.localhost` is the same site, so a
browser on this machine can open it (`python -m devtools.https_host --home ... --state-dir ...`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import mimetypes
import re
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def site_page(domain: str, matomo_site_id: int) -> str:
    """What the Astro template renders for a live site, as far as the probes look: the canonical
    link and Matomo's snippet (benches and tests serve it instead of building the site)."""
    return (f'<!doctype html><html><head><link rel="canonical" href="https://{domain}/" />'
            "<!-- Matomo --><script>var _paq = window._paq = window._paq || [];"
            "_paq.push(['setTrackerUrl', u+'matomo.php']);"
            f"_paq.push(['setSiteId', '{matomo_site_id}']);</script><!-- End Matomo Code --></head>"
            f"<body><h1>{domain}</h1></body></html>")


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass
class Page:
    status: int = 200
    body: str = ""
    location: str | None = None


@dataclass
class SiteConfig:
    pages: dict[str, Page] = field(default_factory=dict)  # host -> what GET / answers
    redirect_http: bool = True
    down: bool = False
    context: ssl.SSLContext | None = None


class LocalCA:
    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        self.cert = (x509.CertificateBuilder().subject_name(_name("Website Factory local CA"))
                     .issuer_name(_name("Website Factory local CA")).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                     .not_valid_after(now + dt.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.bundle = self.dir / "ca.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, names: list[str], days: float) -> tuple[Path, Path]:
        """A certificate for `names` expiring in `days` (negative: already expired)."""
        now = dt.datetime.now(dt.UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        not_after = now + dt.timedelta(days=days)
        cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(min(now - dt.timedelta(days=1), not_after - dt.timedelta(days=2)))
                .not_valid_after(not_after)
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
                .sign(self.key, hashes.SHA256()))
        stem = self.dir / f"{names[0]}-{x509.random_serial_number() % 10**8}"
        cert_path, key_path = stem.with_suffix(".crt"), stem.with_suffix(".key")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert_path, key_path


_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
LOCAL_SUFFIX = ".localhost"  # <domain>.localhost resolves to this machine in browsers


def apex_of(name: str | None) -> str:
    """a.com, www.a.com, a.com.localhost, www.a.com.localhost -> a.com."""
    name = (name or "").split(":")[0].lower().removesuffix(LOCAL_SUFFIX)
    return name.removeprefix("www.")


class HttpsHost:
    def __init__(self, directory: Path, *, doc_roots: Path | None = None, https_port: int = 0, http_port: int = 0):
        self.ca = LocalCA(directory / "ca")
        self.sites: dict[str, SiteConfig] = {}
        self.doc_roots = doc_roots
        self.ports = (https_port, http_port)
        self._disk_contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._servers: list[http.server.ThreadingHTTPServer] = []

    # -- sites served from their doc roots on disk (the local hosting server) -------------------
    def doc_root_of(self, domain: str) -> Path | None:
        """The site's doc root on disk if it serves something (None: no such site, or its doc
        root is gone)."""
        if self.doc_roots is None or not _DOMAIN.match(domain):
            return None
        for htdocs in self.doc_roots.glob("*/htdocs"):
            if (htdocs / domain).is_dir():
                return htdocs / domain
        return None

    def _disk_context(self, domain: str) -> ssl.SSLContext:
        with self._lock:
            context = self._disk_contexts.get(domain)
            if context is None:
                names = [domain, f"www.{domain}", domain + LOCAL_SUFFIX, f"www.{domain}{LOCAL_SUFFIX}"]
                cert, key = self.ca.issue(names, 90)
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, key)
                self._disk_contexts[domain] = context
            return context

    @staticmethod
    def file_in(root: Path, path: str) -> Path | None:
        """The file a URL path names inside the doc root (index.html for a directory); None if
        missing or outside the doc root."""
        base = root.resolve()
        target = (base / urllib.parse.unquote(urllib.parse.urlsplit(path).path).lstrip("/")).resolve()
        if target != base and base not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    # -- what is served -----------------------------------------------------------------------
    def serve(self, domain: str, body: str, *, cert_days: float = 90, www_body: str | None = None,
              redirect_http: bool = True, status: int = 200) -> None:
        cert, key = self.ca.issue([domain, f"www.{domain}"], cert_days)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        pages = {domain: Page(status, body), f"www.{domain}": Page(status, www_body if www_body is not None else body)}
        with self._lock:
            self.sites[domain] = SiteConfig(pages, redirect_http, False, context)

    def set_certificate(self, domain: str, days: float) -> None:
        cert, key = self.ca.issue([domain, f"www.{domain}"], days)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        with self._lock:
            self.sites[domain].context = context

    def set_page(self, host: str, body: str, status: int = 200) -> None:
        with self._lock:
            self._site_of(host).pages[host] = Page(status, body)

    def down(self, domain: str, value: bool = True) -> None:
        with self._lock:
            self.sites[domain].down = value

    def no_redirect(self, domain: str) -> None:
        with self._lock:
            self.sites[domain].redirect_http = False

    def _site_of(self, host: str) -> SiteConfig:
        host = (host or "").split(":")[0].lower()
        return self.sites.get(host) or self.sites.get(host.removeprefix("www.")) or SiteConfig()

    # -- servers ------------------------------------------------------------------------------
    def __enter__(self) -> HttpsHost:
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                name = (self.headers.get("Host") or "").split(":")[0].lower().removesuffix(LOCAL_SUFFIX)
                site = host._site_of(name)
                tls = isinstance(self.connection, ssl.SSLSocket)
                if not site.pages and host.doc_roots is not None:
                    return self._from_disk(name, tls)
                if site.down or not site.pages:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if not tls:
                    if site.redirect_http:
                        self._answer(301, b"", {"Location": f"https://{name}{self.path}"})
                    else:
                        self._answer(200, b"plain http", {})
                    return
                page = site.pages.get(name, Page(404, "not found"))
                headers = {"Content-Type": "text/html; charset=utf-8"}
                if page.location:
                    headers["Location"] = page.location
                self._answer(page.status, page.body.encode(), headers)

            def _from_disk(self, name: str, tls: bool) -> None:
                domain = apex_of(name)
                root = host.doc_root_of(domain)
                if root is None:
                    self._answer(404, b"no site is served for this name", {"Content-Type": "text/plain"})
                    return
                if not tls:
                    port = host.https.server_address[1]
                    where = self.headers.get("Host", name).split(":")[0]
                    suffix = "" if port == 443 else f":{port}"
                    self._answer(301, b"", {"Location": f"https://{where}{suffix}{self.path}"})
                    return
                found = host.file_in(root, self.path)
                if found is None:
                    self._answer(404, b"not found", {"Content-Type": "text/plain"})
                    return
                kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                self._answer(200, found.read_bytes(), {"Content-Type": kind + ("; charset=utf-8" if kind.startswith("text/") else "")})

            def _answer(self, status: int, body: bytes, headers: dict) -> None:
                self.send_response(status)
                for k, v in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert, key = self.ca.issue(["localhost"], 3650)
        default.load_cert_chain(cert, key)

        def pick(sock: ssl.SSLObject, server_name: str | None, _ctx) -> None:
            site = host.sites.get(apex_of(server_name))
            if site is not None and site.down:
                return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
            if site is not None and site.context is not None:
                sock.context = site.context
            elif site is None and host.doc_roots is not None and _DOMAIN.match(apex_of(server_name)):
                sock.context = host._disk_context(apex_of(server_name))
            return None

        default.sni_callback = pick

        class TlsServer(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, addr = self.socket.accept()
                return default.wrap_socket(sock, server_side=True), addr

            def handle_error(self, request, client_address) -> None:
                pass

        class PlainServer(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass

        self.https = TlsServer(("127.0.0.1", self.ports[0]), Handler)
        self.http = PlainServer(("127.0.0.1", self.ports[1]), Handler)
        for server in (self.https, self.http):
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def settings(self) -> dict[str, str]:
        return {"FACTORY_HEALTH_CONNECT_HOST": "127.0.0.1",
                "FACTORY_HEALTH_HTTPS_PORT": str(self.https.server_address[1]),
                "FACTORY_HEALTH_HTTP_PORT": str(self.http.server_address[1]),
                "FACTORY_HEALTH_CA_BUNDLE": str(self.ca.bundle)}


def main(argv: list[str] | None = None) -> None:
    """The local hosting server of `factory up`: every site's doc root under --home over HTTPS."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--home", type=Path, required=True, help="the CloudPanel stand-in's home (CLOUDPANEL_HOME_DIR)")
    parser.add_argument("--state-dir", type=Path, required=True, help="where the local CA is kept")
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    args = parser.parse_args(argv)
    with HttpsHost(args.state_dir, doc_roots=args.home, https_port=args.https_port,
                   http_port=args.http_port) as host:
        print(json.dumps(host.settings()), flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
