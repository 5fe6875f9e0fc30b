from __future__ import annotations

import pytest

from factory.domains import InvalidDomain, normalize_domain
from tests.foundation.hostile import BAD_DOMAINS


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("acme-example.com", "acme-example.com"),
        ("Acme-Example.COM", "acme-example.com"),
        ("acme-example.com.", "acme-example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("XN--BCHER-KVA.DE", "xn--bcher-kva.de"),
        ("example.co.uk", "example.co.uk"),
        ("my-site-2.io", "my-site-2.io"),
        ("münchen.bayern", "xn--mnchen-3ya.bayern"),
        ("a" * 63 + ".com", "a" * 63 + ".com"),
    ],
)
def test_normalizes(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize("raw", BAD_DOMAINS)
def test_refuses_with_a_reason(raw: str) -> None:
    with pytest.raises(InvalidDomain) as info:
        normalize_domain(raw)
    message = str(info.value)
    assert message and "\n" not in message and "\x00" not in message and len(message) < 300


@pytest.mark.parametrize(
    "raw, words",
    [
        ("exa mple.com", "whitespace"),
        ("../etc/passwd", "path separator"),
        ("a;b.com", "';'"),
        ("-a.com", "hyphen"),
        ("a..com", "empty label"),
        ("a" * 64 + ".com", "64 characters"),
        ("localhost", "special-use name (RFC 6761)"),
        ("example.onion", "special-use name (RFC 7686)"),
        ("example.com", "reserved for documentation"),
        (" acme-example.com ", "spaces at its start or end"),
        ("cafe\u0301.com", "not in Unicode NFC form"),
        ("co.uk", "public suffix"),
        ("www.acme-example.com", "registrable domain acme-example.com"),
        ("x\x07.com", "control character"),
        ("http://example.com", "URL"),
    ],
)
def test_message_says_what_is_wrong(raw: str, words: str) -> None:
    with pytest.raises(InvalidDomain, match=None) as info:
        normalize_domain(raw)
    assert words in str(info.value)


@pytest.mark.parametrize("value", [None, 42, b"example.com", ["example.com"]])
def test_refuses_non_text(value) -> None:
    with pytest.raises(InvalidDomain, match="must be text"):
        normalize_domain(value)
