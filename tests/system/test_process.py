"""`antipestbot run` as a real process against the fake Bot API: start, talk, stop cleanly."""

from __future__ import annotations

import asyncio
import signal
import sys

from support.processes import clean_environ


async def test_the_bot_process_answers_and_stops_on_sigterm(fake, env, tmp_path):
    process_env = {
        **clean_environ(),
        **env,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=process_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda c: c.method == "getUpdates", timeout=15)
        fake.push_command(4321, "/start")
        reply = await fake.wait_for(
            lambda c: c.method == "sendMessage" and c.params["chat_id"] == 4321, timeout=10
        )
        assert reply.params["text"]
    finally:
        bot.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(bot.communicate(), timeout=15)
    assert bot.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert fake.token.encode() not in err
