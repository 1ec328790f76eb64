"""The reporter's side of a case: write to its coordinators, add photos, answer the follow-up,
and read what the school sent (messages arrive as "you have a new message" and are read here).

The reporter stays unknown: they are recognised only by the pseudonym their report was filed
under, so every verb first checks that the case is the acting reporter's own (a button's data
can be forged). Coordinators hear about it through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.cases import events, figures
from bot.cases.context import Context
from bot.cases.notifications import notify_coordinators
from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.storage.reporter_prefs import ReporterPrefs
from bot.storage.reports import Report
from bot.storage.threads import FROM_REPORTER

FOLLOWUP_ANSWERS = ("yes", "a_bit", "no")
# A "read" button pressed after /vergeet, or after the retention purge deleted the case.
# Said to a child and a parent alike (after /vergeet nobody is known): no "je", no "u".
GONE = N_(
    "This message is no longer here. That happens after /forget, "
    "or when a report was deleted after a long time."
)


def own_case(ctx: Context, code: str) -> Report:
    """The acting reporter's own report `code`; refused for anyone else's, or none."""
    key = ctx.actor.reporter_key
    report = ctx.stores.reports.own(code, key) if key else None
    if report is None:
        raise Refused(Text(N_("I cannot find that report among yours.")))
    return report


def _owns(ctx: Context, code: str) -> bool:
    key = ctx.actor.reporter_key
    return key is not None and ctx.stores.reports.own(code, key) is not None


def read_message(ctx: Context, message: str) -> tuple[str, str]:
    """A coordinator's message to the acting reporter, as (case code, text).

    Refused kindly when it is gone or not theirs: the button's data can be forged, and an old
    button outlives /vergeet and the purge. Reading is not audited: when a child reads is theirs.
    """
    key = ctx.actor.reporter_key
    code, _dot, number = message.rpartition(".")
    threads = ctx.stores.threads
    if key is None:
        found = None
    elif code and number.isdigit():  # "K7QX-2M.2": the case's second message to its reporter
        found = threads.to_reporter_at(code, int(number), key)
    elif message.isdigit():  # a button sent before messages were numbered per case
        found = threads.to_reporter(int(message), key)
    else:
        found = None
    if found is None:  # one query, whoever's message it is (see ThreadStore.to_reporter)
        raise Refused(Text(GONE))
    return found["code"], found["text"]


def read_followup(ctx: Context, code: str) -> None:
    """Refused kindly unless `code` is the acting reporter's own case (see `read_message`)."""
    if not _owns(ctx, code):
        raise Refused(Text(GONE))


def set_prefs(ctx: Context, prefs: ReporterPrefs) -> None:
    """How the acting reporter wants the bot's messages from now on."""
    key = ctx.actor.reporter_key
    if key is None:
        raise Refused(Text(N_("I cannot find that report among yours.")))
    ctx.stores.reporter_prefs.put(key, prefs, ctx.now)


def prefs(ctx: Context) -> ReporterPrefs:
    key = ctx.actor.reporter_key
    return ctx.stores.reporter_prefs.get(key) if key else ReporterPrefs()


def send_to_case(ctx: Context, code: str, text: str) -> None:
    report = own_case(ctx, code)
    school = report.school
    message = ctx.stores.threads.add(report.code, school, FROM_REPORTER, None, text, ctx.now)
    notify_coordinators(ctx.stores, "reporter_message", report.code, school, ctx.now, str(message))
    ctx.record(events.REPORTER_MESSAGE, report.code, school)


def add_evidence(ctx: Context, code: str, file_ids: Iterable[str]) -> None:
    report = own_case(ctx, code)
    school = report.school
    before = ctx.stores.reports.evidence_count(report.code, school)
    for file_id in file_ids:
        ctx.stores.reports.add_evidence(report.code, school, file_id)
    notify_coordinators(
        ctx.stores, "reporter_evidence", report.code, school, ctx.now, ctx.now, before=before
    )
    ctx.record(events.EVIDENCE_ADDED, report.code, school)


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
    school = report.school
    ctx.record(events.followup_answered(answer), report.code, school)
    figures.followup_answered(ctx, report, answer)
    if answer == "yes":
        return False
    ctx.stores.reports.reopen(report.code, school, ctx.now)
    notify_coordinators(
        ctx.stores, "reopened", report.code, school, ctx.now, ctx.now, answer=answer
    )
    ctx.record(events.CASE_REOPENED, report.code, school)
    figures.reopened(ctx, report, "followup")
    return True
