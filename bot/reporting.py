"""A pupil's report: the summary before sending, sending it, and the reporter's own list."""

from __future__ import annotations

import json
import logging

from bot.i18n import N_
from bot.model import Text, lines
from bot.textsafety import neutralise
from bot.turn import Refused, Turn, ViewPart

log = logging.getLogger(__name__)

STATUS_FOR_REPORTER = {
    "new": N_("sent, an anti-bullying coordinator will read it"),
    "claimed": N_("an anti-bullying coordinator is working on it"),
    "in_progress": N_("an anti-bullying coordinator is working on it"),
    "closed": N_("finished"),
}
SUMMARY_FIELDS = (
    ("who", N_("Who: {value}")),
    ("kind", N_("What: {value}")),
    ("place", N_("Where: {value}")),
    ("often", N_("How often: {value}")),
    ("since", N_("How long: {value}")),
)


def summary_view(turn: Turn) -> ViewPart:
    answers = turn.session.answers
    label = turn.stores.label
    fields = [Text(line, {"value": label(key, answers.get(key))}) for key, line in SUMMARY_FIELDS]
    fields.append(Text(N_("Photos: {count}"), {"count": len(answers.get("evidence", []))}))
    if answers.get("anonymous", True):
        fields.append(Text(N_("Name: you stay anonymous")))
    else:
        fields.append(Text(N_("Name: {name}"), {"name": neutralise(answers.get("name", ""))}))
    story = Text(N_("Your story: {story}"), {"story": neutralise(answers.get("story", ""))})
    return ViewPart(texts=[lines(fields), story])


def submit_report(turn: Turn, _arg: str | None) -> None:
    answers = turn.session.answers
    if not answers.get("story") or "kind" not in answers:
        raise Refused(Text(N_("Something is missing in your report. Let's check it again.")))
    stores = turn.stores
    contact = json.dumps({"channel": turn.who.channel, "chat": turn.who.chat_id})
    code = stores.reports.create(turn.key, contact, answers, turn.now)
    payload = {"event": "new_report", "code": code, "kind": answers["kind"], "at": turn.now}
    for coordinator in stores.coordinators.active():
        stores.outbox.enqueue(
            f"new_report:{code}:{coordinator.id}", coordinator.id, payload, turn.now
        )
    answers.clear()
    answers["code"] = code
    log.info("report_created case=%s", code)


def my_reports_view(turn: Turn) -> ViewPart:
    stores = turn.stores
    reports = stores.reports.by_reporter(turn.key)
    if not reports:
        return ViewPart(texts=[Text(N_("You have not sent a report yet."))])
    listed = [
        Text(
            N_("{code} from {date}: {status}"),
            {
                "code": row["code"],
                "date": stores.local_time(row["created"])[:10],
                "status": Text(STATUS_FOR_REPORTER.get(row["status"], row["status"])),
            },
        )
        for row in reports[:10]
    ]
    return ViewPart(texts=[Text(N_("Your reports:")), lines(listed)])
