"""The capabilities' effect and view tables, merged for the service by `bot.chat.tables`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bot import chat
from bot.core.flowspec import load_flows
from bot.resources import FLOWS

ROOT = Path(__file__).resolve().parents[2]


def test_a_name_two_capabilities_claim_fails_at_start() -> None:
    one = SimpleNamespace(__name__="one", EFFECTS={"claim": print}, VIEWS={})
    two = SimpleNamespace(__name__="two", EFFECTS={"claim": len}, VIEWS={})
    with pytest.raises(ValueError, match="'claim' is declared by both one and two"):
        chat.tables([one, two])  # type: ignore[list-item]


def test_every_effect_and_view_a_flow_names_is_declared_once() -> None:
    effects, views = chat.tables()
    flows = load_flows(FLOWS)
    named = {m.do for f in flows.values() for m in f.all_moves() if m.do}
    shown = {s.view for f in flows.values() for s in f.states.values() if s.view}
    assert named <= set(effects) and shown <= set(views)
    assert named and shown


def test_the_service_imports_no_capability() -> None:
    source = (ROOT / "bot" / "chat" / "service.py").read_text(encoding="utf-8")
    for capability in chat.CAPABILITIES:
        assert capability.__name__ not in source
