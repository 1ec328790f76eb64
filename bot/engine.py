"""The conversation engine: flows as `transitions` machines that step one session per update.

The engine maps an `Inbound` to a trigger the current state allows (or names the problem so the
service can re-ask kindly), fires it, and returns what the transition asked for. It does no
I/O and knows no channel: callbacks only record answers, effects and notices on the session.

Each machine has one model attached for good, a `_Slot`: per update the saved state is restored
into it, the trigger fired, and the resulting state read back. Attaching a model per update
(`add_model`/`remove_model`) binds every trigger of the flow to it each time, which cost more
than everything else the engine does; a slot per flow keeps no per-user object in memory, and
the engine never awaits, so one update at a time uses a slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from transitions import EventData, Machine

from bot.flowspec import Flow, Move, State
from bot.model import ANY_STATE, Effect, Inbound

Problem = Literal[
    "stale",
    "unknown_command",
    "unexpected_text",
    "too_long",
    "unexpected_photo",
    "too_many_photos",
    "edited",
    "unsupported",
]
EDITING = "_editing"  # answer flag: the user came from the summary to change one answer


@dataclass(eq=False)
class Session:
    """One user's place in a flow and their answers; stepped through the flow's machine."""

    flow: str
    state: str
    answers: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None
    effects: list[Effect] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Step:
    """What one inbound did: the problem if nothing fired, else the effects and notices."""

    problem: Problem | None = None
    effects: tuple[Effect, ...] = ()
    notices: tuple[str, ...] = ()
    moved: bool = False


def _apply(move: Move, state: State | None, event: EventData) -> None:
    session: Session = event.model.session
    inbound: Inbound = event.kwargs["inbound"]
    if move.reset:
        session.answers.clear()
    session.answers.pop(EDITING, None)
    session.answers.update(move.save)
    if move.save_arg and inbound.arg is not None:
        session.answers[move.save_arg] = inbound.arg
    if state and state.text and move is state.text.move and inbound.text is not None:
        before = session.answers.get(state.text.save, "") if state.text.append else ""
        session.answers[state.text.save] = f"{before}\n{inbound.text}".strip()
    if state and state.photo and move is state.photo.move and inbound.file_id:
        session.answers.setdefault(state.photo.save, []).append(inbound.file_id)
    if move.do:
        session.effects.append(Effect(move.do, inbound.arg if move.arg is None else move.arg))
    session.notices.extend(move.say)


def _is_editing(event: EventData) -> bool:
    return bool(event.model.session.answers.get(EDITING))


def _transitions(flow: Flow) -> list[dict[str, Any]]:
    """The flow's moves as `transitions` dicts; earlier entries win for the same trigger."""
    specs: list[dict[str, Any]] = []
    for state in flow.states.values():
        for move in state.moves():
            after = partial(_apply, move, state)
            if state.editable and move.dest and flow.summary:
                specs.append(
                    {
                        "trigger": move.trigger,
                        "source": state.name,
                        "dest": flow.summary,
                        "conditions": _is_editing,
                        "after": after,
                    }
                )
            specs.append(
                {"trigger": move.trigger, "source": state.name, "dest": move.dest, "after": after}
            )
    for move in flow.globals:
        specs.append(
            {
                "trigger": move.trigger,
                "source": "*",
                "dest": move.dest,
                "after": partial(_apply, move, None),
            }
        )
    return specs


class _Slot:
    """The model a machine keeps attached; it carries the session being stepped."""

    state: str
    session: Session
    trigger: Any  # bound by transitions


class Engine:
    """Holds one `transitions.Machine` per flow and steps sessions through them."""

    def __init__(self, flows: dict[str, Flow]) -> None:
        self.flows = flows
        self.machines: dict[str, Machine] = {}
        self.slots: dict[str, _Slot] = {}
        self.allowed: dict[str, dict[str, frozenset[str]]] = {}
        for name, flow in flows.items():
            machine = Machine(
                model=None,
                states=list(flow.states),
                transitions=_transitions(flow),
                initial=flow.initial,
                auto_transitions=False,
                send_event=True,
            )
            self.slots[name] = slot = _Slot()
            machine.add_model(slot, initial=flow.initial)
            self.machines[name] = machine
            self.allowed[name] = {st: frozenset(machine.get_triggers(st)) for st in flow.states}

    def new_session(self, flow: str, locale: str | None = None) -> Session:
        return Session(flow=flow, state=self.flows[flow].initial, locale=locale)

    def state_of(self, session: Session) -> State:
        return self.flows[session.flow].states[session.state]

    def step(self, session: Session, inbound: Inbound) -> Step:
        trigger, problem = self._trigger_for(session, inbound)
        if problem:
            return Step(problem=problem)
        if trigger not in self.allowed[session.flow][session.state]:
            return Step(problem="unknown_command" if inbound.kind == "command" else "stale")
        before = session.state
        slot, machine = self.slots[session.flow], self.machines[session.flow]
        machine.set_state(session.state, model=slot)  # restore the saved state
        slot.session = session
        try:
            slot.trigger(trigger, inbound=inbound)
            session.state = slot.state
        finally:
            del slot.session
        step = Step(
            effects=tuple(session.effects),
            notices=tuple(session.notices),
            moved=session.state != before,
        )
        session.effects.clear()
        session.notices.clear()
        return step

    def _arg_fits(self, session: Session, state: State, inbound: Inbound) -> bool:
        """A button carries an argument only where its move uses one (data can be forged)."""
        if state.scope and inbound.shown_in == session.state:
            # A button from a case-scoped screen must belong to the case now open.
            return inbound.arg == session.answers.get(state.scope)
        if inbound.arg is None:
            return True
        flow = self.flows[session.flow]
        move = next((m for m in state.moves() if m.trigger == inbound.trigger), None)
        move = move or flow.global_move(inbound.trigger or "")
        return move is not None and bool(move.save_arg or (move.do and move.arg is None))

    def _trigger_for(self, session: Session, inbound: Inbound) -> tuple[str, Problem | None]:
        state = self.state_of(session)
        if inbound.kind == "button":
            if inbound.shown_in not in (ANY_STATE, session.state):
                return "", "stale"
            # Only the flow's global triggers may be pressed from "any state" (data can be
            # forged: "*:claim" must not reach the case that happens to be open).
            flow = self.flows[session.flow]
            if inbound.shown_in == ANY_STATE and not flow.global_move(inbound.trigger or ""):
                return "", "stale"
            if not self._arg_fits(session, state, inbound):
                return "", "stale"
            return inbound.trigger or "", None
        if inbound.kind == "command":
            return inbound.trigger or "", None
        if inbound.kind == "text":
            if state.text is None:
                return "", "unexpected_text"
            sofar = len(session.answers.get(state.text.save, "")) if state.text.append else 0
            if sofar + len(inbound.text or "") > state.text.max_chars:
                return "", "too_long"
            return state.text.move.trigger, None
        if inbound.kind == "photo":
            if state.photo is None:
                return "", "unexpected_photo"
            if len(session.answers.get(state.photo.save, [])) >= state.photo.max_count:
                return "", "too_many_photos"
            return state.photo.move.trigger, None
        if inbound.kind == "edited":
            return "", "edited"
        return "", "unsupported"
