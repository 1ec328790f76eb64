"""Reports filed straight through the submit verb, for tests about the coordinators' side.

The reporter is a Telegram user as far as the bot is concerned (same pseudonym and contact as
if they had walked the pupil or parent flow), so they can still /vergeet or answer; only the
walk through the questions is skipped, which keeps these tests about what coordinators read.
"""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.cases import reports
from bot.cases.context import Actor, Context
from bot.clock import stamp
from bot.core.model import Identity, Text
from support.fakebotapi import FakeBotApi
from support.people import Person


def file_report(
    app: App,
    user_id: int,
    story: str = "Ze schelden me elke dag uit.",
    *,
    role: str = "pupil",
    photos: tuple[str, ...] = (),
    channel: str = "telegram",
    school: int = 1,
    **answers: Any,
) -> str:
    """File one report as user `user_id` of `channel` to the board's school `school`; returns its
    case code.

    `answers` overrides the defaults (who, kind, place, often, since, anonymous, name).
    """
    filled = {
        "who": "self" if role == "pupil" else "my_child",
        "kind": "names",
        "place": "class",
        "often": "daily",
        "since": "weeks",
        "story": story,
        "evidence": list(photos),
        "anonymous": True,
        **answers,
    }
    filled.setdefault("kinds", [filled["kind"]])
    stores = app.stores
    who = Identity(channel, str(user_id), str(user_id), "nl")
    key = stores.vault.subject(channel, user_id)
    schools = app.board.current()
    ctx = Context(stores, schools[school], Actor.reporter(key), stamp(app.clock), schools)
    with stores.db.transaction():
        return reports.submit(ctx, filled, role, who)


def enrol_coordinator(app: App, fake: FakeBotApi, user_id: int, name: str) -> Person:
    with app.stores.db.transaction():
        app.stores.coordinators.add(user_id, name, stamp(app.clock))
    return Person(fake, user_id)


def nl(app: App, msgid: str, **params: Any) -> str:
    """What a Dutch reader reads for `msgid` (params may be `Text` themselves)."""
    return app.renderer.text(Text(msgid, params), "nl")
