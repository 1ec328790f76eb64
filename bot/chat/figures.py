"""The coordinators' figures (/cijfers): this week's state of each of their schools.

Short tables in a fixed-width font, in one message where they fit (a coordinator of several
schools reads one block per school): what is open, what waits longer than the school's promise
and which follow-up questions are due, by case code, and last week's counts. Exact figures, for
the coordinators of that school only (`bot/stats/views.py` makes the tables).

Under them, this school year's overview as a file (PDF or CSV), one per school: the school
leader's view, which names no case. The file is made as it is sent (`bot/stats/files.py`);
each one asked for is in the audit log.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.cases.context import ONLY_COORDINATORS, Actor
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Refused, Screen, Text
from bot.stats import files
from bot.stats.monospace import school_name, week_texts
from bot.stats.tally import school_year

log = logging.getLogger(__name__)

HEADING = N_("📊 Figures of {school}\n{date}")
FILE_CAPTION = N_("📄 Yearly overview of {school}, {years}")
FILE_UNSENT = N_("📄 The file of {school} could not be sent. Please try again later.")


def figures_view(turn: Turn) -> ViewPart:
    # The flow is the coordinators', but a role can be taken away while a chat stays open.
    if turn.coordinator is None:
        raise Refused(Text(ONLY_COORDINATORS))
    texts: list[Text] = []
    for school_id in sorted(turn.scope()):
        school = turn.school_of(school_id)
        when = school.local_time(turn.now)[:10]  # the school's own date
        texts.append(Text(HEADING, {"school": school_name(school), "date": when}))
        texts += week_texts(turn.stores, school, turn.now, locale=turn.locale)
    return ViewPart(texts=texts, monospace=True)


def send_figures(turn: Turn, fmt: str | None) -> None:
    """This school year's overview of each of the coordinator's schools as a file (`fmt`, from
    the flow), sent after the state's screen; each one audit-logged as the CLI's exports are."""
    if turn.coordinator is None:
        raise Refused(Text(ONLY_COORDINATORS))
    if fmt not in files.FORMATS:
        raise ValueError(f"The flow asks for figures as {fmt!r}, which is no export format.")
    actor = Actor.coordinator(turn.coordinator.id).audit
    for school_id in sorted(turn.scope()):
        school = turn.school_of(school_id)
        today = datetime.fromisoformat(turn.now).astimezone(school.zone).date()
        order = files.Order(fmt, school.id, *school_year(today), turn.locale)
        params = {"school": school_name(school), "years": f"{order.first[:4]}-{order.last[:4]}"}
        turn.notices.append(
            Screen(
                (Text(FILE_CAPTION, params),),
                photo=order.token,
                photo_kind="document",
                unsent=Text(FILE_UNSENT, params),
            )
        )
        files.record_export(turn.stores.db, turn.now, actor, school.id)
        log.info("figures_file_asked format=%s school=%s", fmt, school.id)


VIEWS = {"figures": figures_view}
EFFECTS = {"send_figures": send_figures}
