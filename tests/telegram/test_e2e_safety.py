"""Security and privacy, end to end over the fake Bot API with the real PTB stack."""

from __future__ import annotations

import logging
from pathlib import Path

from support.canary import assert_absent, canary_pupil, stored_bytes
from support.texts import say
from support.walks import report_as_pupil

from bot.clock import stamp
from bot.core.replies import FAILED, PRIVATE_ONLY, STALE
from bot.logs import configure_logging


async def test_forged_buttons_from_a_pupil_cannot_touch_a_case(bot, fake, person, coordinator):
    coordinator(501, "Juf Anna")
    code = await report_as_pupil(person(9001), "Ze pakken steeds mijn pet af.")
    intruder = person(9002)
    await intruder.start()
    stale = say(bot, STALE)
    for data in (
        f"*:open:{code}",
        f"case:claim:{code}",
        f"case_status:status_closed:{code}",
        f"case_close:outcome_text:{code}",
        "*:queue",
        "garbage",
        "menu:check:x:y",
    ):
        replies = await intruder.press_data(data)
        assert replies[0] == stale, (data, replies)
        assert code not in "\n".join(replies)
    report = bot.app.stores.reports.get(code, frozenset({1}))
    assert (report.status, report.assignee, report.phase) == ("new", None, None)
    assert bot.app.stores.db.rows("SELECT * FROM audit WHERE report = ?", (code,)) == []


async def test_a_coordinator_button_from_another_case_is_refused(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    first = await report_as_pupil(person(9001), "Eerste melding.")
    second = await report_as_pupil(person(9002), "Tweede melding.")
    await anna.press_data(f"*:open:{first}")
    old_claim = anna.data_for("claim")
    await anna.press_data(f"*:open:{second}")
    replies = await anna.press_data(old_claim)
    assert replies[0] == say(bot, STALE)
    assert bot.app.stores.reports.get(first, frozenset({1})).assignee is None
    assert bot.app.stores.reports.get(second, frozenset({1})).assignee is None


async def test_report_text_reaches_coordinators_as_literal_text(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    story = '<b>x</b> & <a href="http://evil">'
    code = await report_as_pupil(person(9001), story)
    await anna.press_data(f"*:open:{code}")
    shown = [c for c in fake.sent(anna.id, "sendMessage") if story in c.params["text"]]
    assert shown, fake.texts(anna.id)
    assert all("parse_mode" not in c.params and "entities" not in c.params for c in fake.sent())


async def test_in_a_group_the_bot_answers_once_and_leaves(bot, fake):
    group = -100123
    fake.push_text(4242, "/start", chat_id=group, chat_type="group")
    await fake.wait_idle()
    assert [c.params["text"] for c in fake.sent(group, "sendMessage")] == [say(bot, PRIVATE_ONLY)]
    assert len(fake.sent(group, "leaveChat")) == 1
    assert bot.app.stores.db.rows("SELECT * FROM sessions") == []


async def test_an_anonymous_reporter_leaves_no_trace(bot, fake, person, coordinator, caplog, env):
    configure_logging(logging.INFO)
    caplog.set_level(logging.INFO)
    anna = coordinator(501, "Juf Anna")
    pupil, canaries = canary_pupil(person, 7777123401, "Quintess")
    code = await report_as_pupil(pupil, "Iemand lacht me elke dag uit.", photos=["shot-9"])
    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")
    await anna.press("note")
    await anna.say("Gesprek met de leerkracht gepland.")

    seen_by_coordinator = "\n".join(fake.texts(anna.id))
    assert code in seen_by_coordinator
    stored = stored_bytes(Path(env["ANTIPEST_DB"]))
    assert_absent(canaries, coordinator=seen_by_coordinator, database=stored, logs=caplog.text)
    assert_absent({fake.token, "Iemand lacht me"}, logs=caplog.text, database=stored)


async def test_invite_link_makes_a_coordinator_once(bot, fake, person):
    stores = bot.app.stores
    with stores.db.transaction():
        code = stores.coordinators.invite("Juf Anna", stamp(bot.clock))  # invites expire: made now
    anna, other = person(601), person(602)
    replies = await anna.say(f"/start {code}")
    assert any("Juf Anna" in text for text in replies)
    assert stores.coordinators.by_telegram_id(601).name == "Juf Anna"
    await other.say(f"/start {code}")
    assert stores.coordinators.by_telegram_id(602) is None
    assert "role:pupil" in [data for _label, data in other.buttons()]


async def test_an_internal_failure_gets_a_kind_answer_and_no_content_in_logs(
    bot, fake, person, caplog, monkeypatch
):
    pupil = person(9001)
    await pupil.start()

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret story text")

    monkeypatch.setattr(bot.app.service, "_step", broken)
    replies = await pupil.say("hallo")
    assert replies == [say(bot, FAILED)]
    assert "secret story text" not in caplog.text
    assert "update_failed error=RuntimeError" in caplog.text
