"""The protocol's signals of bullying as a checklist a parent ticks, and what the ticks may mean.

Signals about how other children treat the child weigh double: the protocol lists them
beside signals (sleep, absence, results) that often have other causes too.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.model import Choice, Text, lines
from bot.turn import Refused, Turn, ViewPart

SIGNALS: dict[str, tuple[str, int]] = {
    "absent": (N_("Often absent or ill"), 1),
    "reluctant": (N_("Does not want to go to school"), 1),
    "sleep": (N_("Sleeps badly"), 1),
    "nicknames": (N_("Is called names by other children"), 2),
    "mocked": (N_("Is laughed at in a mocking, unkind way"), 2),
    "last": (N_("Is often chosen last for groups or teamwork"), 2),
    "results": (N_("School results are dropping"), 1),
    "alone": (N_("Is often alone at break"), 2),
    "early": (N_("Is at school long before lessons and lingers afterwards"), 1),
}
# (lowest score, what it may mean), highest first.
MEANINGS = (
    (
        5,
        N_(
            "You ticked several signals, some of them about how other children treat your child. "
            "Please take this seriously: talk with your child soon, and contact the teacher or an "
            "anti-bullying coordinator."
        ),
    ),
    (
        3,
        N_(
            "You ticked a few signals. That does not prove bullying, but it is a good reason to "
            "talk with your child and with the teacher."
        ),
    ),
    (
        1,
        N_(
            "You ticked one or two signals. They can have other causes too. Keep an eye on it and "
            "talk with your child about how things are at school."
        ),
    ),
    (
        0,
        N_(
            "You did not tick any signals. Good to hear. Do you still have a feeling something is "
            "wrong? Trust it, and talk with your child or the teacher."
        ),
    ),
)
TICKED = "signals"


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
        for key, (label, _weight) in SIGNALS.items()
    ]
    return ViewPart(rows=rows)


def result_view(turn: Turn) -> ViewPart:
    ticked = [key for key in turn.session.answers.get(TICKED, []) if key in SIGNALS]
    score = sum(SIGNALS[key][1] for key in ticked)
    meaning = next(text for lowest, text in MEANINGS if score >= lowest)
    texts = []
    if ticked:
        bullets = [Text("• {signal}", {"signal": Text(SIGNALS[k][0])}) for k in ticked]
        texts.append(lines([Text(N_("You ticked:")), *bullets]))
    texts.append(Text(meaning))
    return ViewPart(texts=texts)
