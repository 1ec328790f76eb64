"""Webhook mode: Telegram's updates on the process's one HTTP server, the fake Bot API for the rest.

Telegram proves a webhook call is its own with the X-Telegram-Bot-Api-Secret-Token header; a
request without it, or with another value, must get 403 and change nothing. Whatever is answered
200 is handled (or, unreadable, skipped for good): Telegram sends anything else again.
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
from bot.channels.base import StartError
from bot.channels.http import HttpServer
from bot.channels.telegram.traits import Webhook
from bot.channels.telegram.webhook import MAX_UPDATE_BYTES, webhook_path
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
    """Posts updates to the bot's webhook route as Telegram would (or as a forger would)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.address = f"{self.base}/telegram/hook"
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

    async def post(self, update: Any, secret: str | None = SECRET) -> int:
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        return await self.post_raw(body, secret)

    async def post_raw(self, body: Any, secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[HEADER] = secret
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.address, data=body, headers=headers) as response,
        ):
            return response.status


def settings_for(fake, env):
    return load_settings({**env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url})


@pytest.fixture
async def served(fake, env) -> AsyncIterator[tuple[App, HttpServer]]:
    """The bot in webhook mode on a free port of 127.0.0.1, calling the fake Bot API."""
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    channel = app.telegram(webhook=Webhook(URL, SECRET), http=http)
    await app.start([channel], http)
    fake.settled = channel.settled
    yield app, http
    await app.stop()
    fake.settled = lambda: True
    app.stores.db.close()


@pytest.fixture
def channel(served) -> App:
    return served[0]


@pytest.fixture
def telegram(served) -> Telegram:
    return Telegram(served[1].port)


def replies_to(fake, chat_id: int) -> list[str]:
    return [c.params["text"] for c in fake.sent(chat_id, "sendMessage")]


async def answered(fake, chat_id: int) -> None:
    await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == chat_id)


async def test_the_bot_registers_its_webhook_with_the_secret(channel, fake):
    (call,) = [c for c in fake.calls if c.method == "setWebhook"]
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert call.params.get("drop_pending_updates") in (None, False), "nothing sent meanwhile lost"
    assert {"message", "callback_query", "edited_message"} <= set(call.params["allowed_updates"])
    polling = {"getUpdates", "deleteWebhook"} & {c.method for c in fake.calls}
    assert not polling, "no polling in webhook mode"


async def test_stopping_leaves_the_webhook_set(fake, env):
    """Telegram keeps what comes while the bot is down, and sends it when it is back."""
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    await app.start([app.telegram(webhook=Webhook(URL, SECRET), http=http)], http)
    await app.stop()
    app.stores.db.close()
    assert "deleteWebhook" not in {c.method for c in fake.calls}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-0123456789", SECRET + "x", SECRET[:-1]])
async def test_a_forged_update_gets_403_and_is_not_processed(channel, telegram, fake, secret):
    status = await telegram.post(telegram.message(4321, "/start"), secret=secret)
    assert status == 403
    await asyncio.sleep(0.3)  # time enough for a wrongly accepted update to be answered
    assert replies_to(fake, 4321) == []
    db = channel.stores.db
    assert db.rows("SELECT * FROM deliveries") == [] and db.rows("SELECT * FROM sessions") == []


async def test_an_update_with_the_secret_is_answered(channel, telegram, fake):
    assert await telegram.post(telegram.message(4321, "/start")) == 200
    await answered(fake, 4321)
    assert replies_to(fake, 4321)[0]


async def test_a_replayed_update_is_answered_once(channel, telegram, fake, caplog):
    caplog.set_level(logging.INFO, logger="bot.chat.service")
    update = telegram.message(4321, "/start")
    assert await telegram.post(update) == 200
    await answered(fake, 4321)
    await fake.wait_idle()
    first = replies_to(fake, 4321)

    assert await telegram.post(update) == 200  # Telegram retries a call it saw no answer to
    deadline = time.monotonic() + 5
    while "delivery_repeated" not in caplog.text:
        assert time.monotonic() < deadline, "the repeated update was never seen"
        await asyncio.sleep(0.02)
    await fake.wait_idle()
    assert replies_to(fake, 4321) == first


POISON = {
    "a message without its fields": {"update_id": 1500, "message": {"message_id": 1}},
    "a message that is a string": {"update_id": 1501, "message": "hallo"},
    "no update_id": {},
}


@pytest.mark.parametrize("case", sorted(POISON))
async def test_an_update_that_cannot_be_read_is_skipped_for_good(
    case, channel, telegram, fake, caplog
):
    """Answered 200, so Telegram does not send it again forever; the next one is answered."""
    caplog.set_level(logging.INFO)
    poison = POISON[case]
    assert await telegram.post(poison) == 200
    skipped = [r.getMessage() for r in caplog.records if "update_skipped" in r.getMessage()]
    assert len(skipped) == 1 and skipped[0].startswith("update_skipped error=")
    assert "hallo" not in caplog.text, "nothing of the update is logged"

    assert await telegram.post(telegram.message(4321, "/start")) == 200
    await answered(fake, 4321)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b"null", b""], ids=repr)
async def test_a_body_that_is_no_json_object_is_400(body, channel, telegram, fake):
    assert await telegram.post_raw(body) == 400
    assert await telegram.post(telegram.message(4321, "/start")) == 200
    await answered(fake, 4321)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_is_refused(chunked, channel, telegram, fake):
    huge = telegram.message(4321, "/start")
    huge["message"]["padding"] = "x" * MAX_UPDATE_BYTES
    body = json.dumps(huge).encode()

    async def pieces() -> AsyncIterator[bytes]:  # no Content-Length: the size shows as it comes
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    assert await telegram.post_raw(pieces() if chunked else body) == 413
    await asyncio.sleep(0.3)
    assert replies_to(fake, 4321) == []


async def test_an_update_before_the_bot_runs_gets_503(fake, env):
    """Only the port is bound (start-up goes on): Telegram is told to send it again later."""
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    app.telegram(webhook=Webhook(URL, SECRET), http=http)
    await http.start()
    try:
        telegram = Telegram(http.port)
        assert await telegram.post(telegram.message(4321, "/start")) == 503
        assert await telegram.post(telegram.message(4321, "/start"), secret="nope") == 403
    finally:
        await http.stop()
        app.stores.db.close()


async def test_what_was_answered_200_is_handled_before_the_stop(fake, env):
    """Then, with the server still up, Telegram is told to send an update again later."""
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    channel = app.telegram(webhook=Webhook(URL, SECRET), http=http)
    await app.start([channel], http)
    telegram = Telegram(http.port)
    try:
        assert await telegram.post(telegram.message(4321, "/start")) == 200
        await channel.stop()  # as App.stop does it, before the server's stop
        assert replies_to(fake, 4321), "the update taken was answered"
        assert await telegram.post(telegram.message(4322, "/start")) == 503
    finally:
        await app.stop()
        app.stores.db.close()
    assert replies_to(fake, 4322) == []


async def test_an_update_still_arriving_when_the_channel_stops_gets_503(fake, env):
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    channel = app.telegram(webhook=Webhook(URL, SECRET), http=http)
    await app.start([channel], http)
    telegram, gate = Telegram(http.port), asyncio.Event()
    body = json.dumps(telegram.message(4321, "/start")).encode()

    async def slowly() -> AsyncIterator[bytes]:
        yield body[:10]
        await gate.wait()
        yield body[10:]

    try:
        posting = asyncio.create_task(telegram.post_raw(slowly()))
        deadline = time.monotonic() + 5
        while channel.settled():  # until the request is let in, its body not read yet
            assert time.monotonic() < deadline, "the request never came in"
            await asyncio.sleep(0.01)
        await channel.stop()
        gate.set()
        assert await posting == 503, "the stopped queue would have lost it"
    finally:
        await app.stop()
        app.stores.db.close()
    assert replies_to(fake, 4321) == []


async def test_a_webhook_address_telegram_refuses_is_one_sentence(fake, env):
    fake.fail_next("setWebhook", status=400, description="Bad Request: bad webhook: " + URL)
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    channel = app.telegram(webhook=Webhook(URL, SECRET), http=http)
    with pytest.raises(StartError) as raised:
        await app.start([channel], http)
    app.stores.db.close()
    # What the channel had started is stopped again: the root stops only channels that started.
    assert not channel.application.running
    assert channel.api._session is None, "its HTTP session is closed"
    message = str(raised.value)
    assert message.startswith("The Bot API refuses the webhook address") and message.endswith(".")
    assert URL not in message and "bot.school.example" not in message
    assert [c.method for c in fake.calls].count("setWebhook") == 1, "the address: not retried"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", http.port))  # the port is free again


def test_the_path_is_matched_as_aiohttp_sees_requests():
    assert webhook_path("https://bot.school.example") == "/"
    assert webhook_path("https://bot.school.example/") == "/"
    assert webhook_path("https://bot.school.example/a%20b/{x}") == "/a b/{x}"


def test_a_webhook_needs_a_secret_and_the_server(fake, env):
    app = build(settings_for(fake, env))
    with pytest.raises(ValueError, match="secret"):
        app.telegram(webhook=Webhook(URL, ""), http=HttpServer())
    with pytest.raises(ValueError, match="HTTP server"):
        app.telegram(webhook=Webhook(URL, SECRET))
    app.stores.db.close()


# --- one port for the web chat and Telegram -----------------------------------------------------


async def test_the_web_chat_and_the_webhook_share_one_port(fake, env):
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    channels = [app.web(http), app.telegram(webhook=Webhook(URL, SECRET), http=http)]
    await app.start(channels, http)
    try:
        telegram = Telegram(http.port)
        async with aiohttp.ClientSession() as session, session.get(telegram.base + "/") as page:
            assert page.status == 200
            assert "text/html" in page.headers["Content-Type"]
        assert await telegram.post(telegram.message(4321, "/start")) == 200
        await answered(fake, 4321)
    finally:
        await app.stop()
        app.stores.db.close()


def test_a_webhook_path_the_web_chat_posts_to_is_refused(fake, env):
    app, http = build(settings_for(fake, env)), HttpServer("127.0.0.1", 0)
    app.web(http)
    with pytest.raises(StartError, match="web chat"):
        app.telegram(webhook=Webhook("https://bot.school.example/api/turn", SECRET), http=http)
    app.stores.db.close()


# --- the command -------------------------------------------------------------------------------


def _process_env(env: dict[str, str], fake) -> dict[str, str]:
    clean = clean_environ()
    return {**clean, **env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}


async def test_run_with_a_webhook_url_uses_a_secret_derived_from_the_key(fake, env, tmp_path):
    port = free_port()
    telegram = Telegram(port)
    bot = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "run", "--webhook-url", URL, "--port", str(port)),
        cwd=tmp_path,
        env=_process_env(env, fake),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    secret = ""
    try:
        registered = await fake.wait_for(lambda c: c.method == "setWebhook", timeout=15)
        vault = Vault(load_or_create_key(Path(env["ANTIPEST_SECRET_KEY_FILE"])))
        secret = vault.derived(WEBHOOK_PURPOSE)
        assert registered.params["secret_token"] == secret
        # setWebhook comes after the port is bound and the application runs: no wait needed.
        update = telegram.message(4321, "/start")
        assert await telegram.post(update, secret="not-it-0123456789abc") == 403
        assert await telegram.post(update, secret=secret) == 200
        await answered(fake, 4321)
        async with aiohttp.ClientSession() as session, session.get(telegram.base + "/") as page:
            assert page.status == 200, "the web chat on the same port"
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
    assert fake.calls == [], "Telegram was never called, let alone told a webhook address"


BAD_ARGS = {
    "http": (["--webhook-url", "http://bot.school.example/hook"], "--webhook-url"),
    "no host": (["--webhook-url", "https:///hook"], "--webhook-url"),
    "query": (["--webhook-url", "https://bot.school.example/hook?x=1"], "--webhook-url"),
    "fragment": (["--webhook-url", "https://bot.school.example/hook#x"], "--webhook-url"),
    "bad port": (["--webhook-url", "https://bot.school.example:99999/hook"], "--webhook-url"),
    "port 0": (["--webhook-url", URL, "--port", "0"], "--port"),
    "port too big": (["--webhook-url", URL, "--port", "70000"], "--port"),
    "port 0 without url": (["--port", "0"], "--port"),
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


def test_a_webhook_url_without_a_token_is_one_sentence(env, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    try:
        code = main(["run", "--webhook-url", URL])
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    one_sentence(code, capsys.readouterr().err, "TELEGRAM_BOT_TOKEN")
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
