"""One update the bot cannot read no longer stalls it (issue 11, item 7).

python-telegram-bot read a getUpdates answer as a whole: one update it could not parse failed
every poll, which was repeated at once with the same offset (about 770 polls a second, 3 MB of
log a second) and no user was answered again. The real `antipestbot run` process meets such an
update on the fake Bot API: it is skipped and logged once, and the next update is answered. A
Bot API that keeps failing is retried ever more slowly, with its error logged once a minute.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from support.fakebotapi import Call, FakeBotApi
from support.processes import clean_environ

POISON = {"message": {"message_id": 1}}  # no date, no chat: PTB cannot read it
PUPIL = 4321
QUIET_WINDOW = 1.0  # seconds the poller is watched after the answer
POLL_FAILED = "Exception happened while polling for updates"  # PTB's line, with a traceback


@asynccontextmanager
async def antipestbot_run(fake: FakeBotApi, env: dict[str, str], log: Path) -> AsyncIterator[None]:
    """`python -m bot run` against the fake, logging to `log`; stopped with SIGTERM (exit 0)."""
    environ = {**clean_environ(), **env, "PYTHONIOENCODING": "utf-8"}
    environ.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.url)
    with log.open("wb") as stderr:
        bot = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "run"),
            cwd=log.parent,
            env=environ,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        await fake.wait_for(lambda c: c.method == "getUpdates", timeout=20)
        yield
    finally:
        bot.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.wait(), 15)
    assert code == 0, log.read_text("utf-8", errors="replace")


def answered(call: Call) -> bool:
    return call.method == "sendMessage" and call.params.get("chat_id") == PUPIL


def polls(fake: FakeBotApi) -> int:
    return sum(1 for c in fake.calls if c.method == "getUpdates")


async def test_an_unreadable_update_is_skipped_once_and_the_next_is_answered(
    fake: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    async with antipestbot_run(fake, env, log):
        poison = fake.push_update(POISON)
        fake.push_command(PUPIL, "/start")
        await fake.wait_for(answered, timeout=15)
        before = polls(fake)
        await asyncio.sleep(QUIET_WINDOW)  # a window to count polls in, not a deadline
        after = polls(fake) - before

    written = log.read_text("utf-8", errors="replace")
    assert poison not in fake.pending_update_ids()  # confirmed: it never comes back
    assert fake.fetches[poison] <= 2  # handed out with its answer, maybe once more
    assert before < 20 and after <= 3, (before, after)  # long polls, no spinning
    assert written.count("update_skipped") == 1, written
    assert "Traceback" not in written and len(written.splitlines()) < 20, written


async def test_polling_errors_back_off_and_are_logged_once_a_minute(
    fake: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    fake.fail_next("getUpdates", status=502, count=2)  # the first two polls
    async with antipestbot_run(fake, env, log):
        fake.push_command(PUPIL, "/start")
        await fake.wait_for(answered, timeout=20)

    written = log.read_text("utf-8", errors="replace")
    failed = [c for c in fake.calls if c.method == "getUpdates" and c.fault == "502"]
    assert len(failed) == 2
    assert failed[1].at - failed[0].at >= 0.9  # PTB waited (1 s, then longer) before retrying
    assert written.count(POLL_FAILED) == 1, written
