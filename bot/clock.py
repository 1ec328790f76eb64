"""Time as a dependency: tests pass a fixed clock, production the system's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def stamp(clock: Clock) -> str:
    """ISO-8601 UTC text, the only time format stored in the database."""
    return clock().astimezone(UTC).isoformat(timespec="seconds")
