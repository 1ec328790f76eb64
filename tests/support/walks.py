"""Whole walks through the flows that many tests start from: a report, its case code."""

from __future__ import annotations

import re

CASE_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{2}\b")
REPORT_PATH = ("report", "me", "online", "kinds_done", "online", "daily", "months")


async def report_as_pupil(pupil, story: str, *, photos=(), name: str | None = None) -> str:
    """Walk a full report and return the case code the bot gave."""
    return await report_as(pupil, "pupil", REPORT_PATH, story, photos=photos, name=name)


async def report_as(
    person, role: str, path: tuple[str, ...], story: str, *, photos=(), name: str | None = None
) -> str:
    """Start in `role`, walk `path` to the story, report to the end; return the case code."""
    await person.start(role)
    await person.walk(*path)
    await person.say(story)
    await person.press("story_done")
    for file_id in photos:
        await person.photo(file_id)
    await person.press("photos_done" if photos else "no_photo")
    if name is None:
        await person.press("anonymous")
    else:
        await person.press("give_name")
        await person.say(name)
    replies = await person.press("send")
    codes = CASE_CODE.findall("\n".join(replies))
    assert len(set(codes)) == 1, replies
    return codes[0]
