"""The coordinators' queue (/wachtrij): open cases, the most urgent first.

Unclaimed cases past the school's promise come first, then the other unclaimed ones, then the
rest; the oldest first within each group, since the oldest unclaimed case is the nearest to
being late. Each line says how long the case has waited, in school time.
"""

from __future__ import annotations

from datetime import datetime

from bot.cases.labels import case_label, status_text
from bot.chat.caseview import kind_label
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Choice, Text, lines
from bot.schools.schooltime import school_day_hours, school_hours_between
from bot.storage.reports import QueuedCase

LISTED = 20  # one screen; the queue says how many more there are
MARKS = {"overdue": "⏰", "unclaimed": "🆕", "claimed": "👤"}
REPORTERS = {
    ("pupil", "self"): N_("pupil, about themselves"),
    ("pupil", "other"): N_("pupil, as a bystander"),
}
PARENT = N_("parent")


def waited(turn: Turn, since: str) -> Text:
    """How long since `since`, in school time: hours within a school day, then days."""
    school = turn.school
    start, now = datetime.fromisoformat(since), datetime.fromisoformat(turn.now)
    hours = school_hours_between(start, now, school)
    days = int(hours // school_day_hours(school))
    if days >= 2:
        return Text(N_("{n} school days"), {"n": days})
    if days == 1:
        return Text(N_("1 school day"))
    if hours >= 2:
        return Text(N_("{n} school hours"), {"n": int(hours)})
    return Text(N_("1 school hour")) if hours >= 1 else Text(N_("under 1 school hour"))


def reporter_label(case: QueuedCase) -> Text:
    if case.role == "parent":
        return Text(PARENT)
    return Text(REPORTERS.get((case.role, case.who), N_("unknown")))


def _line(turn: Turn, case: QueuedCase) -> Text:
    group = "overdue" if case.overdue else "claimed" if case.assignee_name else "unclaimed"
    params = {
        "mark": MARKS[group],
        "case": case.code,
        "waited": waited(turn, case.created),
        "kind": kind_label(case.kind),
        "often": case_label("often", case.often),
        "reporter": reporter_label(case),
    }
    line = Text("{mark} {case} · {waited} · {kind} · {often} · {reporter}", params)
    if case.assignee_name is None:
        return line
    holder = Text(
        N_("{name}, {status}"), {"name": case.assignee_name, "status": status_text(case.status)}
    )
    return Text("{line} · {holder}", {"line": line, "holder": holder})


def queue_view(turn: Turn) -> ViewPart:
    stores = turn.stores
    cases = stores.reports.open_cases(turn.now, LISTED)
    if not cases:
        return ViewPart(texts=[Text(N_("There are no open cases. 🎉"))])
    texts = [
        Text(N_("Open cases, most urgent first:")),
        Text(
            N_(
                "⏰ not claimed, past the school's promise · 🆕 not claimed · 👤 claimed. "
                "Times are school time since the report."
            )
        ),
        lines([_line(turn, case) for case in cases]),
    ]
    more = stores.reports.count_open() - len(cases)
    if more > 0:
        texts.append(Text(N_("Not in this list: {n} more, the least urgent."), {"n": more}))
    rows = [(Choice(Text(N_("Open {case}"), {"case": c.code}), "open", c.code),) for c in cases]
    return ViewPart(texts=texts, rows=rows)


VIEWS = {"queue": queue_view}
