"""Drive tests/support/fakebotapi.py with the real python-telegram-bot stack."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from support.fakebotapi import FakeBotApi, Upload
from support.walks import report_as_pupil
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

pytestmark = pytest.mark.asyncio

KID = 4242


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail the test if anything opens a TCP connection to a non-loopback address."""
    foreign: list[Any] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
            "127.0.0.1",
            "::1",
        ):
            foreign.append(address)
            raise OSError(f"test tried to reach {address}")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield foreign
    assert not foreign, f"non-loopback connections attempted: {foreign}"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = [
        [InlineKeyboardButton("Ja", callback_data="ja")],
        [
            InlineKeyboardButton("Nee", callback_data="nee"),
            InlineKeyboardButton("Hulp", url="https://example.invalid/hulp"),
        ],
    ]
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "Gaat het goed?", reply_markup=InlineKeyboardMarkup(keyboard)
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer("Dank je!")
    await query.edit_message_text(f"Je koos {query.data} op: {query.message.text}")


@pytest_asyncio.fixture
async def app(fake: FakeBotApi) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    application.add_handler(CallbackQueryHandler(_button))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_text_is_echoed(fake: FakeBotApi, app: Application) -> None:
    fake.push_text(KID, "hallo")
    call = await fake.wait_for(lambda c: c.method == "sendMessage")
    assert call.params["chat_id"] == KID
    await fake.wait_idle()
    assert fake.texts(KID) == ["echo: hallo"]
    assert [c.method for c in fake.sent(KID)] == ["sendMessage"]
    assert fake.calls[0].method == "getMe"
    assert fake.violations == []


async def test_inline_keyboard_and_callback(fake: FakeBotApi, app: Application) -> None:
    fake.push_command(KID, "/start")
    await fake.wait_for(lambda c: c.method == "sendMessage")
    assert fake.last_buttons(KID) == [
        ("Ja", "ja"),
        ("Nee", "nee"),
        ("Hulp", "https://example.invalid/hulp"),
    ]
    mark = len(fake.calls)
    fake.push_callback(KID, "nee")
    answer = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    assert answer.params["text"] == "Dank je!"
    await fake.wait_for(lambda c: c.method == "editMessageText", after=mark)
    await fake.wait_idle()
    assert fake.texts(KID) == ["Gaat het goed?", "Je koos nee op: Gaat het goed?"]
    assert fake.last_buttons(KID) == []  # the edit dropped the keyboard
    assert fake.violations == []


async def test_too_long_text_is_a_violation(fake: FakeBotApi, app: Application) -> None:
    await app.bot.send_message(KID, "x" * 4097)
    assert fake.violations == ["sendMessage: text length 4097 not in 1..4096"]


async def test_entities_are_checked_in_utf16_units(fake: FakeBotApi, app: Application) -> None:
    text = "📊 Cijfers"  # the emoji is two UTF-16 units: 10 in all
    await app.bot.send_message(KID, text, entities=[{"type": "pre", "offset": 0, "length": 10}])
    assert fake.violations == []
    await app.bot.send_message(KID, text, entities=[{"type": "pre", "offset": 0, "length": 11}])
    await app.bot.send_message(
        KID, text, entities=[{"type": "monospace", "offset": 0, "length": 2}]
    )
    assert fake.violations == [
        "sendMessage: entities: pre at 0+11 outside the text's 10 units",
        "sendMessage: entities: unknown entity type 'monospace'",
    ]


async def test_keyboard_and_command_rules(fake: FakeBotApi, app: Application) -> None:
    long_data = InlineKeyboardButton("Te lang", callback_data="é" * 33)  # 66 bytes
    await app.bot.send_message(KID, "kies", reply_markup=InlineKeyboardMarkup([[long_data]]))
    await app.bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("Hulp", "x" * 257)])
    assert len(fake.violations) == 3, fake.violations
    assert "callback_data" in fake.violations[0]
    assert fake.violations[1] == "setMyCommands: bad command 'Hulp'"
    assert await app.bot.get_my_commands() == (
        BotCommand("start", "Begin"),
        BotCommand("Hulp", "x" * 257),
    )


async def test_unknown_method_and_bad_token(fake: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.url}/bot{fake.token}/sendPigeon", data={"a": "1"}) as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found: method not found"
        async with http.post(f"{fake.url}/bot1:wrong/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
    assert fake.violations == ["sendPigeon: method not in the Bot API spec"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_retry_after(fake: FakeBotApi, app: Application) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1)
    url = f"{fake.url}/bot{fake.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": KID, "text": "hoi"}) as resp:
            body = await resp.json()
            assert resp.status == 429
            assert body["parameters"] == {"retry_after": 1}
        async with http.post(url, json={"chat_id": KID, "text": "hoi"}) as resp:
            assert resp.status == 200
    fake.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter):
        await app.bot.send_message(KID, "nog eens")
    assert [c.ok for c in fake.sent(KID)] == [False, True, False]
    assert fake.texts(KID) == ["hoi"]
    assert fake.violations == []


async def test_files_and_uploads(fake: FakeBotApi, app: Application) -> None:
    fake.push_photo(KID, file_id="pic1", caption="kijk")
    fake.add_file("pic1", b"\x89PNG fake")
    await fake.wait_idle()
    tg_file = await app.bot.get_file("pic1")
    assert bytes(await tg_file.download_as_bytearray()) == b"\x89PNG fake"
    with pytest.raises(BadRequest):
        await app.bot.get_file("nope")
    message = await app.bot.send_photo(KID, photo=b"raw image bytes", caption="Hier")
    upload = fake.sent(KID, "sendPhoto")[0].params["photo"]
    assert isinstance(upload, Upload) and upload.data == b"raw image bytes"
    assert fake.texts(KID) == ["Hier"]
    sent_file = await app.bot.get_file(message.photo[-1].file_id)
    assert bytes(await sent_file.download_as_bytearray()) == b"raw image bytes"
    await app.bot.send_chat_action(KID, "typing")
    assert fake.violations == []


async def test_pushed_updates_parse_in_ptb(fake: FakeBotApi, app: Application) -> None:
    seen: list[Update] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)

    app.add_handler(MessageHandler(filters.Sticker.ALL | filters.PHOTO, record), group=1)
    app.add_handler(MessageHandler(filters.ChatType.GROUPS, record), group=1)
    fake.push_sticker(KID)
    fake.push_photo(KID, file_size=123)
    fake.push_text(KID, "in de groep", chat_id=-100, chat_type="supergroup", username="kid")
    fake.push_callback(KID, "ja", message_id=99)  # unknown message: minimal stand-in
    await fake.wait_idle()
    sticker, photo, group = seen
    assert sticker.effective_message is not None and sticker.effective_message.sticker
    assert (
        photo.effective_message is not None and photo.effective_message.photo[-1].file_size == 123
    )
    assert group.effective_chat is not None and group.effective_chat.type == "supergroup"
    assert fake.sent(KID, "editMessageText")[0].ok is False  # _button edits message 99: not found
    assert fake.violations == []


async def test_edits_behave_like_telegram(fake: FakeBotApi, app: Application) -> None:
    message = await app.bot.send_message(KID, "hoi")
    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_text("hoi", KID, message.message_id)
    edited = await app.bot.edit_message_text("doei", KID, message.message_id)
    assert isinstance(edited, Message) and edited.text == "doei"
    assert await app.bot.delete_message(KID, message.message_id)
    with pytest.raises(AssertionError, match=r"(?s)no matching call.*deleteMessage"):
        await fake.wait_for(lambda c: c.method == "sendPigeon", timeout=0.1)
    assert fake.violations == []


async def test_loopback_guard_catches_foreign_hosts(loopback_only: list[Any]) -> None:
    with pytest.raises(OSError, match="tried to reach"):
        socket.create_connection(("203.0.113.7", 80), timeout=0.1)  # TEST-NET-3, never routed
    assert loopback_only == [("203.0.113.7", 80)]
    loopback_only.clear()


async def _post(fake: FakeBotApi, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    url = f"{fake.url}/bot{fake.token}/{method}"
    async with aiohttp.ClientSession() as http, http.post(url, json=params) as resp:
        return resp.status, await resp.json()


async def _faults_seen(seed: int, chats: list[int]) -> list[str | None]:
    async with FakeBotApi() as api:
        api.fault_rate(["sendMessage"], share=0.5, seed=seed, slow=0.01)
        for n in range(8):
            for chat in chats:
                await _post(api, "sendMessage", chat_id=chat, text=f"bericht {n}")
        return [c.fault for c in sorted(api.calls, key=lambda c: c.params["chat_id"])]


async def test_fault_rate_is_seeded_per_chat() -> None:
    first = await _faults_seen(7, [1, 2, 3])
    # Another order of chats (interleaving) gives every chat the same faults.
    assert await _faults_seen(7, [3, 1, 2]) == first
    assert await _faults_seen(8, [1, 2, 3]) != first
    assert {"429", "500", "slow"} <= set(first) and None in first


async def test_fault_rate_answers_like_telegram_and_is_bounded(fake: FakeBotApi) -> None:
    policy = fake.fault_rate(["sendMessage"], share=1.0, statuses=(500,), slow=0, limit=2)
    assert (await _post(fake, "sendMessage", chat_id=KID, text="a"))[0] == 500
    assert (await _post(fake, "sendMessage", chat_id=KID, text="b"))[0] == 500
    assert (await _post(fake, "sendMessage", chat_id=KID, text="c"))[0] == 200  # limit reached
    assert (await _post(fake, "getMe"))[0] == 200  # only the methods named
    assert policy.injected == {"500": 2}

    policy = fake.fault_rate(["sendMessage"], share=1.0, statuses=(), slow=0.2)
    started = time.monotonic()
    assert (await _post(fake, "sendMessage", chat_id=KID, text="d"))[0] == 200
    assert time.monotonic() - started >= 0.2
    policy.off()
    assert (await _post(fake, "sendMessage", chat_id=KID, text="e"))[0] == 200
    assert policy.injected == {"slow": 1}
    assert fake.texts(KID) == ["c", "d", "e"]
    assert fake.violations == []


async def test_a_429_opens_a_flood_window_for_its_chat(fake: FakeBotApi) -> None:
    policy = fake.fault_rate(["sendMessage"], share=1.0, statuses=(429,), slow=0, retry_after=1)
    status, body = await _post(fake, "sendMessage", chat_id=KID, text="a")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    policy.off()
    status, body = await _post(fake, "sendMessage", chat_id=KID, text="too soon")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    assert (await _post(fake, "sendMessage", chat_id=KID + 1, text="other chat"))[0] == 200
    assert [c.params["text"] for c in fake.early] == ["too soon"]
    await asyncio.sleep(1.0)
    assert (await _post(fake, "sendMessage", chat_id=KID, text="in time"))[0] == 200
    assert fake.texts(KID) == ["in time"]
    assert [c.fault for c in fake.sent(KID)] == ["429", "flood", None]


async def test_fail_next_for_one_chat(fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", status=403, chat_id=KID)
    assert (await _post(fake, "sendMessage", chat_id=KID + 1, text="a"))[0] == 200
    assert (await _post(fake, "sendMessage", chat_id=KID, text="b"))[0] == 403
    assert (await _post(fake, "sendMessage", chat_id=KID, text="c"))[0] == 200
    assert [c.params["text"] for c in fake.delivered(method="sendMessage")] == ["a", "c"]


async def test_a_held_call_whose_client_leaves_is_never_delivered(fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", status=200, delay=30, chat_id=KID)
    timeout = aiohttp.ClientTimeout(total=0.3)
    with pytest.raises(TimeoutError):
        async with aiohttp.ClientSession(timeout=timeout) as http:
            url = f"{fake.url}/bot{fake.token}/sendMessage"
            await http.post(url, json={"chat_id": KID, "text": "weg"})
    await fake.wait_until(lambda: bool(fake.abandoned), timeout=2, what="abandoned")
    (call,) = fake.abandoned
    assert (call.ok, call.abandoned, call.fault) == (False, True, "delay")
    assert fake.sent(KID) == [] and fake.texts(KID) == [] and fake.delivered() == []
    await fake.wait_idle(quiet=0.01, timeout=2)  # the held call no longer counts as in flight
    # The message was never created: the next one gets the first message id.
    status, body = await _post(fake, "sendMessage", chat_id=KID, text="wel")
    assert (status, body["result"]["message_id"]) == (200, 1)
    assert fake.texts(KID) == ["wel"]


async def test_updates_stay_until_confirmed_and_are_fetched_again(fake: FakeBotApi) -> None:
    first = fake.push_text(KID, "een")
    second = fake.push_text(KID, "twee")
    _status, body = await _post(fake, "getUpdates", timeout=0)
    assert [u["update_id"] for u in body["result"]] == [first, second]
    # A poller that died before confirming: a new one (offset 0) gets them again.
    _status, body = await _post(fake, "getUpdates", timeout=0)
    assert len(body["result"]) == 2 and fake.pending_update_ids() == [first, second]
    _status, body = await _post(fake, "getUpdates", offset=second, timeout=0)
    assert [u["update_id"] for u in body["result"]] == [second]
    assert fake.pending_update_ids() == [second]
    assert fake.fetches == {first: 2, second: 3}


async def test_a_person_waits_for_a_bot_that_thinks_longer_than_the_quiet_window(
    bot, person, coordinator
):
    # On a loaded machine the bot may answer a button (the spinner) and then think for longer
    # than the quiet window before its reply; the person must still get that reply.
    anna = coordinator(501, "Juf Anna")
    code = await report_as_pupil(person(9001), "Ze sturen nare berichten.")
    conversation = bot.channel.conversation
    handle = conversation.handle

    async def slowly(who, inbound):
        await asyncio.sleep(0.4)
        return await handle(who, inbound)

    conversation.handle = slowly
    replies = await anna.press_data(f"*:open:{code}")
    assert any(code in reply for reply in replies)
