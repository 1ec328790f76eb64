"""Load conversation flows from `flows/*.yaml` and check that they are sound.

A flow file is data: states with what the user sees (msgids, buttons carrying trigger ids,
whether free text or a photo is accepted) and the moves between them. `validate` proves that
every state is reachable, none is a trap, and every button fits Telegram's 64-byte limit.

Globals that several flows share are written once, in a fragment under `flows/shared/`, and a
flow pulls them in where they stand in its `globals:` list with an item `- include:
shared/forget.yaml`. The fragment's globals take that item's place, so a flow's globals keep
the order they are written in (the diagrams and the engine read them in that order). A fragment
holds only `globals:`; it cannot include another. A global trigger defined twice, in the flow
or through a fragment, is an error: there is no override. `load_flows` reads only the files at
the top of the folder, so fragments (and `shared/crisis.yaml`, the crisis word list) are never
taken for flows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.model import Text

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CALLBACK_LIMIT = 64  # bytes, Telegram's limit on callback_data
ARG_ROOM = 16  # bytes kept free for a button argument such as a case code


class FlowError(ValueError):
    """A flow file is malformed or unsound."""


@dataclass(frozen=True, slots=True)
class Move:
    """What a trigger does: where it goes and what it records on the way."""

    trigger: str
    dest: str | None  # None: stay in the state (an internal transition)
    label: str | None = None
    save: dict[str, Any] = field(default_factory=dict)
    save_arg: str | None = None
    reset: bool = False
    do: str | None = None
    arg: str | None = None
    say: tuple[str, ...] = ()
    say_draft: tuple[str, ...] = ()  # said instead of `say` when the move leaves a draft state
    confirm: bool = False  # leaving a draft with content asks first (see Engine)
    carry: bool = False  # what was typed or sent where it could not be used goes into the report
    branch: dict[str, str] = field(default_factory=dict)  # answer key -> dest when it is set


@dataclass(frozen=True, slots=True)
class TextInput:
    """Free text accepted in a state, saved under `save` (appended when `append`)."""

    move: Move
    save: str
    max_chars: int
    append: bool = False


@dataclass(frozen=True, slots=True)
class PhotoInput:
    """Photos accepted in a state; their file ids are appended to the list under `save`."""

    move: Move
    save: str
    max_count: int


@dataclass(frozen=True, slots=True)
class State:
    name: str
    say: tuple[str, ...] = ()
    say_after: tuple[str, ...] = ()  # shown after the state's view
    buttons: tuple[Move, ...] = ()
    accepts: tuple[Move, ...] = ()  # triggers fired by dynamic buttons from a view
    text: TextInput | None = None
    photo: PhotoInput | None = None
    view: str | None = None
    editable: bool = False
    footer: tuple[str, ...] | None = None  # None: the flow's default footer
    scope: str | None = None  # answer key whose value every button of this state carries
    draft: bool = False  # a state of a report being written: its answers must not be lost

    def moves(self) -> Iterator[Move]:
        yield from self.buttons
        yield from self.accepts
        if self.text:
            yield self.text.move
        if self.photo:
            yield self.photo.move


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    initial: str
    states: dict[str, State]
    globals: tuple[Move, ...] = ()
    footer: tuple[str, ...] = ()
    summary: str | None = None
    draft: tuple[str, ...] = ()  # answer keys whose content makes a report worth keeping
    keep_typed: dict[str, str] = field(default_factory=dict)  # text/photos -> answer key

    def global_move(self, trigger: str) -> Move | None:
        return next((m for m in self.globals if m.trigger == trigger), None)

    def footer_of(self, state: State) -> tuple[Move, ...]:
        names = self.footer if state.footer is None else state.footer
        moves = (self.global_move(n) for n in names)
        return tuple(m for m in moves if m is not None and m.dest != state.name)

    def msgids(self) -> Iterator[str]:
        for move in self.all_moves():
            if move.label:
                yield move.label
            yield from move.say
            yield from move.say_draft
        for state in self.states.values():
            yield from state.say
            yield from state.say_after

    def all_moves(self) -> Iterator[Move]:
        yield from self.globals
        for state in self.states.values():
            yield from state.moves()


MOVE_KEYS = {
    "trigger",
    "to",
    "label",
    "save",
    "save_arg",
    "reset",
    "do",
    "arg",
    "say",
    "say_draft",
    "confirm",
    "carry",
    "branch",
}


def label_for(flows: dict[str, Flow], key: str, value: Any, flow_name: str) -> Text:
    """The button label that recorded `key = value` in that flow: answers read as chosen."""
    for flow in [flows[flow_name], *flows.values()]:
        for move in flow.all_moves():
            if move.label and move.save.get(key) == value:
                return Text(move.label)
    return Text("{value}", {"value": str(value)})


def _move(raw: dict[str, Any], where: str) -> Move:
    if not isinstance(raw, dict) or "trigger" not in raw:
        raise FlowError(f"{where}: every move needs a 'trigger' id")
    unknown = set(raw) - MOVE_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {sorted(unknown)}")
    return Move(
        trigger=raw["trigger"],
        dest=raw.get("to"),
        label=raw.get("label"),
        save=dict(raw.get("save") or {}),
        save_arg=raw.get("save_arg"),
        reset=bool(raw.get("reset", False)),
        do=raw.get("do"),
        arg=raw.get("arg"),
        say=tuple(raw.get("say") or ()),
        say_draft=tuple(raw.get("say_draft") or ()),
        confirm=bool(raw.get("confirm", False)),
        carry=bool(raw.get("carry", False)),
        branch=dict(raw.get("branch") or {}),
    )


def _without(spec: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in keys}


STATE_KEYS = {
    "say",
    "say_after",
    "buttons",
    "accepts",
    "text",
    "photo",
    "view",
    "editable",
    "footer",
    "scope",
    "draft",
}


def _state(name: str, raw: dict[str, Any]) -> State:
    where = f"state {name}"
    unknown = set(raw) - STATE_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {sorted(unknown)}")
    text = photo = None
    if "text" in raw:
        spec = raw["text"]
        text = TextInput(
            move=_move(_without(spec, "max", "append", "save"), where),
            save=spec["save"],
            max_chars=int(spec.get("max", 1000)),
            append=bool(spec.get("append", False)),
        )
    if "photo" in raw:
        spec = raw["photo"]
        photo = PhotoInput(
            move=_move(_without(spec, "max", "save"), where),
            save=spec["save"],
            max_count=int(spec.get("max", 10)),
        )
    footer = raw.get("footer")
    return State(
        name=name,
        say=tuple(raw.get("say") or ()),
        say_after=tuple(raw.get("say_after") or ()),
        buttons=tuple(_move(b, where) for b in raw.get("buttons") or ()),
        accepts=tuple(_move(b, where) for b in raw.get("accepts") or ()),
        text=text,
        photo=photo,
        view=raw.get("view"),
        editable=bool(raw.get("editable", False)),
        footer=None if footer is None else tuple(footer),
        scope=raw.get("scope"),
        draft=bool(raw.get("draft", False)),
    )


FLOW_KEYS = {"flow", "initial", "states", "globals", "footer", "summary", "draft", "keep_typed"}
FRAGMENT_KEYS = {"globals"}


def parse_flow(raw: dict[str, Any], folder: Path | None = None) -> Flow:
    """The flow in `raw`; `folder` is the flows folder its `include:` items are read from."""
    if isinstance(raw, dict) and set(raw) - FLOW_KEYS:
        unknown = sorted(set(raw) - FLOW_KEYS)
        hint = " (an include goes inside `globals:`)" if "include" in unknown else ""
        raise FlowError(f"The flow {raw.get('flow')} has unknown keys {unknown}{hint}.")
    try:
        states = {name: _state(name, spec or {}) for name, spec in raw["states"].items()}
        return Flow(
            name=raw["flow"],
            initial=raw["initial"],
            states=states,
            globals=tuple(_move(g, "globals") for g in _globals(raw, folder)),
            footer=tuple(raw.get("footer") or ()),
            summary=raw.get("summary"),
            draft=tuple(raw.get("draft") or ()),
            keep_typed=dict(raw.get("keep_typed") or {}),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise FlowError(f"flow file is malformed: {exc!r}") from exc


def _globals(raw: dict[str, Any], folder: Path | None) -> list[Any]:
    """The flow's global moves as written, each `include:` item replaced by its fragment's."""
    name = raw.get("flow")
    moves: list[Any] = []
    source: dict[str, str] = {}  # trigger -> where it was defined, for the duplicate error
    for item in raw.get("globals") or ():
        if isinstance(item, dict) and "include" in item:
            where, items = str(item["include"]), _fragment(name, item, folder)
        else:
            where, items = "the flow itself", [item]
        for move in items:
            trigger = move.get("trigger") if isinstance(move, dict) else None
            if trigger in source:
                raise FlowError(
                    f"The flow {name} defines the global {trigger!r} twice: "
                    f"in {source[trigger]} and in {where}."
                )
            if trigger is not None:
                source[trigger] = where
            moves.append(move)
    return moves


def _fragment(name: str | None, item: dict[str, Any], folder: Path | None) -> list[Any]:
    """The global moves of the fragment that an `include:` item names, checked."""
    rel = item["include"]
    if set(item) != {"include"} or not isinstance(rel, str):
        raise FlowError(f"The flow {name} has an include item that is not `include: <path>`.")
    if folder is None:
        raise FlowError(f"The flow {name} includes {rel}, but no flows folder was given.")
    base = folder.resolve()
    path = (base / rel).resolve()
    if not path.is_relative_to(base):
        raise FlowError(f"The flow {name} includes {rel}, which is outside {folder}.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FlowError(f"The flow {name} includes {rel}, which is not in {folder}.") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise FlowError(f"The flow fragment {path} cannot be read as YAML.") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("globals"), list):
        raise FlowError(f"The flow fragment {rel} has no `globals:` list.")
    if set(raw) - FRAGMENT_KEYS:
        unknown = sorted(set(raw) - FRAGMENT_KEYS)
        raise FlowError(f"The flow fragment {rel} has unknown keys {unknown}; it holds globals.")
    if any(isinstance(move, dict) and "include" in move for move in raw["globals"]):
        raise FlowError(f"The flow fragment {rel} includes another; only a flow may include.")
    return list(raw["globals"])


def load_flows(folder: Path) -> dict[str, Flow]:
    """Every flow file at the top of `folder`, by flow name (fragments in sub-folders are not)."""
    flows = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise FlowError(f"The flow file {path} cannot be read as YAML.") from exc
        flow = parse_flow(raw, folder)
        flows[flow.name] = flow
    if not flows:
        raise FlowError(f"There are no flow files in {folder}.")
    return flows


def validate(flow: Flow, effects: Iterable[str] = (), views: Iterable[str] = ()) -> list[str]:
    """Every problem in a flow, as sentences; an empty list means it is sound."""
    effects, views = set(effects), set(views)
    problems: list[str] = []
    names = set(flow.states)
    if flow.initial not in names:
        problems.append(f"initial state {flow.initial!r} does not exist")
    if flow.summary and flow.summary not in names:
        problems.append(f"summary state {flow.summary!r} does not exist")
    for name in flow.footer:
        if flow.global_move(name) is None:
            problems.append(f"footer names {name!r}, which is not a global trigger")
    for name, state in flow.states.items():
        if not NAME.match(name):
            problems.append(f"state name {name!r} is not a plain lower-case id")
        if state.view and state.view not in views:
            problems.append(f"{name}: unknown view {state.view!r}")
        if state.editable and not flow.summary:
            problems.append(f"{name}: editable, but the flow has no summary state")
        if not (state.buttons or state.text or state.photo or flow.footer_of(state)):
            problems.append(f"{name}: a dead end, the user has nothing to press or type")
        for move in state.moves():
            size = len(f"{name}:{move.trigger}".encode()) + ARG_ROOM
            if size > CALLBACK_LIMIT:
                problems.append(f"{name}:{move.trigger}: button data may exceed 64 bytes")
    for move in flow.all_moves():
        if not NAME.match(move.trigger):
            problems.append(f"trigger {move.trigger!r} is not a plain lower-case id")
        for dest in (move.dest, *move.branch.values()):
            if dest is not None and dest not in names:
                problems.append(f"trigger {move.trigger!r} goes to unknown state {dest!r}")
        if move.do and move.do not in effects:
            problems.append(f"trigger {move.trigger!r} asks for unknown effect {move.do!r}")
    if not problems:
        problems += _reachability(flow)
    return problems


def _edges(flow: Flow) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in flow.states}
    for name, state in flow.states.items():
        for move in [*state.moves(), *flow.globals]:
            if move.dest:
                edges[name].add(move.dest)
            edges[name].update(move.branch.values())
            if move.dest and state.editable and flow.summary:
                edges[name].add(flow.summary)
    return edges


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def _reachability(flow: Flow) -> list[str]:
    edges = _edges(flow)
    problems = [
        f"{name}: unreachable from {flow.initial}"
        for name in sorted(set(flow.states) - _reachable(edges, flow.initial))
    ]
    problems += [
        f"{name}: a trap, there is no way back to {flow.initial}"
        for name in sorted(flow.states)
        if flow.initial not in _reachable(edges, name)
    ]
    return problems
