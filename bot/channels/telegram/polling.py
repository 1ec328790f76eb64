"""Long polling that survives an update the bot cannot read, and library logs that cannot flood.

python-telegram-bot reads a whole getUpdates answer at once. One update it cannot parse (a field
it does not expect) fails the whole answer; PTB logs it with a traceback and asks again at once
with the same offset, so the same answer comes back: about 770 polls a second, 80 % of a core
and 3 MB of log a second, and no user is answered again, ever. `PollingBot` reads such an answer
update by update instead: the readable ones are handled, an unreadable one is skipped (logged
once, by its error's type) and confirmed with the next offset, so it never comes back. An answer
that cannot be read at all becomes a `TelegramError`, which PTB's polling loop retries with a
growing wait (1 s, then 1.5 times longer each time, up to 30 s).

`RateLimit` lets each of PTB's polling messages through once a minute, so a Bot API that keeps
failing writes a line a minute rather than one per try (and drops PTB's record of an answer it
could not read, which `update_skipped` replaces).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

LIMITED_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext", "telegram.ext.Updater")
LOG_EVERY = 60.0  # seconds between two records with the same message from one library logger
# PTB's own record of an answer it could not read (with a traceback): PollingBot's one line
# `update_skipped` says it instead.
UNREADABLE = "Error while parsing updates! Received data was %r"
REPLACED = frozenset({("telegram.Bot", UNREADABLE), ("telegram.ext.ExtBot", UNREADABLE)})


@dataclass
class _Skipping:
    """PollingBot's own state (a Bot refuses new attributes once it is built)."""

    answer: Any = None  # the last getUpdates answer, as JSON
    skip_to: int = 0  # the offset past every update skipped so far


class PollingBot(ExtBot):
    """PTB's bot, whose getUpdates skips an update it cannot read (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._skipping = _Skipping()
        super().__init__(*args, **kwargs)

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        answer = await super()._post(endpoint, data, **kwargs)
        if endpoint == "getUpdates":
            self._skipping.answer = answer  # kept by reference: read only when parsing fails
        return answer

    async def get_updates(self, offset: int | None = None, *args: Any, **kwargs: Any) -> Any:
        state = self._skipping
        if state.skip_to and (offset or 0) < state.skip_to:
            offset = state.skip_to  # confirms the skipped updates, so they never come back
        state.answer = None
        try:
            return await super().get_updates(offset, *args, **kwargs)
        except TelegramError:
            raise
        except Exception as error:  # PTB could not read the answer: try it update by update
            answer, state.answer = state.answer, None
            return self._readable(answer, error)

    def _readable(self, answer: Any, error: Exception) -> tuple[Update, ...]:
        if not isinstance(answer, list):
            raise TelegramError(f"unreadable getUpdates answer ({type(error).__name__})")
        updates = []
        for raw in answer:
            try:
                update = Update.de_json(raw, self)
            except Exception as failure:
                number = raw.get("update_id") if isinstance(raw, dict) else None
                if not isinstance(number, int):  # no offset can confirm it: retried, slower
                    raise TelegramError("update without an update_id") from failure
                self._skipping.skip_to = max(self._skipping.skip_to, number + 1)
                log.warning("update_skipped error=%s", type(failure).__name__)
                continue
            if update is not None:
                self.insert_callback_data(update)
                updates.append(update)
        return tuple(updates)


class RateLimit(logging.Filter):
    """Passes a logger's record with a given message at most once per `every` seconds.

    Added to PTB's polling loggers while a channel runs (`attach`), and taken off when it
    stops: filters are process-wide, and another channel starts with a clean slate.
    """

    def __init__(self, every: float = LOG_EVERY) -> None:
        super().__init__()
        self.every = every
        self._last: dict[tuple[str, str], float] = {}  # PTB's message templates: a few dozen

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        if key in REPLACED:
            return False
        now = time.monotonic()
        if key in self._last and now - self._last[key] < self.every:
            return False
        self._last[key] = now
        return True

    def attach(self) -> None:
        for name in LIMITED_LOGGERS:
            logging.getLogger(name).addFilter(self)

    def detach(self) -> None:
        for name in LIMITED_LOGGERS:
            logging.getLogger(name).removeFilter(self)
