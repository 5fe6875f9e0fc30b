"""Names people read: refuse characters that hide or reorder text, and escape text for a terminal.

A brand name, an account nickname or an email is shown in the CLI, the Hub and Dagit. A
right-to-left override (U+202E) makes "CF_1<RLO>gnp.exe" read as "CF_1exe.png", a zero-width space makes
two different nicknames look the same, a C1 control can drive a terminal. `unsafe_character`
finds such a character; `check_name` refuses it with words an operator understands;
`for_terminal` makes any text (including rows stored before these rules) safe to print.
"""

from __future__ import annotations

import unicodedata

# Invisible ("default ignorable", Unicode DerivedCoreProperties) code points that are not
# already in the Cf/Cc categories: Hangul fillers, Mongolian and Khmer invisibles, variation
# selectors, the combining grapheme joiner.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)
# Emoji and text presentation selectors are allowed right after a symbol ("❤️"): they change
# the glyph's style, not what is read.
_PRESENTATION_SELECTORS = frozenset("\ufe0e\ufe0f")
# Categories that are never shown as what they are: controls (C0, DEL, C1), format characters
# (bidi overrides and isolates, zero-width spaces and joiners, BOM, soft hyphen, tags),
# surrogates, private use, unassigned, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class UnsafeText(ValueError):
    """A name holds a character that hides or reorders text; the message says which."""


_UNNAMED = {"Cc": "control", "Cs": "surrogate", "Co": "private use", "Cn": "unassigned"}


def describe(ch: str) -> str:
    """U+202E (RIGHT-TO-LEFT OVERRIDE): how a character is named in messages."""
    name = unicodedata.name(ch, None) or _UNNAMED.get(unicodedata.category(ch), "unnamed character")
    return f"U+{ord(ch):04X} ({name})"


def _invisible(code: int) -> bool:
    return any(low <= code <= high for low, high in _INVISIBLE_RANGES)


def _unsafe(ch: str, previous: str) -> bool:
    if unicodedata.category(ch) in _REFUSED_CATEGORIES:
        return True
    if _invisible(ord(ch)):
        return not (ch in _PRESENTATION_SELECTORS and previous != "" and unicodedata.category(previous) == "So")
    return False


def unsafe_character(value: str) -> str | None:
    """The first character of `value` that hides or reorders text, or None."""
    previous = ""
    for ch in value:
        if _unsafe(ch, previous):
            return ch
        previous = ch
    return None


def check_name(value: str | None, what: str) -> str | None:
    """`value` unchanged, or UnsafeText naming the character and why it is refused."""
    if value is None:
        return None
    ch = unsafe_character(value)
    if ch is None:
        return value
    kind = _kind(ch)
    raise UnsafeText(f"the {what} contains {describe(ch)}, {kind}; remove it (type the name again "
                     "rather than pasting it)")


def _kind(ch: str) -> str:
    category = unicodedata.category(ch)
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" or ch in "\u200e\u200f\u061c":
        return "a bidirectional control that reorders the text shown around it"
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "half of a UTF-16 surrogate pair, which is not a character"
    if category in ("Cn", "Co"):
        return "a character with no agreed appearance (unassigned or private use)"
    if category in ("Zl", "Zp"):
        return "a line break"
    return "an invisible character"


def for_terminal(text: object) -> str:
    """`text` with every control, invisible or bidi character written as an escape (\\u202e),
    so what an operator sees in a terminal is what is stored."""
    value = str(text)
    if unsafe_character(value) is None:
        return value
    out = []
    previous = ""
    for ch in value:
        if _unsafe(ch, previous):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
        previous = ch
    return "".join(out)
