"""Hostile and malformed domains every entry point must refuse (shared by CLI, CSV and API tests)."""

BAD_DOMAINS = [
    "",
    "   ",
    "example",
    "localhost",
    "com",
    "co.uk",
    ".example.com",
    "example..com",
    "example.com..",
    "-example.com",
    "example-.com",
    "exa mple.com",
    "example.com\n",
    "exam\tple.com",
    "example.com\x00",
    "exa\x1bmple.com",
    "exa\u200bmple.com",
    "../etc/passwd",
    "..",
    "example.com/../../root",
    "example.com\\evil",
    "example.com;rm -rf /",
    "$(reboot).com",
    "`id`.com",
    "a|b.com",
    "a&b.com",
    "a>b.com",
    "'example.com'",
    '"example.com"',
    "example.com' or '1'='1",
    "x'; drop table sites; --.com",
    "a" * 64 + ".com",
    ("a" * 60 + ".") * 5 + "com",
    "http://example.com",
    "https://example.com/path",
    "user@example.com",
    "example.com:8080",
    "192.168.0.1",
    "www.example.com",
    "ex_ample.com",
    "xn--a.com",
    "ab--cd.com",
    "*.example.com",
    "%2e%2e.com",
]

# --- The hostile-domain corpus (issue 15): BAD_DOMAINS plus special-use names and Unicode
# tricks. Every entry point (CLI, Hub API, CSV import) must refuse every one of them, and none
# may crash anything. A CSV import trims spaces and tabs around cells, so the corpus wraps only
# names that are bad anyway in those two; other spaces (NBSP, em, ideographic) wrap good names.

_SPECIAL_SUFFIXES = ["onion", "local", "localhost", "test", "example", "invalid", "home.arpa", "alt", "arpa",
                     "in-addr.arpa", "ip6.arpa"]
SPECIAL_USE = (
    [s for s in _SPECIAL_SUFFIXES]
    + [f"shop.{s}" for s in _SPECIAL_SUFFIXES]
    + [f"SHOP.{s.upper()}." for s in _SPECIAL_SUFFIXES]
    + [f"bücher.{s}" for s in _SPECIAL_SUFFIXES]
    + [f"www.shop.{s}" for s in _SPECIAL_SUFFIXES]
    + ["example.onion", "10.in-addr.arpa", "1.0.0.127.in-addr.arpa", "ipv4only.arpa", "resolver.arpa", "xn--bcher-kva.onion",
       "facebookcorewwwi.onion", "printer.local", "router.home.arpa"]
    + [f"{sub}{name}{dot}" for name in ("example.com", "example.net", "example.org", "EXAMPLE.COM")
       for sub in ("", "www.") for dot in ("", ".")]
)
_BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
         "\u200e", "\u200f", "\u061c"]
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u00ad", "\u034f", "\ufe0f",
              "\u3164", "\u115f", "\U000e0041", "\u2028", "\u2029"]
_C1 = [chr(c) for c in range(0x80, 0xA0)]
_C0 = ["\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"]
UNICODE_TRICKS = (
    [f"shop{c}ping.com" for c in _BIDI] + [f"{c}shopping.com" for c in _BIDI]
    + [f"shop{c}ping.com" for c in _INVISIBLE] + [f"shopping.com{c}" for c in _INVISIBLE]
    + [f"shop{c}ping.com" for c in _C1] + [f"shop{c}ping.com" for c in _C0]
    + [
        # not NFC: a base letter followed by a combining mark, or a character with a canonical twin
        "cafe\u0301.com", "bu\u0308cher.de", "man\u0303ana.es", "\u212bngstrom.se", "\u212aelvin.de",
        "o\u0308l.de",
        # characters IDNA would silently map to others
        "ｓｈｏｐ.com", "shop．com", "shop。com", "shop｡com", "ﬁle.com", "Ⅸ.com", "𝐬𝐡𝐨𝐩.com", "shop².com",
        "ⓢhop.com", "\ufb00ort.com", "shop\u2024com", "ＳＨＯＰ.ＣＯＭ",
        # mixed scripts in one label (look-alikes)
        "p\u0430ypal.com", "g\u03bfogle.com", "\u0430pple.com", "micr\u043esoft.com", "xn--pypal-4ve.com",
        "b\u0430nk.de",
        # surrounding and inner spaces a CSV import does not trim
        "\u00a0shopping.com", "shopping.com\u00a0", "\u2003shopping.com", "shopping.com\u3000",
        "shopping.com\r", "\nshopping.com", "shop\u00a0ping.com", "shop\u3000ping.com",
        # ASCII spaces and tabs around names that are bad anyway
        " example.com", "example.onion ", "\tlocalhost", " shop..com ", " bücher.test\t",
        # surrogates (JSON escapes, or bytes that are not UTF-8 as the CLI sees them) and private use
        "shop\ud800.com", "\udfff.com", "shopping.com\udcff", "shop\udc80ping.com", "shop\ue000.com",
        "shop\U0010fffd.com", "shop\u0378.com",
        # punycode that is not valid, or decodes to something refused
        "xn--.com", "xn--ls8h.com", "xn--abc-.com", "xn--80ak6aa92e-.com", "XN--P1AI",
    ]
)
HOSTILE_DOMAINS = list(dict.fromkeys(BAD_DOMAINS + SPECIAL_USE + UNICODE_TRICKS))
