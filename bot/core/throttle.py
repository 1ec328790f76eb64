"""Slowing down guessed codes, and small states kept only a while, in memory only.

Used for the web chat's secret codes and for the schools' entry codes: both can be typed by
anyone, and guessing either must take thousands of years while a class that mistypes is never
slowed. Used from the event loop (or under the service's transaction) only: no method awaits.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Clock = Callable[[], float]  # monotonic seconds
T = TypeVar("T")


class ShortMemory(Generic[T]):
    """Small states by name, kept only a while: none longer than `idle` seconds after its last
    use, at most `size` of them (the least recently used is forgotten first). A name is kept as
    a keyed hash with a random key of this process, never as itself."""

    def __init__(self, size: int, idle: float) -> None:
        self.size = size
        self.idle = idle
        self._key = secrets.token_bytes(32)
        self._items: OrderedDict[bytes, tuple[float, T]] = OrderedDict()

    def _hash(self, name: str) -> bytes:
        # 16 bytes: two names share a state by chance once in 2**64 pairs
        return hmac.digest(self._key, name.encode("utf-8", "surrogatepass"), "sha256")[:16]

    def _forget_idle(self, now: float) -> None:
        items = self._items
        while items:
            key = next(iter(items))
            if now - items[key][0] < self.idle:
                break
            del items[key]

    def get(self, name: str, now: float) -> T | None:
        """The state kept for `name` (now counted as used), or None."""
        self._forget_idle(now)
        key = self._hash(name)
        entry = self._items.get(key)
        if entry is None:
            return None
        self._items[key] = (now, entry[1])
        self._items.move_to_end(key)
        return entry[1]

    def put(self, name: str, state: T, now: float) -> None:
        key = self._hash(name)
        self._items[key] = (now, state)
        self._items.move_to_end(key)
        self._forget_idle(now)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, name: str) -> T | None:
        entry = self._items.pop(self._hash(name), None)
        return None if entry is None else entry[1]

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"<ShortMemory {len(self._items)}/{self.size}>"


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
