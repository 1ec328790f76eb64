"""The reporter's side of a case: write to the coordinator, add evidence, answer the follow-up.

Every effect first checks that the case is the sender's own report (button data can be forged):
the reporter is known only by the pseudonym the report was filed under.
"""

from __future__ import annotations

from bot.cases.notifications import notify_coordinators
from bot.chat.turn import Turn
from bot.core.i18n import N_, NC_
from bot.core.model import Refused, Text
from bot.storage.reports import Report
from bot.storage.threads import FROM_REPORTER


def _own(turn: Turn) -> Report:
    code = str(turn.session.answers.get("case", ""))
    reporter = turn.stores.reports.reporter(code)
    report = turn.stores.reports.get(code)
    if reporter is None or report is None or reporter["reporter"] != turn.key:
        raise Refused(Text(N_("I cannot find that report among yours.")))
    return report


def own_case(turn: Turn, _arg: str | None) -> None:
    _own(turn)


def send_to_case(turn: Turn, _arg: str | None) -> None:
    report = _own(turn)
    text = str(turn.session.answers.pop("message", ""))
    message = turn.stores.threads.add(report.code, FROM_REPORTER, None, text, turn.now)
    notify_coordinators(turn.stores, "reporter_message", report.code, turn.now, str(message))
    turn.record("reporter_message", report.code)


def add_evidence(turn: Turn, _arg: str | None) -> None:
    report = _own(turn)
    for file_id in turn.session.answers.pop("contact_photos", []):
        turn.stores.reports.add_evidence(report.code, file_id)
    notify_coordinators(turn.stores, "reporter_evidence", report.code, turn.now, turn.now)
    turn.record("evidence_added", report.code)


# A parent's answer is thanked with "u" (the renderer picks it for the parent flow).
NC_(
    "parent",
    "Thank you for telling us. The anti-bullying coordinator will work on {case} "
    "again and will get in touch.",
)


def followup_answer(turn: Turn, answer: str | None) -> None:
    report = _own(turn)
    if answer not in ("yes", "a_bit", "no"):
        raise Refused(Text(N_("I did not understand that answer.")))
    if report.status != "closed":
        raise Refused(
            Text(
                N_("Thank you. The school is already working on {case} again."),
                {"case": report.code},
            )
        )
    turn.record(f"followup_{answer}", report.code)
    if answer == "yes":
        turn.say(N_("That is good to hear! Thank you for letting us know. 😊"))
        return
    turn.stores.reports.reopen(report.code, turn.now)
    notify_coordinators(turn.stores, "reopened", report.code, turn.now, turn.now, answer=answer)
    turn.record("case_reopened", report.code)
    turn.say(
        N_(
            "Thank you for telling us. The anti-bullying coordinator will work on {case} "
            "again and will get in touch."
        ),
        case=report.code,
    )
