"""A local HTTPS host for the health probes (dev-only): a local CA whose certificates' expiry a
test sets, one HTTPS port serving every site by SNI and Host, and one plain-HTTP port that
redirects to HTTPS — real TLS handshakes through the same probe code as production (only the
CA bundle and where to connect are settings).

    with HttpsHost(tmp_path) as host:
        host.serve("a.com", html)                          # apex and www, certificate valid 90 days
        host.serve("b.com", html, cert_days=5)             # expiring
        host.down("c.com")                                 # connection reset for that site
        env = host.settings()                              # FACTORY_HEALTH_* for the probes
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


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


class HttpsHost:
    def __init__(self, directory: Path):
        self.ca = LocalCA(directory / "ca")
        self.sites: dict[str, SiteConfig] = {}
        self._lock = threading.Lock()
        self._servers: list[http.server.ThreadingHTTPServer] = []

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
                name = (self.headers.get("Host") or "").split(":")[0].lower()
                site = host._site_of(name)
                tls = isinstance(self.connection, ssl.SSLSocket)
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
            site = host.sites.get((server_name or "").removeprefix("www."))
            if site is not None and site.down:
                return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
            if site is not None and site.context is not None:
                sock.context = site.context
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

        self.https = TlsServer(("127.0.0.1", 0), Handler)
        self.http = PlainServer(("127.0.0.1", 0), Handler)
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
