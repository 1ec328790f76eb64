"""The coordinators' work on one case in the chat: open it, claim it, set status or phase, note,
write to the reporter, reopen.

Each effect reads the case code and what was typed from the conversation, calls the verb in
`bot/cases/casework.py` (which re-checks the coordinator and the case, and audits), and answers
with one short sentence. Reading a case is `bot/chat/caseview.py`, closing it
`bot/chat/closing.py`, the queue `bot/chat/casequeue.py`.
"""

from __future__ import annotations

from bot.cases import casework
from bot.cases.labels import status_text
from bot.chat.caseview import case_code, earlier_messages, evidence, find_case, whole_case
from bot.chat.turn import Turn
from bot.core.i18n import N_
from bot.core.model import Refused, Screen, Text


def open_case(turn: Turn, _arg: str | None) -> None:
    """The whole case, once: what follows every later action is only its header."""
    report = casework.open_case(turn.context, case_code(turn))
    turn.notices.extend(whole_case(turn, report))


def show_evidence(turn: Turn, _arg: str | None) -> None:
    report = find_case(turn)
    # Rendered after the case's header and buttons (Renderer.render), which never wait for them.
    photos = evidence(turn, report)
    if not photos:
        raise Refused(Text(N_("Case {case} has no photos."), {"case": report.code}))
    turn.notices.extend(photos)


def show_earlier(turn: Turn, _arg: str | None) -> None:
    """The thread's messages before the ones shown so far, a few at a time."""
    report = find_case(turn)
    said = earlier_messages(turn, report)
    if not said:
        raise Refused(
            Text(N_("Case {case}: there are no earlier messages."), {"case": report.code})
        )
    turn.notices.append(Screen(tuple(said)))


def claim(turn: Turn, _arg: str | None) -> None:
    code = case_code(turn)
    casework.claim(turn.context, code)
    turn.say(N_("Case {case} is yours now."), case=code)


def set_status(turn: Turn, status: str | None) -> None:
    code = case_code(turn)
    casework.set_status(turn.context, code, status or "")
    turn.say(N_("Case {case}: status {status}."), case=code, status=status_text(status or ""))


def set_phase(turn: Turn, phase: str | None) -> None:
    code = case_code(turn)
    report = casework.set_phase(turn.context, code, phase or "")
    label = turn.school_of(report.school).phases_in(turn.locale)[int(phase or 0) - 1]
    turn.say(N_("Case {case}: now in {phase}."), case=code, phase=label)


def add_note(turn: Turn, _arg: str | None) -> None:
    code = case_code(turn)
    casework.add_note(turn.context, code, str(turn.session.answers.pop("note", "")))
    turn.say(N_("Note saved for case {case}."), case=code)


def check_open(turn: Turn, _arg: str | None) -> None:
    """Entering status, phase, closing or the checklist needs an open case."""
    find_case(turn, open_only=True)


def check_reachable(turn: Turn, _arg: str | None) -> None:
    """Writing to the reporter needs an open case and a reporter who can still be reached."""
    casework.require_reachable(turn.context, case_code(turn))


def message_reporter(turn: Turn, _arg: str | None) -> None:
    """Say "sent" only when it can be delivered; otherwise the text was kept as a note."""
    code = case_code(turn)
    text = str(turn.session.answers.pop("message", ""))
    if casework.message_reporter(turn.context, code, text):
        turn.say(N_("Sent to the reporter of {case}."), case=code)
        return
    turn.say(
        N_(
            "Case {case}: the reporter asked the bot to forget them, so nothing can reach them "
            "any more. Your message was not sent; it is kept as a note."
        ),
        case=code,
    )


def reopen_case(turn: Turn, _arg: str | None) -> None:
    code = case_code(turn)
    casework.reopen(turn.context, code)
    turn.say(N_("Case {case} is open again."), case=code)


def mark_serious(turn: Turn, _arg: str | None) -> None:
    code = case_code(turn)
    casework.mark_serious(turn.context, code)
    turn.say(N_("Case {case} is marked as a serious incident."), case=code)


EFFECTS = {
    "mark_serious": mark_serious,
    "open_case": open_case,
    "show_evidence": show_evidence,
    "show_earlier": show_earlier,
    "claim": claim,
    "set_status": set_status,
    "set_phase": set_phase,
    "add_note": add_note,
    "check_open": check_open,
    "check_reachable": check_reachable,
    "message_reporter": message_reporter,
    "reopen_case": reopen_case,
}
