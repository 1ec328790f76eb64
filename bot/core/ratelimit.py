"""Flood control per user: a burst gets one calm "slow down", then is ignored for a short time.

Kept in memory, bounded and small: only users active within the last window are tracked (a
start time and a count each), so memory does not grow with the number of users. A restart
forgets it, which is harmless.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

Verdict = Literal["ok", "slow_down", "ignore"]


class FloodGate:
    def __init__(
        self, burst: int = 20, window: float = 10.0, pause: float = 30.0, tracked: int = 5000
    ) -> None:
        self.burst = burst  # more than this many updates within `window` seconds is a flood
        self.window = window
        self.pause = pause  # how long a flood is ignored after the one warning
        self.tracked = tracked
        # user -> (window start, updates in it, quiet until); most recently active last
        self._users: OrderedDict[str, tuple[float, int, float]] = OrderedDict()

    def check(self, user: str, now: float) -> Verdict:
        start, count, quiet_until = self._users.pop(user, (now, 0, 0.0))
        self._forget_idle(now)
        if now < quiet_until:
            self._users[user] = (start, count, quiet_until)
            return "ignore"
        if now - start > self.window:
            start, count = now, 0
        count += 1
        if count > self.burst:
            self._users[user] = (now, 0, now + self.pause)
            return "slow_down"
        self._users[user] = (start, count, 0.0)
        return "ok"

    def _forget_idle(self, now: float) -> None:
        """Drop the least recently active users once they are quiet and past their window."""
        while self._users:
            oldest, (start, _count, quiet_until) = next(iter(self._users.items()))
            idle = now - start > self.window and now >= quiet_until
            if not idle and len(self._users) < self.tracked:
                return
            del self._users[oldest]
