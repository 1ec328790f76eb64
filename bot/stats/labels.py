"""What each counted value is called in a table, in the order the tables list them.

The kinds and places read as coordinators read them on a case: bot/cases/labels.py takes them
from here (bot.stats may not import bot.cases). A value that is not in these lists is shown as
"unknown", all such together: a counter's value is an id from a button, but a figure must never
show anything a person could have typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.i18n import N_
from bot.core.model import Text

UNKNOWN = "?"  # the row that gathers values not listed below
ONLY_WHEN_COUNTED = {("place", "")}  # a row of zeros that says nothing: left out when it is 0

VALUES: dict[str, dict[str, str]] = {
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
        "": N_("place not given"),
    },
    "reporter": {
        "self": N_("a pupil, about themselves"),
        "other": N_("a pupil, as a bystander"),
        "parent": N_("a parent or carer"),
    },
    "channel": {
        "telegram": N_("Telegram"),
        "web": N_("web chat"),
        "terminal": N_("the school's own computer"),
    },
    "followup": {
        "yes": N_("yes, it stopped"),
        "a_bit": N_("a bit"),
        "no": N_("no"),
    },
    "outcome": {
        "resolved": N_("solved"),
        "referred": N_("referred"),
        "not_confirmed": N_("not confirmed"),
        "not_bullying": N_("not bullying"),
        "test_or_duplicate": N_("test or duplicate"),
    },
    "part": {
        "before_school": N_("before school"),
        "morning": N_("morning"),
        "afternoon": N_("afternoon"),
        "after_school": N_("after school"),
        "weekend": N_("weekend"),
    },
}


def label(dimension: str, value: str) -> Text:
    msgid = VALUES.get(dimension, {}).get(value)
    return Text(msgid) if msgid else Text(N_("unknown"))


def listed(dimension: str) -> tuple[str, ...]:
    return tuple(VALUES[dimension])


def shown_values(dimension: str, *counted: Mapping[str, int]) -> list[str]:
    """The values a table lists: the listed ones in order (one of ONLY_WHEN_COUNTED only when
    some of `counted` has it), then UNKNOWN when some of `counted` has a value not listed."""
    values = [
        value
        for value in VALUES[dimension]
        if (dimension, value) not in ONLY_WHEN_COUNTED or any(c.get(value) for c in counted)
    ]
    if any(n and value not in VALUES[dimension] for c in counted for value, n in c.items()):
        values.append(UNKNOWN)
    return values


def gathered(dimension: str, counted: Mapping[str, int]) -> dict[str, int]:
    """`counted` with every value that is not listed summed under UNKNOWN."""
    out: dict[str, int] = {}
    for value, n in counted.items():
        key = value if value in VALUES[dimension] else UNKNOWN
        out[key] = out.get(key, 0) + n
    return out


def known(dimension: str, counted: Mapping[str, int]) -> dict[str, int]:
    """`counted` as a table lists it (`shown_values`), 0 for a value not counted."""
    summed = gathered(dimension, counted)
    return {value: summed.get(value, 0) for value in shown_values(dimension, counted)}
