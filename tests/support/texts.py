"""What the bot says, rendered as a user reads it, and the messages a chat received."""

from __future__ import annotations

from bot.cases.notifications import COORDINATOR_EVENTS
from bot.core.model import Text


def say(bot, msgid: str, locale: str = "nl") -> str:
    return bot.app.renderer.text(Text(msgid), locale)


def texts_with(fake, chat_id: int, fragment: str) -> list[str]:
    return [text for text in fake.texts(chat_id) if fragment in text]


def event_text(running, event: str, code: str) -> str:
    text = Text(COORDINATOR_EVENTS[event], {"case": code, "answer": ""})
    return running.app.renderer.text(text, "nl")


def nl(running, msgid: str) -> str:
    return running.app.renderer.text(Text(msgid), "nl")
