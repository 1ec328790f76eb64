"""A report's answers as coordinators read them: neutral, third person, brief.

Pupils see their own button labels ("It happens to me"); a coordinator needs "the reporter".
"""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.model import Text

FOR_COORDINATORS = {
    "who": {
        "self": N_("the reporter (a pupil)"),
        "other": N_("another child (reported by a bystander)"),
        "my_child": N_("the reporter's own child (reported by a parent)"),
        "other_child": N_("another child (reported by a parent)"),
    },
    "kind": {
        "names": N_("calling names, laughing at"),
        "excluding": N_("leaving out"),
        "hitting": N_("hitting, kicking"),
        "taking": N_("taking or breaking things"),
        "online": N_("online (cyberbullying)"),
        "other": N_("something else"),
    },
    "place": {
        "class": N_("in class"),
        "playground": N_("playground"),
        "on_the_way": N_("on the way to or from school"),
        "online": N_("online"),
        "elsewhere": N_("elsewhere"),
    },
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
