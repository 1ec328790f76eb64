"""The engine on its own: no channel, no database."""

from __future__ import annotations

import pytest

from bot.core.engine import EDITING, Engine
from bot.core.flowspec import load_flows
from bot.core.model import Inbound, parse_button_data
from bot.resources import FLOWS


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_flows(FLOWS))


def press(engine, session, data):
    return engine.step(session, parse_button_data(data))


def test_no_session_stays_attached_after_a_step(engine):
    session = engine.new_session("pupil")
    press(engine, session, "menu:check")
    assert session.state == "check_fun"
    for name, machine in engine.machines.items():
        assert machine.models == [engine.slots[name]]  # one slot per flow, never one per user
        assert not hasattr(engine.slots[name], "session")


def test_each_step_starts_from_the_sessions_own_state(engine):
    first, second = engine.new_session("pupil"), engine.new_session("pupil")
    press(engine, first, "menu:report")
    press(engine, second, "menu:check")
    press(engine, first, "report_who:me")
    assert (first.state, second.state) == ("report_kind", "check_fun")


def test_editing_from_the_summary_returns_to_the_summary(engine):
    session = engine.new_session("pupil")
    session.state = "report_summary"
    session.answers.update(who="self", kind="names", story="x", anonymous=True)
    press(engine, session, "report_summary:change")
    press(engine, session, "report_change:edit_kind")
    assert (session.state, session.answers[EDITING]) == ("report_kind", True)
    press(engine, session, "report_kind:hitting")  # ticks a kind (an effect); stays
    assert session.state == "report_kind"
    press(engine, session, "report_kind:kinds_done")
    assert session.state == "report_summary" and EDITING not in session.answers


def test_without_editing_the_questions_go_on_in_order(engine):
    session = engine.new_session("pupil")
    for data in ("menu:report", "report_who:me", "report_kind:names", "report_kind:kinds_done"):
        press(engine, session, data)
    assert session.state == "report_where"


def test_help_keeps_the_state_and_the_answers(engine):
    session = engine.new_session("pupil")
    for data in ("menu:report", "report_who:me"):
        press(engine, session, data)
    step = press(engine, session, "*:help")
    assert session.state == "report_kind" and session.answers == {"who": "self"}
    assert not step.moved and any("112" in n for n in step.notices)


def test_story_text_is_appended_and_bounded(engine):
    session = engine.new_session("pupil")
    session.state = "report_story"
    engine.step(session, Inbound(kind="text", text="eerst"))
    engine.step(session, Inbound(kind="text", text="daarna"))
    assert (session.state, session.answers["story"]) == ("report_story_more", "eerst\ndaarna")
    # A part that does not fit keeps its start, cut at a space, and says so (never dropped).
    step = engine.step(session, Inbound(kind="text", text="woord " * 5000))
    story = session.answers["story"]
    assert (
        step.problem is None and len(story) <= 20_000 and story.startswith("eerst\ndaarna\nwoord")
    )
    assert step.clipped == "… woord woord woord woord woord woord"
    step = engine.step(session, Inbound(kind="text", text="meer"))
    assert step.problem == "story_full" and session.answers["story"] == story


def test_photos_are_collected_up_to_the_limit(engine):
    session = engine.new_session("pupil")
    session.state = "report_evidence"
    for n in range(10):
        assert engine.step(session, Inbound(kind="photo", file_id=f"p{n}")).problem is None
    assert engine.step(session, Inbound(kind="photo", file_id="p10")).problem == "too_many_photos"
    assert session.answers["evidence"] == [f"p{n}" for n in range(10)]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("report_kind:names", "stale"),  # a real button, but from another state
        ("menu:nonexistent", "stale"),
        ("menu:check:extra", "stale"),  # an argument the move does not take
        ("*:open:ABCD-EF", "stale"),  # a coordinator trigger in the pupil flow
    ],
)
def test_buttons_that_do_not_fit_the_state_are_refused(engine, data, problem):
    session = engine.new_session("pupil")
    assert press(engine, session, data).problem == problem
    assert session.state == "menu" and session.answers == {}


def test_case_buttons_must_belong_to_the_open_case(engine):
    session = engine.new_session("coordinator")
    session.state, session.answers = "case", {"case": "AAAA-AA"}
    assert press(engine, session, "case:claim:BBBB-BB").problem == "stale"
    step = press(engine, session, "case:claim:AAAA-AA")
    assert step.problem is None and [e.name for e in step.effects] == ["claim"]
