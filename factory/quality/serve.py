"""Serve a batch of built sites over local HTTP, one origin per site, from one server.

Each site's build output is its web root, so each needs its own origin: site i is served at
http://site<i>.localhost:<port>/ (Chromium resolves every *.localhost name to the loopback
address and treats it as a secure context, like HTTPS). The server binds 127.0.0.1 only, serves
files read-only, answers unknown paths with the site's own 404.html, and stops with its context.
"""

from __future__ import annotations

import mimetypes
import re
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import unquote, urlsplit

TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
         ".svg": "image/svg+xml", ".png": "image/png", ".webmanifest": "application/manifest+json",
         ".json": "application/json", ".css": "text/css", ".js": "text/javascript", ".ico": "image/x-icon"}
_HOST = re.compile(r"^site(\d+)\.localhost(:\d+)?$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, fmt, *args):  # quiet: the gate reports what matters
        pass

    def do_HEAD(self):
        self._serve(body=False)

    def do_GET(self):
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        match = _HOST.match(self.headers.get("Host", ""))
        root = self.server.roots[int(match.group(1))] if match and int(match.group(1)) < len(self.server.roots) else None
        if root is None:
            return self._send(421, b"unknown site\n", "text/plain", body)
        path = unquote(urlsplit(self.path).path)
        target = _resolve(root, path)
        if target is None:
            missing = root / "404.html"
            content = missing.read_bytes() if missing.is_file() else b"not found\n"
            return self._send(404, content, TYPES[".html"], body)
        kind = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(200, target.read_bytes(), kind, body)

    def _send(self, status: int, content: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(content)


def _resolve(root: Path, path: str) -> Path | None:
    """The file a URL path names inside `root` (directories serve index.html); never outside it."""
    if "\0" in path or any(part == ".." for part in path.split("/")):
        return None
    target = (root / path.lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    roots: list[Path]

    def handle_error(self, request, client_address):
        # A browser closing a tab mid-response is normal here, not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class SiteServer:
    """`with SiteServer({"acme.com": Path(...)}) as server: server.origin("acme.com")`."""

    def __init__(self, sites: Mapping[str, Path]):
        self.names = list(sites)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.roots = [Path(sites[name]).resolve() for name in self.names]
        self._thread = threading.Thread(target=self._server.serve_forever, name="site-server", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def origin(self, name: str) -> str:
        return f"http://site{self._index[name]}.localhost:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
