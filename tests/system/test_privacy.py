"""Privacy: /privacy everywhere, being forgotten, retention, and limits that protect the school."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from support.clocks import FakeClock
from support.transcript import Transcript
from support.walks import report_as_pupil

from bot.app import build
from bot.background.outbox import MAX_ATTEMPTS, OutboxSender
from bot.background.retention import purge_due
from bot.cases.reports import RATE_LIMITED, URGENT
from bot.channels.base import DeliveryError
from bot.channels.telegram.traits import PRIVACY
from bot.core.model import Identity, Inbound, Outbound, Text
from bot.core.ratelimit import FloodGate
from bot.core.replies import SLOW_DOWN
from bot.core.textsafety import neutralise, split_text
from bot.settings import load_settings
from bot.stats.counts import monthly_counts


def nl(app, msgid: str, **params) -> str:
    return app.renderer.text(Text(msgid, params), "nl")


async def test_privacy_answers_in_every_state_and_without_a_database(
    bot, fake, person, monkeypatch
):
    pupil = person(9001)
    first = nl(bot.app, PRIVACY[0])
    for step in (pupil.start, lambda: pupil.press("report"), lambda: pupil.press("me")):
        await step()
        replies = await pupil.say("/privacy")
        assert replies[0].startswith(first)
    # The conversation is where it was: the privacy text changed nothing.
    await pupil.press_data("report_kind:names")
    replies = await pupil.press_data("report_kind:kinds_done")
    assert replies == [nl(bot.app, "Where does it happen?")]

    def broken(*_args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(bot.app.service.sessions, "load", broken)
    replies = await pupil.say("/privacy")
    assert replies[0].startswith(first)


async def test_forgetting_cuts_the_link_but_the_case_stays(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze verstoppen mijn jas.")
    await pupil.say("/vergeet")
    assert [d for _l, d in pupil.buttons()] == ["*:forget_yes", "*:forget_no"]
    replies = await pupil.press("forget_yes")
    assert (
        nl(bot.app, "Done. I have forgotten you. If you send a message again, we start fresh.")
        in replies
    )
    stores = bot.app.stores
    key = stores.vault.subject("telegram", pupil.id)
    assert stores.db.rows("SELECT * FROM sessions WHERE key = ?", (key,)) == []
    assert stores.db.rows("SELECT * FROM reports WHERE reporter = ?", (key,)) == []
    assert stores.reports.get(code, frozenset({1})).story == "Ze verstoppen mijn jas."

    # The coordinator can still work the case, but there is no way to write to the pupil.
    await anna.press_data(f"*:open:{code}")
    assert "message" not in [d.split(":")[1] for _l, d in anna.buttons()]
    await anna.press_data(f"case:message:{code}")
    await fake.wait_idle()
    assert stores.threads.of(code, 1) == []
    # And the pupil cannot write into the case any more either.
    await pupil.start()
    await pupil.press_data(f"*:write:{code}")
    assert stores.threads.of(code, 1) == []


def quick(app):
    """Service-level tests send far faster than a person: lift the flood gate for them."""
    app.service.flood = FloodGate(burst=10_000)
    return app


def _service_report(app, user: int, story: str) -> str:
    talk = Transcript(app, Identity("telegram", str(user), str(user), "nl"))
    talk.command("start")
    if "role:pupil" in talk.buttons:
        talk.press("pupil")
    talk.walk("report", "me", "names", "kinds_done", "class", "once", "this_week")
    talk.text(story)
    talk.walk("story_done", "no_photo", "anonymous", "send")
    return app.stores.db.rows("SELECT code FROM reports ORDER BY id DESC")[0]["code"]


def test_closed_cases_are_purged_after_retention_and_only_counts_stay(env, tmp_path):
    clock = FakeClock("2025-01-13T09:00:00+00:00")
    app = quick(build(load_settings(env), clock))
    with app.stores.db.transaction():
        app.stores.coordinators.add(501, "Juf Anna", "2025-01-13T09:00:00+00:00")
    code = _service_report(app, 9001, "Canarystory-4711 gebeurde op het plein.")
    kept = _service_report(app, 9002, "Deze melding blijft open.")
    coordinator = Transcript(app, Identity("telegram", "501", "501", "nl"))
    coordinator.command("start")
    app.service.handle(
        coordinator.who, Inbound(kind="button", trigger="open", arg=code, shown_in="*")
    )
    coordinator.buttons = [f"case:close:{code}"]
    coordinator.walk("close", "outcome_resolved")
    coordinator.text("Afgerond.")
    coordinator.press("close_yes")
    assert app.stores.reports.get(code, frozenset({1})).status == "closed"

    clock.set("2025-12-01T09:00:00+00:00")  # not a year yet
    assert purge_due(app.stores, app.board.current(), clock()) == 0
    clock.set("2026-01-20T09:00:00+00:00")
    assert purge_due(app.stores, app.board.current(), clock()) == 1
    assert purge_due(app.stores, app.board.current(), clock()) == 0  # once a day
    assert app.stores.reports.get(code, frozenset({1})) is None
    assert app.stores.reports.get(kept, frozenset({1})) is not None
    assert {(r["month"], r["kind"], r["n"]) for r in monthly_counts(app.stores, 1)} == {
        ("2025-01", "names", 2)
    }
    actions = [
        r["action"]
        for r in app.stores.db.rows("SELECT action FROM audit WHERE report = ?", (code,))
    ]
    assert actions[-1] == "case_purged"
    assert app.stores.db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_more_than_three_reports_an_hour_are_refused_kindly(env):
    app = quick(build(load_settings(env), FakeClock()))
    for n in range(3):
        _service_report(app, 9001, f"Melding {n}.")
    talk = Transcript(app, Identity("telegram", "9001", "9001", "nl"))
    talk.command("start")
    talk.press("report")  # refused at the start, before anything is typed
    assert len(app.stores.db.rows("SELECT * FROM reports")) == 3
    # The first of the three was made at 09:00 school time: there is room an hour later.
    refusal = nl(app, RATE_LIMITED, time="10:00")
    assert refusal in talk.render()
    assert nl(app, URGENT) in talk.render()
    assert app.service.sessions.load(app.stores.vault.subject("telegram", 9001)).state == "menu"


async def test_ten_flooding_users_are_slowed_and_a_normal_user_is_not(bot, fake, person):
    slow_down = nl(
        bot.app,
        SLOW_DOWN,
    )
    flooders = [person(7000 + n) for n in range(10)]
    calm = person(9999)
    for flooder in flooders:
        for n in range(30):
            fake.push_text(flooder.id, f"spam {n}")
    replies = await calm.start()
    await fake.wait_idle(timeout=30)
    assert replies and slow_down not in replies
    for flooder in flooders:
        texts = fake.texts(flooder.id)
        assert texts.count(slow_down) == 1
        assert len(texts) <= 2 * 20 + 1  # answered up to the burst, then one warning, then quiet


def test_invisible_direction_marks_go_and_real_scripts_stay():
    for text in (
        "مرحبا، يضايقونني",
        "Çocuklar bana gülüyor, öğretmen",
        "Dzieci się ze mnie śmieją",
    ):
        assert neutralise(text) == text
    assert neutralise("abc\u202edcb\u200b\u2066x\u2069") == "abcdcbx"


@pytest.mark.parametrize("size", [1, 4095, 4096, 4097, 10_000])
def test_long_texts_split_below_the_limit_without_losing_words(size):
    text = " ".join(f"w{n}" for n in range(size // 3 + 1))[:size]
    parts = split_text(text, 4096)
    assert all(0 < len(p) <= 4096 for p in parts)
    assert " ".join(parts).split() == text.split()


async def test_a_dead_letter_is_reported_to_the_other_coordinators(env):
    clock = FakeClock()
    app = quick(build(load_settings(env), clock))
    with app.stores.db.transaction():
        gone = app.stores.coordinators.add(501, "Juf Anna", "2026-11-23T08:00:00+00:00")
        app.stores.coordinators.add(502, "Meester Bram", "2026-11-23T08:00:00+00:00")
    _service_report(app, 9001, "Ze duwen me.")
    received: list[tuple[str, Outbound]] = []

    async def send(chat: str, outbound: Outbound) -> None:
        if chat == str(gone.telegram_id):
            raise DeliveryError("forbidden")
        received.append((chat, outbound))

    sender = OutboxSender(app.stores, app.board, app.renderer, send, clock)
    for _ in range(MAX_ATTEMPTS + 1):
        await sender.deliver_due()
        clock.now += timedelta(hours=1)  # past any backoff
    (row,) = app.stores.db.rows("SELECT status FROM outbox WHERE coordinator = ?", (gone.id,))
    assert row["status"] == "dead"
    warned = [o.text for chat, o in received if chat == "502" and "⚠️" in o.text]
    assert len(warned) == 1
