"""Crisis words: typed danger reaches the help lines in every state of every flow, first."""

from __future__ import annotations

import pytest
from support.clocks import FakeClock
from support.transcript import Transcript

from bot.app import build
from bot.core import replies
from bot.core.crisis import load_crisis_words
from bot.core.engine import Session
from bot.core.model import Identity, Inbound, Text
from bot.resources import CRISIS_WORDS
from bot.settings import load_settings

NOW = "2026-11-23T08:00:00+00:00"
WORDS = load_crisis_words(CRISIS_WORDS)
CRISIS = [
    "ik wil niet meer leven",
    "Ik wil NIET MEER LEVE!!",
    "ik wil dood",
    "ik wil dooooood",
    "soms wil ik er niet meer zijn",
    "ik denk aan zelfmoord",
    "ik doe mezelf pijn",
    "ik snij in mijn arm",
    "thuis is het niet veilig",
    "ik durf niet naar huis",
    "mijn vader slaat me",
    "ik word thuis geslagen",
    "hij dreigt met een mes",
    "ze gaan me vermoorden",
    "I want to die",
    "i dont want to live anymore",
    "I want to kill myself",
    "my dad hits me",
]
ORDINARY = [
    "ze schelden me uit",
    "hij pakt mijn pet af",
    "ik word gepest op het plein",
    "ik wil leven zonder pesten",
    "ik ben dood moe van school",
    "we speelden een spel met zwaarden",
    "they laugh at me",
    "ik wil niet meer naar gym",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_phrases_match(text):
    assert WORDS.match(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_bullying_words_do_not_match(text):
    assert not WORDS.match(text)


def _states(app):
    for flow in app.service.engine.flows.values():
        for state in flow.states:
            yield flow.name, state


def test_crisis_text_in_every_state_of_every_flow_reaches_the_help_lines(env):
    app = build(load_settings(env), FakeClock())
    pupil = Identity("telegram", "9300", "9300", "nl")
    coordinator = Identity("terminal", "3", "3", "nl", role="coordinator")
    with app.stores.db.transaction():
        # A case for the coordinator's case states to be about.
        code = app.stores.reports.create("someone", "{}", {"story": "x", "kind": "names"}, NOW)
    checked = 0
    for flow, state in _states(app):
        who = coordinator if flow == "coordinator" else pupil
        key = app.stores.vault.subject(who.channel, who.user_id)
        with app.stores.db.transaction():
            app.service.sessions.save(key, Session(flow, state, {"case": code}), NOW)
        app.service.flood.check = lambda *_args: "ok"
        said = app.service.handle(who, Inbound(kind="text", text="ik wil niet meer leven"))
        first = app.renderer.text(Text(replies.CRISIS[0]), "nl", flow)  # "u" for parents
        assert said[0].text.startswith(first), (flow, state, said[0].text)
        assert "113" in said[0].text and "112" in said[0].text, (flow, state)
        checked += 1
    assert checked >= 60  # every state of the four flows


def test_the_guided_check_follows_the_protocol(env):
    app = build(load_settings(env), FakeClock())
    users = iter(range(9301, 9400))

    def outcome(*triggers: str) -> str:
        user = next(users)  # a new child each time, so /start asks the role
        talk = Transcript(app, Identity("telegram", str(user), str(user), "nl"))
        talk.command("start")
        talk.walk("pupil", "check", *triggers)
        return talk.render()

    def says(msgid: str) -> str:
        return app.renderer.text(Text(msgid), "nl")

    bullying = says(
        "This sounds like bullying (pesten). Bullying is on purpose. It happens again and again. "
        "And the one who is bullied can hardly make it stop."
    )
    maybe = says("That is hard to say. It might be bullying (pesten).")
    fight = says(
        "This sounds like a fight (ruzie). That happens sometimes: one wants to stop, but the "
        "other goes on."
    )
    once = says("That was not nice. Even if it happened only once, it is not okay.")
    # Every criterion holds: pesten.
    assert bullying in outcome("not_funny", "often", "long", "same", "power", "on_purpose")
    # "Just as strong" contradicts a difference in power: never pesten, but "maybe".
    equal = outcome("not_funny", "often", "long", "same", "no_power", "on_purpose")
    assert bullying not in equal and maybe in equal
    # An unsure answer on the way: maybe.
    unsure = outcome("not_funny", "often", "unsure", "same", "power", "on_purpose")
    assert bullying not in unsure and maybe in unsure
    # One unkind thing, once: not called a fight.
    single = outcome("not_funny", "once")
    assert once in single and fight not in single
    # One question per message.
    for msgid in ("Does it happen often?", "Has it been going on for a long time?"):
        assert says(msgid) in outcome("not_funny", "often")
