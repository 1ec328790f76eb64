"""Flood control per user: a burst slows the *answers* down, never what is kept.

More than `burst` updates within `window` seconds start a pause of `pause` seconds: the update
that crossed the line gets one calm "slow down", and during the pause the bot is quiet. What a
user typed or sent then (text, photos) is still handled and stored, because a child who types a
story fast must find all of it in the report; storage is cheap, answering is what a flood would
cost. Buttons and commands in a pause do nothing (the "slow down" says so). The pause keeps a
tally, and the first answer after it says once what became of it (`settle`).

Two bounds keep a real flood (hundreds of updates) cheap: at most `keep` updates per pause are
handled (the rest are counted as not kept), and the bot speaks at most once in a pause besides
the "slow down" (to say danger help, or that something was not kept).

Kept in memory, bounded and small: only users active within the last window are tracked, so
memory does not grow with the number of users. A restart forgets it, which is harmless.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# "slow_down": this update starts a pause (say so once); "quiet": it falls inside one.
Verdict = Literal["ok", "slow_down", "quiet"]
Outcome = Literal["kept", "lost", "ignored"]


@dataclass(frozen=True, slots=True)
class Tally:
    """What became of the updates of one pause."""

    kept: int = 0  # texts and photos stored as usual
    lost: int = 0  # texts and photos that were not stored (no room, or past `keep`)
    ignored: int = 0  # buttons, commands and anything else that did nothing

    def add(self, outcome: Outcome) -> Tally:
        return Tally(
            self.kept + (outcome == "kept"),
            self.lost + (outcome == "lost"),
            self.ignored + (outcome == "ignored"),
        )


@dataclass(slots=True)
class _User:
    start: float  # when the current window started
    count: int = 0  # updates in it
    quiet_until: float = 0.0  # the end of a pause; 0 when there is none
    tally: Tally | None = None  # of the last pause, until it is said
    spoke: bool = False  # the one answer a pause allows besides the "slow down" was given


class FloodGate:
    def __init__(
        self,
        burst: int = 20,
        window: float = 10.0,
        pause: float = 30.0,  # SLOW_DOWN says "half a minute"
        keep: int = 200,  # updates handled per pause: more than anyone types in half a minute
        tracked: int = 5000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst  # more than this many updates within `window` seconds is a flood
        self.window = window
        self.pause = pause
        self.keep = keep
        self.tracked = tracked
        self.clock = clock
        self._users: OrderedDict[str, _User] = OrderedDict()  # most recently active last

    def check(self, user: str) -> Verdict:
        now = self.clock()
        state = self._users.pop(user, None) or _User(now)
        self._forget_idle(now)
        self._users[user] = state
        if now < state.quiet_until:
            return "quiet"
        if now - state.start > self.window:
            state.start, state.count = now, 0
        state.count += 1
        if state.count > self.burst:
            state.start, state.count, state.quiet_until = now, 0, now + self.pause
            state.tally, state.spoke = Tally(), False
            return "slow_down"
        return "ok"

    def may_keep(self, user: str) -> bool:
        """Whether one more text or photo of this pause is handled (False past `keep`)."""
        tally = self._tally(user)
        return tally is None or tally.kept + tally.lost < self.keep

    def note(self, user: str, outcome: Outcome) -> None:
        """Count what became of an update inside a pause."""
        state = self._users.get(user)
        if state is not None and state.tally is not None:
            state.tally = state.tally.add(outcome)

    def may_speak(self, user: str) -> bool:
        """True once per pause: danger help or "not kept" is said even while quiet."""
        state = self._users.get(user)
        if state is None or state.spoke:
            return False
        state.spoke = True
        return True

    def settle(self, user: str) -> Tally | None:
        """The tally of a pause that is over, once; None when there is nothing to say."""
        state = self._users.get(user)
        if state is None or state.tally is None or self.clock() < state.quiet_until:
            return None
        tally, state.tally = state.tally, None
        return tally

    def _tally(self, user: str) -> Tally | None:
        state = self._users.get(user)
        return state.tally if state else None

    def _forget_idle(self, now: float) -> None:
        """Drop the least recently active users once they are quiet and past their window (a
        tally not yet said goes with them: it is said only in answer to a next update)."""
        while self._users:
            oldest, state = next(iter(self._users.items()))
            idle = now - state.start > self.window and now >= state.quiet_until
            if not idle and len(self._users) < self.tracked:
                return
            del self._users[oldest]
