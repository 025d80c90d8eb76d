"""Reading numbers typed by people or carried in URLs."""

from __future__ import annotations

MAX_DIGITS = 18


def whole_number(raw: str | None) -> int | None:
    """The number a text holds when it is plain digits ("2023"), else None.

    `str.isdigit()` alone accepts "²" or "٣", which int() then refuses. More
    than 18 digits is no id, year or figure of this app (and beyond a 64-bit
    integer, or int()'s 4.300 digits, it would break the query).
    """
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)
