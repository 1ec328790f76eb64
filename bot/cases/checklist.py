"""The protocol's "Checklist bij cyberpesten", one item per line in the protocol's order.

A coordinator ticks items on an open online case; each tick records who and when. Items are
numbered from 1 in the order below, which is how ticks are stored: never reorder them.
"""

from __future__ import annotations

from bot.cases import events
from bot.cases.casework import find_case
from bot.cases.context import Context
from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.storage import Stores

ITEMS = (
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


def counts(stores: Stores, code: str, school: int) -> dict[str, int]:
    """How many items are ticked, and how many there are: `{done}` and `{total}` in labels."""
    return {"done": len(stores.checklists.ticks(code, school)), "total": len(ITEMS)}


def tick(ctx: Context, code: str, item: str) -> bool:
    """Tick item `item` ("1" to "17") of an open case, or untick it; True when it is ticked now."""
    me = ctx.coordinator_id()
    # Checked like every verb (within the coordinator's schools, open): the session's case was
    # checked when it was opened, but a role can end since, and data can be forged.
    report = find_case(ctx, code, open_only=True)
    if not item.isdigit() or not 1 <= int(item) <= len(ITEMS):
        raise Refused(Text(N_("That item is not on the checklist.")))
    ticked = ctx.stores.checklists.toggle(report.code, report.school, int(item), me, ctx.now)
    ctx.record(events.checklist_toggled(item, ticked), report.code, report.school)
    return ticked
