"""Make user text safe to show to someone else, and keep messages within channel limits."""

from __future__ import annotations

import re
import unicodedata

# Format characters (Unicode category Cf) are invisible: direction marks and overrides reorder
# what a coordinator reads (U+061C, U+200E/F, U+202A-202E, U+2066-2069, the deprecated
# U+206A-206F), and zero-width spaces, word joiners, BOMs, soft hyphens, tag characters and
# interlinear annotations hide text or split words. So every Cf goes, except these few that
# scripts need and that hide nothing: Arabic and Syriac number signs, and the format controls of
# Egyptian hieroglyphs, Kaithi and shorthand. Letters of every script stay exactly as they are.
_SCRIPT_FORMAT = re.compile(
    "[\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
    "\U00013430-\U0001345f\U0001bca0-\U0001bca3]"
)
# ZWJ and ZWNJ join emoji (👨‍👩‍👧, 🏳️‍🌈) and shape Persian, Urdu and Indic words; one
# between two visible characters is kept, any other (leading, trailing, in a run) goes.
_JOINER = "\u200c\u200d"
_STRAY_JOINER = re.compile(f"[{_JOINER}](?![^\\s{_JOINER}])|(?<![^\\s{_JOINER}])[{_JOINER}]")
# Tag characters (U+E0000-E007F) are invisible ASCII; the only ones emoji use are the flags of
# England, Scotland and Wales (🏴 + gbeng/gbsct/gbwls + cancel tag). Those three are kept whole.
_FLAGS = {
    "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in tag) + "\U000e007f"
    for tag in ("gbeng", "gbsct", "gbwls")
}
_TAG_RUN = re.compile("\U0001f3f4?[\U000e0000-\U000e007f]+")
# Variation selectors choose a glyph (❤️, a kanji's form); one after a character is all any text
# needs. A run of them can carry hidden data, so the second and later ones go.
_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_EXTRA_SELECTOR = re.compile(f"(?:^|(?<=[{_SELECTORS}]))[{_SELECTORS}]+")


def neutralise(text: str) -> str:
    """Drop what hides or reorders text (format and control characters, see above), keeping
    newlines, tabs, emoji sequences and what scripts need."""
    text = _TAG_RUN.sub(_flag_or_base, text)
    text = _STRAY_JOINER.sub("", text)
    text = _EXTRA_SELECTOR.sub("", text)
    return "".join(ch for ch in text if _kept(ch))


def _flag_or_base(match: re.Match[str]) -> str:
    """A whole subdivision flag stays; of any other tag run only a 🏴 before it stays."""
    run = match.group()
    if run in _FLAGS:
        return run
    return "\U0001f3f4" if run.startswith("\U0001f3f4") else ""


def _kept(ch: str) -> bool:
    if ch in "\n\t":
        return True
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs"):
        return False
    if category != "Cf":
        return True
    # Tags still here belong to a whole flag (_TAG_RUN took every other one).
    tag = "\U000e0000" <= ch <= "\U000e007f"
    return ch in _JOINER or tag or bool(_SCRIPT_FORMAT.match(ch))


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
