"""Logging set-up: our own events at the chosen level, chatty libraries kept quiet.

httpx logs every request URL, and a Bot API URL holds the bot token; python-telegram-bot's
debug output holds whole updates (names, ids, message text). Neither may reach our logs.
"""

from __future__ import annotations

import logging

QUIET = ("httpx", "httpcore", "telegram", "apscheduler", "hpack", "transitions")


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger().setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
