"""Reading numbers and names out of untrusted text."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = {"Cc", "Cf", "Zl", "Zp"}  # control, format, line and paragraph separators
_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only: "²".isdigit() is True, int("²") fails


def parse_id(value: object) -> int | None:
    """A positive database id from untrusted input ("42", " 42 "), else None.
    Refuses non-ASCII digits, signs, and numbers too long for a 64-bit key."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if number > 0 else None


def has_control_characters(text: str) -> bool:
    """Line breaks, tabs, NUL and other control or format characters that have no
    business in a one-line field such as a name (they break mail headers)."""
    return any(unicodedata.category(char) in _CONTROL for char in text)


def one_line(text: str, limit: int = 150) -> str:
    """Text fit for a mail header or a log line: control characters and line breaks
    (which make a mail fail, or smuggle in headers) become spaces."""
    cleaned = "".join(" " if unicodedata.category(c) in _CONTROL else c for c in text)
    return " ".join(cleaned.split())[:limit]
