"""An answer that fails after its update was committed still comes, through the outbox.

A pupil taps "send": the report is saved and the coordinators are told, and then Telegram answers
the reply that carries the case code with 500, 429 or nothing at all (a timeout). Before, the
pupil read "Oops … please try again" for a report that had been sent, or saw nothing. Now the
channel hands the replies back to the conversation, which keeps them sealed in the outbox for
that chat and delivers them with retries (after a 429's retry_after); "try again" is only said
when nothing was done.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.canary import assert_absent, stored_bytes
from support.fakebotapi import Call, FakeBotApi
from support.texts import say
from support.walks import CASE_CODE, REPORT_PATH

from bot.core import replies
from bot.settings import Settings

PUPIL = 9001
STORY = "Ze gooien mijn jas elke ochtend in de plas bij het hek."


def to_pupil(call: Call) -> bool:
    return call.method == "sendMessage" and call.params.get("chat_id") == PUPIL


async def first(fake: FakeBotApi, match: Callable[[Call], bool], after: int) -> Call:
    """The first call since `after` that matches now (a held call changes when it ends)."""
    found = lambda: [c for c in fake.calls[after:] if match(c)]  # noqa: E731
    await fake.wait_until(lambda: bool(found()), timeout=15, what="a matching call")
    return found()[0]


async def up_to_the_summary(pupil) -> None:
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say(STORY)
    await pupil.walk("story_done", "no_photo")


def reply_rows(bot) -> list[dict]:
    return bot.app.stores.db.rows(
        "SELECT status, content FROM outbox WHERE payload LIKE '%\"reply\"%'"
    )


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 429, "retry_after": 2},
        {"status": 200, "delay": 8.0},  # held past the 5 s read timeout: never carried out
    ],
    ids=["500", "429", "timeout"],
)
async def test_the_case_code_comes_once_when_its_reply_fails(bot, fake: FakeBotApi, person, fault):
    pupil = person(PUPIL)
    await up_to_the_summary(pupil)
    await pupil.press("anonymous")
    mark = len(fake.calls)
    fake.fail_next("sendMessage", chat_id=PUPIL, **fault)

    fake.push_callback(PUPIL, pupil.data_for("send"))
    # (A held call looks fine until the bot gives up on it: it is read once it failed.)
    failed = await first(fake, lambda c: to_pupil(c) and not c.ok, after=mark)
    answer = await first(fake, lambda c: to_pupil(c) and c.ok, after=fake.calls.index(failed))
    await fake.wait_idle(quiet=0.5, timeout=15)

    # The very answer that failed, delivered once, and never "please try again".
    assert answer.params["text"] == failed.params["text"]
    texts = [c.params["text"] for c in fake.delivered(PUPIL, "sendMessage") if c.at >= failed.at]
    codes = CASE_CODE.findall("\n".join(texts))
    assert len(codes) == 1, texts
    assert len(set(texts)) == len(texts), texts
    assert not any(say(bot, replies.FAILED) in text for text in texts), texts
    assert bot.app.stores.reports.get(codes[0], frozenset({1})) is not None
    if fault["status"] == 429:  # not inside the window Telegram asked for
        assert answer.at - failed.at >= fault["retry_after"] - 0.05
    # Delivered, and nothing of it is left at rest.
    assert reply_rows(bot) == [{"status": "sent", "content": None}]


async def test_a_kept_reply_is_sealed_and_its_buttons_work(bot, fake, person, settings: Settings):
    """The summary (with the child's story) fails with a 429; while it waits in the outbox the
    story is nowhere on disk in clear, and when it comes its "send" button sends the report."""
    pupil = person(PUPIL)
    await up_to_the_summary(pupil)
    mark = len(fake.calls)
    fake.fail_next("sendMessage", chat_id=PUPIL, status=429, retry_after=3)
    fake.push_callback(PUPIL, pupil.data_for("anonymous"))
    await first(fake, lambda c: to_pupil(c) and not c.ok, after=mark)
    await fake.wait_until(lambda: len(reply_rows(bot)) == 1, what="the reply kept")

    (kept,) = reply_rows(bot)
    assert kept["status"] == "pending"
    assert_absent({STORY, "jas elke ochtend"}, database=stored_bytes(settings.db_path))

    summary = await first(fake, lambda c: to_pupil(c) and c.ok, after=mark)
    assert "jas elke ochtend" in summary.params["text"]
    replies_to_send = await pupil.press("send")
    assert len(set(CASE_CODE.findall("\n".join(replies_to_send)))) == 1, replies_to_send
