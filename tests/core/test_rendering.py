"""Every state of every flow renders in both languages, within Telegram's limits."""

from __future__ import annotations

import re

import pytest

from bot.core import replies
from bot.core.engine import Session
from bot.core.flowspec import load_flows
from bot.core.model import Identity, Inbound, Text
from bot.resources import FLOWS
from bot.storage.sessions import SessionStore

STATES = [(f.name, s) for f in load_flows(FLOWS).values() for s in f.states]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
NOW = "2026-11-23T08:00:00+00:00"


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize(("flow", "state"), STATES)
def test_state_renders(app, flow, state, locale):
    stores = app.stores
    with stores.db.transaction():
        stores.coordinators.add(501, "Juf Anna", NOW)
        answers = {
            "who": "other",
            "kind": "online",
            "place": "online",
            "often": "daily",
            "since": "weeks",
            "story": "Een verhaal.",
            "evidence": ["f1"],
            "anonymous": False,
            "name": "Sam, groep 6",
        }
        code = stores.reports.create("reporter", "{}", answers, NOW)
        answers.update(code=code, case=code)
        user = 501 if flow == "coordinator" else 9001
        who = Identity("telegram", str(user), str(user), locale)
        key = stores.vault.subject("telegram", user)
        SessionStore(stores.db, stores.vault).save(key, Session(flow, state, answers, locale), NOW)

    outs = app.service.handle(who, Inbound(kind="command", trigger="no_such_command"))

    assert outs[0].text == app.renderer.text(Text(replies.UNKNOWN_COMMAND), locale)
    assert outs[-1].text.strip()
    for out in outs:
        assert not PLACEHOLDER.search(out.text), out.text
        assert len(out.text) <= (1024 if out.photo else 4096)
        for row in out.rows:
            for label, data in row:
                assert label.strip() and len(data.encode()) <= 64
