"""Nothing crosses between two schools of one board, tried from every role and every button.

Each attack is one inbound, sent to `Service.handle` (the conversation every channel feeds) from
the same world, once with another school's case (or message) and once with a code that exists
nowhere. The two must be indistinguishable: byte-identical replies once the code is replaced,
the same SQL statements (the same work, hence no timing to measure), nothing changed in any
table (no outbox row, no job, no tick, no note; so nothing is sent to anyone in the other
school), and the same conversation afterwards. The positive controls beside them show that the
same inbounds do work where the actor has a role.

The coordinators' attacks come from every move of every case state in flows/coordinator.yaml,
read from the flow itself: a button added there is attacked here too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from support.crossing import Seen, Template, attempt, own_audit_only, traced, unsealed
from support.twoschools import NO_MESSAGE, NOBODY, Chatter, World, outbound_json

from bot.app import App
from bot.cases.context import Actor
from bot.chat.casequeue import LISTED
from bot.core.flowspec import load_flows
from bot.core.model import Inbound, Text
from bot.resources import FLOWS

COORDINATOR_FLOW = load_flows(FLOWS)["coordinator"]
# Who attacks which school: a coordinator of A alone, one who lost B, and B's own against A.
ATTACKERS = {"a1": "B", "ex": "B", "b1": "A"}
OWN = {"a1": "A", "ex": "A", "b1": "B"}  # the school each of them does coordinate
CASES = ("unclaimed", "claimed", "closed")
# What a state's own answers hold besides the case, as a conversation that got there would.
STATE_ANSWERS = {
    "case_close_note": {"outcome": "resolved"},
    "case_close_confirm": {"outcome": "resolved", "outcome_note": ""},
}
TYPED = "Een bericht dat nergens terecht mag komen."


def case_moves() -> Iterator[tuple[str, str, str]]:
    """(state, kind, trigger) of every move a case state offers: buttons, and typed text."""
    for state in COORDINATOR_FLOW.states.values():
        if state.scope != "case":
            continue
        for move in (*state.accepts, *state.buttons):
            yield state.name, "button", move.trigger
        if state.text is not None:
            yield state.name, "text", state.text.move.trigger


CASE_MOVES = list(case_moves())
# Ways to name a case from outside a case: a notification's or the queue's button (valid in any
# state), the same over a case of their own that is open, and the typed /open <code>.
OPENINGS = ("open_button", "open_over_own_case", "open_typed")


def same_as_nothing(seen: Seen, nothing: Seen, actor: str) -> None:
    """The attempt on the other school's case could have been one on a code that is nowhere."""
    assert own_audit_only(seen, actor) == {}, "the attempt changed the database"
    seen, nothing = seen.against(nothing)
    assert seen.replies == nothing.replies
    assert seen.statements == nothing.statements
    assert seen.changed == nothing.changed
    assert seen.session == nothing.session


def coordinator_audit(world: World, name: str) -> str:
    return Actor.coordinator(world.ids[name]).audit


# --- coordinators ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("opening", OPENINGS)
@pytest.mark.parametrize("attacker", list(ATTACKERS))
def test_opening_another_schools_case_reads_as_no_case(
    board: tuple[World, Template], attacker: str, opening: str, case: str
) -> None:
    world, template = board
    actor = world.coordinators[attacker]
    target = world.schools[ATTACKERS[attacker]].cases[case]
    own = world.schools[OWN[attacker]]
    # From the menu, or with a case of their own open.
    state, answers = "home", {}
    if opening == "open_over_own_case":
        state, answers = "case", {"case": own.cases["unclaimed"]}

    def plant(_code: str) -> None:
        actor.plant("coordinator", state, answers, own.id)

    def inbound(code: str) -> Inbound:
        if opening == "open_typed":
            return Inbound(kind="command", trigger="open", arg=code)
        return Inbound(kind="button", trigger="open", arg=code, shown_in="*")

    seen = attempt(template, actor, inbound, target, plant)
    nothing = attempt(template, actor, inbound, NOBODY, plant)
    same_as_nothing(seen, nothing, coordinator_audit(world, attacker))
    assert target in seen.replies  # the code typed is said back, as for any unknown code


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("state", "kind", "trigger"), CASE_MOVES)
@pytest.mark.parametrize("attacker", list(ATTACKERS))
def test_an_old_or_forged_case_button_on_another_schools_case_reads_as_no_case(
    board: tuple[World, Template], attacker: str, state: str, kind: str, trigger: str, case: str
) -> None:
    """The conversation still has the other school's case open (Meester Evert opened it while
    he coordinated B; for the others, a forged session is the worst case): every button of that
    state, and what is typed there, fails as it would for a case that does not exist."""
    world, template = board
    actor = world.coordinators[attacker]
    target = world.schools[ATTACKERS[attacker]].cases[case]

    def inbound(code: str) -> Inbound:
        if kind == "text":
            return Inbound(kind="text", text=TYPED)
        return Inbound(kind="button", trigger=trigger, arg=code, shown_in=state)

    own = world.schools[OWN[attacker]]

    def plant(code: str) -> None:
        actor.plant("coordinator", state, {"case": code, **STATE_ANSWERS.get(state, {})}, own.id)

    seen = attempt(template, actor, inbound, target, plant)
    nothing = attempt(template, actor, inbound, NOBODY, plant)
    same_as_nothing(seen, nothing, coordinator_audit(world, attacker))


QUEUE_CHOICES = {"a1": "B", "b1": "A", "ex": "B", "ab": None}  # None: a school ab lacks (1)


@pytest.mark.parametrize("actor_name", list(QUEUE_CHOICES))
def test_the_queue_filter_takes_only_the_coordinators_own_schools(
    board: tuple[World, Template], actor_name: str
) -> None:
    world, template = board
    actor = world.coordinators[actor_name]
    other = QUEUE_CHOICES[actor_name]
    target = str(world.schools[other].id if other else 1)

    def plant(_school: str) -> None:
        actor.plant("coordinator", "queue", {}, None)

    def inbound(school: str) -> Inbound:
        return Inbound(kind="button", trigger="queue_school", arg=school, shown_in="queue")

    seen = attempt(template, actor, inbound, target, plant)
    nothing = attempt(template, actor, inbound, "99", plant)
    same_as_nothing(seen, nothing, coordinator_audit(world, actor_name))


# --- reporters ---------------------------------------------------------------------------------

# Reporter -> the school they attack; the web pupil is on A's own web address.
REPORTER_TARGETS = {"pupil_a": "B", "parent_a": "B", "web_a": "B", "pupil_b": "A"}
CODE_ACTIONS = ("write", "show_report", "followup_yes", "followup_bit", "followup_no")
CODE_ACTIONS += ("read_followup",)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("typed", [False, True], ids=["button", "typed"])
@pytest.mark.parametrize("action", CODE_ACTIONS)
@pytest.mark.parametrize("reporter", list(REPORTER_TARGETS))
def test_a_reporter_action_on_another_schools_case_reads_as_no_case(
    board: tuple[World, Template], reporter: str, action: str, typed: bool, case: str
) -> None:
    world, template = board
    actor = world.reporters[reporter]
    target = world.schools[REPORTER_TARGETS[reporter]].cases[case]

    def inbound(code: str) -> Inbound:
        if typed:
            return Inbound(kind="command", trigger=action, arg=code)
        return Inbound(kind="button", trigger=action, arg=code, shown_in="*")

    seen = attempt(template, actor, inbound, target)
    nothing = attempt(template, actor, inbound, NOBODY)
    same_as_nothing(seen, nothing, "reporter")


@pytest.mark.parametrize("direction", ["to_reporter", "from_reporter"])
@pytest.mark.parametrize("typed", [False, True], ids=["button", "typed"])
@pytest.mark.parametrize("reporter", list(REPORTER_TARGETS))
def test_reading_another_schools_message_reads_as_no_message(
    board: tuple[World, Template], reporter: str, typed: bool, direction: str
) -> None:
    world, template = board
    actor = world.reporters[reporter]
    target = str(world.schools[REPORTER_TARGETS[reporter]].messages[direction])

    def inbound(message: str) -> Inbound:
        if typed:
            return Inbound(kind="command", trigger="read_message", arg=message)
        return Inbound(kind="button", trigger="read_message", arg=message, shown_in="*")

    seen = attempt(template, actor, inbound, target)
    nothing = attempt(template, actor, inbound, NO_MESSAGE)
    same_as_nothing(seen, nothing, "reporter")


# --- the queue and its counts -------------------------------------------------------------------


def queue(world: World, name: str) -> str:
    actor = world.coordinators[name]
    return outbound_json(actor.command("queue"))


def codes_in(text: str) -> set[str]:
    return set(re.findall(r"\b[A-Z0-9]{4}-[A-Z0-9]{2}\b", text))


def open_codes(world: World, school: str) -> set[str]:
    cases = world.schools[school].cases
    return {cases["unclaimed"], cases["claimed"]}


@pytest.mark.parametrize(("name", "school"), [("a1", "A"), ("ex", "A"), ("b1", "B")])
def test_a_coordinators_queue_lists_only_their_schools_cases(
    world: World, name: str, school: str
) -> None:
    other = "B" if school == "A" else "A"
    listed = queue(world, name)
    assert codes_in(listed) == open_codes(world, school)
    assert world.schools[other].name not in listed
    assert world.schools[school].name not in listed  # one school: no school named per line


def add_open_cases(app: App, school: int, count: int) -> None:
    """`count` unclaimed reports of `school`, made by as many pupils (the store, no chat)."""
    stores = app.stores
    with stores.db.transaction():
        for n in range(count):
            stores.reports.create(
                f"bulk-{school}-{n}",
                "{}",
                {"story": "x", "kind": "names", "place": "class"},
                "2026-11-20T08:00:00+00:00",
                due="2026-11-20T15:00:00+00:00",
                school=school,
            )


def test_the_queue_and_its_count_do_not_change_with_the_other_schools_cases(
    world: World,
) -> None:
    """Twenty lines and "{n} more": the same bytes and the same statements for A's coordinator
    whether B has two open cases or forty-two."""
    app = world.app
    add_open_cases(app, world.schools["A"].id, 25)
    a1 = world.coordinators["a1"]
    with_few = queue_seen(world, a1)
    add_open_cases(app, world.schools["B"].id, 40)
    with_many = queue_seen(world, a1)
    assert with_few == with_many
    assert more(app, 27 - LISTED) in with_few[0]  # A: 27 open cases
    # The control: a coordinator of both schools does count B's.
    assert more(app, 27 + 42 - LISTED) in queue(world, "ab")


def more(app: App, n: int) -> str:
    """How the queue says that `n` cases are not listed, as JSON holds it."""
    said = app.renderer.text(Text("Not in this list: {n} more, the least urgent.", {"n": n}), "nl")
    return json.dumps(said, ensure_ascii=False)[1:-1]


def queue_seen(world: World, actor: Chatter) -> tuple[str, list[str]]:
    """The queue as `actor` reads it from the menu, and the statements that made it (sealed
    values blinded: each seal differs)."""
    actor.plant("coordinator", "home", {}, world.schools["A"].id)
    with traced(world.app) as statements:
        replies = outbound_json(actor.command("queue"))
    return replies, [unsealed(statement) for statement in statements]


def test_a_coordinator_of_both_schools_sees_whose_case_each_line_is_and_can_filter(
    world: World,
) -> None:
    ab = world.coordinators["ab"]
    a, b = world.schools["A"], world.schools["B"]
    ab.command("queue")
    lines = [line for out in ab.last for line in out.text.splitlines() if codes_in(line)]
    assert codes_in("\n".join(lines)) == open_codes(world, "A") | open_codes(world, "B")
    for line in lines:
        (code,) = codes_in(line)
        school = a if code in a.cases.values() else b
        assert f"🏫 {school.name}" in line, line
    filters = {data for out in ab.last for row in out.rows for _label, data in row}
    assert {f"queue:queue_school:{a.id}", f"queue:queue_school:{b.id}"} <= filters
    assert "queue:queue_school:all" in filters
    ab.press_data(f"queue:queue_school:{b.id}")
    assert codes_in(outbound_json(ab.last)) == open_codes(world, "B")
    ab.press_data("queue:queue_school:all")
    assert codes_in(outbound_json(ab.last)) == open_codes(world, "A") | open_codes(world, "B")
    # A coordinator of one school is offered no filter.
    a1 = world.coordinators["a1"]
    a1.command("queue")
    assert not [d for out in a1.last for row in out.rows for _l, d in row if "queue_school" in d]
