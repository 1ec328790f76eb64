"""Make user text safe to show to someone else, and keep messages within channel limits."""

from __future__ import annotations

import re
import unicodedata

# Bidi overrides/isolates and zero-width characters can disguise what a text says; letters of
# any script (Arabic, Turkish, Polish) are left exactly as they are.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def neutralise(text: str) -> str:
    """Drop invisible direction and zero-width marks and control characters, keep newlines."""
    text = _INVISIBLE.sub("", text)
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def split_text(text: str, limit: int = 4096) -> list[str]:
    """Split at paragraph, then line, then word boundaries so no part exceeds `limit`."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
