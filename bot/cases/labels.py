"""How a case reads: its answers as coordinators read them, and its status for either side.

Answers are neutral, third person and brief: pupils see their own button labels ("It happens to
me"); a coordinator needs "the reporter".
"""

from __future__ import annotations

from bot.core.i18n import N_, NC_
from bot.core.model import Text
from bot.stats.labels import VALUES

FOR_COORDINATORS = {
    "who": {
        "self": N_("the reporter (a pupil)"),
        "other": N_("another child (reported by a bystander)"),
        "my_child": N_("the reporter's own child (reported by a parent)"),
        "other_child": N_("another child (reported by a parent)"),
    },
    # The same words as the figures' tables (bot/stats/labels.py), which may not import these.
    "kind": VALUES["kind"],
    "place": {value: label for value, label in VALUES["place"].items() if value},
    "often": {
        "once": N_("once"),
        "few": N_("a few times"),
        "weekly": N_("every week"),
        "daily": N_("(almost) every day"),
    },
    "since": {
        "this_week": N_("since this week"),
        "weeks": N_("a few weeks"),
        "months": N_("more than a month"),
    },
}


def case_label(key: str, value: str) -> Text:
    msgid = FOR_COORDINATORS.get(key, {}).get(value)
    return Text(msgid) if msgid else Text(N_("unknown"))


# How a case's status reads to coordinators.
STATUS = {
    "new": N_("new"),
    "claimed": N_("claimed"),
    "in_progress": N_("in progress"),
    "closed": N_("closed"),
}
# How it reads to the reporter: they do not need to know who has it, only that someone does.
STATUS_FOR_REPORTER = {
    "new": N_("sent, an anti-bullying coordinator will read it"),
    "claimed": N_("an anti-bullying coordinator is working on it"),
    "in_progress": N_("an anti-bullying coordinator is working on it"),
    "closed": N_("finished"),
}
NC_("parent", "finished")  # parents read "afgerond", pupils "klaar" (dutch.md, consistency 7)


def status_text(status: str) -> Text:
    return Text(STATUS.get(status, status))
