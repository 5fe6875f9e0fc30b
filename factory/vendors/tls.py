"""One TLS context per process for the vendor HTTP clients.

Loading the CA bundle costs tens of milliseconds of CPU; a fleet plan builds a client per
Cloudflare account and per call, so each would pay it again. The context is read-only once
built, and is built again only when the bundle settings (SSL_CERT_FILE / SSL_CERT_DIR) change.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx


def ssl_context() -> ssl.SSLContext:
    return _context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    # httpx reads the same variables (trust_env): the shared context verifies as a fresh client would.
    return httpx.create_ssl_context(trust_env=True)
