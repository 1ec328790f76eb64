"""Webhook mode: PTB's real webhook server on 127.0.0.1, the fake Bot API for everything else.

Telegram proves a webhook call is its own with the X-Telegram-Bot-Api-Secret-Token header; a
request without it, or with another value, must get 403 and change nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from support.processes import clean_environ, one_sentence

from bot.app import App, build
from bot.channels.telegram.traits import Webhook
from bot.cli import WEBHOOK_PURPOSE, main
from bot.crypto import Vault, load_or_create_key
from bot.settings import SettingsError, load_settings

URL = "https://bot.school.example/telegram/hook"
SECRET = "s3cret-Token_for-the-webhook-0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Telegram:
    """Posts updates to the bot's webhook server as Telegram would (or as a forger would)."""

    def __init__(self, port: int) -> None:
        self.host_port = ("127.0.0.1", port)
        self.address = f"http://127.0.0.1:{port}/telegram/hook"
        self.update_ids = iter(range(1000, 2000))

    def message(self, user_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": "Kind", "language_code": "nl"}
        entities = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        message = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Kind"},
            "from": user,
            "text": text,
            **({"entities": entities} if text.startswith("/") else {}),
        }
        return {"update_id": update_id or next(self.update_ids), "message": message}

    async def listening(self, timeout: float = 10.0) -> None:
        """Until the server accepts connections (PTB calls setWebhook just before it listens)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                _reader, writer = await asyncio.open_connection(*self.host_port)
            except OSError:
                assert time.monotonic() < deadline, "the webhook server never listened"
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[HEADER] = secret
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.address, data=json.dumps(update), headers=headers) as response,
        ):
            return response.status


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def telegram(port) -> Telegram:
    return Telegram(port)


@pytest.fixture
async def channel(fake, env, port) -> AsyncIterator[App]:
    """The bot in webhook mode on 127.0.0.1:`port`, calling the fake Bot API."""
    settings = load_settings(
        {**env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}
    )
    app = build(settings)
    await app.start([app.telegram(webhook=Webhook(URL, SECRET, "127.0.0.1", port))])
    yield app
    await app.stop()
    app.stores.db.close()


def replies_to(fake, chat_id: int) -> list[str]:
    return [c.params["text"] for c in fake.sent(chat_id, "sendMessage")]


async def test_the_bot_registers_its_webhook_with_the_secret(channel, fake):
    (call,) = [c for c in fake.calls if c.method == "setWebhook"]
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert {"message", "callback_query", "edited_message"} <= set(call.params["allowed_updates"])
    assert not [c for c in fake.calls if c.method == "getUpdates"], "no polling in webhook mode"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-0123456789", SECRET + "x"])
async def test_a_forged_update_gets_403_and_is_not_processed(channel, telegram, fake, secret):
    status = await telegram.post(telegram.message(4321, "/start"), secret=secret)
    assert status == 403
    await asyncio.sleep(0.3)  # time enough for a wrongly accepted update to be answered
    assert replies_to(fake, 4321) == []
    db = channel.stores.db
    assert db.rows("SELECT * FROM deliveries") == [] and db.rows("SELECT * FROM sessions") == []


async def test_an_update_with_the_secret_is_answered(channel, telegram, fake):
    assert await telegram.post(telegram.message(4321, "/start")) == 200
    reply = await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 4321)
    assert reply.params["text"]


async def test_a_replayed_update_is_answered_once(channel, telegram, fake, caplog):
    caplog.set_level(logging.INFO, logger="bot.chat.service")
    update = telegram.message(4321, "/start")
    assert await telegram.post(update) == 200
    await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 4321)
    await fake.wait_idle()
    answered = replies_to(fake, 4321)

    assert await telegram.post(update) == 200  # Telegram retries a call it saw no answer to
    deadline = time.monotonic() + 5
    while "delivery_repeated" not in caplog.text:
        assert time.monotonic() < deadline, "the repeated update was never seen"
        await asyncio.sleep(0.02)
    await fake.wait_idle()
    assert replies_to(fake, 4321) == answered


# --- the command -------------------------------------------------------------------------------


def _process_env(env: dict[str, str], fake) -> dict[str, str]:
    clean = clean_environ()
    return {**clean, **env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}


async def test_run_with_a_webhook_url_uses_a_secret_derived_from_the_key(
    fake, env, tmp_path, port, telegram
):
    bot = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "run", "--webhook-url", URL, "--port", str(port)),
        cwd=tmp_path,
        env=_process_env(env, fake),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        registered = await fake.wait_for(lambda c: c.method == "setWebhook", timeout=15)
        await fake.wait_for(lambda c: c.method == "setMyCommands", timeout=5)
        vault = Vault(load_or_create_key(Path(env["ANTIPEST_SECRET_KEY_FILE"])))
        secret = vault.derived(WEBHOOK_PURPOSE)
        assert registered.params["secret_token"] == secret
        await telegram.listening()
        update = telegram.message(4321, "/start")
        assert await telegram.post(update, secret="not-it-0123456789abc") == 403
        assert await telegram.post(update, secret=secret) == 200
        await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 4321)
    finally:
        bot.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(bot.communicate(), timeout=15)
    assert bot.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert fake.token.encode() not in err and secret.encode() not in err


async def test_a_taken_port_is_one_sentence(fake, env, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "run", "--webhook-url", URL, "--port", str(port)),
            cwd=tmp_path,
            env=_process_env(env, fake),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(bot.communicate(), timeout=30)
    one_sentence(bot.returncode, err.decode(), f"127.0.0.1:{port}")
    assert not [c for c in fake.calls if c.method == "setWebhook"], "Telegram was never told"


BAD_ARGS = {
    "http": (["--webhook-url", "http://bot.school.example/hook"], "--webhook-url"),
    "no host": (["--webhook-url", "https:///hook"], "--webhook-url"),
    "query": (["--webhook-url", "https://bot.school.example/hook?x=1"], "--webhook-url"),
    "port 0": (["--webhook-url", URL, "--port", "0"], "--port"),
    "port too big": (["--webhook-url", URL, "--port", "70000"], "--port"),
    "listen without url": (["--listen", "0.0.0.0"], "--listen"),
    "port without url": (["--port", "8443"], "--port"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGS))
def test_bad_webhook_options_are_one_sentence(case, env, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key, value in {**env, "TELEGRAM_BOT_TOKEN": "123:abc"}.items():
        monkeypatch.setenv(key, value)
    args, mention = BAD_ARGS[case]
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    try:
        code = main(["run", *args])
    finally:  # main() configures logging; undo it
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    one_sentence(code, err, mention)
    assert "bot.school.example" not in err, "the address may hold a secret: not repeated"
    assert not Path(env["ANTIPEST_DB"]).exists(), "checked before anything is created"


@pytest.mark.parametrize("secret", ["short", "has space in it 0123456789", "x" * 257, "é" * 20])
def test_a_malformed_webhook_secret_is_refused(env, secret):
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings({**env, "TELEGRAM_WEBHOOK_SECRET": secret})


def test_the_derived_secret_fits_telegram_and_depends_on_the_key():
    first, second = Vault(bytes(32)), Vault(bytes([1]) * 32)
    secret = first.derived(WEBHOOK_PURPOSE)
    assert load_settings({"TELEGRAM_WEBHOOK_SECRET": secret}).webhook_secret == secret
    assert secret == Vault(bytes(32)).derived(WEBHOOK_PURPOSE), "stable across restarts"
    assert secret != second.derived(WEBHOOK_PURPOSE)
    assert secret != first.derived("another purpose")
