"""Clocks for tests."""

from __future__ import annotations

from datetime import datetime


class FakeClock:
    """A clock tests move by hand; it starts on a Monday morning in term time."""

    def __init__(self, start: str = "2026-11-23T08:00:00+00:00") -> None:
        self.now = datetime.fromisoformat(start)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: str) -> None:
        self.now = datetime.fromisoformat(moment)


class Seconds:
    """A monotonic clock the test moves by hand (limits and throttles take such a callable)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
