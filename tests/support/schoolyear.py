"""A scripted term of one school, played through the real case verbs on a FakeClock.

Seven reports from November to December 2026 (times are Amsterdam's, CET = UTC+1), each with a
canary in its story, its reporter's name, the coordinators' notes and messages, so that a test
can look for them in every figure. What happens, and when (school hours 08:30-15:00, Mon-Fri):

A  Mon 23-11 09:00 pupil (self), names, playground, Telegram. Claimed 10:00, message 11:30,
   phase 1 11:30, phase 2 Wed 11:30, serious Thu, closed "resolved" Fri 27-11 11:30; the
   follow-up on Fri 11-12 says "yes".
B  Fri 27-11 14:00 bystander, hitting + names, class, web. Claimed Mon 30-11 09:00 (over the
   weekend), closed "referred" 10:00, serious Tue 1-12; the follow-up says "no" (reopened), closed
   again Thu 3-12 10:00 (not counted again): its next follow-up goes out Thu 17-12 10:00.
C  Sat 28-11 12:00 parent, online, online, Telegram. Claimed Mon 30-11 10:00, closed
   "not_bullying" Tue 1-12 10:00, reopened by the coordinator 11:00, closed again Wed 2-12
   10:00, the follow-up says "a bit" 11:00 (reopened: open now).
D  Tue 1-12 07:00 (before school) pupil, other, elsewhere. Claimed 08:45, closed
   "test_or_duplicate" 09:00: counted under outcome only.
F  Wed 2-12 16:00 (after school) pupil, names, on the way. Claimed Thu 09:30, message 10:30,
   phase 1 10:30, phase 3 Fri 4-12 10:30; open.
G  Tue 8-12 10:00 pupil, excluding, playground. Claimed 11:00, closed "resolved" Wed 9-12 10:00.
E  Mon 14-12 09:00 pupil, taking, class. Never claimed: on Wed 16-12 11:00 (`NOW`) it waits
   longer than the promise (due Tue 09:00).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.app import App
from bot.cases import casework, relay
from support.acting import acting, coordinator, reporter
from support.casefiles import file_report
from support.clocks import FakeClock

NOW = "2026-12-16T10:00:00+00:00"  # Wed 16-12 11:00 in Amsterdam: the coordinators' view
CANARIES = {
    "story": "Kanarieverhaal-Zwaluw",
    "name": "Kanarie Pietersen",
    "note": "Kanarienotitie-Merel",
    "message": "Kanariebericht-Vink",
    "outcome": "Kanarie-afloop-Specht",
    "coordinator": "Juf Kanarie",
}
# Who reported each case: (user id, channel, role, answers)
CASES = {
    "A": (11, "telegram", "pupil", {"who": "self", "kind": "names", "place": "playground"}),
    "B": (
        12,
        "web",
        "pupil",
        {"who": "other", "kind": "hitting", "kinds": ["hitting", "names"], "place": "class"},
    ),
    "C": (13, "telegram", "parent", {"who": "my_child", "kind": "online", "place": "online"}),
    "D": (14, "telegram", "pupil", {"who": "self", "kind": "other", "place": "elsewhere"}),
    "F": (16, "telegram", "pupil", {"who": "self", "kind": "names", "place": "on_the_way"}),
    "G": (17, "telegram", "pupil", {"who": "self", "kind": "excluding", "place": "playground"}),
    "E": (15, "telegram", "pupil", {"who": "self", "kind": "taking", "place": "class"}),
}


@dataclass
class SchoolYear:
    app: App
    clock: FakeClock
    codes: dict[str, str]

    def reporter_keys(self) -> list[str]:
        return [
            reporter(self.app, uid, channel).reporter_key or ""
            for uid, channel, *_ in CASES.values()
        ]


def play(app: App, clock: FakeClock) -> SchoolYear:
    """Play the term above; returns the cases' codes by letter."""
    anna = coordinator(app, 101, CANARIES["coordinator"])
    codes: dict[str, str] = {}

    def at(utc: str) -> None:
        clock.set(f"2026-{utc}:00+00:00")

    def made(letter: str, utc: str) -> str:
        at(utc)
        uid, channel, role, answers = CASES[letter]
        story = f"{CANARIES['story']} {letter}"
        codes[letter] = file_report(
            app,
            uid,
            story,
            role=role,
            channel=channel,
            anonymous=False,
            name=f"{CANARIES['name']} {letter}",
            **answers,
        )
        return codes[letter]

    def by_anna(utc: str):  # noqa: ANN202 - the Context the verbs take
        at(utc)
        return acting(app, anna)

    def by_reporter(letter: str, utc: str):  # noqa: ANN202
        at(utc)
        uid, channel, *_ = CASES[letter]
        return acting(app, reporter(app, uid, channel))

    a = made("A", "11-23T08:00")
    casework.claim(by_anna("11-23T09:00"), a)
    casework.message_reporter(by_anna("11-23T10:30"), a, CANARIES["message"])
    casework.set_phase(by_anna("11-23T10:30"), a, "1")
    casework.add_note(by_anna("11-23T10:31"), a, CANARIES["note"])
    casework.set_phase(by_anna("11-25T10:30"), a, "2")
    casework.mark_serious(by_anna("11-26T10:00"), a)
    casework.close(by_anna("11-27T10:30"), a, "resolved", CANARIES["outcome"])
    b = made("B", "11-27T13:00")
    c = made("C", "11-28T11:00")
    casework.claim(by_anna("11-30T08:00"), b)
    casework.close(by_anna("11-30T09:00"), b, "referred", CANARIES["outcome"])
    casework.claim(by_anna("11-30T09:00"), c)

    d = made("D", "12-01T06:00")
    casework.claim(by_anna("12-01T07:45"), d)
    casework.mark_serious(by_anna("12-01T08:00"), b)
    casework.close(by_anna("12-01T08:00"), d, "test_or_duplicate", "")
    casework.close(by_anna("12-01T09:00"), c, "not_bullying", CANARIES["outcome"])
    relay.answer_followup(by_reporter("B", "12-01T10:00"), b, "no")
    casework.reopen(by_anna("12-01T10:00"), c)
    casework.close(by_anna("12-02T09:00"), c, "not_bullying", "")
    relay.answer_followup(by_reporter("C", "12-02T10:00"), c, "a_bit")
    f = made("F", "12-02T15:00")
    casework.claim(by_anna("12-03T08:30"), f)
    casework.close(by_anna("12-03T09:00"), b, "resolved", "")  # closed again: counted once
    casework.message_reporter(by_anna("12-03T09:30"), f, CANARIES["message"])
    casework.set_phase(by_anna("12-03T09:30"), f, "1")
    casework.set_phase(by_anna("12-04T09:30"), f, "3")

    g = made("G", "12-08T09:00")
    casework.claim(by_anna("12-08T10:00"), g)
    casework.close(by_anna("12-09T09:00"), g, "resolved", "")
    relay.answer_followup(by_reporter("A", "12-11T10:00"), a, "yes")
    made("E", "12-14T08:00")
    clock.set(NOW)
    return SchoolYear(app, clock, codes)
