"""Messages the bot starts itself: who gets them, when, and what they say when they are sent.

Queued in the outbox inside the transaction of their cause; a payload names the event, the case
and a message id, never content. Sealed content is read only when the message is rendered.

Two things are not what they seem at first sight:
- A message to a reporter says only "you have a new message" with a button: someone else may
  hold the child's phone, and a lock screen shows a message's first line. What it is about is
  read from the database when the button is tapped (`message_screen`, `followup_screen`).
- Coordinators hear of a reporter's activity a random few minutes late, at most once per case
  while a notice waits: a coordinator who writes to a reporter and then watches whose phone
  buzzes, or who gets a notice within milliseconds of a pupil's tap, could tell who reported.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.cases.labels import case_label
from bot.cases.patterns import PATTERN, WINDOW_DAYS
from bot.core.i18n import DEFAULT_LOCALE, N_, NC_
from bot.core.model import Choice, Screen, Text
from bot.schools.school import School
from bot.stats.monospace import school_name, week_texts
from bot.storage import Stores
from bot.storage.reporter_prefs import ReporterPrefs
from bot.storage.threads import FROM_REPORTER

COORDINATOR_EVENTS = {
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
# What a reporter did, by event: (one, several) msgids; several are counted when it is sent.
ACTIVITY_TEXTS = {
    "reporter_message": (
        N_("✉️ {case}: the reporter sent a new message."),
        N_("✉️ {case}: the reporter sent {count} new messages."),
    ),
    "reporter_evidence": (
        N_("📎 {case}: the reporter sent a new photo."),
        N_("📎 {case}: the reporter sent {count} new photos."),
    ),
}
FOLLOWUP_ANSWERS = {"yes": N_("yes"), "a_bit": N_("a bit"), "no": N_("no")}

# Reporter activity reaches coordinators this many seconds late, at random: a notice within
# milliseconds of a pupil's tap, or of a coordinator's own message to them, would point at the
# child who reported. A few minutes hide a tap among a class's; a coordinator can wait that long.
# A new report is not delayed: it may be urgent (a child in danger), and the school's promise
# counts from it. It is no answer to anything a coordinator did, so nobody knows when to watch.
REPORTER_ACTIVITY = ("reporter_message", "reporter_evidence", "reopened")
ACTIVITY_DELAY = (120.0, 480.0)  # seconds: two to eight minutes

# Events to a reporter, and the trigger ids of the buttons that show them (flows/shared/my_case).
TO_REPORTER_EVENTS = ("to_reporter", "followup")
READ_MESSAGE = "read_message"
READ_FOLLOWUP = "read_followup"
NEW_MESSAGE = N_("📬 You have a new message. Tap below to read it.")
NC_("parent", "📬 You have a new message. Tap below to read it.")
READ = N_("📖 Read the message")
# "Only after school": from the end of the school day until a child's evening begins.
EVENING = time(19, 0)


def notify_coordinators(
    stores: Stores, event: str, code: str, school: int, now: str, occasion: str = "", **extra: Any
) -> None:
    """To the coordinator who has the case, or to every coordinator of its school if nobody has
    it. Never to anyone outside the case's school.

    Each through their own channel: the console coordinator reads them in the terminal. A
    reporter's activity goes out a few minutes late, and not again while a notice of the same
    kind about the case still waits for that coordinator (a flood of messages is one notice).
    """
    report = stores.reports.get(code, frozenset({school}))
    assignee = report.assignee if report else None
    active = stores.coordinators.active_in(school)
    # Nobody listening has it (the one who had it left): everyone hears about it.
    targets = [c for c in active if assignee in (None, c.id)] or active
    payload = {"event": event, "code": code, "at": now, **extra}
    delayed = event in REPORTER_ACTIVITY
    not_before = _later(now, random.uniform(*ACTIVITY_DELAY)) if delayed else None
    for coordinator in targets:
        if delayed and stores.outbox.waiting(event, code, school, coordinator.id):
            continue  # the waiting notice counts this one too when it is sent
        key = f"{event}:{code}:{occasion}:{coordinator.id}"
        stores.outbox.enqueue(
            key,
            payload,
            now,
            channel=coordinator.channel,
            coordinator=coordinator.id,
            not_before=not_before,
            school=school,
        )


def notify_reporter(
    stores: Stores, event: str, code: str, school: int, now: str, occasion: str, **extra: Any
) -> bool:
    """Queue a message to a case's reporter; False when nothing can reach them any more."""
    reporter = stores.reports.reporter(code, school)
    contact = json.loads(reporter["contact"]) if reporter else {}
    if reporter is None or "chat" not in contact:  # the reporter asked to be forgotten
        return False
    channel = contact.get("channel", "telegram")
    payload = {"event": event, "code": code, "at": now, **extra}
    key = f"{event}:{code}:{occasion}"
    stores.outbox.enqueue(key, payload, now, channel=channel, report=reporter["id"], school=school)
    return True


def prefs_for_case(stores: Stores, code: str, school: int) -> ReporterPrefs:
    """How the reporter of `code` wants the bot's messages; the defaults when nobody is known."""
    reporter = stores.reports.reporter(code, school)
    key = reporter["reporter"] if reporter else None
    return stores.reporter_prefs.get(key) if key else ReporterPrefs()


def after_school(school: School) -> tuple[time, time]:
    """The hours a reporter who chose "only after school" gets messages in (school's clock)."""
    start = school.hours[1]
    return start, EVENING if start < EVENING else time(23, 59)


def held_until(stores: Stores, school: School, payload: dict[str, Any], now: str) -> str | None:
    """When a message to a reporter may go out, if not now: the start of their chosen hours."""
    if payload.get("event") not in TO_REPORTER_EVENTS:
        return None
    if prefs_for_case(stores, payload["code"], school.id).hours != "after_school":
        return None
    start, end = after_school(school)
    local = datetime.fromisoformat(now).astimezone(school.zone)
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    opens = datetime.combine(day, start, tzinfo=school.zone)
    return opens.astimezone(UTC).isoformat(timespec="seconds")


def notification_screen(
    stores: Stores,
    school: School,
    payload: dict[str, Any],
    *,
    named: bool = False,
    locale: str = DEFAULT_LOCALE,
) -> Screen:
    """`named`: the receiver coordinates several schools, so the school is named first.
    `locale`: the receiver's, for what the school names itself (the digest's figures)."""
    if payload["event"] == DIGEST:  # names its school in its heading
        return digest_screen(stores, school, payload["at"], locale=locale)
    screen = _notification_screen(stores, school, payload)
    if not named:
        return screen
    name = Text(SCHOOL_LINE, {"school": school.name or school.slug})
    return replace(screen, texts=(name, *screen.texts))


SCHOOL_LINE = N_("🏫 {school}")
DIGEST = "digest"  # queued by bot/background/digest.py every Monday morning
DIGEST_HEADING = N_("📅 Good morning!\nThe weekly overview of {school}\n{date}")
PATTERN_TEXT = N_(
    "🔎 {cases}: {count} reports within {days} school days about the same place ({place}). "
    "They may belong together."
)
LISTED_OPEN = 6  # a button each for the newest cases of a pattern; the text names them all


def digest_screen(
    stores: Stores, school: School, at: str, *, locale: str = DEFAULT_LOCALE
) -> Screen:
    """The Monday digest: this week's figures as /cijfers shows them, read when it is sent
    (once per coordinator, in their `locale`)."""
    when = school.local_time(at)[:10]
    heading = Text(DIGEST_HEADING, {"school": school_name(school), "date": when})
    return Screen((heading, *week_texts(stores, school, at, locale=locale)), monospace=True)


def pattern_screen(payload: dict[str, Any]) -> Screen:
    """Several reports about one place (bot/cases/patterns.py): their codes, and a button to
    open each of the newest."""
    codes = list(payload["codes"])
    params = {
        "cases": ", ".join(codes),
        "count": len(codes),
        "days": WINDOW_DAYS,
        "place": case_label("place", payload["place"]),
    }
    rows = tuple(
        (Choice(Text(N_("Open {case}"), {"case": code}), "open", code),)
        for code in codes[-LISTED_OPEN:]
    )
    return Screen((Text(PATTERN_TEXT, params),), rows=rows)


def _notification_screen(stores: Stores, school: School, payload: dict[str, Any]) -> Screen:
    if payload["event"] == PATTERN:
        return pattern_screen(payload)
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
    if event in ACTIVITY_TEXTS:
        count = _activity_count(stores, school.id, payload)
        one, several = ACTIVITY_TEXTS[event]
        text = Text(one if count <= 1 else several, {"case": code, "count": count})
        return Screen((text,), rows=open_case)
    if event in COORDINATOR_EVENTS:
        answer = Text(FOLLOWUP_ANSWERS.get(payload.get("answer", ""), N_("unknown")))
        return Screen(
            (Text(COORDINATOR_EVENTS[event], {"case": code, "answer": answer}),), rows=open_case
        )
    if event == "to_reporter":
        reference = message_reference(stores, code, school.id, int(payload["message"]))
        return _teaser(stores, code, school.id, READ_MESSAGE, reference)
    if event == "followup":
        return _teaser(stores, code, school.id, READ_FOLLOWUP, code)
    raise ValueError(f"unknown outbox event {event!r}")


def message_reference(stores: Stores, code: str, school: int, message: int) -> str:
    """What a reporter's "read the message" button carries: the case and the message's number
    within it ("K7QX-2M.2"). Never the message's row id, which counts over the whole board and
    would tell a reporter how much other schools write."""
    return f"{code}.{stores.threads.number_of(message, code, school)}"


def _teaser(stores: Stores, code: str, school: int, trigger: str, arg: str) -> Screen:
    """What a reporter's lock screen may show: that there is a message, not what it is about."""
    read = ((Choice(Text(READ), trigger, arg),),)
    quiet = prefs_for_case(stores, code, school).quiet
    return Screen((Text(NEW_MESSAGE),), rows=read, quiet=quiet)


def _activity_count(stores: Stores, school: int, payload: dict[str, Any]) -> int:
    """How much the reporter sent since the notice was queued (it stood for all of it)."""
    code = payload["code"]
    if payload["event"] == "reporter_evidence":
        return stores.reports.evidence_count(code, school) - int(payload.get("before", 0))
    since = payload["at"]
    return sum(
        1
        for message in stores.threads.of(code, school)
        if message["direction"] == FROM_REPORTER and message["created"] >= since
    )


def _later(now: str, seconds: float) -> str:
    at = datetime.fromisoformat(now) + timedelta(seconds=round(seconds))
    return at.astimezone(UTC).isoformat(timespec="seconds")


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


def message_screen(code: str, text: str) -> Screen:
    """A coordinator's message, shown when the reporter taps to read it; it waits for an answer."""
    message = Text(
        N_("📩 Message from the anti-bullying coordinator about your report {case}:\n\n{text}"),
        {"case": code, "text": text},
    )
    answer = Choice(Text(N_("↩️ Answer")), "write", code)
    return Screen((message,), rows=((answer,),), asks=True)


def followup_screen(code: str) -> Screen:
    """The follow-up question ("Has the bullying stopped?"), shown when the reporter taps."""
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
    return Screen((text,), rows=tuple((b,) for b in buttons), asks=True)
