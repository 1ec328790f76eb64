"""The other half of the cross-school suite: what does work, and what the bot does by itself.

Positive controls: a coordinator of both schools works on each school's cases by that school's
rules, one who lost a school still works on the other, and a reporter who enters another
school's code is told so and keeps their own reports. The system: timed jobs and the outbox
reach only the people of the case's school, and one school's counts are its own.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from support.crossing import Template, traced
from support.twoschools import COORDINATORS, ENTRY, NOW, REPORTERS, World, outbound_json

from bot.background.outbox import OutboxSender
from bot.cases.notifications import SCHOOL_LINE, notification_screen
from bot.core.model import Outbound, Text

CASE_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{2}\b")
LATER = "2026-12-31T12:00:00+00:00"  # every job of the world is due by then


def nl(world: World, msgid: str, **params: object) -> str:
    return world.app.renderer.text(Text(msgid, params), "nl")


def school_of_code(world: World, code: str) -> str:
    return next(key for key, school in world.schools.items() if code in school.cases.values())


def roles(world: World, school: str) -> set[int]:
    """The coordinator ids with an active role in `school` now."""
    rows = world.app.stores.db.rows(
        "SELECT coordinator FROM coordinator_schools WHERE school = ? AND active = 1",
        (world.schools[school].id,),
    )
    return {row["coordinator"] for row in rows}


# --- positive controls ----------------------------------------------------------------------------


def test_a_coordinator_of_both_schools_works_on_each_case_by_its_schools_rules(
    world: World,
) -> None:
    ab = world.coordinators["ab"]
    phase_2 = {"A": "A-gesprek", "B": "B-hoor"}
    followup = {"A": 5, "B": 15}
    for key, school in world.schools.items():
        code = school.cases["unclaimed"]
        opened = outbound_json(ab.press_data(f"*:open:{code}"))
        assert f"({key.lower()})" in opened  # the story: the case itself, not a refusal
        ab.press("claim")
        said = outbound_json(ab.walk("phase", "phase_2"))
        assert phase_2[key] in said
        said = outbound_json(ab.walk("close", "outcome_resolved", "skip", "close_yes"))
        days = nl(world, "In {days} school days", days=followup[key])
        assert str(followup[key]) in said, (key, days)
        report = world.app.stores.reports.get(code, frozenset({school.id}))
        assert report is not None
        assert (report.status, report.phase, report.assignee) == ("closed", 2, world.ids["ab"])


def test_a_coordinator_who_lost_one_school_still_works_on_the_other(world: World) -> None:
    ex = world.coordinators["ex"]
    a = world.schools["A"]
    code = a.cases["unclaimed"]
    assert f"({'a'})" in outbound_json(ex.press_data(f"*:open:{code}"))
    ex.press("claim")
    ex.press("note")
    ex.say("Gesprek met de klas gepland.")
    report = world.app.stores.reports.get(code, frozenset({a.id}))
    assert report is not None and report.assignee == world.ids["ex"]
    notes = world.app.stores.reports.notes(code, a.id)
    assert notes[-1]["text"] == "Gesprek met de klas gepland."


def test_a_reporter_who_enters_another_schools_code_is_told_and_keeps_only_their_own(
    world: World,
) -> None:
    pupil = world.reporters["pupil_a"]
    a, b = world.schools["A"], world.schools["B"]
    said = outbound_json(pupil.command("start", ENTRY["B"]))
    assert b.name in said and a.name not in said
    listed = outbound_json(pupil.command("my_reports"))
    assert set(CASE_CODE.findall(listed)) == {a.cases["unclaimed"], a.cases["closed"]}
    assert f"🏫 {a.name}" in listed  # whose each report is, now that there are two schools
    # Their own A case still takes what they write, and only A's coordinators hear of it.
    stores = world.app.stores
    with stores.db.transaction():  # what waited was delivered meanwhile: the next is news
        stores.db.execute("UPDATE outbox SET status = 'sent' WHERE status = 'pending'")
    before = {row["id"] for row in stores.db.rows("SELECT id FROM outbox")}
    pupil.press_data(f"*:write:{a.cases['unclaimed']}")
    pupil.say("Het is nog niet over.")
    assert nl(world, "Sent ✅. The anti-bullying coordinator can read it now.") in pupil.texts()
    thread = stores.threads.of(a.cases["unclaimed"], a.id)
    assert thread[-1]["text"] == "Het is nog niet over."
    new = [
        row
        for row in stores.db.rows("SELECT id, coordinator, school FROM outbox")
        if row["id"] not in before
    ]
    assert new and all(row["school"] == a.id for row in new)
    assert {row["coordinator"] for row in new} == roles(world, "A")
    # B's cases are no more theirs than before.
    refused = outbound_json(pupil.press_data(f"*:write:{b.cases['unclaimed']}"))
    assert nl(world, "I cannot find that report among yours.") in refused


# --- what the bot does by itself ----------------------------------------------------------------


def test_timed_jobs_reach_only_the_people_of_the_cases_school(world: World) -> None:
    stores = world.app.stores
    before = {row["id"] for row in stores.db.rows("SELECT id FROM outbox")}
    world.clock.set(LATER)
    assert world.app.jobs.run_due() > 0
    new = [
        row
        for row in stores.db.rows(
            "SELECT o.id, o.coordinator, o.report, o.school, json_extract(o.payload, '$.event')"
            " AS event, json_extract(o.payload, '$.code') AS code FROM outbox o"
        )
        if row["id"] not in before
    ]
    events = {(row["event"], school_of_code(world, row["code"])) for row in new}
    assert events == {("remind", "A"), ("remind", "B"), ("overdue", "A"), ("overdue", "B")} | {
        ("followup", "A"),
        ("followup", "B"),
    }
    for row in new:
        key = school_of_code(world, row["code"])
        assert row["school"] == world.schools[key].id, row
        if row["coordinator"] is not None:
            assert row["coordinator"] in roles(world, key), row
        else:
            case = stores.reports.reporter(row["code"], world.schools[key].id)
            assert case is not None and row["report"] == case["id"], row
    b_coordinators = {
        row["coordinator"] for row in new if school_of_code(world, row["code"]) == "B"
    }
    assert b_coordinators - {None} == {world.ids["b1"], world.ids["ab"]}


async def drain(world: World) -> dict[str, list[Outbound]]:
    """Deliver everything due (twice: rows moved to others on the way go out too); by chat."""
    sent: dict[str, list[Outbound]] = defaultdict(list)

    async def send(chat: str, outbound: Outbound) -> None:
        sent[chat].append(outbound)

    app = world.app
    sender = OutboxSender(app.stores, app.board, app.renderer, send, app.clock)
    await sender.deliver_due()
    await sender.deliver_due()
    return sent


async def test_the_outbox_delivers_each_schools_messages_only_to_its_own_people(
    world: World,
) -> None:
    world.clock.set("2026-11-23T09:00:00+00:00")  # past the delay of reporter activity notices
    sent = await drain(world)
    people = {**COORDINATORS, **REPORTERS}
    chats = {name: str(telegram_id) for name, (telegram_id, *_rest) in people.items()}
    codes = {
        name: set(CASE_CODE.findall(outbound_json(sent[chat]))) for name, chat in chats.items()
    }
    a, b = set(world.codes("A")), set(world.codes("B"))
    assert codes["a1"] and codes["a1"] <= a
    assert codes["ex"] and codes["ex"] <= a  # his rows about B's cases were cancelled
    assert codes["b1"] and codes["b1"] <= b
    assert codes["ab"] >= (a - {world.schools["A"].cases["claimed"]}) and codes["ab"] & b
    for name in ("a1", "ex", "b1"):  # coordinators of one school are not told which
        assert not any(out.text.startswith("🏫") for out in sent[chats[name]]), name
    for out in sent[chats["ab"]]:
        # One school per message (a pattern alert names several of its cases).
        (key,) = {school_of_code(world, code) for code in CASE_CODE.findall(out.text)}
        school = world.schools[key]
        assert out.text.startswith(nl(world, SCHOOL_LINE, school=school.name)), out.text
    # A reporter's "new message" button opens a message of their own case only.
    for name in ("pupil_a", "parent_a", "pupil_b", "parent_b"):
        for out in sent[chats[name]]:
            for _label, data in (button for row in out.rows for button in row):
                code, _dot, number = data.rsplit(":", 1)[1].rpartition(".")
                row = world.app.stores.db.row(
                    "SELECT r.reporter FROM reports r WHERE r.code = ?", (code,)
                )
                assert number.isdigit()
                assert row is not None and row["reporter"] == world.reporters[name].key
    # What was queued for Meester Evert about B is cancelled; the case he had goes to B's own.
    stores = world.app.stores
    his = stores.db.rows(
        "SELECT status FROM outbox WHERE coordinator = ? AND school = ?",
        (world.ids["ex"], world.schools["B"].id),
    )
    assert his and {row["status"] for row in his} == {"cancelled"}
    moved = stores.db.rows(
        "SELECT coordinator, school FROM outbox WHERE key LIKE '%:to:%'",
    )
    assert moved and {row["coordinator"] for row in moved} <= roles(world, "B")


def test_a_schools_counts_are_its_own(world: World) -> None:
    stores = world.app.stores
    a, b = world.schools["A"], world.schools["B"]
    with traced(world.app) as statements:
        counted = stores.counts.monthly(a.id)
    assert sum(row["n"] for row in counted) == 3
    with stores.db.transaction():
        stores.counts.add_case(b.id, "2026-10", "pupil", "names", "class")
        stores.reports.create("another", "{}", {"story": "x", "kind": "names"}, NOW, school=b.id)
    with traced(world.app) as again:
        assert stores.counts.monthly(a.id) == counted
    assert again == statements
    assert sum(row["n"] for row in stores.counts.monthly(b.id)) == 5


def test_a_message_button_tells_a_reporter_nothing_of_the_other_schools_threads(
    board: tuple[World, Template], world: World
) -> None:
    """The "new message" button carries the message's id: an id counted over the whole board
    would tell a reporter of A how much B's coordinators and reporters write."""
    _world, template = board
    a, b = world.schools["A"], world.schools["B"]

    def button_after(b_messages: int) -> str:
        template.restore()
        b1, a1 = world.coordinators["b1"], world.coordinators["a1"]
        for n in range(b_messages):
            b1.press_data(f"*:open:{b.cases['unclaimed']}")
            b1.press("message")
            b1.say(f"Bericht {n} van school B.")
        a1.press_data(f"*:open:{a.cases['claimed']}")
        a1.press("message")
        a1.say("Hoe gaat het nu?")
        row = world.app.stores.db.row(
            "SELECT payload FROM outbox WHERE coordinator IS NULL AND school = ?"
            " ORDER BY id DESC LIMIT 1",
            (a.id,),
        )
        assert row is not None
        school = world.app.board.current()[a.id]
        screen = notification_screen(world.app.stores, school, json.loads(row["payload"]))
        return screen.rows[0][0].data

    assert button_after(3) == button_after(0)
