"""The one place that decides whether a string is a site domain, and how it is spelled.

Every entry point (CLI, CSV import, Hub API, sensor) calls `normalize_domain` before a
domain reaches the database, a shell, a path or a URL.
"""

from __future__ import annotations

import functools
import unicodedata

import idna
import tldextract

MAX_DOMAIN_LENGTH = 253
MAX_LABEL_LENGTH = 63
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class InvalidDomain(ValueError):
    """A domain was refused; the message says why, in words an operator understands."""


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # The bundled Public Suffix List snapshot: no network fetch, same answer everywhere.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _describe(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed character')})"


def _show(raw: str) -> str:
    # Quote the operator's input safely (control characters escaped) and keep messages short.
    text = raw if len(raw) <= 80 else raw[:77] + "..."
    return repr(text)


def _to_ascii(label: str, raw: str) -> str:
    if label.isascii():
        return label
    try:
        return idna.encode(label, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidDomain(f"{_show(raw)} is not a valid internationalised domain name: {exc}") from None


def normalize_domain(raw: object) -> str:
    """Return the canonical form of a registrable domain (lower-case, ASCII/punycode, no
    trailing dot), or raise InvalidDomain saying what is wrong.

    Only registrable domains are accepted (``example.com``, ``example.co.uk``): a site is a
    whole Cloudflare zone with its own nameservers, so subdomains and bare suffixes are refused.
    """
    if not isinstance(raw, str):
        raise InvalidDomain(f"a domain must be text, not {type(raw).__name__}")
    value = raw.strip(" ")
    if not value:
        raise InvalidDomain("the domain is empty")
    if "://" in value or value.startswith(("http:", "https:")):
        raise InvalidDomain(f"{_show(raw)} looks like a URL; give the bare domain, e.g. example.com")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise InvalidDomain(f"{_show(raw)} contains the control character {_describe(ch)}")
        if ch.isspace():
            raise InvalidDomain(f"{_show(raw)} contains whitespace ({_describe(ch)})")
        if ch in "/\\":
            raise InvalidDomain(f"{_show(raw)} contains a path separator {_describe(ch)}")
    if value.endswith("."):
        value = value[:-1]
    if not value:
        raise InvalidDomain(f"{_show(raw)} has no labels")
    labels = value.split(".")
    if any(label == "" for label in labels):
        raise InvalidDomain(f"{_show(raw)} has an empty label (two dots in a row, or a leading dot)")
    ascii_labels = []
    for label in labels:
        label = _to_ascii(label.lower(), raw)
        bad = next((ch for ch in label if ch not in _LABEL_CHARS), None)
        if bad is not None:
            raise InvalidDomain(
                f"{_show(raw)} contains the character {_describe(bad)}; a domain may only hold "
                "letters, digits, hyphens and dots"
            )
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidDomain(
                f"the label {label[:20]}… of {_show(raw)} is {len(label)} characters long; "
                f"the limit is {MAX_LABEL_LENGTH}"
            )
        if label.startswith("-") or label.endswith("-"):
            raise InvalidDomain(f"the label {label!r} of {_show(raw)} starts or ends with a hyphen")
        if label[2:4] == "--" and not label.startswith("xn--"):
            raise InvalidDomain(f"the label {label!r} of {_show(raw)} has hyphens in the 3rd and 4th position")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError):
                raise InvalidDomain(f"the label {label!r} of {_show(raw)} is not valid punycode") from None
        ascii_labels.append(label)
    domain = ".".join(ascii_labels)
    if len(domain) > MAX_DOMAIN_LENGTH:
        raise InvalidDomain(f"{_show(raw)} is {len(domain)} characters long; the limit is {MAX_DOMAIN_LENGTH}")
    parts = _extractor()(domain)
    if not parts.suffix:
        raise InvalidDomain(f"{_show(raw)} does not end in a public suffix such as .com or .co.uk")
    if not parts.domain:
        raise InvalidDomain(f"{_show(raw)} is a public suffix, not a domain that can be registered")
    if parts.subdomain:
        apex = f"{parts.domain}.{parts.suffix}"
        raise InvalidDomain(f"{_show(raw)} is a subdomain; add the registrable domain {apex} instead")
    return domain


def split_registrable(domain: str) -> tuple[str, str]:
    """('example', 'co.uk') for 'example.co.uk': the SLD/TLD pair registrars such as Namecheap want."""
    parts = _extractor()(normalize_domain(domain))
    return parts.domain, parts.suffix
