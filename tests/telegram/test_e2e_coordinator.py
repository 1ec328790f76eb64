"""The coordinators' side: the queue, status and phase, notes, and notifications that persist."""

from __future__ import annotations

from support.running import Running
from support.walks import report_as_pupil

from bot.clock import stamp
from bot.core.model import Identity, Inbound, parse_button_data


async def test_queue_status_phase_and_note(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    first = await report_as_pupil(person(9001), "Eerste.")
    second = await report_as_pupil(person(9002), "Tweede.")
    replies = await anna.say("/wachtrij")
    listing = "\n".join(replies)
    assert listing.index(first) < listing.index(second)  # both unclaimed: the oldest first
    assert [d for _l, d in anna.buttons()][:2] == [f"*:open:{first}", f"*:open:{second}"]

    await anna.press_data(f"*:open:{first}")
    await anna.walk("claim", "status", "status_in_progress", "phase", "phase_2")
    await anna.press("note")
    replies = await anna.say("Ouders gebeld.")
    assert "Fase 2" in replies[-1]  # an action answers with the case's header
    case_text = "\n".join(await anna.press_data(f"*:open:{first}"))
    assert "Ouders gebeld." in case_text and "Fase 2" in case_text
    report = bot.app.stores.reports.get(first, frozenset({1}))
    assert (report.status, report.phase) == ("in_progress", 2)
    actions = [
        r["action"]
        for r in bot.app.stores.db.rows(
            "SELECT action FROM audit WHERE report = ? ORDER BY id", (first,)
        )
    ]
    assert actions == [
        "case_opened",
        "case_claimed",
        "status_in_progress",
        "phase_2",
        "note_added",
        "case_opened",
    ]
    # Audit rows hold no content.
    assert "Ouders" not in str(bot.app.stores.db.rows("SELECT * FROM audit"))


async def test_a_failed_notification_is_retried_and_arrives_once(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    fake.fail_next("sendMessage", status=500, count=1)
    pupil = person(9001)
    await pupil.say("/start")  # this reply takes the injected failure
    code = await report_as_pupil(pupil, "Ze verstoppen mijn tas.")
    await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params["chat_id"] == anna.id and c.ok,
        timeout=10,
    )
    notes = [t for t in fake.texts(anna.id) if code in t]
    assert len(notes) == 1
    assert bot.app.stores.outbox.pending_count() == 0


async def test_a_report_made_while_telegram_was_down_is_notified_at_start(fake, env, person):
    from support.running import Running

    from bot.app import build
    from bot.settings import load_settings

    offline = build(load_settings(env))
    with offline.stores.db.transaction():
        offline.stores.coordinators.add(501, "Juf Anna", "2026-11-23T08:00:00+00:00")
    who = Identity("terminal", "1", "0", "nl", role="pupil")
    buttons: list[str] = []

    def act(inbound: Inbound) -> None:
        buttons.clear()
        for out in offline.service.handle(who, inbound):
            buttons.extend(data for row in out.rows for _label, data in row)

    def press(trigger: str) -> None:
        act(parse_button_data(next(d for d in buttons if d.split(":")[1] == trigger)))

    act(Inbound(kind="command", trigger="start"))
    for trigger in ("pupil", "report", "me", "names", "kinds_done", "class", "once", "this_week"):
        press(trigger)
    act(Inbound(kind="text", text="Het gebeurde vandaag."))
    for trigger in ("story_done", "no_photo", "anonymous", "send"):
        press(trigger)
    (row,) = offline.stores.db.rows("SELECT code FROM reports")
    offline.stores.db.close()

    running = Running(fake, env)
    await running.start()
    try:
        note = await fake.wait_for(
            lambda c: c.method == "sendMessage" and c.params["chat_id"] == 501
        )
        assert row["code"] in note.params["text"]
    finally:
        await running.stop()


def _menus(fake, chat_id: int, method: str = "setMyCommands") -> dict[str, set[str]]:
    """The command menus the bot set for one coordinator's chat, by language ("" is Dutch)."""
    calls = [
        c
        for c in fake.sent(method=method)
        if c.params.get("scope") == {"type": "chat", "chat_id": chat_id}
    ]
    return {
        c.params.get("language_code", ""): {cmd["command"] for cmd in c.params.get("commands", [])}
        for c in calls
    }


async def test_a_coordinator_who_joins_by_invite_gets_the_queue_command(bot, fake, person):
    stores = bot.app.stores
    with stores.db.transaction():
        code = stores.coordinators.invite("Juf Anna", stamp(bot.clock))  # invites expire: made now
    anna, pupil = person(611), person(612)
    await pupil.say("/start")
    await anna.say(f"/start {code}")

    await fake.wait_until(lambda: len(_menus(fake, anna.id)) == 2, what="Anna's menu")
    menus = _menus(fake, anna.id)
    assert "wachtrij" in menus[""] and "queue" in menus["en"]
    assert {"start", "hulp", "privacy"} <= menus[""]
    assert _menus(fake, pupil.id) == {}  # pupils keep the default menu, without the queue
    assert fake.violations == []


async def test_at_start_coordinators_get_the_queue_command_and_removed_ones_lose_it(
    fake, env, person
):
    running = Running(fake, env)
    await running.start()
    stores = running.app.stores
    with stores.db.transaction():
        stores.coordinators.add(621, "Juf Anna", "2026-11-23T08:00:00+00:00")
        bram = stores.coordinators.add(622, "Meester Bram", "2026-11-23T08:00:00+00:00")
        stores.coordinators.deactivate(bram.id)  # as `antipestbot coordinator remove` does
    await running.restart()
    try:
        await fake.wait_until(
            lambda: len(_menus(fake, 621)) == 2 and len(_menus(fake, 622, "deleteMyCommands")) == 2,
            what="the coordinators' menus",
        )
    finally:
        await running.stop()
    assert all("wachtrij" in m or "queue" in m for m in _menus(fake, 621).values())
    assert _menus(fake, 622) == {}  # Bram's chat was never given the queue, only cleared
    assert fake.violations == []
