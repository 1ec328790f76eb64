"""A channel in memory, for tests that run it beside Telegram in one process.

It does what every channel does (adapt: Inbound in, Outbound out) and nothing else, so a test
speaks through it as a user would and reads what the bot sent to each chat.
"""

from __future__ import annotations

import asyncio

from bot.channels.base import Conversation
from bot.core.model import ChannelTraits, Identity, Inbound, Outbound, parse_button_data


class MemoryChannel:
    only_chat: str | None = None
    default_locale = "nl"

    def __init__(self, traits: ChannelTraits) -> None:
        self.traits = traits
        self.conversation: Conversation | None = None
        self.sent: dict[str, list[Outbound]] = {}  # what the outbox delivered, by chat
        self.replies: dict[str, list[Outbound]] = {}  # every direct reply, by chat
        self._stopped = asyncio.Event()

    async def start(self, conversation: Conversation) -> None:
        self.conversation = conversation

    async def finished(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()

    async def send(self, chat: str, outbound: Outbound) -> None:
        self.sent.setdefault(chat, []).append(outbound)

    def coordinator_changed(self, chat: str) -> None:
        """No menus here."""


class MemoryUser:
    """Someone on a MemoryChannel: types, presses buttons by trigger id, reads the replies."""

    def __init__(self, channel: MemoryChannel, user: str) -> None:
        self.channel, self.user = channel, user
        self.last: list[Outbound] = []

    async def _do(self, inbound: Inbound) -> list[str]:
        assert self.channel.conversation is not None
        who = Identity(self.channel.traits.name, self.user, self.user, "nl")
        self.last = await self.channel.conversation.handle(who, inbound)
        self.channel.replies.setdefault(self.user, []).extend(self.last)
        return [outbound.text for outbound in self.last]

    async def command(self, trigger: str) -> list[str]:
        return await self._do(Inbound(kind="command", trigger=trigger))

    async def say(self, text: str) -> list[str]:
        return await self._do(Inbound(kind="text", text=text))

    async def press(self, trigger: str) -> list[str]:
        shown = [data for o in self.last for row in o.rows for _label, data in row]
        data = next((d for d in shown if d.split(":")[1] == trigger), None)
        assert data is not None, f"no button {trigger!r} in {shown}"
        inbound = parse_button_data(data)
        assert inbound is not None
        return await self._do(inbound)

    async def walk(self, *triggers: str) -> list[str]:
        replies: list[str] = []
        for trigger in triggers:
            replies = await self.press(trigger)
        return replies
