"""Checks on what operators type, shared by every repository (and so by the CLI and the Hub)."""

from __future__ import annotations

import re
import uuid

from factory.domains import InvalidDomain, normalize_domain
from factory.store.errors import InvalidInput
from factory.text import UnsafeText, check_name

# The spec's vocabulary (technical-design.md §2.3), per status column.
STATUS_VALUES: dict[str, tuple[str, ...]] = {
    "status_dns": ("pending", "active", "failed"),
    "status_hosting": ("pending", "active", "failed"),
    "status_content": ("pending", "generating", "generated", "failed"),
    "status_deployment": ("pending", "deploying", "deployed", "failed"),
    "gsc_verification_status": ("pending", "verified", "failed"),
}


def clean_text(value: str | None, what: str, *, required: bool = True, max_len: int = 200) -> str | None:
    if value is None or value.strip() == "":
        if required:
            raise InvalidInput(f"{what} is required")
        return None
    value = value.strip()
    if len(value) > max_len:
        raise InvalidInput(f"{what} is longer than {max_len} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"{what} contains a control character")
    try:  # bidi overrides, zero-width characters, BOM, C1 controls: names must print as typed
        check_name(value, what)
    except UnsafeText as exc:
        raise InvalidInput(str(exc)) from None
    return value


def clean_email(value: str | None) -> str:
    email = clean_text(value, "email", max_len=254)
    local, at, host = email.partition("@")
    if not at or not local or "." not in host or any(ch.isspace() for ch in email):
        raise InvalidInput(f"{email!r} is not an email address")
    return email.lower()


def clean_secret(value: str | None, what: str) -> str:
    if value is None or value.strip() == "":
        raise InvalidInput(f"{what} is required")
    value = value.strip()
    if len(value) > 4096 or any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"{what} is not a valid token")
    return value


def clean_account_id(value: str | None) -> str | None:
    """Cloudflare's account id: 32 lower-case hex characters (dashboard: "Copy account ID")."""
    if value is None or value.strip() == "":
        return None
    value = value.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32}", value):
        raise InvalidInput("a Cloudflare account id is 32 hexadecimal characters (dashboard: Copy account ID)")
    return value


def clean_domain(value: str) -> str:
    try:
        return normalize_domain(value)
    except InvalidDomain as exc:
        raise InvalidInput(str(exc)) from None


def check_status(column: str, status: str) -> None:
    allowed = STATUS_VALUES.get(column)
    if allowed is None:
        raise InvalidInput(f"{column!r} is not a status column ({', '.join(STATUS_VALUES)})")
    if status not in allowed:
        raise InvalidInput(f"{status!r} is not a valid {column} ({', '.join(allowed)})")


def like_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` literally anywhere (its wildcards escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
