"""Reading numbers typed by people or carried in URLs."""

from __future__ import annotations


def whole_number(raw: str | None) -> int | None:
    """The number a text holds when it is plain digits ("2023"), else None.

    `str.isdigit()` alone accepts "²" or "٣", which int() then refuses.
    """
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text)
