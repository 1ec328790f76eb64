"""The cyberbullying checklist as a coordinator sees it: each item with who ticked it, and a tick.

The items and the tick itself are `bot/cases/checklist.py`. Beside them stand the two places the
protocol sends online bullying to.
"""

from __future__ import annotations

from bot.cases import checklist as cyber_checklist
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Choice, Text, lines

ONLINE_LINKS = N_(
    "Online bullying, as the protocol says:\n"
    "• www.meldknop.nl: where to report it, and to get pictures removed\n"
    "• www.helpwanted.nl: advice on online abuse and images, 020-261 52 75"
)


def counts(turn: Turn, code: str) -> dict[str, int]:
    """How many items are ticked, and how many there are: `{done}` and `{total}` in labels."""
    return cyber_checklist.counts(turn.stores, code)


def progress(turn: Turn, code: str) -> Text:
    return Text(N_("Cyberbullying checklist: {done}/{total}"), counts(turn, code))


def tick(turn: Turn, item: str | None) -> None:
    cyber_checklist.tick(turn.context, str(turn.session.answers.get("case", "")), item or "")


def checklist_view(turn: Turn) -> ViewPart:
    code = str(turn.session.answers.get("case", ""))
    ticks = turn.stores.checklists.ticks(code)
    items = []
    for n, msgid in enumerate(cyber_checklist.ITEMS, start=1):
        ticked = ticks.get(n)
        who = ""
        if ticked:
            when = turn.school.local_time(ticked["ticked_at"])
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
    return ViewPart(texts=[progress(turn, code), lines(items), Text(ONLINE_LINKS)], rows=rows)


EFFECTS = {"tick": tick}
VIEWS = {"checklist": checklist_view}
