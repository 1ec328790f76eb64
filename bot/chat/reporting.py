"""A pupil's report: the summary before sending, sending it, and the reporter's own list."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from bot.cases.notifications import notify_coordinators
from bot.chat.turn import Turn, ViewPart
from bot.core.engine import TYPED, TYPED_PHOTOS
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Refused, Text, lines
from bot.core.textsafety import neutralise
from bot.schools.schooltime import add_school_hours

log = logging.getLogger(__name__)

STATUS_FOR_REPORTER = {
    "new": N_("sent, an anti-bullying coordinator will read it"),
    "claimed": N_("an anti-bullying coordinator is working on it"),
    "in_progress": N_("an anti-bullying coordinator is working on it"),
    "closed": N_("finished"),
}
NC_("parent", "finished")  # parents read "afgerond", pupils "klaar" (dutch.md, consistency 7)
KINDS = ("names", "excluding", "hitting", "taking", "online", "other")
ONLINE = "online"
SUMMARY_FIELDS = (
    ("who", N_("Who: {value}")),
    ("place", N_("Where: {value}")),
    ("often", N_("How often: {value}")),
    ("since", N_("How long: {value}")),
)


RATE_LIMITED = N_(
    "You have already sent a few reports this hour. Thank you! You can report again at {time}."
)
NC_(
    "parent",
    "You have already sent a few reports this hour. Thank you! You can report again at {time}.",
)
NOT_SENT_YET = N_("This report has not been sent yet. It stays here: you can send it at {time}.")
NC_("parent", "This report has not been sent yet. It stays here: you can send it at {time}.")
URGENT = N_("Is it urgent? Go to your teacher, or tap 🆘 Help now.")
NC_("parent", "Is it urgent? Go to your teacher, or tap 🆘 Help now.")
ONLINE_LINKS = (
    N_("Bullying online? This can help too:"),
    N_("• www.meldknop.nl: report online bullying, and find out how pictures can be removed."),
    N_(
        "• www.helpwanted.nl: advice about online bullying and pictures. "
        "You can also call them: 020-261 52 75."
    ),
)
NC_("parent", "Bullying online? This can help too:")
NC_(
    "parent",
    "• www.meldknop.nl: report online bullying, and find out how pictures can be removed.",
)
NC_(
    "parent",
    "• www.helpwanted.nl: advice about online bullying and pictures. "
    "You can also call them: 020-261 52 75.",
)


def summary_view(turn: Turn) -> ViewPart:
    answers = turn.session.answers
    flow = turn.session.flow
    fields = [Text(SUMMARY_FIELDS[0][1], {"value": turn.label("who", answers.get("who"), flow)})]
    kinds = [_kind_label(turn, kind) for kind in _kinds(answers)]
    fields.append(Text(N_("What: {value}"), {"value": _joined(kinds)}))
    fields += [
        Text(line, {"value": turn.label(key, answers.get(key), flow)})
        for key, line in SUMMARY_FIELDS[1:]
    ]
    fields.append(Text(N_("Photos: {count}"), {"count": len(answers.get("evidence", []))}))
    if answers.get("anonymous", True):
        fields.append(Text(N_("Name: not given")))
    else:
        fields.append(Text(N_("Name: {name}"), {"name": neutralise(answers.get("name", ""))}))
    story = Text(N_("Your story: {story}"), {"story": neutralise(answers.get("story", ""))})
    return ViewPart(texts=[lines(fields), story])


def _kind_label(turn: Turn, kind: str) -> Text:
    """The label of the button that ticked `kind` (kinds are toggled, not saved by a button)."""
    for move in turn.flows[turn.session.flow].all_moves():
        if move.do == "toggle_kind" and move.arg == kind and move.label:
            return Text(move.label)
    return turn.label("kind", kind, turn.session.flow)


def _kinds(answers: dict) -> list[str]:
    return list(answers.get("kinds") or ([answers["kind"]] if answers.get("kind") else []))


def _joined(texts: list[Text]) -> Text:
    template = ", ".join(f"{{k{n}}}" for n in range(len(texts))) or "–"
    return Text(template, {f"k{n}": text for n, text in enumerate(texts)})


def _next_report_at(turn: Turn) -> str | None:
    """When this reporter may start another report (HH:MM), or None when they may now."""
    stores, school = turn.stores, turn.school
    hour_ago = (datetime.fromisoformat(turn.now) - timedelta(hours=1)).isoformat(timespec="seconds")
    recent = stores.db.rows(
        "SELECT created FROM reports WHERE reporter = ? AND created > ? ORDER BY created DESC",
        (turn.key, hour_ago),
    )
    if len(recent) < school.reports_per_hour:
        return None
    # The one that has to leave the hour before there is room again.
    oldest = recent[school.reports_per_hour - 1]["created"]
    free = (datetime.fromisoformat(oldest) + timedelta(hours=1)).isoformat(timespec="seconds")
    return turn.school.local_time(free)[-5:]


def start_report(turn: Turn, _arg: str | None) -> None:
    """The hourly limit is checked before anything is typed, not after."""
    at = _next_report_at(turn)
    if at:
        raise Refused(lines([Text(RATE_LIMITED, {"time": at}), Text(URGENT)]))


def toggle_kind(turn: Turn, kind: str | None) -> None:
    if kind not in KINDS:
        raise Refused(Text(N_("That choice does not exist.")))
    answers = turn.session.answers
    kinds = _kinds(answers)
    kinds = [k for k in kinds if k != kind] if kind in kinds else [*kinds, kind]
    answers["kinds"] = kinds
    if kinds:
        answers["kind"] = kinds[0]
    else:
        answers.pop("kind", None)


def require_kind(turn: Turn, _arg: str | None) -> None:
    if not _kinds(turn.session.answers):
        raise Refused(Text(N_("First tap what is happening. Then tap ➡️ Next.")))


def kind_choices_view(turn: Turn) -> ViewPart:
    """The kind buttons, each ticked ✅ when chosen: they are pressed one by one."""
    state = turn.flows[turn.session.flow].states[turn.session.state]
    chosen = _kinds(turn.session.answers)
    rows = []
    for move in state.accepts:
        label = Text(move.label or move.trigger)
        if move.arg in chosen:
            label = Text("✅ {label}", {"label": label})
        rows.append((Choice(label, move.trigger, None, state.name),))
    return ViewPart(rows=rows)


NC_("parent", "This is your story now:\n{story}")
NC_("parent", "Photos in your report: {count}")
NC_("parent", "There are no photos in your report.")


def story_so_far_view(turn: Turn) -> ViewPart:
    story = neutralise(turn.session.answers.get("story", ""))
    return ViewPart(texts=[Text(N_("This is your story now:\n{story}"), {"story": story})])


def photos_so_far_view(turn: Turn) -> ViewPart:
    count = len(turn.session.answers.get("evidence", []))
    return ViewPart(texts=[Text(N_("Photos in your report: {count}"), {"count": count})])


def remove_photo(turn: Turn, _arg: str | None) -> None:
    evidence = turn.session.answers.get("evidence", [])
    if not evidence:
        raise Refused(Text(N_("There are no photos in your report.")))
    evidence.pop()
    turn.say(N_("I removed the last photo."))


def report_links_view(turn: Turn) -> ViewPart:
    """A report about online bullying ends with the protocol's links (meldknop, helpwanted)."""
    if not turn.session.answers.get(ONLINE):
        return ViewPart()
    return ViewPart(texts=[lines([Text(msgid) for msgid in ONLINE_LINKS])])


def submit_report(turn: Turn, _arg: str | None) -> None:
    answers = turn.session.answers
    if not answers.get("story") or not _kinds(answers):
        raise Refused(
            Text(
                N_(
                    "Something is missing: what is happening, or your story. "
                    "Tap ✏️ I want to change something."
                )
            )
        )
    stores, school = turn.stores, turn.school
    at = _next_report_at(turn)
    if at:
        raise Refused(lines([Text(NOT_SENT_YET, {"time": at}), Text(URGENT)]))
    contact = json.dumps({"channel": turn.who.channel, "chat": turn.who.chat_id})
    created = datetime.fromisoformat(turn.now)
    due = add_school_hours(created, school.promise_hours, school).isoformat(timespec="seconds")
    overdue = add_school_hours(created, 2 * school.promise_hours, school)
    code = stores.reports.create(turn.key, contact, answers, turn.now, turn.session.flow, due)
    stores.jobs.schedule(f"remind:{code}", "remind", code, due)
    stores.jobs.schedule(f"overdue:{code}", "overdue", code, overdue.isoformat(timespec="seconds"))
    notify_coordinators(stores, "new_report", code, turn.now, kind=answers["kind"])
    online = ONLINE in (*_kinds(answers), answers.get("place"))
    typed = {key: answers[key] for key in (TYPED, TYPED_PHOTOS) if key in answers}
    answers.clear()
    answers.update(typed, code=code, **({ONLINE: True} if online else {}))
    log.info("report_created case=%s", code)


NC_(
    "parent",
    "Something is missing: what is happening, or your story. Tap ✏️ I want to change something.",
)
NC_("parent", "You have not sent a report yet.")
NC_("parent", "Your reports:")
NC_("parent", "✍️ Add something to {case}")


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
                "date": turn.school.local_time(row["created"])[:10],
                "status": Text(_status_for_reporter(row, turn.now)),
            },
        )
        for row in reports[:10]
    ]
    rows = [
        (
            Choice(
                Text(N_("✍️ Add something to {case}"), {"case": row["code"]}), "write", row["code"]
            ),
        )
        for row in reports[:10]
        if row["status"] != "closed"
    ]
    return ViewPart(texts=[Text(N_("Your reports:")), lines(listed)], rows=rows)


def _status_for_reporter(row: dict, now: str) -> str:
    # Never less than the truth: once the promise has passed, say so plainly.
    if row["status"] == "new" and row["due"] and now > row["due"]:
        return N_("not read yet; an anti-bullying coordinator will look at it as soon as possible")
    return STATUS_FOR_REPORTER.get(row["status"], row["status"])


EFFECTS = {
    "start_report": start_report,
    "toggle_kind": toggle_kind,
    "require_kind": require_kind,
    "remove_photo": remove_photo,
    "submit_report": submit_report,
}
VIEWS = {
    "report_summary": summary_view,
    "my_reports": my_reports_view,
    "kind_choices": kind_choices_view,
    "story_so_far": story_so_far_view,
    "photos_so_far": photos_so_far_view,
    "report_links": report_links_view,
}
