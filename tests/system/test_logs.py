"""No token, secret, name, reporter id or story in the logs, even at DEBUG and on network errors.

Each test writes the log the way `antipestbot` does (`configure_logging` with a real handler, here
into a file) and also reads pytest's own capture, then searches both for the bot token and for
canaries: a pupil's unique first and last name, username, numeric id and story text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.canary import assert_absent, canary_pupil
from support.running import Running
from support.walks import report_as_pupil

from bot.app import build
from bot.logs import QUIET, REDACTED, WITHHELD, Redactor, configure_logging, protect
from bot.settings import SettingsError, load_settings

STORY = "Na de gym gooien ze mijn kleren in de douche."
SECRET = "webhook-secret-for-the-log-test-0123"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: put it back for the next test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET}
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def log_to_file(path: Path, token: str, **env: str) -> None:
    """The production set-up at DEBUG, with a file handler; the token comes from the env."""
    stream = path.open("a", encoding="utf-8")
    configure_logging(
        logging.DEBUG,
        stream=stream,
        env={"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_WEBHOOK_SECRET": SECRET, **env},
    )


def secrets_of(token: str) -> set[str]:
    return {token, token.partition(":")[2], SECRET}


async def test_a_whole_case_at_debug_with_network_errors_leaves_no_trace(
    fake, env, person, tmp_path, caplog, restore_logging
):
    log = tmp_path / "bot.log"
    log_to_file(log, fake.token)
    caplog.set_level(logging.DEBUG)
    running = Running(fake, env)
    fake.fail_next("getUpdates", status=502)  # the very first poll meets a bad gateway
    await running.start()
    try:
        with running.app.stores.db.transaction():
            running.app.stores.coordinators.add(501, "Juf Anna", "2026-11-23T08:00:00+00:00")
        anna = person(501)
        pupil, canaries = canary_pupil(person, 7777123403, "Loggia")
        fake.fail_next("sendMessage", status=500, chat_id=anna.id)  # the outbox must retry
        code = await report_as_pupil(pupil, STORY)
        await fake.wait_for(
            lambda c: c.method == "sendMessage" and c.params["chat_id"] == anna.id and c.ok,
            timeout=10,
        )
        await anna.press_data(f"*:open:{code}")
        await anna.press("claim")
        await anna.press("note")
        await anna.say("Mentor gebeld.")
        fake.fail_next("sendMessage", status=500, chat_id=pupil.id)  # a reply that fails
        await pupil.say("/start")
    finally:
        await running.stop()

    written = log.read_text(encoding="utf-8")
    # The log really saw the case and the failures: an empty log would pass for a clean one.
    for event in ("telegram_started", f"report_created case={code}", "outbox_retry"):
        assert event in written, event
    assert "Exception happened while polling for updates" in written
    assert "reply_failed error=NetworkError" in written  # kept in the outbox (issue 11, 5)
    assert not re.search(r" DEBUG (telegram|httpx|httpcore|aiohttp|transitions)\b", written)
    needles = canaries | {STORY, "Mentor gebeld"} | secrets_of(fake.token)
    assert_absent(needles, log=written, caplog=caplog.text)


class MalformedBotApi:
    """Answers getMe and the set-up calls, then breaks HTTP itself on getUpdates.

    aiohttp reports a malformed response with the request URL in the error text, so PTB's
    polling loop logs the bot token in its ERROR record unless the log redacts it.
    """

    BOT = {"id": 123456, "is_bot": True, "first_name": "AntiPest", "username": "antipest_bot"}

    async def __aenter__(self) -> MalformedBotApi:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length: *(\d+)", head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                method = head.split(b" ")[1].rsplit(b"/", 1)[-1]
                if method == b"getUpdates":
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: none\r\n\r\n")
                    break
                result = self.BOT if method == b"getMe" else True
                body = json.dumps({"ok": True, "result": result}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_a_network_error_quoting_the_token_url_is_redacted(
    env, tmp_path, caplog, restore_logging
):
    token = "123456:AAH-network-error-token-0123456789"
    log = tmp_path / "bot.log"
    log_to_file(log, token)
    async with MalformedBotApi() as api:
        settings = load_settings({**env, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": api.url})
        app = build(settings)
        await app.start([app.telegram(poll_timeout=1)])
        try:
            for _ in range(200):
                if "Exception happened while polling" in log.read_text(encoding="utf-8"):
                    break
                await asyncio.sleep(0.02)
        finally:
            await app.stop()
            app.stores.db.close()
    written = log.read_text(encoding="utf-8")
    assert "Exception happened while polling for updates" in written
    assert "NetworkError" in written
    assert_absent(secrets_of(token), log=written, caplog=caplog.text)


async def test_library_debug_on_request_still_withholds_payloads_and_token(
    fake, env, person, tmp_path, caplog, restore_logging
):
    log = tmp_path / "bot.log"
    log_to_file(log, fake.token, ANTIPEST_LIBRARY_LOG_LEVEL="DEBUG")
    running = Running(fake, env)
    await running.start()
    try:
        pupil, canaries = canary_pupil(person, 7777123404, "Debuga")
        await report_as_pupil(pupil, STORY)
    finally:
        await running.stop()
    written = log.read_text(encoding="utf-8")
    # The libraries did talk (so the test has something to search) ...
    assert "DEBUG telegram" in written and f"Set Bot API URL: {fake.url}/bot{REDACTED}" in written
    assert f"Calling Bot API endpoint `getUpdates` with parameters `{WITHHELD}`" in written
    # ... and still said nothing about who wrote what.
    assert_absent(canaries | {STORY} | secrets_of(fake.token), log=written, caplog=caplog.text)


def test_libraries_stay_at_warning_when_the_bot_logs_at_debug(restore_logging):
    configure_logging(logging.DEBUG, env={})
    assert logging.getLogger().level == logging.DEBUG
    for name in (*QUIET, "telegram.ext.Updater", "httpx._client"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    configure_logging(logging.DEBUG, env={"ANTIPEST_LIBRARY_LOG_LEVEL": "info"})
    assert logging.getLogger("telegram").getEffectiveLevel() == logging.INFO


def test_a_malformed_library_level_is_one_sentence(restore_logging):
    with pytest.raises(SettingsError, match="ANTIPEST_LIBRARY_LOG_LEVEL"):
        configure_logging(env={"ANTIPEST_LIBRARY_LOG_LEVEL": "LOUD"})


def _record(name: str, msg: str, *args: object, exc: BaseException | None = None):
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)


def _format(redactor: Redactor, record: logging.LogRecord) -> str:
    assert redactor.filter(record)
    return logging.Formatter("%(name)s %(message)s").format(record)


def test_the_token_is_redacted_from_messages_and_chained_exceptions():
    token = "123456:AAH-unit-token-0123456789abcdef"
    redactor = Redactor([token])
    url = f"http://api.example/bot{token}/getUpdates"
    try:
        try:
            raise ConnectionError(f"400, message='bad', url='{url}'")
        except ConnectionError as inner:
            raise RuntimeError(f"aiohttp.ClientResponseError: url={url}") from inner
    except RuntimeError as error:
        record = _record("telegram.ext.Updater", "polling failed at %s", url, exc=error)
    text = _format(redactor, record)
    assert "ClientResponseError" in text and text.count(REDACTED) >= 3
    assert token not in text and token.partition(":")[2] not in text
    encoded = _format(redactor, _record("httpx", "GET %s", url.replace(":", "%3A")))
    assert token.partition(":")[2] not in encoded, "the key part, also URL-encoded"


def test_the_webhook_secret_and_secrets_added_later_are_redacted(restore_logging, caplog):
    redactor = configure_logging(env={"TELEGRAM_WEBHOOK_SECRET": SECRET})
    caplog.handler.addFilter(redactor)
    protect("derived-webhook-secret-0123456789")
    logging.getLogger("bot").error("secrets %s %s", SECRET, "derived-webhook-secret-0123456789")
    assert caplog.text.count(REDACTED) == 2, caplog.text


def test_raw_telegram_payloads_are_withheld():
    redactor = Redactor()
    update = {"message": {"from": {"first_name": "Quintessa"}, "text": "geheim"}}
    for record in (
        _record("telegram.Bot", "Error while parsing updates! Received data was %r", [update]),
        _record("telegram.ext.Updater", "Webhook received data: %s", json.dumps(update)),
        _record("telegram.request", 'Can not load invalid JSON data: "%s"', '{"text": "geheim'),
        _record("telegram.ext.Application", "Processing update %s", object()),
        _record("telegram.Bot", "Calling Bot API endpoint `%s` with parameters `%s`", "x", update),
    ):
        text = _format(redactor, record)
        assert "geheim" not in text and "Quintessa" not in text and "object at" not in text, text
        assert WITHHELD in text
    kept = _format(redactor, _record("telegram.ext.Updater", "%s Failed run %s", "Polling", 3))
    assert kept.endswith("Polling Failed run 3"), "names and counts stay readable"


@pytest.mark.parametrize("secret", ["", " ", "   ", "\t", "short", "1:abc"])
def test_blank_and_short_secrets_are_never_redacted(secret, restore_logging, tmp_path):
    """A token of spaces once turned every space of every log line into [redacted]."""
    line = f"case_claimed case=K7QX-2M by{secret}short 1:abc"
    log = tmp_path / "bot.log"
    with log.open("a", encoding="utf-8") as stream:
        configure_logging(
            stream=stream, env={"TELEGRAM_BOT_TOKEN": secret, "TELEGRAM_WEBHOOK_SECRET": secret}
        )
        logging.getLogger("bot").warning(line)
    assert log.read_text(encoding="utf-8").endswith(f" {line}\n")
    assert Redactor([secret]).redact(line) == line


def test_a_token_with_a_short_key_redacts_the_token_but_not_the_key_alone():
    redactor = Redactor(["1234567:abc"])
    assert redactor.redact("GET /bot1234567:abc/getMe abc") == f"GET /bot{REDACTED}/getMe abc"


def test_no_visitor_address_reaches_the_log(restore_logging):
    # aiohttp's server names the peer when a handler fails; the design keeps no IP address.
    record = _record("aiohttp.server", "Error handling request from %s", "203.0.113.7")
    assert "203.0.113.7" not in _format(Redactor(), record)
    assert "Error handling request" in _format(
        Redactor(), _record("aiohttp.server", "Error handling request from %s", "203.0.113.7")
    )
