"""Two schools on one bot, end to end through python-telegram-bot and the fake Bot API.

The world of tests/support/twoschools.py is made in the running bot; then coordinators and
reporters of one school try the other school's cases the ways a Telegram user can: typed
/open <code>, a notification's or queue's button, an old button of a case the conversation still
has open, typed /write <code>, a forged "read" button. Each must read exactly as the same thing
does with a code that exists nowhere, and nobody of the other school hears of it. The positive
controls show what a coordinator of both schools sees, and that a new report reaches only its
own school's coordinators.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from support.crossing import PLACEHOLDER, align
from support.people import Person
from support.running import Running
from support.twoschools import (
    COORDINATORS,
    NO_MESSAGE,
    NOBODY,
    PUPIL_PATH,
    REPORTERS,
    World,
    make_world,
)
from support.walks import CASE_CODE

from bot.cases.relay import GONE
from bot.core.model import Text

TYPED = "Dit mag nergens terechtkomen."
# An old button of a case screen, pressed in the state it was shown in (then, for a typed
# step, what is typed next): (state, trigger, typed text or None).
OLD_BUTTONS = (
    ("case", "claim", None),
    ("case", "reopen", None),
    ("case", "evidence", None),
    ("case", "earlier", None),
    ("case", "note", TYPED),
    ("case", "message", TYPED),
    ("case_status", "status_in_progress", None),
    ("case_phase", "phase_2", None),
    ("case_close_confirm", "close_yes", None),
    ("case_checklist", "tick_3", None),
    ("case_checklist", "back", None),
)


async def made(bot: Running) -> World:
    """The two-school world, made inside the running bot; every notice it caused delivered."""
    world = await bot.app.conversation.work(partial(make_world, bot.app))
    await settle(bot)
    return world


async def settle(bot: Running, minutes: int = 15) -> None:
    """Let time pass (reporter activity reaches coordinators minutes late) and deliver."""
    clock = bot.clock
    clock.set((clock() + timedelta(minutes=minutes)).isoformat())  # type: ignore[attr-defined]
    await bot.app.outboxes["telegram"].deliver_due()
    await bot.app.outboxes["telegram"].deliver_due()
    await bot.fake.wait_idle()


def people_of(school: str) -> list[int]:
    """The Telegram ids of everyone who belongs to `school` (a coordinator of both counts)."""
    coordinators = [tid for tid, _name, roles in COORDINATORS.values() if school in roles]
    if school == "B":
        coordinators.remove(COORDINATORS["ex"][0])  # he left B before anything here happened
    reporters = [tid for tid, of, _role in REPORTERS.values() if of == school]
    return coordinators + reporters


async def both(
    person: Person, do: Callable[[str], Awaitable[list[str]]], target: str, nothing: str
) -> tuple[str, str]:
    """What `person` reads (texts and the last buttons) doing `do` with each code, aligned."""
    seen = "\n".join(await do(target)) + repr(person.buttons())
    none = "\n".join(await do(nothing)) + repr(person.buttons())
    return align(seen, none, target, nothing)


async def test_a_coordinator_reads_another_schools_case_as_no_case_at_all(
    timed_bot: Running, fake, person
) -> None:
    world = await made(timed_bot)
    mark = len(fake.calls)
    for name, other in (("a1", "B"), ("b1", "A"), ("ex", "B")):
        coordinator = person(COORDINATORS[name][0])
        for code in world.codes(other):
            typed = await both(
                coordinator, lambda c, who=coordinator: who.say(f"/open {c}"), code, NOBODY
            )
            assert typed[0] == typed[1], (name, code)
            assert PLACEHOLDER in typed[0]  # "I cannot find case ...", as for any code
            pressed = await both(
                coordinator, lambda c, who=coordinator: who.press_data(f"*:open:{c}"), code, NOBODY
            )
            assert pressed[0] == pressed[1], (name, code)
    await settle(timed_bot)
    tried = {COORDINATORS[name][0] for name in ("a1", "b1", "ex")}  # they read their answers
    bystanders = set(people_of("A") + people_of("B")) - tried
    assert [c for c in fake.calls[mark:] if c.params.get("chat_id") in bystanders] == []


async def test_old_buttons_of_a_lost_schools_case_work_as_for_no_case(
    timed_bot: Running, fake, person
) -> None:
    """Meester Evert had B's claimed case open when his role in B was removed."""
    world = await made(timed_bot)
    ex = person(COORDINATORS["ex"][0])
    code = world.schools["B"].cases["claimed"]
    own = world.schools["A"].id
    chatter = world.coordinators["ex"]
    # His conversation is where he left it: what the loop below puts back before each press.
    left = timed_bot.app.service.sessions.load(chatter.key)
    assert left is not None and (left.state, left.answers["case"]) == ("case", code)
    mark = len(fake.calls)
    for state, trigger, typed in OLD_BUTTONS:

        async def press(c: str, state: str = state, trigger: str = trigger, typed=typed):
            await timed_bot.app.conversation.work(
                partial(chatter.plant, "coordinator", state, _answers(state, c), own)
            )
            said = await ex.press_data(f"{state}:{trigger}:{c}")
            return said + (await ex.say(typed) if typed else [])

        seen, nothing = await both(ex, press, code, NOBODY)
        assert seen == nothing, (state, trigger)
        assert PLACEHOLDER in seen  # "I cannot find case ..." with the code it was given
    await settle(timed_bot)
    b_people = people_of("B")
    assert [c for c in fake.calls[mark:] if c.params.get("chat_id") in b_people] == []
    report = timed_bot.app.stores.reports.get(code, frozenset({world.schools["B"].id}))
    assert report is not None and (report.status, report.phase) == ("claimed", 2)


def _answers(state: str, code: str) -> dict[str, str]:
    extra = {"case_close_confirm": {"outcome": "resolved", "outcome_note": ""}}
    return {"case": code, **extra.get(state, {})}


async def test_a_reporter_reaches_another_schools_case_no_more_than_a_missing_one(
    timed_bot: Running, fake, person
) -> None:
    world = await made(timed_bot)
    mark = len(fake.calls)
    b = world.schools["B"]
    not_theirs = nl(timed_bot, "I cannot find that report among yours.")
    gone = nl(timed_bot, GONE)
    pupil = person(REPORTERS["pupil_a"][0])
    for code in b.cases.values():
        for action in ("write", "show_report", "followup_no", "read_followup"):
            typed = await both(pupil, lambda c, a=action: pupil.say(f"/{a} {c}"), code, NOBODY)
            assert typed[0] == typed[1], (action, code)
            pressed = await both(
                pupil, lambda c, a=action: pupil.press_data(f"*:{a}:{c}"), code, NOBODY
            )
            assert pressed[0] == pressed[1], (action, code)
            assert (gone if action == "read_followup" else not_theirs) in typed[0], action
    parent = person(REPORTERS["parent_a"][0])
    for message in b.messages.values():
        read = await both(
            parent, lambda m: parent.press_data(f"*:read_message:{m}"), str(message), NO_MESSAGE
        )
        assert read[0] == read[1] and gone in read[0], message
    await settle(timed_bot)
    b_people = people_of("B")
    assert [c for c in fake.calls[mark:] if c.params.get("chat_id") in b_people] == []


def nl(bot: Running, msgid: str) -> str:
    return bot.app.renderer.text(Text(msgid), "nl")


async def test_a_coordinator_of_both_schools_sees_each_lines_school_and_filters(
    timed_bot: Running, fake, person
) -> None:
    world = await made(timed_bot)
    ab = person(COORDINATORS["ab"][0])
    a, b = world.schools["A"], world.schools["B"]
    listed = "\n".join(await ab.say("/wachtrij"))
    for key, school in world.schools.items():
        for status in ("unclaimed", "claimed"):
            line = next(line for line in listed.splitlines() if school.cases[status] in line)
            assert f"🏫 {school.name}" in line, (key, line)
    filters = [data for _label, data in ab.buttons() if ":queue_school:" in data]
    assert filters == [
        f"queue:queue_school:{a.id}",
        f"queue:queue_school:{b.id}",
        "queue:queue_school:all",
    ]
    only_b = "\n".join(await ab.press_data(f"queue:queue_school:{b.id}"))
    assert set(CASE_CODE.findall(only_b)) == {b.cases["unclaimed"], b.cases["claimed"]}
    # A coordinator of one school sees neither school names nor filters.
    a1 = person(COORDINATORS["a1"][0])
    listed = "\n".join(await a1.say("/wachtrij"))
    assert "🏫" not in listed and not [d for _l, d in a1.buttons() if "queue_school" in d]
    assert set(CASE_CODE.findall(listed)) == {a.cases["unclaimed"], a.cases["claimed"]}


async def test_a_new_report_reaches_only_its_own_schools_coordinators(
    timed_bot: Running, fake, person
) -> None:
    world = await made(timed_bot)
    pupil = person(REPORTERS["pupil_b"][0])
    mark = len(fake.calls)
    await pupil.say("/menu")
    await pupil.walk(*PUPIL_PATH)
    await pupil.say("Ze lachen me uit in de groepsapp.")
    await pupil.press("story_done")
    await pupil.press("no_photo")
    await pupil.press("anonymous")
    code = CASE_CODE.findall("\n".join(await pupil.press("send")))[0]
    await fake.wait_idle()
    told = {
        c.params["chat_id"]: c.params.get("text", "")
        for c in fake.calls[mark:]
        if c.method == "sendMessage"
        and code in c.params.get("text", "")
        and c.params["chat_id"] != pupil.id  # who reported is told the code, of course
    }
    b1, ab = COORDINATORS["b1"][0], COORDINATORS["ab"][0]
    assert set(told) == {b1, ab}
    assert told[ab].startswith(f"🏫 {world.schools['B'].name}")
    assert not told[b1].startswith("🏫")
    # And Meester Evert, who lost B, still works on A.
    ex = person(COORDINATORS["ex"][0])
    a_code = world.schools["A"].cases["unclaimed"]
    opened = "\n".join(await ex.say(f"/open {a_code}"))
    assert "(a)" in opened
    await ex.press("claim")
    report = timed_bot.app.stores.reports.get(a_code, frozenset({world.schools["A"].id}))
    assert report is not None and report.assignee == world.ids["ex"]
