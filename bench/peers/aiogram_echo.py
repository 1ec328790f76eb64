"""The plainest aiogram 3 echo bot, stock settings, for the benchmark's floor.

It answers every message with one message (its text, or a word for a photo) and every button
press with one message (the button's data). The Bot API server is set with the documented
`TelegramAPIServer.from_base(url)` on an `AiohttpSession`.

With BENCH_ANSWER_BUTTONS=1 (the `aiogram_echo_answering` column) it first answers each button
press with answerCallbackQuery, as the Bot API asks of every bot - the app shows a spinner on
the button until then - and as antipestbot does: one more HTTP call per press.
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message

dp = Dispatcher()


@dp.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "photo")


ANSWER_BUTTONS = os.environ.get("BENCH_ANSWER_BUTTONS") == "1"


@dp.callback_query()
async def button(query: CallbackQuery) -> None:
    if ANSWER_BUTTONS:  # what the Bot API asks of every bot, and antipestbot does
        await query.answer()
    await query.bot.send_message(query.from_user.id, query.data or "button")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=session)
    await dp.start_polling(bot)


if __name__ == "__main__":
    asyncio.run(main())
