"""The reporter's verbs, called with no channel and no Turn: the reporter's message to the
case, added photos and the follow-up answer, each only on the reporter's own case."""

from __future__ import annotations

import pytest
from support.acting import acting, audited, coordinator, later, queued, reporter
from support.casefiles import file_report

from bot.cases import casework, relay
from bot.cases.context import Actor
from bot.cases.notifications import ACTIVITY_DELAY
from bot.core.model import Refused
from bot.storage.threads import FROM_REPORTER


def test_a_reporters_message_reaches_the_case_thread_and_its_coordinator(timed_app):
    code = file_report(timed_app, 7)
    anna, bert = coordinator(timed_app, 101, "Anna"), coordinator(timed_app, 102, "Bert")
    casework.claim(acting(timed_app, anna), code)
    ctx = acting(timed_app, reporter(timed_app, 7))

    relay.send_to_case(ctx, code, "Het gebeurde vandaag weer.")

    thread = timed_app.stores.threads.of(code, 1)
    assert [(m["direction"], m["text"]) for m in thread] == [
        (FROM_REPORTER, "Het gebeurde vandaag weer.")
    ]
    # Only the coordinator who has the case hears about it (a few minutes later).
    after = later(ctx.now, ACTIVITY_DELAY[1])
    news = [entry for entry in queued(timed_app, after) if entry[1] == "reporter_message"]
    assert news == [(anna.coordinator_id, "reporter_message", code)]
    assert bert.coordinator_id not in {entry[0] for entry in news}
    assert audited(timed_app, code)[-1] == ("reporter", "reporter_message")


def test_photos_added_later_join_the_evidence(timed_app):
    code = file_report(timed_app, 7, photos=("photo-1",))

    relay.add_evidence(acting(timed_app, reporter(timed_app, 7)), code, ["photo-2", "photo-3"])

    assert timed_app.stores.reports.evidence(code, 1) == ["photo-1", "photo-2", "photo-3"]
    assert audited(timed_app, code) == [("reporter", "evidence_added")]


@pytest.mark.parametrize(
    "actor",
    [Actor.reporter("not-the-reporter"), Actor.system(), Actor.coordinator(1)],
    ids=["another-reporter", "system", "coordinator"],
)
def test_only_the_reporter_writes_to_their_own_case(timed_app, actor):
    code = file_report(timed_app, 7)
    coordinator(timed_app, 101, "Anna")

    with pytest.raises(Refused) as refused:
        relay.send_to_case(acting(timed_app, actor), code, "Ik doe alsof.")

    assert refused.value.text.msgid == "I cannot find that report among yours."
    assert timed_app.stores.threads.of(code, 1) == []
    assert audited(timed_app, code) == []


def test_a_forged_case_code_is_not_the_reporters_own(timed_app):
    file_report(timed_app, 7)

    with pytest.raises(Refused) as refused:
        relay.send_to_case(acting(timed_app, reporter(timed_app, 7)), "ZZZ-999", "Hallo")

    assert refused.value.text.msgid == "I cannot find that report among yours."


def test_a_follow_up_answer_other_than_yes_reopens_the_case(timed_app):
    stopped, goes_on = file_report(timed_app, 7), file_report(timed_app, 8)
    anna = coordinator(timed_app, 101, "Anna")
    for code in (stopped, goes_on):
        casework.close(acting(timed_app, anna), code, "resolved", "")

    assert relay.answer_followup(acting(timed_app, reporter(timed_app, 7)), stopped, "yes") is False
    assert relay.answer_followup(acting(timed_app, reporter(timed_app, 8)), goes_on, "no") is True

    assert timed_app.stores.reports.get(stopped, frozenset({1})).status == "closed"
    assert timed_app.stores.reports.get(goes_on, frozenset({1})).status == "new"
    assert audited(timed_app, goes_on)[-2:] == [
        ("reporter", "followup_no"),
        ("reporter", "case_reopened"),
    ]
    with pytest.raises(Refused) as refused:
        relay.answer_followup(acting(timed_app, reporter(timed_app, 8)), goes_on, "no")
    assert refused.value.text.msgid == "Thank you. The school is already working on {case} again."
