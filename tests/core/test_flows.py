"""Flow files: sound, in sync with their diagrams, and the validator catches what it should."""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, fields
from pathlib import Path

import pytest
import yaml

from bot.chat import tables
from bot.core.diagram import mermaid
from bot.core.flowspec import (
    CALLBACK_LIMIT,
    Flow,
    FlowError,
    Move,
    State,
    load_flows,
    parse_flow,
    validate,
)
from bot.core.i18n_extract import extract_flow

# The repository: the committed diagrams lie beside the flow files (a wheel carries none).
ROOT = Path(__file__).resolve().parents[2]
FLOWS = load_flows(ROOT / "flows")
EFFECTS, VIEWS = tables()


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


# --- Shared fragments: `- include: shared/x.yaml` in a flow's globals -------------------------

SHARED = ROOT / "flows" / "shared"

FRAGMENT = """
globals:
  - {trigger: one, to: a}
  - {trigger: two, label: Two}
"""

INCLUDING = """
flow: t
initial: a
footer: [home]
globals:
  - {trigger: home, to: a, label: Home}
  - include: shared/x.yaml
  - {trigger: last, to: a}
states:
  a:
    buttons:
      - {trigger: go, label: Go, to: a}
"""


def _folder(tmp_path: Path, flow: str = INCLUDING, fragment: str = FRAGMENT) -> Path:
    (tmp_path / "shared").mkdir()
    (tmp_path / "t.yaml").write_text(flow, encoding="utf-8")
    (tmp_path / "shared" / "x.yaml").write_text(fragment, encoding="utf-8")
    (tmp_path / "shared" / "words.yaml").write_text("nl: ['\\\\bhelp\\\\b']\n", encoding="utf-8")
    return tmp_path


def test_an_include_puts_the_fragments_globals_where_it_stands(tmp_path):
    flows = load_flows(_folder(tmp_path))
    assert list(flows) == ["t"]  # fragments and word lists under shared/ are not flows
    assert [m.trigger for m in flows["t"].globals] == ["home", "one", "two", "last"]
    assert flows["t"].global_move("two") == Move(trigger="two", dest=None, label="Two")
    assert validate(flows["t"], EFFECTS, VIEWS) == []


@pytest.mark.parametrize(
    ("flow", "fragment", "expected"),
    [
        # a trigger from a fragment may not be defined again, by the flow or another fragment
        (
            INCLUDING.replace("trigger: last", "trigger: one"),
            FRAGMENT,
            "defines the global 'one' twice",
        ),
        (
            INCLUDING.replace("  - {trigger: last, to: a}\n", "  - include: shared/x.yaml\n"),
            FRAGMENT,
            "'one' twice",
        ),
        (INCLUDING.replace("shared/x.yaml", "shared/y.yaml"), FRAGMENT, "which is not in"),
        (INCLUDING.replace("shared/x.yaml", "../t.yaml"), FRAGMENT, "which is outside"),
        (INCLUDING.replace("shared/x.yaml", "/etc/hostname"), FRAGMENT, "which is outside"),
        (
            INCLUDING.replace("shared/x.yaml", "shared/words.yaml"),
            FRAGMENT,
            "has no `globals:` list",
        ),
        (INCLUDING, FRAGMENT + "states: {}\n", "has unknown keys ['states']"),
        (INCLUDING, FRAGMENT + "  - include: shared/x.yaml\n", "only a flow may include"),
        (
            INCLUDING.replace("- include: shared/x.yaml", "- {include: shared/x.yaml, to: a}"),
            FRAGMENT,
            "not `include: <path>`",
        ),
        (
            INCLUDING.replace("globals:", "include: [shared/x.yaml]\nglobals:"),
            FRAGMENT,
            "inside `globals:`",
        ),
    ],
)
def test_a_bad_include_is_a_flow_error(tmp_path, flow, fragment, expected):
    with pytest.raises(FlowError, match=re.escape(expected)):
        load_flows(_folder(tmp_path, flow, fragment))


def test_an_include_needs_the_flows_folder():
    with pytest.raises(FlowError, match="no flows folder was given"):
        parse_flow(yaml.safe_load(INCLUDING))


# The flows' globals, in order: the diagrams and the engine read them in this order, so an
# include must put a fragment's globals exactly where the flow's own copy used to stand.
GLOBALS = {
    "welcome": "start stop menu help language set_language forget forget_yes forget_no "
    "read_message read_followup",
    "pupil": "start switch_role menu stop go_on help tell_school language set_language forget "
    "forget_yes forget_no my_reports show_report write followup_yes followup_bit followup_no "
    "secret_code read_message read_followup",
}
GLOBALS["parent"] = GLOBALS["pupil"]


@pytest.mark.parametrize("name", sorted(GLOBALS))
def test_the_public_flows_keep_their_globals_in_order(name):
    assert [m.trigger for m in FLOWS[name].globals] == GLOBALS[name].split()


def _raw_globals() -> dict[str, list[dict]]:
    """Each flow file's and fragment's globals as written, `include:` items left out."""
    files = [*sorted((ROOT / "flows").glob("*.yaml")), *sorted(SHARED.glob("*.yaml"))]
    written = {}
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        moves = (raw.get("globals") if isinstance(raw, dict) else None) or []
        written[str(path.relative_to(ROOT))] = [m for m in moves if "include" not in m]
    return written


# Written twice on purpose, with the reason: (global, the files that write it).
KEPT_APART = {
    # The coordinator's language button sits on its home screen, so its `language` global has
    # no label and the coordinator does not include shared/language.yaml; its one-line
    # `set_language` stays beside its own `language`.
    "set_language": ("flows/coordinator.yaml", "flows/shared/language.yaml"),
}


def test_no_global_is_written_out_in_two_files():
    where: dict[str, list[str]] = {}
    for path, moves in _raw_globals().items():
        for move in moves:
            where.setdefault(json.dumps(move, sort_keys=True), []).append(path)
    twice = {json.loads(k)["trigger"]: tuple(v) for k, v in where.items() if len(v) > 1}
    assert twice == KEPT_APART


def test_every_fragment_is_shared_by_flows_that_include_it():
    """A fragment is included by two flows or more, and gives each the same moves."""
    includes: dict[str, list[str]] = {}
    for path in sorted((ROOT / "flows").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in raw.get("globals") or ():
            if "include" in item:
                includes.setdefault(item["include"], []).append(raw["flow"])
    fragments = {
        f"shared/{path.name}"
        for path in SHARED.glob("*.yaml")
        if "globals" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    }
    assert set(includes) == fragments
    for fragment, names in includes.items():
        assert len(names) >= 2, f"{fragment} is included by {names} only"
        raw = yaml.safe_load((ROOT / "flows" / fragment).read_text(encoding="utf-8"))
        for name in names:
            for move in raw["globals"]:
                assert FLOWS[name].global_move(move["trigger"]).dest == move.get("to")


def test_the_extractor_reads_fragments_and_not_the_crisis_words():
    def msgids(path: Path) -> list[str]:
        with path.open("rb") as file:
            return [msgid for _line, _f, msgid, _c in extract_flow(file, (), (), {})]

    assert msgids(SHARED / "language.yaml") == ["🌐 Nederlands / English"]
    assert msgids(SHARED / "crisis.yaml") == []


# --- The pupil's and the parent's report agree in shape -------------------------------------

TEXTS = {"trigger", "label", "say", "say_draft"}  # the words differ ("je" / "u"); not shape


def _move_shape(move: Move, kind: str, **extra: object) -> dict[str, object]:
    """What a move does, without its words: only what differs from a plain move."""
    shape: dict[str, object] = {"input": kind, **extra}
    for spec in fields(Move):
        value = getattr(move, spec.name)
        plain = spec.default if spec.default_factory is MISSING else spec.default_factory()
        if spec.name not in TEXTS and value != plain:
            shape[spec.name] = value
    shape["labelled"] = move.label is not None
    shape["speaks"] = bool(move.say or move.say_draft)
    return shape


def _state_shape(state: State) -> dict[str, object]:
    moves: dict[str, object] = {}
    for kind, group in (("button", state.buttons), ("accept", state.accepts)):
        moves |= {move.trigger: _move_shape(move, kind) for move in group}
    if state.text:
        text = state.text
        extra = {"save_as": text.save, "max": text.max_chars, "append": text.append}
        moves[text.move.trigger] = _move_shape(text.move, "text", **extra)
    if state.photo:
        photo = state.photo
        extra = {"save_as": photo.save, "max": photo.max_count}
        moves[photo.move.trigger] = _move_shape(photo.move, "photo", **extra)
    return {
        "draft": state.draft,
        "editable": state.editable,
        "view": state.view,
        "footer": state.footer,
        "scope": state.scope,
        "speaks": bool(state.say or state.say_after),
        "moves": moves,
    }


def _report_shape(flow: Flow) -> dict[str, dict[str, object]]:
    """Every state a report walks through, from where `start_report` leads to its end.

    The walk stops at the flow's home (where the global `menu` leads): leaving the report
    there is part of the shape, but the homes differ on purpose.
    """
    entries = {move.dest for move in flow.all_moves() if move.do == "start_report"}
    assert len(entries) == 1, entries
    home = flow.global_move("menu").dest
    shape: dict[str, dict[str, object]] = {}
    todo = list(entries)
    while todo:
        name = todo.pop(0)
        if name in shape or name == home:
            continue
        state = flow.states[name]
        shape[name] = _state_shape(state)
        for move in state.moves():
            todo += [dest for dest in (move.dest, *move.branch.values()) if dest]
        if state.editable and flow.summary:
            todo.append(flow.summary)
    return shape


# What the two reports do differently on purpose, with the reason:
# (state, trigger) -> (the pupil's move, the parent's move); None where a flow has no such move.
WHO = {"input": "button", "dest": "report_kind", "labelled": True, "speaks": False}
NAME = {"input": "text", "save_as": "name", "append": False, "dest": "report_summary"}
NAME |= {"labelled": False, "speaks": False}
INTENDED = {
    # A pupil reports about "me" or "someone else", a parent about "my own child" or "another
    # child": both save the answer `who`, each with values of its own (bot/cases/labels.py).
    ("report_who", "me"): ({**WHO, "save": {"who": "self"}}, None),
    ("report_who", "someone_else"): ({**WHO, "save": {"who": "other"}}, None),
    ("report_who", "my_child"): (None, {**WHO, "save": {"who": "my_child"}}),
    ("report_who", "other_child"): (None, {**WHO, "save": {"who": "other_child"}}),
    # A parent's name line also names the child and the group ("Mrs Jansen, mother of Sam,
    # groep 6"), so it may be longer than a pupil's ("Sam, groep 6").
    ("report_name", "name"): ({**NAME, "max": 100}, {**NAME, "max": 150}),
}


def test_the_pupil_and_parent_reports_agree_in_shape():
    pupil, parent = _report_shape(FLOWS["pupil"]), _report_shape(FLOWS["parent"])
    for (state, trigger), (pupil_move, parent_move) in INTENDED.items():
        assert pupil[state]["moves"].pop(trigger, None) == pupil_move, (state, trigger)
        assert parent[state]["moves"].pop(trigger, None) == parent_move, (state, trigger)
    assert list(pupil) == list(parent)  # the same states, met in the same order
    for state in pupil:
        assert pupil[state] == parent[state], state


def test_the_pupil_and_parent_reports_keep_the_same_answers():
    pupil, parent = FLOWS["pupil"], FLOWS["parent"]
    for attribute in ("summary", "draft", "keep_typed", "footer"):
        assert getattr(pupil, attribute) == getattr(parent, attribute), attribute
    report = set(_report_shape(pupil))
    assert {"report_who", "report_summary", "report_change", "report_done"} <= report
