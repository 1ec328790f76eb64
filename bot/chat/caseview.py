"""What a coordinator reads about one case: its header, the whole case once, and its evidence.

The whole case (story, thread, notes, history, photos) is shown when the case is opened; every
action after that answers with the header and the actions that apply, so nothing is sent twice.
Which actions apply depends on the case: a closed case can be read, noted and reopened; a case
whose reporter asked to be forgotten has no way to write to them.
"""

from __future__ import annotations

from bot.cases import casework, events
from bot.cases.labels import case_label, status_text
from bot.chat import checklist
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Choice, Media, Screen, Text, lines
from bot.core.textsafety import neutralise
from bot.schools.school import School
from bot.storage.reports import Report
from bot.storage.threads import TO_REPORTER

# The case's actions, by trigger id (labels and moves are in flows/coordinator.yaml).
OPEN_ACTIONS = (
    "claim",
    "status",
    "phase",
    "message",
    "note",
    "close",
    "evidence",
    "checklist",
    "earlier",
    "serious",
)
CLOSED_ACTIONS = ("note", "reopen", "evidence", "earlier", "serious")
HISTORY_SHOWN = 12  # the latest entries of a case's history
# The latest messages of a case's thread shown when it opens, and per "⏪ Earlier messages": a
# reporter can write forty (122,000 characters), and the whole thread each time buries the case.
THREAD_SHOWN = 10  # messages at most
THREAD_CHARS = 8000  # and about two Telegram messages of text (always at least one message)
THREAD_FROM = "thread_from"  # answer: where in the thread the messages shown so far begin
# Said instead of a photo Telegram will not send (e.g. a file it no longer has); the case, its
# buttons and the other photos are shown all the same.
EVIDENCE_UNSENT = N_("Case {case}: sorry, photo {n} of {total} cannot be shown.")
UNREACHABLE = N_(
    "✉️ The reporter can no longer be reached: they asked the bot to forget them. "
    "You can still add notes."
)


def case_code(turn: Turn) -> str:
    """The code of the case open in this conversation (saved by the button that opened it)."""
    return str(turn.session.answers.get("case", ""))


def find_case(turn: Turn, *, open_only: bool = False) -> Report:
    """The case open in this conversation, checked again: button data can be forged."""
    return casework.find_case(turn.context, case_code(turn), open_only=open_only)


def is_online(report: Report) -> bool:
    """Online bullying, whichever way it was reported: the kind, or the place."""
    return "online" in report.kind.split(",") or report.place == "online"


def kind_label(kind: str) -> Text:
    """One kind, or several joined ("names,excluding")."""
    labels = [case_label("kind", one) for one in kind.split(",") if one]
    if len(labels) < 2:  # never an empty msgid: gettext("") is the catalog's header
        return case_label("kind", kind)
    template = " + ".join(f"{{k{n}}}" for n in range(len(labels)))
    return Text(template, {f"k{n}": label for n, label in enumerate(labels)})


def outcome_label(turn: Turn, report: Report) -> Text | None:
    """The outcome a case was closed with, as the closing button said it; None if none."""
    if report.outcome_code:
        label = turn.label("outcome", report.outcome_code, "coordinator")
        if report.outcome:
            return Text("{label} — {note}", {"label": label, "note": neutralise(report.outcome)})
        return label
    return Text("{note}", {"note": neutralise(report.outcome)}) if report.outcome else None


def header(turn: Turn, report: Report, reachable: bool) -> list[Text]:
    """Code, status, who has it, phase; the outcome; whether the reporter can be reached."""
    texts = [
        Text(
            N_("Case {case} · {status}"),
            {"case": report.code, "status": status_text(report.status)},
        ),
        Text(N_("Claimed by: {name}"), {"name": report.assignee_name or Text(N_("nobody yet"))}),
    ]
    if report.phase:
        phase = turn.school_of(report.school).phases_in(turn.locale)[report.phase - 1]
        texts.append(Text(N_("Phase: {phase}"), {"phase": phase}))
    outcome = outcome_label(turn, report)
    if outcome is not None:
        msgid = (
            N_("Outcome: {outcome}")
            if report.status == "closed"
            else N_("Outcome when it was closed: {outcome}")
        )
        texts.append(Text(msgid, {"outcome": outcome}))
    if report.serious:
        texts.append(Text(N_("⚠️ Serious incident")))
    if not reachable:
        texts.append(Text(UNREACHABLE))
    return texts


def actions(turn: Turn, report: Report, reachable: bool) -> list[tuple[Choice, ...]]:
    """The buttons for what can be done to this case now, one per row."""
    stores, code = turn.stores, report.code
    offered = set(CLOSED_ACTIONS if report.status == "closed" else OPEN_ACTIONS)
    if report.assignee is not None:
        offered.discard("claim")
    if not reachable:
        offered.discard("message")
    if not stores.reports.evidence_count(code, report.school):
        offered.discard("evidence")
    if not is_online(report):
        offered.discard("checklist")
    if report.serious:
        offered.discard("serious")
    earlier = _int(turn.session.answers.get(THREAD_FROM))
    if not earlier:
        offered.discard("earlier")
    state = turn.flows["coordinator"].states[turn.session.state]
    params = {"case": code, "earlier": earlier, **checklist.counts(turn, report)}
    return [
        (Choice(Text(move.label, params), move.trigger, code, state.name),)
        for move in state.accepts
        if move.trigger in offered and move.label
    ]


def case_view(turn: Turn) -> ViewPart:
    """What every action on a case answers with: the header and the actions that apply."""
    report = find_case(turn)
    reachable = turn.stores.reports.reachable(report.code, report.school)
    return ViewPart(
        texts=[lines(header(turn, report, reachable))], rows=actions(turn, report, reachable)
    )


def whole_case(turn: Turn, report: Report) -> list[Screen]:
    """Everything about a case, for when it is opened: the details, then its photos."""
    stores, school = turn.stores, turn.school_of(report.school)
    about = [
        Text(
            N_("Case {case}, received {when}"),
            {"case": report.code, "when": school.local_time(report.created)},
        ),
        Text(
            N_("About: {who}\nWhat: {kind}\nWhere: {place}\nHow often: {often}\nHow long: {since}"),
            {
                "kind": kind_label(report.kind),
                **{
                    key: case_label(key, getattr(report, key))
                    for key in ("who", "place", "often", "since")
                },
            },
        ),
        Text(N_("Reporter: {name}"), {"name": neutralise(report.name)})
        if not report.anonymous
        else Text(N_("Reporter: no name given")),
    ]
    texts = [lines(about), Text(N_("Story:\n{story}"), {"story": neutralise(report.story)})]
    texts += _thread(turn, report)
    texts += [
        Text(
            N_("Note by {author}, {when}: {text}"),
            {
                "author": note["author"],
                "when": school.local_time(note["created"]),
                "text": neutralise(note["text"]),
            },
        )
        for note in stores.reports.notes(report.code, report.school)
    ]
    history = events.history(turn.stores, school, turn.locale, report.code)[-HISTORY_SHOWN:]
    if history:
        texts.append(Text(N_("History:\n{lines}"), {"lines": lines(history)}))
    if is_online(report):
        texts += [checklist.progress(turn, report), Text(checklist.ONLINE_LINKS)]
    return [Screen(tuple(texts)), *evidence(turn, report)]


def evidence(turn: Turn, report: Report) -> list[Screen]:
    """The case's photos, one message each, captioned with the case code; each goes out as it
    came in (a photo, or a file), and one that cannot be sent says so in one line."""
    code = report.code
    files = [Media.from_token(t) for t in turn.stores.reports.evidence(code, report.school)]
    screens = []
    for n, media in enumerate(files, start=1):
        params = {"case": code, "n": n, "total": len(files)}
        screens.append(
            Screen(
                (Text(N_("Case {case}: photo {n} of {total}"), params),),
                photo=media.file_id,
                photo_kind=media.kind,
                unsent=Text(EVIDENCE_UNSENT, params),
            )
        )
    return screens


def _thread(turn: Turn, report: Report) -> list[Text]:
    """The latest messages of the thread; how many came before them, when any did."""
    thread = turn.stores.threads.of(report.code, report.school)
    start = _page_start(thread, len(thread))
    turn.session.answers[THREAD_FROM] = start
    school = turn.school_of(report.school)
    said = [_said(school, message) for message in thread[start:]]
    if start:
        more = N_("{count} earlier messages are not shown: ⏪ Earlier messages.")
        said.insert(0, Text(more, {"count": start}))
    return said


def earlier_messages(turn: Turn, report: Report) -> list[Text]:
    """The messages just before the ones shown so far (oldest first); empty when none are."""
    thread = turn.stores.threads.of(report.code, report.school)
    end = min(_int(turn.session.answers.get(THREAD_FROM)), len(thread))
    start = _page_start(thread, end)
    turn.session.answers[THREAD_FROM] = start
    school = turn.school_of(report.school)
    return [_said(school, message) for message in thread[start:end]]


def _page_start(thread: list[dict], end: int) -> int:
    """Where the page of messages that ends before `end` begins (see THREAD_SHOWN)."""
    start, size = end, 0
    while start > 0 and end - start < THREAD_SHOWN:
        size += len(thread[start - 1]["text"])
        if size > THREAD_CHARS and start < end:
            break
        start -= 1
    return start


def _said(school: School, message: dict) -> Text:
    text = neutralise(message["text"])
    if message["direction"] == TO_REPORTER:
        when = school.local_time(message["created"])
        return Text(
            N_("➡️ {author} to the reporter, {when}:\n{text}"),
            {"author": message["author"], "when": when, "text": text},
        )
    # The reporter's time only to the part of the day (see bot/cases/events.py).
    when = events.coarse_time(school, message["created"])
    return Text(N_("⬅️ The reporter, {when}:\n{text}"), {"when": when, "text": text})


def _int(value: object) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def phases_view(turn: Turn) -> ViewPart:
    report = find_case(turn, open_only=True)
    labels = turn.school_of(report.school).phases_in(turn.locale)
    texts = [Text(N_("Case {case}: choose the protocol phase."), {"case": report.code})]
    texts.append(
        lines([Text("{n}. {label}", {"n": n, "label": lab}) for n, lab in enumerate(labels, 1)])
    )
    return ViewPart(texts=texts)


VIEWS = {"case": case_view, "phases": phases_view}
