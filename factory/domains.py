"""The one place that decides whether a string is a site domain, and how it is spelled.

Every entry point (CLI, CSV import, Hub API, sensor) calls `normalize_domain` before a
domain reaches the database, a shell, a path or a URL.
"""

from __future__ import annotations

import functools
import unicodedata

import idna
import tldextract

from factory.text import describe

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


# Names reserved for special use (IANA's Special-Use Domain Names registry), with the RFC
# that reserves them: none of them can be a public website, some are public suffixes anyway.
SPECIAL_USE_SUFFIXES = {
    "localhost": "RFC 6761", "test": "RFC 6761", "example": "RFC 6761", "invalid": "RFC 6761",
    "local": "RFC 6762", "onion": "RFC 7686", "home.arpa": "RFC 8375", "alt": "RFC 9476",
    "arpa": "RFC 3172, the infrastructure domain",
}
SPECIAL_USE_DOMAINS = {"example.com": "RFC 6761", "example.net": "RFC 6761", "example.org": "RFC 6761"}
# Scripts whose letters look alike: a label mixing them is a look-alike trick ("pаypal" with a
# Cyrillic а), never a real brand.
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _to_ascii(label: str, raw: str) -> str:
    if label.isascii():
        return label
    # IDNA maps some characters to others (fullwidth ｅ to e, ﬁ to fi, 。 to .): the operator
    # would get a different domain than the one typed, so say which one instead.
    try:
        mapped = idna.uts46_remap(label, std3_rules=True, transitional=False)
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidDomain(f"{_show(raw)} is not a valid internationalised domain name: {exc}") from None
    if mapped != label:
        changed = next((ch for ch, other in zip(label, mapped, strict=False) if ch != other), label[-1])
        suggestion = _suggest(raw)
        raise InvalidDomain(f"{_show(raw)} contains {_describe(changed)}, which domain names spell "
                            f"differently" + (f"; did you mean {suggestion!r}?" if suggestion else ""))
    _check_one_script(label, raw)
    try:
        return idna.encode(label, uts46=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidDomain(f"{_show(raw)} is not a valid internationalised domain name: {exc}") from None


def _not_nfc(value: str) -> str:
    for i, ch in enumerate(value):
        if unicodedata.combining(ch) and i:
            return f"{describe(ch)} follows {value[i - 1]!r}"
        if unicodedata.normalize("NFC", ch) != ch:
            return f"{describe(ch)} is written {unicodedata.normalize('NFC', ch)!r} in NFC"
    return "its characters compose differently"


def _suggest(raw: str) -> str | None:
    try:
        return idna.uts46_remap(raw.strip(), std3_rules=True, transitional=False)
    except (idna.IDNAError, UnicodeError):
        return None


def _check_one_script(label: str, raw: str) -> None:
    scripts = sorted({name.split(" ", 1)[0] for name in (unicodedata.name(ch, "") for ch in label if ch.isalpha())
                      if name.split(" ", 1)[0] in _CONFUSABLE_SCRIPTS})
    if len(scripts) > 1:
        raise InvalidDomain(f"{_show(raw)} mixes {' and '.join(s.title() for s in scripts)} letters in one "
                            "label, a look-alike trick; use one script per label")


def _check_not_special_use(domain: str, raw: str) -> None:
    for name, rfc in SPECIAL_USE_DOMAINS.items():
        if domain == name or domain.endswith("." + name):
            raise InvalidDomain(f"{_show(raw)} is {name}, reserved for documentation ({rfc}); "
                                "it cannot be a website")
    for suffix, rfc in SPECIAL_USE_SUFFIXES.items():
        if domain == suffix or domain.endswith("." + suffix):
            raise InvalidDomain(f"{_show(raw)} is under .{suffix}, a special-use name ({rfc}) that cannot "
                                "be a public website")


def normalize_domain(raw: object) -> str:
    """Return the canonical form of a registrable domain (lower-case, ASCII/punycode, no
    trailing dot), or raise InvalidDomain saying what is wrong.

    Only registrable domains are accepted (``example.co.uk``): a site is a whole Cloudflare zone
    with its own nameservers, so subdomains, bare suffixes and special-use names (``.onion``,
    ``.local``, ``example.com``, ...) are refused. Nothing is silently changed but the case and a
    trailing dot: surrounding spaces, text not in Unicode NFC and characters IDNA would map to
    others are refused with the form to use instead.
    """
    if not isinstance(raw, str):
        raise InvalidDomain(f"a domain must be text, not {type(raw).__name__}")
    value = raw
    if not value.strip():
        raise InvalidDomain("the domain is empty")
    if "://" in value or value.startswith(("http:", "https:")):
        raise InvalidDomain(f"{_show(raw)} looks like a URL; give the bare domain, e.g. example.co.uk")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise InvalidDomain(f"{_show(raw)} contains the invisible or control character {_describe(ch)}")
    if value != value.strip():
        raise InvalidDomain(f"{_show(raw)} has spaces at its start or end; remove them")
    for ch in value:
        if ch.isspace():
            raise InvalidDomain(f"{_show(raw)} contains whitespace ({_describe(ch)})")
        if ch in "/\\":
            raise InvalidDomain(f"{_show(raw)} contains a path separator {_describe(ch)}")
    if not unicodedata.is_normalized("NFC", value):
        raise InvalidDomain(f"{_show(raw)} is not in Unicode NFC form ({_not_nfc(value)}); type it as "
                            f"{unicodedata.normalize('NFC', value)!r}, with each letter as one character")
    value = value.removesuffix(".")
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
                decoded = idna.decode(label)
            except (idna.IDNAError, UnicodeError):
                raise InvalidDomain(f"the label {label!r} of {_show(raw)} is not valid punycode") from None
            _check_one_script(decoded, raw)
        ascii_labels.append(label)
    domain = ".".join(ascii_labels)
    if len(domain) > MAX_DOMAIN_LENGTH:
        raise InvalidDomain(f"{_show(raw)} is {len(domain)} characters long; the limit is {MAX_DOMAIN_LENGTH}")
    _check_not_special_use(domain, raw)
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
