"""The coordinators' figures (/cijfers): this week's state of each of their schools.

Short tables in a fixed-width font, in one message where they fit (a coordinator of several
schools reads one block per school): what is open, what waits longer than the school's promise
and which follow-up questions are due, by case code, and last week's counts. Exact figures, for
the coordinators of that school only (`bot/stats/views.py` makes the tables).
"""

from __future__ import annotations

from bot.cases.context import ONLY_COORDINATORS
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.stats.monospace import school_name, week_texts

HEADING = N_("📊 Figures of {school}, {date}")


def figures_view(turn: Turn) -> ViewPart:
    # The flow is the coordinators', but a role can be taken away while a chat stays open.
    if turn.coordinator is None:
        raise Refused(Text(ONLY_COORDINATORS))
    texts: list[Text] = []
    for school_id in sorted(turn.scope()):
        school = turn.school_of(school_id)
        when = school.local_time(turn.now)[:10]  # the school's own date
        texts.append(Text(HEADING, {"school": school_name(school), "date": when}))
        texts += week_texts(turn.stores, school, turn.now)
    return ViewPart(texts=texts, monospace=True)


VIEWS = {"figures": figures_view}
