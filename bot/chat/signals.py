"""The protocol's signals of bullying as a checklist a parent ticks, and what the ticks may mean.

The answer depends on which signals were ticked, not on a count: four signals are about how
other children treat the child (names, mocking, chosen last, alone at break); the other five
(absence, not wanting to go, sleep, results, early and late) often have other causes too, so
ticking all five of those says nothing about other children, and the answer does not pretend so.
"""

from __future__ import annotations

from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Choice, Refused, Text, lines

SIGNALS: dict[str, str] = {
    "absent": N_("Often absent or ill"),
    "reluctant": N_("Does not want to go to school"),
    "sleep": N_("Sleeps badly"),
    "nicknames": N_("Is called names by other children"),
    "mocked": N_("Is laughed at in a mocking, unkind way"),
    "last": N_("Is often chosen last for groups or teamwork"),
    "results": N_("School results are dropping"),
    "alone": N_("Is often alone at break"),
    "early": N_("Is at school long before lessons and lingers afterwards"),
}
ABOUT_OTHERS = frozenset({"nicknames", "mocked", "last", "alone"})  # how other children act
SEVERAL = 3  # from this many ticks on, "several signals"

MANY_ABOUT_OTHERS = N_(
    "You ticked several signals about how other children treat your child. That is a reason to "
    "act soon: talk with your child soon, and contact the teacher or an anti-bullying coordinator."
)
SEVERAL_ONE_ABOUT_OTHERS = N_(
    "You ticked several signals. One of them is about how other children treat your child. That "
    "is a reason to act soon: talk with your child soon, and contact the teacher or an "
    "anti-bullying coordinator."
)
ONE_ABOUT_OTHERS = N_(
    "You ticked a signal about how other children treat your child. That does not prove bullying, "
    "but it is a good reason to talk with your child and with the teacher."
)
SEVERAL_OTHER = N_(
    "You ticked several signals, but none about how other children treat your child. These "
    "signals can have other causes too. Still, it is a good reason to talk with your child and "
    "with the teacher."
)
FEW_OTHER = N_(
    "You ticked one or two signals. They can have other causes too. Keep an eye on it and "
    "talk with your child about how things are at school."
)
NONE_TICKED = N_(
    "You did not tick any signals. Good to hear. Do you still have a feeling something is "
    "wrong? Trust it, and talk with your child or the teacher."
)
TICKED = "signals"


def meaning(ticked: list[str]) -> str:
    """What the ticked signals may mean: by which ones, so that it never says more than is true."""
    about_others = len(ABOUT_OTHERS.intersection(ticked))
    if about_others >= 2:
        return MANY_ABOUT_OTHERS
    if about_others == 1:
        return SEVERAL_ONE_ABOUT_OTHERS if len(ticked) >= SEVERAL else ONE_ABOUT_OTHERS
    if len(ticked) >= SEVERAL:
        return SEVERAL_OTHER
    return FEW_OTHER if ticked else NONE_TICKED


def toggle_signal(turn: Turn, key: str | None) -> None:
    if key not in SIGNALS:
        raise Refused(Text(N_("That signal is not on the list.")))
    ticked: list[str] = turn.session.answers.setdefault(TICKED, [])
    if key in ticked:
        ticked.remove(key)
    else:
        ticked.append(key)


def checklist_view(turn: Turn) -> ViewPart:
    ticked = turn.session.answers.get(TICKED, [])
    rows = [
        (
            Choice(
                Text(
                    "{mark} {signal}",
                    {"mark": "☑️" if key in ticked else "⬜", "signal": Text(label)},
                ),
                "toggle",
                key,
                turn.session.state,
            ),
        )
        for key, label in SIGNALS.items()
    ]
    return ViewPart(rows=rows)


def result_view(turn: Turn) -> ViewPart:
    ticked = [key for key in turn.session.answers.get(TICKED, []) if key in SIGNALS]
    texts = []
    if ticked:
        bullets = [Text("• {signal}", {"signal": Text(SIGNALS[k])}) for k in ticked]
        texts.append(lines([Text(N_("You ticked:")), *bullets]))
    texts.append(Text(meaning(ticked)))
    return ViewPart(texts=texts)


EFFECTS = {"toggle_signal": toggle_signal}
VIEWS = {"signals_checklist": checklist_view, "signals_result": result_view}
