"""The cyberbullying checklist as a coordinator sees it: each item with who ticked it, and a tick.

The items and the tick itself are `bot/cases/checklist.py`. Beside them stand the two places the
protocol sends online bullying to.
"""

from __future__ import annotations

from bot.cases import checklist as cyber_checklist
from bot.cases.casework import find_case
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Choice, Text, lines
from bot.storage.reports import Report

ONLINE_LINKS = N_(
    "Online bullying, as the protocol says:\n"
    "• www.meldknop.nl: where to report it, and to get pictures removed\n"
    "• www.helpwanted.nl: advice on online abuse and images, 020-261 52 75"
)


def counts(turn: Turn, report: Report) -> dict[str, int]:
    """How many items are ticked, and how many there are: `{done}` and `{total}` in labels."""
    return cyber_checklist.counts(turn.stores, report.code, report.school)


def progress(turn: Turn, report: Report) -> Text:
    return Text(N_("Cyberbullying checklist: {done}/{total}"), counts(turn, report))


def tick(turn: Turn, item: str | None) -> None:
    cyber_checklist.tick(turn.context, str(turn.session.answers.get("case", "")), item or "")


def checklist_view(turn: Turn) -> ViewPart:
    # Checked again, as every view of a case is: a role can end while the list is open.
    report = find_case(turn.context, str(turn.session.answers.get("case", "")))
    code, school = report.code, turn.school_of(report.school)
    ticks = turn.stores.checklists.ticks(code, report.school)
    items = []
    for n, msgid in enumerate(cyber_checklist.ITEMS, start=1):
        ticked = ticks.get(n)
        who = ""
        if ticked:
            when = school.local_time(ticked["ticked_at"])
            who = Text(N_(" — ticked by {name}, {when}"), {"name": ticked["name"], "when": when})
        mark = "☑️" if ticked else "⬜"
        items.append(
            Text("{mark} {n}. {item}{who}", {"mark": mark, "n": n, "item": Text(msgid), "who": who})
        )
    state = turn.session.state
    buttons = [
        Choice(
            Text("{mark} {n}", {"mark": "☑️" if n in ticks else "⬜", "n": n}),
            f"tick_{n}",
            code,
            state,
        )
        for n in range(1, len(cyber_checklist.ITEMS) + 1)
    ]
    rows = [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
    return ViewPart(texts=[progress(turn, report), lines(items), Text(ONLINE_LINKS)], rows=rows)


EFFECTS = {"tick": tick}
VIEWS = {"checklist": checklist_view}
