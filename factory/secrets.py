"""Encryption at rest for vendor credentials (Cloudflare API tokens, Google refresh tokens).

Tokens are stored as Fernet ciphertext made with FACTORY_SECRET_KEY. Decryption happens only
in `Store.*_credential` for a client about to call a vendor; nothing else sees plaintext.
"""

from __future__ import annotations

import logging
import os
import stat

from cryptography.fernet import Fernet, InvalidToken

from factory.config import current_settings

log = logging.getLogger(__name__)

CIPHERTEXT_PREFIX = "fernet:"


class SecretKeyError(RuntimeError):
    """FACTORY_SECRET_KEY is missing, malformed, or not the key the data was written with."""


def _local_key(state_dir, earlier_dir=None) -> bytes:
    # Local default only: a key generated once under .factory/ so the quick start needs no set-up.
    path = state_dir / "secret.key"
    if not path.exists():
        # The key an earlier version kept in $HOME encrypts the tokens already stored: a new one
        # would leave them unreadable, so it is carried over (the old file stays where it is).
        earlier = _fernet_key_at(earlier_dir / "secret.key") if earlier_dir else None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        except FileExistsError:
            return path.read_bytes().strip()  # another process wrote it first
        with os.fdopen(fd, "wb") as fh:
            fh.write(earlier or Fernet.generate_key())
        if earlier:
            log.warning("FACTORY_SECRET_KEY is not set; copied the local key an earlier version kept at %s to %s",
                        earlier_dir / "secret.key", path)
        else:
            log.warning("FACTORY_SECRET_KEY is not set; generated a local key at %s", path)
    return path.read_bytes().strip()


def _fernet_key_at(path) -> bytes | None:
    try:
        key = path.read_bytes().strip()
        Fernet(key)
    except (OSError, ValueError):
        return None
    return key


def _fernet() -> Fernet:
    settings = current_settings()
    key = settings.secret("secret_key")
    if not key and settings.production:
        raise SecretKeyError("FACTORY_SECRET_KEY is not set (required in production)")
    raw = key.encode() if key else _local_key(settings.state_dir, settings.earlier_state_dir)
    try:
        return Fernet(raw)
    except (ValueError, TypeError):
        raise SecretKeyError(
            "FACTORY_SECRET_KEY must be a Fernet key (url-safe base64 of 32 bytes); "
            "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from None


def encrypt(plaintext: str) -> str:
    return CIPHERTEXT_PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext.startswith(CIPHERTEXT_PREFIX):
        raise SecretKeyError("a stored credential is not encrypted; re-enter it with the CLI or the API")
    try:
        return _fernet().decrypt(ciphertext[len(CIPHERTEXT_PREFIX):].encode()).decode()
    except InvalidToken:
        raise SecretKeyError(
            "a stored credential cannot be decrypted with the current FACTORY_SECRET_KEY "
            "(was the key changed?)"
        ) from None


def mask(plaintext: str) -> str:
    """What may be shown of a secret: its last 4 characters at most."""
    return "…" + plaintext[-4:] if len(plaintext) >= 12 else "…"
