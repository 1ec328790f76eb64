"""Messages the bot starts itself: who gets them, and what they say when they are sent.

Queued in the outbox inside the transaction of their cause; a payload names the event, the case
and a message id, never content. Sealed content is read only when the message is rendered.
"""

from __future__ import annotations

import json
from typing import Any

from bot.cases.labels import case_label
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Screen, Text
from bot.schools.school import School
from bot.storage import Stores

COORDINATOR_EVENTS = {
    "reporter_message": N_("✉️ {case}: the reporter sent a new message."),
    "reporter_evidence": N_("📎 {case}: the reporter sent a new photo."),
    "remind": N_(
        "⏰ {case} has not been claimed yet, and the school's promise for new reports has passed."
    ),
    "overdue": N_("⚠️ {case} is overdue: nobody has claimed it yet. Please pick it up today."),
    "delivery_failed": N_(
        "⚠️ {case}: a message could not be delivered, even after several tries. "
        "Please look at the case."
    ),
    "reopened": N_(
        "🔁 {case} is open again. Asked whether the bullying has stopped, the reporter "
        "answered: {answer}."
    ),
}
FOLLOWUP_ANSWERS = {"yes": N_("yes"), "a_bit": N_("a bit"), "no": N_("no")}


def notify_coordinators(
    stores: Stores, event: str, code: str, now: str, occasion: str = "", **extra: Any
) -> None:
    """To the coordinator who has the case, or to every active coordinator if nobody has it.

    Each through their own channel: the console coordinator reads them in the terminal.
    """
    report = stores.reports.get(code)
    assignee = report.assignee if report else None
    active = stores.coordinators.active()
    # Nobody listening has it (the one who had it left): everyone hears about it.
    targets = [c for c in active if assignee in (None, c.id)] or active
    payload = {"event": event, "code": code, "at": now, **extra}
    for coordinator in targets:
        key = f"{event}:{code}:{occasion}:{coordinator.id}"
        stores.outbox.enqueue(
            key, payload, now, channel=coordinator.channel, coordinator=coordinator.id
        )


def notify_reporter(
    stores: Stores, event: str, code: str, now: str, occasion: str, **extra: Any
) -> bool:
    """Queue a message to a case's reporter; False when nothing can reach them any more."""
    reporter = stores.reports.reporter(code)
    contact = json.loads(reporter["contact"]) if reporter else {}
    if reporter is None or "chat" not in contact:  # the reporter asked to be forgotten
        return False
    channel = contact.get("channel", "telegram")
    payload = {"event": event, "code": code, "at": now, **extra}
    key = f"{event}:{code}:{occasion}"
    stores.outbox.enqueue(key, payload, now, channel=channel, report=reporter["id"])
    return True


# What a parent reads of the messages to a reporter ("u"); the outbox renders for the reporter's
# role (pupil or parent).
NC_(
    "parent",
    "📩 Message from the anti-bullying coordinator about your report {case}:\n\n{text}",
)
NC_(
    "parent",
    "About your report {case}: the school has finished working on it. Has the bullying stopped?",
)
NC_("parent", "A bit")


def notification_screen(stores: Stores, school: School, payload: dict[str, Any]) -> Screen:
    code, event = payload["code"], payload["event"]
    open_case = ((Choice(Text(N_("Open {case}"), {"case": code}), "open", code),),)
    if event == "new_report":
        text = Text(
            N_("🔔 {case}: new report\nWhat: {kind}\nReceived: {when}"),
            {
                "case": code,
                "kind": case_label("kind", payload["kind"]),
                "when": school.local_time(payload["at"]),
            },
        )
        return Screen((text,), rows=open_case)
    if event in COORDINATOR_EVENTS:
        answer = Text(FOLLOWUP_ANSWERS.get(payload.get("answer", ""), N_("unknown")))
        return Screen(
            (Text(COORDINATOR_EVENTS[event], {"case": code, "answer": answer}),), rows=open_case
        )
    if event == "to_reporter":
        message = stores.threads.get(int(payload["message"]))
        text = Text(
            N_("📩 Message from the anti-bullying coordinator about your report {case}:\n\n{text}"),
            {"case": code, "text": message["text"] if message else ""},
        )
        answer = Choice(Text(N_("↩️ Answer")), "write", code)
        return Screen((text,), rows=((answer,),))
    if event == "followup":
        text = Text(
            N_(
                "About your report {case}: the school has finished working on it. "
                "Has the bullying stopped?"
            ),
            {"case": code},
        )
        buttons = (
            Choice(Text(N_("Yes, it stopped")), "followup_yes", code),
            Choice(Text(N_("A bit")), "followup_bit", code),
            Choice(Text(N_("No, it goes on")), "followup_no", code),
        )
        return Screen((text,), rows=tuple((b,) for b in buttons))
    raise ValueError(f"unknown outbox event {event!r}")
