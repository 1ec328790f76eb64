"""Flow files: sound, in sync with their diagrams, and the validator catches what it should."""

from __future__ import annotations

import pytest
import yaml

from bot.chat.service import EFFECTS, VIEWS
from bot.core.diagram import mermaid
from bot.core.flowspec import CALLBACK_LIMIT, load_flows, parse_flow, validate
from bot.settings import ROOT

FLOWS = load_flows(ROOT / "flows")


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_flow_is_sound(name):
    assert validate(FLOWS[name], EFFECTS, VIEWS) == []


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_diagram_is_in_sync(name):
    committed = (ROOT / "flows" / f"{name}.mmd").read_text(encoding="utf-8")
    assert committed == mermaid(FLOWS[name]), "run: python -m bot.core.diagram"


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_button_fits_in_callback_data_with_a_case_code(name):
    for state in FLOWS[name].states.values():
        for move in state.moves():
            data = f"{state.name}:{move.trigger}:ABCD-EF"
            assert len(data.encode()) <= CALLBACK_LIMIT


def test_pupil_and_coordinator_flows_exist():
    assert {"pupil", "coordinator"} <= set(FLOWS)


BASE = """
flow: t
initial: a
footer: [home]
globals:
  - {trigger: home, to: a, label: Home}
states:
  a:
    buttons:
      - {trigger: go, label: Go, to: b}
  b:
    say: [B]
"""


def _problems(text: str) -> list[str]:
    return validate(parse_flow(yaml.safe_load(text)), EFFECTS, VIEWS)


def test_a_sound_small_flow_passes():
    assert _problems(BASE) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("  b:\n    say: [B]\n", "  b:\n    say: [B]\n  c:\n    say: [C]\n"), "c: unreachable"),
        (("to: b}", "to: nowhere}"), "unknown state 'nowhere'"),
        (("label: Go, to: b}", "label: Go, to: b, do: explode}"), "unknown effect 'explode'"),
        (("footer: [home]", "footer: []"), "b: a dead end"),
        (("trigger: go,", "trigger: Go-Now,"), "not a plain lower-case id"),
        (("initial: a", "initial: z"), "initial state 'z' does not exist"),
        (("  a:\n", "  a:\n    view: nothing\n"), "unknown view 'nothing'"),
        (("trigger: go,", "trigger: " + "g" * 60 + ","), "may exceed 64 bytes"),
    ],
)
def test_the_validator_finds_each_kind_of_mistake(change, expected):
    old, new = change
    assert old in BASE
    problems = _problems(BASE.replace(old, new))
    assert any(expected in p for p in problems), problems


def test_a_trap_state_is_found():
    # Global triggers (/start, /stop) work in every state, so only a flow without one can trap.
    no_globals = BASE.replace("footer: [home]", "footer: []").replace(
        "globals:\n  - {trigger: home, to: a, label: Home}\n", ""
    )
    trap = no_globals.replace(
        "  b:\n    say: [B]\n", "  b:\n    buttons:\n      - {trigger: stay, label: S, to: b}\n"
    )
    assert any("b: a trap" in p for p in _problems(trap))
