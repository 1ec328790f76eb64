"""The plainest python-telegram-bot echo bot, stock settings, for the benchmark's floor.

It answers every message with one message (its text, or a word for a photo) and every button
press with one message (the button's data). The Bot API server comes from the documented
`base_url` / `base_file_url` options. Set BENCH_PTB_REQUEST=aiohttp to swap PTB's default
HTTPXRequest for antipestbot's `AiohttpRequest` (to measure the HTTP client alone).
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text or "photo")


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(update.effective_chat.id, update.callback_query.data)


def main() -> None:
    url = os.environ["TELEGRAM_API_URL"]
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
    )
    if os.environ.get("BENCH_PTB_REQUEST") == "aiohttp":
        from bot.channels.telegram.request import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(button))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
