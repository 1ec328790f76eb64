"""The coordinators' work on one case: open it, claim it, set status or phase, note, write, reopen.

Every effect re-checks the sender's role and the case (button data can be forged), answers with
one short sentence, and is audit-logged without content. Reading a case is `bot/chat/caseview.py`,
closing it `bot/chat/closing.py`, the queue `bot/chat/casequeue.py`.
"""

from __future__ import annotations

from bot.cases.notifications import notify_reporter
from bot.chat.caseview import evidence, find_case, status_text, whole_case
from bot.chat.turn import Turn
from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.storage import Stores
from bot.storage.threads import TO_REPORTER

UNREACHABLE = N_(
    "Case {case}: the reporter asked the bot to forget them, so nothing can reach them any "
    "more. You can still add a note."
)


def send_to_reporter(stores: Stores, code: str, author: int, text: str, now: str) -> bool:
    """Queue a message to a case's reporter; False (and nothing queued) when they cannot be
    reached any more."""
    if not stores.reports.reachable(code):
        return False
    message = stores.threads.add(code, TO_REPORTER, author, text, now)
    return notify_reporter(stores, "to_reporter", code, now, str(message), message=message)


def reopen(stores: Stores, code: str, now: str) -> bool:
    """Open a closed case again; its pending follow-up question is not asked any more.

    False when the case was not closed.
    """
    if not stores.reports.reopen(code, now):
        return False
    stores.jobs.cancel(code, "followup", now)
    return True


def open_case(turn: Turn, _arg: str | None) -> None:
    """The whole case, once: what follows every later action is only its header."""
    report = find_case(turn)
    turn.record("case_opened", report.code)
    turn.notices.extend(whole_case(turn, report))


def show_evidence(turn: Turn, _arg: str | None) -> None:
    report = find_case(turn)
    photos = evidence(turn, report.code)
    if not photos:
        raise Refused(Text(N_("Case {case} has no photos."), {"case": report.code}))
    turn.notices.extend(photos)


def claim(turn: Turn, _arg: str | None) -> None:
    report = find_case(turn, open_only=True)
    assert turn.coordinator is not None
    if report.assignee == turn.coordinator.id:
        raise Refused(Text(N_("You already have {case}."), {"case": report.code}))
    if not turn.stores.reports.claim(report.code, turn.coordinator.id, turn.now):
        holder = turn.stores.reports.get(report.code)
        name = holder.assignee_name if holder else "?"
        raise Refused(
            Text(
                N_("Case {case} is already claimed by {name}."), {"case": report.code, "name": name}
            )
        )
    turn.record("case_claimed", report.code)
    turn.say(N_("Case {case} is yours now."), case=report.code)


def set_status(turn: Turn, status: str | None) -> None:
    report = find_case(turn, open_only=True)
    if status not in ("new", "claimed", "in_progress"):
        raise Refused(Text(N_("That status does not exist.")))
    turn.stores.reports.set_status(report.code, status, turn.now)
    turn.record(f"status_{status}", report.code)
    turn.say(N_("Case {case}: status {status}."), case=report.code, status=status_text(status))


def set_phase(turn: Turn, phase: str | None) -> None:
    report = find_case(turn, open_only=True)
    if phase not in {"1", "2", "3", "4", "5", "6"}:
        raise Refused(Text(N_("That phase does not exist.")))
    turn.stores.reports.set_phase(report.code, int(phase), turn.now)
    turn.record(f"phase_{phase}", report.code)
    label = turn.school.phases_in(turn.locale)[int(phase) - 1]
    turn.say(N_("Case {case}: now in {phase}."), case=report.code, phase=label)


def add_note(turn: Turn, _arg: str | None) -> None:
    """Also on a closed case: what happened after closing belongs with it."""
    report = find_case(turn)
    assert turn.coordinator is not None
    text = str(turn.session.answers.pop("note", ""))
    turn.stores.reports.add_note(report.code, turn.coordinator.id, text, turn.now)
    turn.record("note_added", report.code)
    turn.say(N_("Note saved for case {case}."), case=report.code)


def check_open(turn: Turn, _arg: str | None) -> None:
    """Entering status, phase, closing or the checklist needs an open case."""
    find_case(turn, open_only=True)


def check_reachable(turn: Turn, _arg: str | None) -> None:
    """Writing to the reporter needs an open case and a reporter who can still be reached."""
    report = find_case(turn, open_only=True)
    if not turn.stores.reports.reachable(report.code):
        raise Refused(Text(UNREACHABLE, {"case": report.code}))


def message_reporter(turn: Turn, _arg: str | None) -> None:
    """Say "sent" only when it can be delivered; otherwise keep the text as a note."""
    report = find_case(turn)
    assert turn.coordinator is not None
    text = str(turn.session.answers.pop("message", ""))
    if send_to_reporter(turn.stores, report.code, turn.coordinator.id, text, turn.now):
        turn.record("message_sent", report.code)
        turn.say(N_("Sent to the reporter of {case}."), case=report.code)
        return
    # The reporter used /vergeet while this was being typed: nothing typed is thrown away.
    turn.stores.reports.add_note(report.code, turn.coordinator.id, text, turn.now)
    turn.record("message_not_sent", report.code)
    turn.say(
        N_(
            "Case {case}: the reporter asked the bot to forget them, so nothing can reach them "
            "any more. Your message was not sent; it is kept as a note."
        ),
        case=report.code,
    )


def reopen_case(turn: Turn, _arg: str | None) -> None:
    report = find_case(turn)
    if not reopen(turn.stores, report.code, turn.now):
        raise Refused(Text(N_("Case {case} is already open."), {"case": report.code}))
    turn.record("case_reopened", report.code)
    turn.say(N_("Case {case} is open again."), case=report.code)


EFFECTS = {
    "open_case": open_case,
    "show_evidence": show_evidence,
    "claim": claim,
    "set_status": set_status,
    "set_phase": set_phase,
    "add_note": add_note,
    "check_open": check_open,
    "check_reachable": check_reachable,
    "message_reporter": message_reporter,
    "reopen_case": reopen_case,
}
