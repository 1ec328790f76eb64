"""Fitting the poster's texts: the largest size at which a text fits its column, and its lines.

Our own sentences go one to a line where they fit (one thought to a line reads easiest for a
child); a longer sentence, a name or an address is broken into lines of about even length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from fpdf.fonts import CORE_FONTS_CHARWIDTHS

MM_PER_PT = 25.4 / 72

Measure = Callable[[str, float, bool], float]  # text, size in pt, bold -> width in mm

# Sentences and words, each with the spaces after it; a web address may break after a "/".
_SENTENCES = re.compile(r".+?(?:[.?!]\s+|$)")
_WORDS = re.compile(r"\S+?(?:/|\s+|$)")


class PosterError(ValueError):
    """A text too long to show whole (an entry code, an address): an operator's mistake."""


@dataclass(frozen=True)
class Style:
    largest: float  # pt
    smallest: float  # pt
    max_lines: int
    bold: bool = False
    prose: bool = True  # our own sentences, one to a line where they fit; else a name or address
    cut: bool = False  # may end in "…" when it fits nowhere (a name); else a PosterError


def fit(text: str, style: Style, measure: Measure, width: float) -> tuple[float, list[str]]:
    """The largest size (pt) at which `text` fits in the style's lines of `width` mm, and its
    lines. A cut address or code would lead nowhere, so only a name is ever cut short."""
    size = style.largest
    while True:
        lines = wrap(text, lambda line, at=size: measure(line, at, style.bold), width, style.prose)
        if len(lines) <= style.max_lines or size <= style.smallest:
            break
        size = max(style.smallest, size * 0.92)
    if len(lines) > style.max_lines and not style.cut:
        raise PosterError(f"{text!r} is too long for the poster.")
    if len(lines) > style.max_lines:
        last = lines[style.max_lines - 1]
        while last and measure(last + "…", size, style.bold) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines = [*lines[: style.max_lines - 1], last.rstrip() + "…"]
    return size, lines


def wrap(text: str, width_of: Callable[[str], float], width: float, prose: bool) -> list[str]:
    """Lines no wider than `width`: whole sentences where they fit (if `prose`), else even ones."""
    if not prose:
        return _balanced(text, width_of, width)
    lines: list[str] = []
    whole = False  # the last line holds whole sentences only, so another one may join it
    for sentence in filter(None, (s.strip() for s in _SENTENCES.findall(text))):
        if whole and width_of(f"{lines[-1]} {sentence}") <= width:
            lines[-1] += " " + sentence
        elif width_of(sentence) <= width:
            lines.append(sentence)
            whole = True
        else:
            lines += _balanced(sentence, width_of, width)
            whole = False
    return lines


def helvetica_width(text: str, size: float, bold: bool) -> float:
    """Width in mm of `text` in Helvetica (= Arial, Liberation Sans); a letter outside
    Windows-1252 counts as wide as a capital."""
    widths = CORE_FONTS_CHARWIDTHS["helveticaB" if bold else "helvetica"]
    total = 0
    for ch in text:
        try:
            total += widths[ch.encode("cp1252").decode("latin-1")]
        except UnicodeEncodeError:
            total += 722
    return total * size / 1000 * MM_PER_PT


def fold(text: str, encoding: str) -> str:
    """`text` in the characters of `encoding` (what a font can draw): a letter outside it loses
    its accent (Ş decomposes into S and a cedilla; the S stays), anything else becomes "?"."""
    return "".join(_fold(ch, encoding) for ch in unicodedata.normalize("NFC", text))


def _fold(ch: str, encoding: str) -> str:
    if _encodes(ch, encoding):
        return ch
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if _encodes(c, encoding)) or "?"


def _encodes(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _balanced(text: str, width_of: Callable[[str], float], width: float) -> list[str]:
    """As few lines as greedy breaking needs, made as even as they go (narrowed 0.5 mm at a
    time until one more line would be needed)."""
    lines = _greedy(text, width_of, width)
    for _ in range(400):  # 0.5 mm steps across the widest column, with room to spare
        narrower = _greedy(text, width_of, max(map(width_of, lines)) - 0.5)
        if len(narrower) != len(lines) or narrower == lines:
            break
        lines = narrower
    return lines


def _greedy(text: str, width_of: Callable[[str], float], width: float) -> list[str]:
    """Greedy line breaking; a word wider than a whole line is broken anywhere."""

    def fits(line: str) -> bool:
        return width_of(line) <= width

    lines: list[str] = []
    line = ""
    for token in _WORDS.findall(text):
        if fits((line + token).rstrip()):
            line += token
            continue
        if line:
            lines.append(line.rstrip())
        while not fits(token.rstrip()):
            cut = next((n for n in range(len(token) - 1, 0, -1) if fits(token[:n])), 1)
            lines.append(token[:cut])
            token = token[cut:]
        line = token
    if line.strip():
        lines.append(line.rstrip())
    return lines
