"""Users are answered at the same time, each user's own updates in order, and the event loop
stays free while the database waits for a lock another process holds (issue 11, item 15).

What is asserted is order (which request the Bot API saw first), measured against the delay the
fake injects, never a speed.
"""

from __future__ import annotations

import asyncio
import sqlite3

SLOW, QUICK = 7001, 7002


def _delivered(fake, chat: int) -> list[str]:
    return [c.params["text"] for c in fake.delivered(chat, "sendMessage")]


async def test_a_slow_reply_to_one_user_holds_up_nobody_else(bot, fake):
    held = 3.0  # the fake holds the slow user's answer this long before carrying it out
    fake.fail_next("sendMessage", status=200, delay=held, chat_id=SLOW)
    fake.push_command(SLOW, "/start")
    slow = await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == SLOW)
    fake.push_command(QUICK, "/start")
    quick = await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params["chat_id"] == QUICK, timeout=10
    )
    # Handled one at a time, the quick answer could only leave after the held one was done.
    assert quick.at < slow.at + held


async def test_one_users_updates_are_answered_in_the_order_they_came(bot, fake):
    held = 1.5
    fake.fail_next("sendMessage", status=200, delay=held, chat_id=SLOW)
    fake.push_command(SLOW, "/start")
    fake.push_command(SLOW, "/privacy")
    start = await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == SLOW)
    privacy = await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params["text"].startswith("🔒"), timeout=10
    )
    # The second answer left only after the first one was carried out: never overtaking it.
    assert privacy.at >= start.at + held * 0.9


async def test_the_loop_stays_free_while_the_database_is_locked_by_another_process(bot, fake, env):
    other = sqlite3.connect(env["ANTIPEST_DB"], isolation_level=None, timeout=1)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE meta SET value = value WHERE 0")  # a write lock, as a writer holds it
    try:
        fake.push_command(SLOW, "/start")  # its turn waits for the lock, off the event loop
        await asyncio.sleep(0.3)
        press = fake.push_callback(QUICK, "*:help")
        # The button's spinner is answered at once: the loop is not stuck in SQLite.
        await fake.wait_for(lambda c: c.method == "answerCallbackQuery", timeout=2)
        assert press and _delivered(fake, SLOW) == []
    finally:
        other.execute("COMMIT")
        other.close()
    await fake.wait_until(
        lambda: _delivered(fake, SLOW) and _delivered(fake, QUICK), timeout=15, what="answers"
    )


async def test_a_press_whose_spinner_answer_fails_is_still_handled(bot, fake, person):
    pupil = person(SLOW)
    await pupil.say("/start")
    fake.fail_next("answerCallbackQuery", status=500)
    replies = await pupil.press("pupil")
    assert replies and not any("Oeps" in text for text in replies), replies
    assert "report" in [data.split(":")[1] for _label, data in pupil.buttons()]
