"""A report in the chat: choosing the kinds, the summary before sending, sending it, and the
reporter's own list.

Sending, the hourly limit and the list are the verbs of `bot/cases/reports.py`; this module reads
the conversation for them and shows what they return.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.cases import relay, reports
from bot.chat import secret_code
from bot.chat.turn import Turn, ViewPart
from bot.core.engine import TYPED, TYPED_PHOTOS
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Refused, Screen, Text, lines
from bot.core.textsafety import neutralise

KINDS = ("names", "excluding", "hitting", "taking", "online", "other")
ONLINE = "online"
SUMMARY_FIELDS = (
    ("who", N_("Who: {value}")),
    ("place", N_("Where: {value}")),
    ("often", N_("How often: {value}")),
    ("since", N_("How long: {value}")),
)


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
    return ViewPart(texts=_summary(turn, answers, len(answers.get("evidence", []))))


def _summary(turn: Turn, answers: Mapping[str, Any], photos: int) -> list[Text]:
    """A report as its reporter wrote it: the answers by their buttons' labels, then the story."""
    flow = turn.session.flow
    fields = [Text(SUMMARY_FIELDS[0][1], {"value": turn.label("who", answers.get("who"), flow)})]
    kinds = [_kind_label(turn, kind) for kind in reports.kinds_of(answers)]
    fields.append(Text(N_("What: {value}"), {"value": _joined(kinds)}))
    fields += [
        Text(line, {"value": turn.label(key, answers.get(key), flow)})
        for key, line in SUMMARY_FIELDS[1:]
    ]
    fields.append(Text(N_("Photos: {count}"), {"count": photos}))
    if answers.get("anonymous", True):
        fields.append(Text(N_("Name: not given")))
    else:
        fields.append(Text(N_("Name: {name}"), {"name": neutralise(answers.get("name", ""))}))
    story = Text(N_("Your story: {story}"), {"story": neutralise(answers.get("story", ""))})
    return [lines(fields), story]


def show_own_report(turn: Turn, code: str | None) -> None:
    """A reporter's own report as they sent it, only when asked ("My reports")."""
    report = relay.own_case(turn.context, code or "")
    sent = {
        "who": report.who,
        "kinds": report.kinds or (report.kind,),
        "place": report.place,
        "often": report.often,
        "since": report.since,
        "story": report.story,
        "anonymous": report.anonymous,
        "name": report.name,
    }
    photos = turn.stores.reports.evidence_count(report.code, report.school)
    title = Text(N_("Your report {case}, as you sent it:"), {"case": report.code})
    turn.notices.append(Screen((title, *_summary(turn, sent, photos))))


def _kind_label(turn: Turn, kind: str) -> Text:
    """The label of the button that ticked `kind` (kinds are toggled, not saved by a button)."""
    for move in turn.flows[turn.session.flow].all_moves():
        if move.do == "toggle_kind" and move.arg == kind and move.label:
            return Text(move.label)
    return turn.label("kind", kind, turn.session.flow)


def _joined(texts: list[Text]) -> Text:
    template = ", ".join(f"{{k{n}}}" for n in range(len(texts))) or "–"
    return Text(template, {f"k{n}": text for n, text in enumerate(texts)})


def start_report(turn: Turn, _arg: str | None) -> None:
    """The hourly limit is checked before anything is typed, not after."""
    reports.check_hourly_limit(turn.context)


def toggle_kind(turn: Turn, kind: str | None) -> None:
    if kind not in KINDS:
        raise Refused(Text(N_("That choice does not exist.")))
    answers = turn.session.answers
    kinds = reports.kinds_of(answers)
    kinds = [k for k in kinds if k != kind] if kind in kinds else [*kinds, kind]
    answers["kinds"] = kinds
    if kinds:
        answers["kind"] = kinds[0]
    else:
        answers.pop("kind", None)


def require_kind(turn: Turn, _arg: str | None) -> None:
    if not reports.kinds_of(turn.session.answers):
        raise Refused(Text(N_("First tap what is happening. Then tap ➡️ Next.")))


def kind_choices_view(turn: Turn) -> ViewPart:
    """The kind buttons, each ticked ✅ when chosen: they are pressed one by one."""
    state = turn.flows[turn.session.flow].states[turn.session.state]
    chosen = reports.kinds_of(turn.session.answers)
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
    code_offer = secret_code.offer(turn)
    if not turn.session.answers.get(ONLINE):
        return code_offer
    links = [lines([Text(msgid) for msgid in ONLINE_LINKS])]
    return ViewPart(texts=links + code_offer.texts, rows=code_offer.rows)


def submit_report(turn: Turn, _arg: str | None) -> None:
    """Send the report; the session then keeps only its code (and what a typing user needs)."""
    answers = turn.session.answers
    code = reports.submit(turn.context, answers, turn.session.flow, turn.who)
    online = ONLINE in (*reports.kinds_of(answers), answers.get("place"))
    typed = {key: answers[key] for key in (TYPED, TYPED_PHOTOS) if key in answers}
    answers.clear()
    answers.update(typed, code=code, **({ONLINE: True} if online else {}))


NC_("parent", "You have not sent a report yet.")
NC_("parent", "Your reports:")
NC_("parent", "✍️ Add something to {case}")
NC_("parent", "Your report {case}, as you sent it:")


def _own_line(turn: Turn, report: reports.OwnReport) -> Text:
    school = turn.school_of(report.school)
    line = Text(
        N_("{code} from {date}: {status}"),
        {
            "code": report.code,
            "date": school.local_time(report.created)[:10],
            "status": Text(report.reads),
        },
    )
    if not turn.many_schools():
        return line
    return Text("{line} · 🏫 {school}", {"line": line, "school": school.name or school.slug})


def my_reports_view(turn: Turn) -> ViewPart:
    own = reports.own_reports(turn.context)
    if not own:
        return ViewPart(texts=[Text(N_("You have not sent a report yet."))])
    code_offer = secret_code.offer(turn)
    listed = [_own_line(turn, report) for report in own]
    rows = [
        (
            Choice(
                Text(N_("✍️ Add something to {case}"), {"case": report.code}), "write", report.code
            ),
        )
        for report in own
        if report.status != "closed"
    ]
    rows += [
        (
            Choice(
                Text(N_("📄 Read {case} again"), {"case": report.code}), "show_report", report.code
            ),
        )
        for report in own
    ]
    texts = [Text(N_("Your reports:")), lines(listed), *code_offer.texts]
    return ViewPart(texts=texts, rows=rows + code_offer.rows)


EFFECTS = {
    "start_report": start_report,
    "toggle_kind": toggle_kind,
    "require_kind": require_kind,
    "remove_photo": remove_photo,
    "submit_report": submit_report,
    "show_own_report": show_own_report,
}
VIEWS = {
    "report_summary": summary_view,
    "my_reports": my_reports_view,
    "kind_choices": kind_choices_view,
    "story_so_far": story_so_far_view,
    "photos_so_far": photos_so_far_view,
    "report_links": report_links_view,
}
