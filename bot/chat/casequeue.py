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
from bot.schools.school import School
from bot.schools.schooltime import school_day_hours, school_hours_between
from bot.storage.reports import QueuedCase

LISTED = 20  # one screen; the queue says how many more there are
MARKS = {"overdue": "⏰", "unclaimed": "🆕", "claimed": "👤"}
REPORTERS = {
    ("pupil", "self"): N_("pupil, about themselves"),
    ("pupil", "other"): N_("pupil, as a bystander"),
}
PARENT = N_("parent")


def waited(turn: Turn, since: str, school: School) -> Text:
    """How long since `since`, in `school`'s time: hours within a school day, then days."""
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
        "waited": waited(turn, case.created, turn.school_of(case.school)),
        "kind": kind_label(case.kind),
        "often": case_label("often", case.often),
        "reporter": reporter_label(case),
    }
    line = Text("{mark} {case} · {waited} · {kind} · {often} · {reporter}", params)
    if len(turn.scope()) > 1:  # a coordinator of several schools sees whose case it is
        name = turn.school_of(case.school).name or turn.school_of(case.school).slug
        line = Text("{line} · 🏫 {school}", {"line": line, "school": name})
    if case.assignee_name is None:
        return line
    holder = Text(
        N_("{name}, {status}"), {"name": case.assignee_name, "status": status_text(case.status)}
    )
    return Text("{line} · {holder}", {"line": line, "holder": holder})


def queue_view(turn: Turn) -> ViewPart:
    stores = turn.stores
    schools = shown_schools(turn)
    cases = stores.reports.open_cases(schools, turn.now, LISTED)
    filters = school_filters(turn)
    if not cases:
        return ViewPart(texts=[Text(N_("There are no open cases. 🎉"))], rows=filters)
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
    more = stores.reports.count_open(schools) - len(cases)
    if more > 0:
        texts.append(Text(N_("Not in this list: {n} more, the least urgent."), {"n": more}))
    rows = [(Choice(Text(N_("Open {case}"), {"case": c.code}), "open", c.code),) for c in cases]
    return ViewPart(texts=texts, rows=[*rows, *filters])


ALL_SCHOOLS = "all"


def shown_schools(turn: Turn) -> frozenset[int]:
    """The schools the queue shows: the one chosen (among the coordinator's own), else all of
    the coordinator's. A forged or old choice falls back to all of them."""
    scope = turn.scope()
    chosen = str(turn.session.answers.get("queue_school", ""))
    if chosen.isdigit() and int(chosen) in scope:
        return frozenset({int(chosen)})
    return scope


def school_filters(turn: Turn) -> list[tuple[Choice, ...]]:
    """For a coordinator of several schools: show one school's cases, or all of them."""
    scope = turn.scope()
    if len(scope) < 2:
        return []
    state = turn.session.state
    shown = shown_schools(turn)
    choices = [
        Choice(
            Text("{mark} {school}", {"mark": "🏫" if shown == {i} else "▫️", "school": name}),
            "queue_school",
            str(i),
            state,
        )
        for i, name in zip(sorted(scope), turn.school_names(scope), strict=True)
    ]
    every = Choice(Text(N_("All my schools")), "queue_school", ALL_SCHOOLS, state)
    return [tuple(choices[i : i + 2]) for i in range(0, len(choices), 2)] + [(every,)]


VIEWS = {"queue": queue_view}
