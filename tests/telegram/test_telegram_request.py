"""`AiohttpRequest`: python-telegram-bot's HTTP layer on aiohttp, against the fake Bot API."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import timedelta

import pytest
from support.fakebotapi import Upload
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import RequestData

from bot.channels.telegram.request import AiohttpRequest


def _bot(fake, request=None, updates_request=None) -> Bot:
    return Bot(
        fake.token,
        base_url=f"{fake.url}/bot",
        base_file_url=f"{fake.url}/file/bot",
        request=request or AiohttpRequest(),
        get_updates_request=updates_request or AiohttpRequest(connection_pool_size=1),
    )


async def test_sends_a_message_with_a_keyboard(fake):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja 👍", callback_data="menu:yes")]])
    async with _bot(fake) as bot:
        message = await bot.send_message(4321, "Hallo & welkom? ✅", reply_markup=markup)
    assert message.text == "Hallo & welkom? ✅"
    call = fake.sent(4321, "sendMessage")[0]
    assert call.params["text"] == "Hallo & welkom? ✅"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu:yes"


async def test_long_poll_waits_past_the_read_timeout_and_returns_updates(fake):
    # PTB adds the poll's `timeout` to the request's read timeout, so a poll longer than the
    # read timeout itself is not a timeout.
    updates_request = AiohttpRequest(connection_pool_size=1, read_timeout=0.5)
    async with _bot(fake, updates_request=updates_request) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert time.monotonic() - started >= 0.9
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        fake.push_text(4321, "hoi")
        updates = await asyncio.wait_for(poll, 3)
    assert [u.message.text for u in updates] == ["hoi"]


async def test_uploads_a_photo_as_multipart(fake):
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    async with _bot(fake) as bot:
        message = await bot.send_photo(4321, picture, caption="Bewijs 📸", filename="shot.png")
    assert message.photo
    call = fake.sent(4321, "sendPhoto")[0]
    upload = call.params["photo"]
    assert isinstance(upload, Upload)
    assert upload.data == picture
    assert upload.filename == "shot.png"
    assert call.params["caption"] == "Bewijs 📸"


async def test_downloads_a_file(fake):
    fake.add_file("doc-1", b"evidence bytes")
    async with _bot(fake) as bot:
        file = await bot.get_file("doc-1")
        assert bytes(await file.download_as_bytearray()) == b"evidence bytes"


async def test_a_slow_answer_is_timed_out(fake):
    fake.fail_next("sendMessage", status=200, delay=1.0)  # a delay only
    async with _bot(fake, request=AiohttpRequest(read_timeout=0.2)) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(4321, "te laat")
        # The per-call timeout wins over the default.
        fake.fail_next("sendMessage", status=200, delay=0.3)
        assert (await bot.send_message(4321, "op tijd", read_timeout=2)).text == "op tijd"


async def test_a_full_pool_is_timed_out():
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1, connect_timeout=0.1)
    # Two requests through a one-connection pool: the second waits for the first too long.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}/slow"
        async with request:
            first = asyncio.create_task(request.post(url, RequestData(), read_timeout=2))
            await asyncio.sleep(0.05)
            with pytest.raises(TimedOut):
                await request.post(url, RequestData(), read_timeout=2)
            first.cancel()
            with pytest.raises((asyncio.CancelledError, TimedOut)):
                await first


async def test_a_refused_connection_is_a_network_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    async with AiohttpRequest() as request:
        bot = Bot(
            "123:abc",
            base_url=f"http://127.0.0.1:{port}/bot",
            request=request,
            get_updates_request=AiohttpRequest(),
        )
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(1, "hoi")
    assert not isinstance(caught.value, TimedOut)
    assert "aiohttp." in str(caught.value)


async def test_flood_control_becomes_retry_after(fake):
    fake.fail_next("sendMessage", status=429, retry_after=7)
    async with _bot(fake) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(4321, "te snel")
        retry = caught.value.retry_after  # a timedelta once PTB_TIMEDELTA is set (the channel)
        assert (retry.total_seconds() if isinstance(retry, timedelta) else retry) == 7
        # The request keeps working after an error answer.
        assert (await bot.send_message(4321, "weer goed")).text == "weer goed"


async def test_shutdown_closes_and_initialize_reopens(fake):
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{fake.url}/bot{fake.token}/getMe", "POST")
    await request.initialize()
    status, body = await request.do_request(f"{fake.url}/bot{fake.token}/getMe", "POST")
    assert status == 200 and b'"ok": true' in body
    session = request._session
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    assert session is not None and session.closed
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{fake.url}/bot{fake.token}/getMe", "POST")
    async with request:
        status, _ = await request.do_request(f"{fake.url}/bot{fake.token}/getMe", "POST")
    assert status == 200


def test_default_timeouts_match_ptb():
    request = AiohttpRequest()
    assert request.read_timeout == 5.0
    assert AiohttpRequest(read_timeout=None).read_timeout is None
    with pytest.raises(ValueError):
        AiohttpRequest(connection_pool_size=0)


async def test_call_sends_one_json_object_and_returns_the_result(fake):
    request = AiohttpRequest()
    await request.initialize()
    try:
        markup = {"inline_keyboard": [[{"text": "Ja 👍", "callback_data": "menu:yes"}]]}
        url = f"{fake.url}/bot{fake.token}/sendMessage"
        result = await request.call(url, {"chat_id": 4321, "text": "Hé ✅", "reply_markup": markup})
    finally:
        await request.shutdown()
    assert result["text"] == "Hé ✅" and result["chat"]["id"] == 4321
    assert fake.sent(4321, "sendMessage")[0].params["reply_markup"] == markup
    assert fake.violations == []


@pytest.mark.parametrize(
    ("status", "retry_after"),
    [(400, None), (401, None), (403, None), (404, None), (409, None), (429, 3), (500, None)],
)
async def test_call_raises_what_ptb_raises_for_the_same_answer(fake, status, retry_after):
    """`call` maps Bot API errors itself; it must agree with PTB's BaseRequest.post."""
    caught: list[Exception] = []
    async with _bot(fake) as bot:
        for send in (
            lambda: bot.send_message(4321, "hallo"),
            lambda: bot.request.call(
                f"{bot.base_url}/sendMessage", {"chat_id": 4321, "text": "hallo"}
            ),
        ):
            fake.fail_next("sendMessage", status=status, retry_after=retry_after)
            with pytest.raises(TelegramError) as error:
                await send()
            caught.append(error.value)
    ptb, ours = caught
    assert type(ours) is type(ptb), (ours, ptb)
    assert ours.message == ptb.message
    assert getattr(ours, "retry_after", None) == getattr(ptb, "retry_after", None)
