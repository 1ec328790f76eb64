"""Recognise typed text that can mean danger or crisis, from a curated list kept as data.

The list (`flows/shared/crisis.yaml`) holds regular expressions in Dutch and English; both are
searched whatever the user's language, since children mix them. Matching is forgiving about
case, accents, punctuation and stretched letters ("doooood").
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from bot.core.flowspec import FlowError

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_STRETCHED = re.compile(r"([a-z])\1{2,}")


def normalise(text: str) -> list[str]:
    """The forms a message is searched in: stretched letters shortened to two, and to one."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    plain = " ".join(_NOT_WORD.sub(" ", plain).split())
    return [_STRETCHED.sub(r"\1\1", plain), _STRETCHED.sub(r"\1", plain)]


class CrisisWords:
    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.patterns = patterns

    def match(self, text: str) -> bool:
        forms = normalise(text)
        return any(p.search(form) for p in self.patterns for form in forms)


def load_crisis_words(path: Path) -> CrisisWords:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        patterns = [re.compile(entry) for entries in raw.values() for entry in entries]
    except (OSError, yaml.YAMLError, re.error, AttributeError, TypeError) as exc:
        raise FlowError(f"The crisis word list {path} cannot be read.") from exc
    if not patterns:
        raise FlowError(f"The crisis word list {path} is empty.")
    return CrisisWords(patterns)
