"""Flood control per user: a burst gets one calm "slow down", then is ignored for a short time.

Kept in memory, bounded: only users active in the last window are tracked, so the memory use
does not grow with the number of users. A restart forgets it, which is harmless.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["ok", "slow_down", "ignore"]


@dataclass
class _Recent:
    times: deque[float] = field(default_factory=deque)
    quiet_until: float = 0.0


class FloodGate:
    def __init__(
        self, burst: int = 20, window: float = 10.0, pause: float = 30.0, tracked: int = 5000
    ) -> None:
        self.burst = burst  # more than this many updates within `window` seconds is a flood
        self.window = window
        self.pause = pause  # how long a flood is ignored after the one warning
        self.tracked = tracked
        self._users: OrderedDict[str, _Recent] = OrderedDict()

    def check(self, user: str, now: float) -> Verdict:
        recent = self._users.pop(user, None) or _Recent()
        self._users[user] = recent  # most recently active last
        while len(self._users) > self.tracked:
            self._users.popitem(last=False)
        if now < recent.quiet_until:
            return "ignore"
        while recent.times and recent.times[0] <= now - self.window:
            recent.times.popleft()
        recent.times.append(now)
        if len(recent.times) > self.burst:
            recent.times.clear()
            recent.quiet_until = now + self.pause
            return "slow_down"
        return "ok"
