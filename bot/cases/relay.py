"""The reporter's side of a case: write to its coordinators, add photos, answer the follow-up.

The reporter stays unknown: they are recognised only by the pseudonym their report was filed
under, so every verb first checks that the case is the acting reporter's own (a button's data
can be forged). Coordinators hear about it through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.cases import events
from bot.cases.context import Context
from bot.cases.notifications import notify_coordinators
from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.storage.reports import Report
from bot.storage.threads import FROM_REPORTER

FOLLOWUP_ANSWERS = ("yes", "a_bit", "no")


def own_case(ctx: Context, code: str) -> Report:
    """The acting reporter's own report `code`; refused for anyone else's, or none."""
    reporter = ctx.stores.reports.reporter(code)
    report = ctx.stores.reports.get(code)
    key = ctx.actor.reporter_key
    if reporter is None or report is None or key is None or reporter["reporter"] != key:
        raise Refused(Text(N_("I cannot find that report among yours.")))
    return report


def send_to_case(ctx: Context, code: str, text: str) -> None:
    report = own_case(ctx, code)
    message = ctx.stores.threads.add(report.code, FROM_REPORTER, None, text, ctx.now)
    notify_coordinators(ctx.stores, "reporter_message", report.code, ctx.now, str(message))
    ctx.record(events.REPORTER_MESSAGE, report.code)


def add_evidence(ctx: Context, code: str, file_ids: Iterable[str]) -> None:
    report = own_case(ctx, code)
    for file_id in file_ids:
        ctx.stores.reports.add_evidence(report.code, file_id)
    notify_coordinators(ctx.stores, "reporter_evidence", report.code, ctx.now, ctx.now)
    ctx.record(events.EVIDENCE_ADDED, report.code)


def answer_followup(ctx: Context, code: str, answer: str) -> bool:
    """Has the bullying stopped? Anything but "yes" opens the case again; returns whether it did.

    Refused once the case is open again already: the school is working on it.
    """
    report = own_case(ctx, code)
    if answer not in FOLLOWUP_ANSWERS:
        raise Refused(Text(N_("I did not understand that answer.")))
    if report.status != "closed":
        raise Refused(
            Text(
                N_("Thank you. The school is already working on {case} again."),
                {"case": report.code},
            )
        )
    ctx.record(events.followup_answered(answer), report.code)
    if answer == "yes":
        return False
    ctx.stores.reports.reopen(report.code, ctx.now)
    notify_coordinators(ctx.stores, "reopened", report.code, ctx.now, ctx.now, answer=answer)
    ctx.record(events.CASE_REOPENED, report.code)
    return True
