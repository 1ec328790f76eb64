"""The protocol's "Checklist bij cyberpesten", one item per line in the protocol's order.

A coordinator ticks items on an open online case; each tick records who and when. Beside it
stand the two places the protocol sends online bullying to.
"""

from __future__ import annotations

from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Choice, Refused, Text, lines

ONLINE_LINKS = N_(
    "Online bullying, as the protocol says:\n"
    "• www.meldknop.nl: where to report it, and to get pictures removed\n"
    "• www.helpwanted.nl: advice on online abuse and images, 020-261 52 75"
)

CYBER_CHECKLIST = (
    N_(
        "Talk with the bullied child and the parents; make copies of the bullying; parents keep "
        "the evidence; advise practical online measures; unwanted images to meldknop.nl; show "
        "helpwanted.nl; point out a report or police report (aangifte) for offences by bullies "
        "of 12 and older"
    ),
    N_("ICT coordinator traces the bullies through the accounts behind the posts, chats or videos"),
    N_(
        "Teacher or management confront the bullies and their parents with the printed material; "
        "the bullies delete it from their own devices"
    ),
    N_(
        "Coordinator and teacher start protocol phase 1, 2 or 3; agree what change in behaviour "
        "the bullies will show"
    ),
    N_("Teacher or management give the bullies and followers a fitting (educational) consequence"),
    N_(
        "Spreaders and responders are spoken to; they delete the material; further spreading is "
        "forbidden"
    ),
    N_("Teacher organises restorative justice (herstelrecht) and/or no blame"),
    N_(
        "Teacher or management speak to the class and appeal to empathy; buddy or support group "
        "(steungroep)"
    ),
    N_("A warm and careful return of the child to the group (steungroep)"),
    N_("Behaviour specialist supports the bullied child; a moment to shine (straalmoment)"),
    N_("Teacher organises, where needed, restoring the relationship between the parents"),
    N_("Teacher works on a positive climate in the class; bystanders are activated"),
    N_("School organises a parents' evening about social media, presented by pupils"),
    N_("Agreements between school and parents on checking and discussing smartphone use"),
    N_(
        "Teacher monitors the bullies; no change in time means protocol phase 3, 4 and possibly "
        "5 and 6"
    ),
    N_("Coordinator keeps in touch with the parents of the bullied child: has it stopped?"),
    N_("Coordinator proposes school measures on responsible smartphone and tablet use"),
)


def counts(turn: Turn, code: str) -> dict[str, int]:
    """How many items are ticked, and how many there are: `{done}` and `{total}` in labels."""
    return {"done": len(turn.stores.checklists.ticks(code)), "total": len(CYBER_CHECKLIST)}


def progress(turn: Turn, code: str) -> Text:
    return Text(N_("Cyberbullying checklist: {done}/{total}"), counts(turn, code))


def tick(turn: Turn, item: str | None) -> None:
    if turn.coordinator is None:
        raise Refused(Text(N_("Only anti-bullying coordinators can do that.")))
    code = str(turn.session.answers.get("case", ""))
    report = turn.stores.reports.get(code)
    if report is None or report.status == "closed":
        # Read-only once closed (the button is not offered then; data can be forged).
        raise Refused(Text(N_("Case {case} is closed. Reopen it first."), {"case": code}))
    if not (item or "").isdigit() or not 1 <= int(item or 0) <= len(CYBER_CHECKLIST):
        raise Refused(Text(N_("That item is not on the checklist.")))
    ticked = turn.stores.checklists.toggle(code, int(item or 0), turn.coordinator.id, turn.now)
    action = f"checklist_{item}_{'ticked' if ticked else 'unticked'}"
    turn.record(action, code)


def checklist_view(turn: Turn) -> ViewPart:
    code = str(turn.session.answers.get("case", ""))
    ticks = turn.stores.checklists.ticks(code)
    items = []
    for n, msgid in enumerate(CYBER_CHECKLIST, start=1):
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
        for n in range(1, len(CYBER_CHECKLIST) + 1)
    ]
    rows = [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
    return ViewPart(texts=[progress(turn, code), lines(items), Text(ONLINE_LINKS)], rows=rows)


EFFECTS = {"tick": tick}
VIEWS = {"checklist": checklist_view}
