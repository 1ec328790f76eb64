"""A person in a Telegram chat with the bot: sends, presses buttons by trigger id, reads."""

from __future__ import annotations

from typing import Any

from support.fakebotapi import FakeBotApi


class Person:
    def __init__(self, fake: FakeBotApi, user_id: int, **profile: Any) -> None:
        self.fake = fake
        self.id = user_id
        self.profile = {"language_code": "nl", **profile}

    async def _after(self, push: Any) -> list[str]:
        mark = len(self.fake.texts(self.id))
        push()
        await self.fake.wait_idle(quiet=0.15)
        return self.fake.texts(self.id)[mark:]

    async def say(self, text: str) -> list[str]:
        """Type a message (a leading slash makes it a command). Returns the bot's replies."""
        if text.startswith("/"):
            return await self._after(lambda: self.fake.push_command(self.id, text, **self.profile))
        return await self._after(lambda: self.fake.push_text(self.id, text, **self.profile))

    async def start(self, role: str = "pupil") -> list[str]:
        """/start, then answer the role question."""
        await self.say("/start")
        return await self.press(role)

    async def photo(self, file_id: str, file_size: int = 50_000) -> list[str]:
        lang = self.profile["language_code"]
        push = lambda: self.fake.push_photo(  # noqa: E731
            self.id, file_id=file_id, file_size=file_size, language_code=lang
        )
        return await self._after(push)

    async def sticker(self) -> list[str]:
        lang = self.profile["language_code"]
        return await self._after(lambda: self.fake.push_sticker(self.id, language_code=lang))

    def buttons(self) -> list[tuple[str, str]]:
        return self.fake.last_buttons(self.id)

    def data_for(self, trigger: str) -> str:
        """The callback data of the visible button with this trigger id."""
        for _label, data in self.buttons():
            if data.split(":")[1] == trigger:
                return data
        raise AssertionError(f"no button {trigger!r} in {self.buttons()}")

    async def press(self, trigger: str) -> list[str]:
        return await self.press_data(self.data_for(trigger))

    async def press_data(self, data: str) -> list[str]:
        lang = self.profile["language_code"]
        return await self._after(lambda: self.fake.push_callback(self.id, data, language_code=lang))

    async def walk(self, *triggers: str) -> list[str]:
        replies: list[str] = []
        for trigger in triggers:
            replies = await self.press(trigger)
        return replies
