"""Structured logging (technical-design.md §4): timestamp, level, module, message and the
site context (site_id, domain) — to the console and to a rotating file.

`site_context(domain=..., site_id=...)` puts a site into every record logged inside it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import logging.handlers
import os
import re
from collections.abc import Iterator

from factory.config import load_settings

_site: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("factory_site", default={})
FORMAT = "%(asctime)s %(levelname)s %(name)s [site_id=%(site_id)s domain=%(domain)s] %(message)s"
# Belt and braces: anything shaped like a bearer token or Fernet ciphertext is masked.
_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"fernet:[A-Za-z0-9_=-]+"),
    re.compile(r"(?i)((?:api_?token|refresh_token|access_token|token_auth|apikey|password)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+"),
]


@contextlib.contextmanager
def site_context(**fields: object) -> Iterator[None]:
    token = _site.set({k: str(v) for k, v in fields.items() if v is not None})
    try:
        yield
    finally:
        _site.reset(token)


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = _site.get()
        record.site_id = getattr(record, "site_id", None) or ctx.get("site_id", "-")
        record.domain = getattr(record, "domain", None) or ctx.get("domain", "-")
        return True


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


# The product's own packages; other libraries (Dagster, uvicorn) keep their own handlers.
PRODUCT_LOGGERS = ("factory", "factory_assets", "resources", "sensors", "schedules", "hub_api", "devtools", "bench")


def configure(level: str | None = None, log_file: str | None = None, console_level: str | None = None) -> None:
    """Idempotent: set up the 'factory' handlers once per process."""
    product = logging.getLogger(PRODUCT_LOGGERS[0])
    if any(getattr(h, "_factory", False) for h in product.handlers):
        return
    settings = load_settings()
    level_name = (level or settings.log_level).upper()
    path = log_file or str(settings.log_file or settings.state_dir / "logs" / "factory.log")
    formatter = _RedactingFormatter(FORMAT)
    console = logging.StreamHandler()
    console.setLevel((console_level or level_name).upper())
    handlers: list[logging.Handler] = [console]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    handlers.append(logging.handlers.RotatingFileHandler(path, maxBytes=10_000_000, backupCount=5))
    for handler in handlers:
        handler._factory = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        handler.addFilter(_ContextFilter())
    for name in PRODUCT_LOGGERS:
        logger = logging.getLogger(name)
        for handler in handlers:
            logger.addHandler(handler)
        logger.setLevel(level_name)
        logger.propagate = False
    for noisy in ("httpx", "httpcore", "urllib3", "googleapiclient.discovery_cache"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
