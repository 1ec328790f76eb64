"""Secret codes made for children: five easy Dutch words, such as "boom fiets wolk kaas pop".

A reporter on the web who wants to read the school's answer later gets one, writes it down, and
types it again on any device. The words are shown once; only their keyed hash is ever stored
(bot/storage/web.py). `normalize` forgives how a child types them; `CodeThrottle` slows down wrong
codes so much that guessing one takes thousands of years, yet never slows a class that mistypes.

The words (words_nl.txt: 512 words, one a line, sorted, nothing else) follow these rules, so a
7-year-old can read, copy and type them:
- simple, mostly concrete things: animals, food, things at home and at school, nature, toys,
  colours;
- 3 to 7 letters, lowercase a-z only, no diacritics; no y, q or x, and c only in "ch";
- none of the sounds children spell two ways: no "ij"/"ei" and no "au"/"ou";
- no two words one letter apart (edit distance at least 2), and no two that sound the same
  (d/t at the end, v/f, z/s, ch/g, double consonants), so one slip never makes another word;
- nothing rude, scary, sad or about bodies, violence, death or bullying; no word that is also
  a common insult (no animals that children call each other, such as "aap" or "koe") or has a
  rude second meaning ("poes", "muts", "kruk", "wind"); no first names or common surnames
  ("roos", "merel", "bakker"); no brand names;
- no two words that mean the same thing ("kano"/"kajak", "drum"/"trommel") and no diminutive
  beside its own word ("brood"/"broodje"), so remembering a code by its meaning works.
tests/web/test_codes.py checks every rule a machine can check.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path

WORDS: tuple[str, ...] = tuple(
    Path(__file__).with_name("words_nl.txt").read_text(encoding="ascii").split()
)
_KNOWN = frozenset(WORDS)
CODE_WORDS = 5  # 512 words = 2**9: 9 bits each; 5 words = 45 bits, at least the 44 we want
MAX_TYPED = 200  # characters; a code is at most 5 x 7 letters and 4 spaces
_NOT_LETTERS = re.compile(r"[^a-z]+")  # spaces, hyphens, dots, commas, newlines, digits ...
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))  # from copy-paste


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A new code: CODE_WORDS words drawn independently, joined by single spaces."""
    return " ".join(WORDS[randbelow(len(WORDS))] for _ in range(CODE_WORDS))


def normalize(typed: str) -> str | None:
    """What a child typed as the canonical code, or None when it is not a code.

    Capitals, accents and look-alike letters (full-width, ligatures) are folded away; anything
    that is not a letter separates words, however much of it. A missing space is not guessed at:
    "boomfiets" could be two words or a typo, so it is None like any unknown word or a wrong
    number of words."""
    if len(typed) > MAX_TYPED:
        return None
    folded = unicodedata.normalize("NFKD", typed.translate(_INVISIBLE).casefold())
    letters = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = [word for word in _NOT_LETTERS.split(letters) if word]
    if len(words) != CODE_WORDS or not _KNOWN.issuperset(words):
        return None
    return " ".join(words)
