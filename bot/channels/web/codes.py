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
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.channels.web.limits import Clock, ShortMemory

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


# Wrong codes, per tab: the first costs nothing (a typo), then 2 s, 4 s, 8 s ... at most 5 min.
TAB_FIRST_WAIT = 2.0
TAB_MAX_WAIT = 300.0
# Wrong codes, all tabs together: 60 cost nothing (a class of 30 that each mistype once, with
# room for their second tries at the same moment); the budget comes back at one a minute. Past
# it every attempt, from any tab, waits 1 s, 2 s, 4 s ... at most 60 s after the one before.
FREE_CODES = 60
REFILL_SECONDS = 60.0
OVERALL_MAX_WAIT = 60.0
MAX_DEBT = 8  # wrong codes past the budget that count; 2**7 s is past the cap already, and
# more would only keep the wait up longer after an attack ends (8 min at most now).
# So a guesser with any number of tabs gets the 60 free ones, then one a minute:
# 60 + 1,440 = about 1,500 codes a day. Codes are 512**5 = 2**45 = 3.5e13; even with 10,000
# codes in use, finding any one of them takes 2**45 / 10,000 / 1,500 = 2.3 million days:
# about 6,400 years.
TABS_KEPT = 10_000  # ~300 bytes each: 3 MB
TAB_IDLE = 3600.0  # a tab's wrong codes are forgotten after an hour (its wait is 5 min at most)


def tab_wait(wrong: int) -> float:
    """How long a tab waits after `wrong` wrong codes in a row."""
    if wrong < 2:
        return 0.0
    return min(TAB_FIRST_WAIT * 2.0 ** min(wrong - 2, 16), TAB_MAX_WAIT)


def overall_wait(debt: float) -> float:
    """How long every tab waits after a wrong code `debt` codes past the free budget."""
    if debt <= 0:
        return 0.0
    return min(2.0 ** (min(debt, MAX_DEBT) - 1), OVERALL_MAX_WAIT)


@dataclass(slots=True)
class _Tries:
    wrong: int = 0  # attempts in a row not known to be right
    open: int = 0  # attempts let through by wait() and not yet judged
    until: float = 0.0  # no next attempt before this moment


class CodeThrottle:
    """Slows down wrong codes, per tab and over all tabs together, without locking anyone out.

    Use it as: `wait(tab)`; when that is 0, try the code, then `failed(tab)` or
    `succeeded(tab)`. An attempt that `wait` lets through counts as wrong at once, until
    `succeeded` takes it back: requests that arrive together cannot all slip through before the
    first of them is judged, and an attempt that is never judged (a dropped connection) stays
    counted. Memory is bounded: tabs idle for an hour are forgotten, and at most TABS_KEPT are
    kept; a guesser who floods it with tabs still meets the overall wait."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._tabs: ShortMemory[_Tries] = ShortMemory(TABS_KEPT, TAB_IDLE)
        self._level = 0.0  # wrong codes in the overall budget; one leaks away per refill
        self._stamp = clock()
        self._until = 0.0  # no attempt from any tab before this moment

    def wait(self, session: str) -> float:
        """Seconds until this tab may try a code; 0 means: try it now (it is counted)."""
        now = self._leak()
        tries = self._tabs.get(session, now)
        ahead = max(self._until, tries.until if tries else 0.0) - now
        if ahead > 0:
            return ahead
        if tries is None:
            tries = _Tries()
            self._tabs.put(session, tries, now)
        tries.open += 1
        self._count_wrong(tries, now)
        return 0.0

    def failed(self, session: str) -> None:
        """The tab's code was wrong (or not a code at all)."""
        now = self._leak()
        tries = self._tabs.get(session, now)
        if tries is None:
            tries = _Tries()
            self._tabs.put(session, tries, now)
        if tries.open:
            tries.open -= 1
            # Counted when it started; the waits run from now, when the answer was given.
            tries.until = max(tries.until, now + tab_wait(tries.wrong))
            self._until = max(self._until, now + overall_wait(self._level - FREE_CODES))
        else:
            self._count_wrong(tries, now)  # not announced by wait(): count it now

    def succeeded(self, session: str) -> None:
        """The tab's code was right: its wrong codes are forgotten, and this attempt is taken
        back from the overall budget."""
        self._leak()
        tries = self._tabs.pop(session)
        if tries is not None and tries.open:
            self._level = max(0.0, self._level - 1)

    def _count_wrong(self, tries: _Tries, now: float) -> None:
        tries.wrong += 1
        tries.until = now + tab_wait(tries.wrong)
        self._level = min(self._level + 1, FREE_CODES + MAX_DEBT)
        self._until = max(self._until, now + overall_wait(self._level - FREE_CODES))

    def _leak(self) -> float:
        now = self.clock()
        self._level = max(0.0, self._level - max(0.0, now - self._stamp) / REFILL_SECONDS)
        self._stamp = now
        return now

    def __len__(self) -> int:
        """How many tabs' wrong codes are remembered."""
        return len(self._tabs)

    def __repr__(self) -> str:
        return f"<CodeThrottle {len(self._tabs)} tabs, {self._level:.1f} wrong codes>"
