"""Logging set-up: our own events at the chosen level, chatty libraries kept quiet, no secrets.

httpx logs every request URL, and a Bot API URL holds the bot token; python-telegram-bot's
debug output holds whole updates (names, ids, message text). Neither may reach our logs:

- The libraries in `QUIET` log at WARNING whatever the root level is. `ANTIPEST_LIBRARY_LOG_LEVEL`
  (e.g. DEBUG) lowers that on purpose, for debugging on a test system.
- Every handler on the root logger gets a `Redactor`. It replaces the bot token and the webhook
  secret in each record's message, exception and stack text (a network error's text can quote
  the request URL, token included), and withholds the raw payloads that python-telegram-bot
  quotes in some records: updates, request parameters, answers, "received data".
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any, TextIO, TypeGuard

from bot.settings import SettingsError

QUIET = (
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "hpack",
    "transitions",
    "aiohttp",
    "tornado",
)
LIBRARY_LEVEL = "ANTIPEST_LIBRARY_LOG_LEVEL"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
REDACTED = "[redacted]"
WITHHELD = "[withheld]"
# Arguments python-telegram-bot may log and that are harmless: names of things, counts, errors.
# Everything else (an Update, a dict of request parameters, a list of results) is withheld.
_PLAIN = (str, int, float, type(None), BaseException)
# A bot token is about 46 characters (its key part 35) and a webhook secret at least 16. Anything
# shorter than this is no real secret, and replacing it would garble ordinary words: a token of
# spaces once turned every space in every log line into "[redacted]".
MIN_SECRET_LENGTH = 8


class Redactor(logging.Filter):
    """Takes secrets and raw Telegram payloads out of every record a handler is given."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self.protect(*secrets)

    def protect(self, *secrets: str | None) -> None:
        """Redact these from now on, except values too short to be one (MIN_SECRET_LENGTH)."""
        for secret in secrets:
            if not _redactable(secret):
                continue
            self._secrets.add(secret)
            # A bot token is "<bot id>:<key>". The key alone is the secret part, and it is what
            # stays recognisable when a URL encodes the colon as %3A.
            _bot_id, colon, key = secret.partition(":")
            if colon and _redactable(key):
                self._secrets.add(key)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "telegram" or record.name.startswith("telegram."):
            record.args = _withhold_payloads(record)
        if record.name == "aiohttp" or record.name.startswith("aiohttp."):
            # aiohttp names the peer ("Error handling request from 10.1.2.3"): no address is
            # ever logged, so every text argument of its records is withheld.
            record.args = _withhold_text(record.args)
        # The message is formatted here, once, so that no handler formats the secret back in.
        record.msg, record.args = self.redact(_message(record)), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _redactable(secret: str | None) -> TypeGuard[str]:
    return secret is not None and len(secret.strip()) >= MIN_SECRET_LENGTH


def _withhold_payloads(record: logging.LogRecord) -> Any:
    args = record.args
    if not args:
        return args
    if isinstance(args, Mapping):
        return {key: WITHHELD for key in args}
    # python-telegram-bot's "Received data was %r", "Webhook received data: %s" and "Can not
    # load invalid JSON data" quote a raw update or API answer, even as a plain string.
    if "data" in str(record.msg).lower():
        return tuple(WITHHELD for _ in args)
    return tuple(arg if isinstance(arg, _PLAIN) else WITHHELD for arg in args)


def _withhold_text(args: Any) -> Any:
    if isinstance(args, Mapping):
        return {key: WITHHELD for key in args}
    if isinstance(args, tuple):
        return tuple(WITHHELD if isinstance(arg, str) else arg for arg in args)
    return args


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # e.g. "%d" given a withheld value: keep the template
        return f"{record.msg} {WITHHELD}"


_active = Redactor()


def protect(*secrets: str | None) -> None:
    """Keep these out of the logs too (a secret known only after start, e.g. a derived one)."""
    _active.protect(*secrets)


def configure_logging(
    level: int = logging.INFO,
    *,
    stream: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> Redactor:
    """Root logging at `level` to stderr (or `stream`), libraries quiet, secrets redacted.

    The bot token and webhook secret are taken from `env` (default: the environment); any
    other secret can be added with `protect`. Returns the filter, e.g. for a test's handler.
    """
    env = os.environ if env is None else env
    library_level = _library_level(env)  # first: a malformed value changes nothing
    root = logging.getLogger()
    if stream is not None:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    else:
        logging.basicConfig(format=FORMAT)  # adds a stderr handler unless one exists
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(library_level)
    global _active
    _active = Redactor([env.get("TELEGRAM_BOT_TOKEN"), env.get("TELEGRAM_WEBHOOK_SECRET")])
    _install(_active, root.handlers)
    return _active


def _install(redactor: Redactor, handlers: Iterable[logging.Handler]) -> None:
    """On the handlers: a logger's own filters never see what child loggers propagate to it."""
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, Redactor)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)


def _library_level(env: Mapping[str, str]) -> int:
    name = (env.get(LIBRARY_LEVEL) or "WARNING").upper()
    if name not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(f"{LIBRARY_LEVEL} must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
    return logging.getLevelNamesMapping()[name]
