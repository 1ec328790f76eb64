"""Images as people send them: several photos at once (an album), a screenshot sent as a file,
a photo with text typed under it. Each waits for the bot's answers, like `Person.say`."""

from __future__ import annotations

from typing import Any

from support.people import Person


async def _after(person: Person, *pushes: Any) -> list[str]:
    mark = len(person.fake.texts(person.id))
    for push in pushes:
        push()
    await person.fake.wait_idle(quiet=0.2)
    return person.fake.texts(person.id)[mark:]


async def send_album(
    person: Person, album: str, *file_ids: str, caption: str | None = None
) -> list[str]:
    """Photos sent at once: one update each, all at once, the caption on the first (as the
    Telegram apps send it). Returns the bot's answers to all of them."""
    lang = person.profile["language_code"]
    pushes = [
        lambda file_id=file_id, n=n: person.fake.push_photo(
            person.id,
            file_id=file_id,
            media_group_id=album,
            caption=caption if n == 0 else None,
            language_code=lang,
        )
        for n, file_id in enumerate(file_ids)
    ]
    return await _after(person, *pushes)


async def send_file(person: Person, file_id: str, caption: str | None = None) -> list[str]:
    """A screenshot sent "as a file" (uncompressed PNG)."""
    lang = person.profile["language_code"]
    push = lambda: person.fake.push_document(  # noqa: E731
        person.id, file_id=file_id, caption=caption, language_code=lang
    )
    return await _after(person, push)


async def send_photo(person: Person, file_id: str, caption: str) -> list[str]:
    """One photo with text typed under it."""
    lang = person.profile["language_code"]
    push = lambda: person.fake.push_photo(  # noqa: E731
        person.id, file_id=file_id, caption=caption, language_code=lang
    )
    return await _after(person, push)
