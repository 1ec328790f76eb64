"""Golden transcripts in Dutch: the guided check to each outcome, and a report to its end.

They read as the conversation a child has. After a deliberate change to flows or catalogs,
rewrite them with `UPDATE_GOLDEN=1 pytest tests/test_transcripts.py` and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.transcript import Transcript

from bot.core.model import Identity
from bot.core.ratelimit import FloodGate

GOLDEN = Path(__file__).parent / "golden"
WALKS = {
    "check_teasing": ("check", "both_laugh", "stops"),
    "check_conflict": ("check", "both_laugh", "goes_on"),
    "check_once": ("check", "not_funny", "once"),
    "check_bullying": ("check", "not_funny", "often", "long", "same", "power", "on_purpose"),
    "check_just_as_strong": (
        "check",
        "not_funny",
        "often",
        "long",
        "same",
        "no_power",
        "on_purpose",
    ),
    "check_unsure": ("check", "unsure", "unsure", "unsure", "unsure", "unsure", "unsure"),
}


@pytest.fixture(autouse=True)
def _at_machine_speed(app) -> None:
    """A transcript is a scripted user, faster than any child: the flood gate has its own tests
    (tests/telegram/test_fast_typing.py) and would otherwise end the long walks."""
    app.service.flood = FloodGate(burst=10**6)


def _compare(name: str, transcript: Transcript) -> None:
    path = GOLDEN / f"{name}.txt"
    text = transcript.render()
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(WALKS))
def test_guided_check(app, name):
    talk = Transcript(app, Identity("telegram", "9001", "9001", "nl"))
    talk.command("start")
    talk.walk("pupil", *WALKS[name])
    _compare(name, talk)


def test_report_to_the_end(app):
    talk = Transcript(app, Identity("telegram", "9001", "9001", "nl"))
    talk.command("start")
    talk.walk(
        "pupil",
        "report",
        "someone_else",
        "excluding",
        "kinds_done",
        "playground",
        "weekly",
        "weeks",
    )
    talk.text("Een meisje uit groep 6 mag nooit meedoen met voetbal.")
    talk.text("Ze moet dan alleen op het bankje zitten.")
    talk.walk("story_done", "no_photo", "give_name")
    talk.text("Sam, groep 6")
    talk.walk("change", "edit_where", "class", "send")
    talk.press("menu")
    talk.press("my_reports")
    _compare("report", talk)
    assert app.stores.db.row("SELECT place FROM reports")["place"] == "class"


PARENT_WALKS = {
    "parent_signals": ("signals", "toggle:nicknames", "toggle:alone", "done"),
    "parent_cyberbullying": ("cyber", *["next"] * 9),
    "parent_school": ("school", *["next"] * 4),
}


@pytest.mark.parametrize("name", sorted(PARENT_WALKS))
def test_parent_guidance(app, name):
    talk = Transcript(app, Identity("telegram", "9002", "9002", "nl"))
    talk.command("start")
    talk.walk("parent")
    for step in PARENT_WALKS[name]:
        trigger, _, arg = step.partition(":")
        talk.press(trigger, arg or None)
    _compare(name, talk)


def test_parent_report_to_the_end(app):
    talk = Transcript(app, Identity("telegram", "9002", "9002", "nl"))
    talk.command("start")
    talk.walk("parent", "report", "other_child", "excluding", "online", "kinds_done")
    talk.walk("online", "weekly", "weeks")
    talk.text("Mijn dochter vertelt dat een meisje uit haar groep steeds buitengesloten wordt.")
    talk.text("Ook in de groepsapp mag ze niet meer meedoen.")
    talk.walk("story_done", "no_photo", "give_name")
    talk.text("Mevrouw Jansen, moeder van Sam, groep 6")
    talk.walk("send", "my_reports")
    _compare("parent_report", talk)
