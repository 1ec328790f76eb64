"""The coordinators' casework: the queue, one case, and what they do to it.

Every action re-checks the sender's role and the case (button data can be forged) and is
audit-logged without content.
"""

from __future__ import annotations

from datetime import datetime

from bot import checklist
from bot.answers import case_label
from bot.i18n import N_
from bot.model import Choice, Screen, Text, lines
from bot.notifications import notify_reporter
from bot.schooltime import add_school_days
from bot.storage.reports import Report
from bot.storage.threads import TO_REPORTER
from bot.textsafety import neutralise
from bot.turn import Refused, Turn, ViewPart

STATUS = {
    "new": N_("new"),
    "claimed": N_("claimed"),
    "in_progress": N_("in progress"),
    "closed": N_("closed"),
}


def _case(turn: Turn, *, open_only: bool = False) -> Report:
    if turn.coordinator is None:
        raise Refused(Text(N_("Only anti-bullying coordinators can do that.")))
    code = str(turn.session.answers.get("case", ""))
    report = turn.stores.reports.get(code)
    if report is None:
        raise Refused(Text(N_("I cannot find case {case}."), {"case": code}))
    if open_only and report.status == "closed":
        raise Refused(Text(N_("Case {case} is already closed."), {"case": code}))
    return report


def open_case(turn: Turn, _arg: str | None) -> None:
    report = _case(turn)
    turn.record("case_opened", report.code)


def claim(turn: Turn, _arg: str | None) -> None:
    report = _case(turn, open_only=True)
    assert turn.coordinator is not None
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
    report = _case(turn, open_only=True)
    if status not in ("new", "claimed", "in_progress"):
        raise Refused(Text(N_("That status does not exist.")))
    turn.stores.reports.set_status(report.code, status, turn.now)
    turn.record(f"status_{status}", report.code)


def set_phase(turn: Turn, phase: str | None) -> None:
    report = _case(turn, open_only=True)
    if phase not in {"1", "2", "3", "4", "5", "6"}:
        raise Refused(Text(N_("That phase does not exist.")))
    turn.stores.reports.set_phase(report.code, int(phase), turn.now)
    turn.record(f"phase_{phase}", report.code)


def add_note(turn: Turn, _arg: str | None) -> None:
    report = _case(turn)
    assert turn.coordinator is not None
    text = str(turn.session.answers.pop("note", ""))
    turn.stores.reports.add_note(report.code, turn.coordinator.id, text, turn.now)
    turn.record("note_added", report.code)
    turn.say(N_("Note saved for case {case}."), case=report.code)


def close_case(turn: Turn, _arg: str | None) -> None:
    report = _case(turn, open_only=True)
    stores = turn.stores
    outcome = str(turn.session.answers.pop("outcome", ""))
    stores.reports.close(report.code, outcome, turn.now)
    followup = add_school_days(
        datetime.fromisoformat(turn.now), stores.school.followup_days, stores.school
    )
    stores.jobs.schedule(
        f"followup:{report.code}:{turn.now}",
        "followup",
        report.code,
        followup.isoformat(timespec="seconds"),
    )
    turn.record("case_closed", report.code)
    turn.say(
        N_(
            "Case {case} is closed. In {days} school days the reporter will be asked whether "
            "the bullying has stopped."
        ),
        case=report.code,
        days=stores.school.followup_days,
    )


def message_reporter(turn: Turn, _arg: str | None) -> None:
    report = _case(turn)
    assert turn.coordinator is not None
    text = str(turn.session.answers.pop("message", ""))
    message = turn.stores.threads.add(report.code, TO_REPORTER, turn.coordinator.id, text, turn.now)
    notify_reporter(
        turn.stores, "to_reporter", report.code, turn.now, str(message), message=message
    )
    turn.record("message_sent", report.code)
    turn.say(N_("Sent to the reporter of {case}."), case=report.code)


def queue_view(turn: Turn) -> ViewPart:
    stores = turn.stores
    cases = stores.reports.open_cases()
    if not cases:
        return ViewPart(texts=[Text(N_("There are no open cases. 🎉"))])
    listed, rows = [], []
    for row in cases:
        params = {
            "case": row["code"],
            "kind": case_label("kind", row["kind"]),
            "when": stores.local_time(row["created"]),
            "status": _status(row["status"]),
            "who": row["assignee_name"] or Text(N_("nobody yet")),
        }
        listed.append(Text(N_("{case} · {kind} · {when} · {status} · {who}"), params))
        rows.append((Choice(Text(N_("Open {case}"), {"case": row["code"]}), "open", row["code"]),))
    return ViewPart(texts=[Text(N_("Open cases, newest first:")), lines(listed)], rows=rows)


def case_view(turn: Turn) -> ViewPart:
    report = _case(turn)
    stores = turn.stores
    header = [
        Text(N_("Case {case} · {status}"), {"case": report.code, "status": _status(report.status)}),
        Text(N_("Received: {when}"), {"when": stores.local_time(report.created)}),
        Text(
            N_("About: {who}\nWhat: {kind}\nWhere: {place}\nHow often: {often}\nHow long: {since}"),
            {
                key: case_label(key, getattr(report, key))
                for key in ("who", "kind", "place", "often", "since")
            },
        ),
        Text(N_("Reporter: {name}"), {"name": neutralise(report.name)})
        if not report.anonymous
        else Text(N_("Reporter: anonymous")),
        Text(N_("Claimed by: {name}"), {"name": report.assignee_name or Text(N_("nobody yet"))}),
    ]
    if report.phase:
        phase = stores.school.phases_in(turn.locale)[report.phase - 1]
        header.append(Text(N_("Phase: {phase}"), {"phase": phase}))
    texts = [lines(header), Text(N_("Story:\n{story}"), {"story": neutralise(report.story)})]
    if report.outcome:
        texts.append(Text(N_("Outcome: {outcome}"), {"outcome": neutralise(report.outcome)}))
    texts += _thread(turn, report.code)
    texts += [
        Text(
            N_("Note by {author}, {when}: {text}"),
            {
                "author": note["author"],
                "when": stores.local_time(note["created"]),
                "text": neutralise(note["text"]),
            },
        )
        for note in stores.reports.notes(report.code)
    ]
    evidence = stores.reports.evidence(report.code)
    before = [
        Screen(
            (
                Text(
                    N_("Case {case}: photo {n} of {total}"),
                    {"case": report.code, "n": n, "total": len(evidence)},
                ),
            ),
            photo=file_id,
        )
        for n, file_id in enumerate(evidence, start=1)
    ]
    history = _history(turn, report.code)
    if history:
        texts.append(Text(N_("History:\n{lines}"), {"lines": lines(history)}))
    rows = []
    if report.kind == "online":
        texts.append(checklist.progress(turn, report.code))
        rows.append(checklist.checklist_button(turn, report.code))
    return ViewPart(texts=texts, before=before, rows=rows)


def _thread(turn: Turn, code: str) -> list[Text]:
    said = []
    for message in turn.stores.threads.of(code):
        when = turn.stores.local_time(message["created"])
        text = neutralise(message["text"])
        if message["direction"] == TO_REPORTER:
            said.append(
                Text(
                    N_("➡️ {author} to the reporter, {when}:\n{text}"),
                    {"author": message["author"], "when": when, "text": text},
                )
            )
        else:
            said.append(Text(N_("⬅️ The reporter, {when}:\n{text}"), {"when": when, "text": text}))
    return said


HISTORY = {
    "case_claimed": N_("claimed"),
    "status_new": N_("status: new"),
    "status_claimed": N_("status: claimed"),
    "status_in_progress": N_("status: in progress"),
    "case_closed": N_("closed"),
    "message_sent": N_("message to the reporter"),
    "reporter_message": N_("message from the reporter"),
    "evidence_added": N_("photo from the reporter"),
    "remind_sent": N_("reminder: not claimed in time"),
    "overdue_sent": N_("reminder: overdue"),
    "followup_asked": N_("follow-up question sent"),
    "followup_yes": N_("follow-up: the bullying has stopped"),
    "followup_a_bit": N_("follow-up: it has stopped a bit"),
    "followup_no": N_("follow-up: it has not stopped"),
    "case_reopened": N_("reopened"),
}


def _history(turn: Turn, code: str) -> list[Text]:
    """Who did what when, from the audit log; phase changes name the phase."""
    stores = turn.stores
    rows = stores.db.rows(
        "SELECT a.at, a.actor, a.action, c.name FROM audit a LEFT JOIN coordinators c"
        " ON a.actor = 'coordinator:' || c.id WHERE a.report = ? ORDER BY a.id",
        (code,),
    )
    phases = stores.school.phases_in(turn.locale)
    entries = []
    for row in rows:
        action = row["action"]
        if action.startswith("phase_"):
            what = Text(N_("phase: {phase}"), {"phase": phases[int(action[6:]) - 1]})
        elif action in HISTORY:
            what = Text(HISTORY[action])
        else:
            continue  # opening a case or ticking the checklist is not case history
        who = row["name"] or Text(
            N_("the reporter") if row["actor"] == "reporter" else N_("the bot")
        )
        entries.append(
            Text(
                "{when} · {who} · {what}",
                {"when": stores.local_time(row["at"]), "who": who, "what": what},
            )
        )
    return entries[-12:]


def _status(status: str) -> Text:
    return Text(STATUS.get(status, status))


def phases_view(turn: Turn) -> ViewPart:
    report = _case(turn, open_only=True)
    labels = turn.stores.school.phases_in(turn.locale)
    texts = [Text(N_("Case {case}: choose the protocol phase."), {"case": report.code})]
    texts.append(
        lines([Text("{n}. {label}", {"n": n, "label": lab}) for n, lab in enumerate(labels, 1)])
    )
    return ViewPart(texts=texts)
