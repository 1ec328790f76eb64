"""Canaries: a unique pupil whose name, username and id must never show up where they shouldn't."""

from __future__ import annotations

from pathlib import Path

from support.people import Person


def canary_pupil(person, user_id: int, name: str) -> tuple[Person, set[str]]:
    """A pupil with a unique first and last name and username; returns them and the canaries."""
    first, last, username = f"{name}a", f"Canary{name.lower()}", f"canary_{name.lower()}_77"
    pupil = person(user_id, first_name=first, last_name=last, username=username)
    return pupil, {first, last, username, str(user_id)}


def stored_bytes(db_path: Path) -> bytes:
    """The database file with its WAL and shared-memory files, as a copy of the disk would be."""
    return b"".join(p.read_bytes() for p in sorted(db_path.parent.glob(db_path.name + "*")))


def assert_absent(needles: set[str], **haystacks: str | bytes) -> None:
    for where, haystack in haystacks.items():
        for needle in needles:
            found = (
                needle.encode() in haystack if isinstance(haystack, bytes) else needle in haystack
            )
            assert not found, f"{needle!r} found in {where}"
