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

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Literal

from transitions import EventData, Machine

from bot.core.flowspec import Flow, Move, State
from bot.core.i18n import N_
from bot.core.model import ANY_STATE, Effect, Inbound, Media

Problem = Literal[
    "stale",
    "unknown_command",
    "unexpected_text",
    "too_long",
    "story_full",
    "unexpected_photo",
    "too_many_photos",
    "edited",
    "unsupported",
    "leaving_draft",
]
EDITING = "_editing"  # answer flag: the user came from the summary to change one answer
# What was typed or sent where it could not be used is kept here, never dropped: a `carry`
# move (tell the school) puts it into the report.
TYPED = "_typed"
TYPED_PHOTOS = "_typed_photos"
TYPED_MAX_CHARS = 20_000  # about five full Telegram messages: room for a whole story
TYPED_MAX_PHOTOS = 10
CLIP_MIN_ROOM = 40  # characters; with less room left a story counts as full
CONFIRMED = "sure"  # the argument of a leave button pressed after "are you sure?"
# Photos sent at once (an album) arrive one by one: [album id, the state whose photo move the
# first one made]. The others belong to that move too, even after it left the state.
ALBUM = "_album"
# What became of a photo's caption (what was typed with it): added to the story of a report,
# taken as the state's text (a message to the school), kept like typed text, or not kept.
Caption = Literal["story", "text", "kept", "lost"]
# Said after a photo that was taken (a refused one's re-ask says it: bot/core/replies.py).
CAPTION_SAID: dict[Caption, str] = {
    "story": N_("I have added your text to your story. ✅"),
    "kept": N_("I have kept what you typed. ✅"),
    "lost": N_("This is more than I can keep. I did not keep this message."),
}


@dataclass(eq=False)
class Session:
    """One user's place in a flow and their answers; stepped through the flow's machine."""

    flow: str
    state: str
    answers: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None
    effects: list[Effect] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    carried: bool = False  # this step put what was typed earlier into the report


@dataclass(frozen=True, slots=True)
class Step:
    """What one inbound did: the problem if nothing fired, else the effects and notices."""

    problem: Problem | None = None
    effects: tuple[Effect, ...] = ()
    notices: tuple[str, ...] = ()
    moved: bool = False
    kept: bool = False  # a problem's text or photo was kept under TYPED / TYPED_PHOTOS
    trigger: str = ""  # the trigger a problem was about (leaving_draft: the one to confirm)
    clipped: str | None = None  # a text only partly fitted: the last words that were kept
    carried: bool = False  # what was typed earlier went into the report
    caption: Caption | None = None  # a photo came with text: where that text went


def has_draft(flow: Flow, state: State, answers: dict[str, Any]) -> bool:
    """A report is being written and holds something the user typed or sent."""
    return state.draft and any(answers.get(key) for key in flow.draft)


def clip(text: str, room: int) -> str:
    """The longest start of `text` within `room` characters, cut at a space where there is one."""
    if len(text) <= room:
        return text
    cut = text[:room]
    space = cut.rfind(" ")
    return (cut[:space] if space > room // 2 else cut).rstrip()


def last_words(text: str, count: int = 6) -> str:
    words = text.split()
    return ("… " if len(words) > count else "") + " ".join(words[-count:])


def _apply(flow: Flow, move: Move, state: State | None, event: EventData) -> None:
    session: Session = event.model.session
    inbound: Inbound = event.kwargs["inbound"]
    source = flow.states[event.transition.source]
    typed = _take_typed(session.answers)
    if move.reset:
        session.answers.clear()
    if move.dest:  # leaving the state ends an edit; ticking a box inside it does not
        session.answers.pop(EDITING, None)
    session.answers.update(move.save)
    if move.save_arg and inbound.arg is not None:
        session.answers[move.save_arg] = inbound.arg
    if state and state.text and move is state.text.move and inbound.text is not None:
        before = session.answers.get(state.text.save, "") if state.text.append else ""
        session.answers[state.text.save] = f"{before}\n{inbound.text}".strip()
    if state and state.photo and move is state.photo.move and inbound.file_id:
        session.answers.setdefault(state.photo.save, []).append(_token(inbound))
    if move.carry:
        session.carried = _put_typed(flow, session.answers, *typed)
    else:  # kept across every move until it is carried into a report
        _restore_typed(session.answers, *typed)
    if move.do:
        arg = inbound.arg if move.arg is None and inbound.arg != CONFIRMED else move.arg
        session.effects.append(Effect(move.do, arg))
    session.notices.extend(move.say_draft if source.draft and move.say_draft else move.say)


def _token(inbound: Inbound) -> str:
    """How a photo is kept in the answers: its id, with its kind when it came as a file."""
    return Media(inbound.file_id or "", inbound.file_kind).token


def _take_typed(answers: dict[str, Any]) -> tuple[str, list[str]]:
    return answers.pop(TYPED, ""), answers.pop(TYPED_PHOTOS, [])


def _put_typed(flow: Flow, answers: dict[str, Any], text: str, photos: list[str]) -> bool:
    """Carried text joins the story, carried photos the evidence (the flow's `keep_typed`)."""
    if text and "text" in flow.keep_typed:
        key = flow.keep_typed["text"]
        answers[key] = f"{answers.get(key, '')}\n{text}".strip()
    if photos and "photos" in flow.keep_typed:
        answers.setdefault(flow.keep_typed["photos"], []).extend(photos)
    return bool(text or photos)


def _restore_typed(answers: dict[str, Any], text: str, photos: list[str]) -> None:
    if text:
        answers[TYPED] = text
    if photos:
        answers[TYPED_PHOTOS] = photos


def _has_answer(key: str, event: EventData) -> bool:
    return bool(event.model.session.answers.get(key))


def _is_editing(event: EventData) -> bool:
    return bool(event.model.session.answers.get(EDITING))


def _transitions(flow: Flow) -> list[dict[str, Any]]:
    """The flow's moves as `transitions` dicts; earlier entries win for the same trigger."""
    specs: list[dict[str, Any]] = []
    for state in flow.states.values():
        for move in state.moves():
            after = partial(_apply, flow, move, state)
            common = {"trigger": move.trigger, "source": state.name, "after": after}
            if state.editable and move.dest and flow.summary:
                specs.append({**common, "dest": flow.summary, "conditions": _is_editing})
            for key, dest in move.branch.items():
                specs.append({**common, "dest": dest, "conditions": partial(_has_answer, key)})
            specs.append({**common, "dest": move.dest})
    drafts = [state for state in flow.states.values() if state.draft]
    for move in flow.globals:
        if move.carry:
            # Inside a report, what was typed joins it; the report is not started again.
            stay = replace(move, dest=None, reset=False, do=None)
            specs += [
                {
                    "trigger": move.trigger,
                    "source": state.name,
                    "dest": None,
                    "after": partial(_apply, flow, stay, state),
                }
                for state in drafts
            ]
        specs.append(
            {
                "trigger": move.trigger,
                "source": "*",
                "dest": move.dest,
                "after": partial(_apply, flow, move, None),
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
        """What `inbound` does to `session`. A photo with a caption is a photo plus a text: the
        photo is stepped first, then the text goes where the photo was sent (`_caption`)."""
        caption = inbound.text if inbound.kind == "photo" else None
        if caption:
            inbound = replace(inbound, text=None)
        source = self._album_source(session, inbound)
        if source is not None:
            step = self._album_photo(session, inbound, source)
        else:
            source = session.state
            step = self._step(session, inbound)
            if inbound.kind == "photo" and inbound.album and step.problem is None:
                session.answers[ALBUM] = [inbound.album, source]
            else:
                session.answers.pop(ALBUM, None)
        return self._caption(session, source, step, caption) if caption else step

    def _album_source(self, session: Session, inbound: Inbound) -> str | None:
        """The state whose photo move an album's first photo made, when `inbound` is another
        photo of that album sent where photos are not taken (after the move); else None."""
        album = session.answers.get(ALBUM)
        if inbound.kind != "photo" or not inbound.album or not album or album[0] != inbound.album:
            return None
        states = self.flows[session.flow].states
        if self.state_of(session).photo is not None or album[1] not in states:
            return None  # the state takes photos itself (send another one)
        return str(album[1]) if states[album[1]].photo is not None else None

    def _album_photo(self, session: Session, inbound: Inbound, source: str) -> Step:
        """Another photo of an album: saved where the first went, and its move's effect done
        (e.g. sent to the case too), without moving again."""
        photo = self.flows[session.flow].states[source].photo
        assert photo is not None
        saved = session.answers.setdefault(photo.save, [])
        if len(saved) >= photo.max_count:
            return Step(problem="too_many_photos")
        saved.append(_token(inbound))
        move = photo.move
        return Step(effects=(Effect(move.do, move.arg),) if move.do else ())

    def _caption(self, session: Session, source: str, step: Step, caption: str) -> Step:
        """The text typed under a photo sent in state `source`, which is never dropped: in a
        report it joins the story; where the state takes text (a message about my case) it is
        that text, its effect done with the photo's; elsewhere it is kept like typed text."""
        flow = self.flows[session.flow]
        state = flow.states[source]
        answers = session.answers
        text = state.text
        went: Caption
        if state.draft and "text" in flow.keep_typed:
            key = flow.keep_typed["text"]
            story = answers.get(key, "")
            # The story's own limit is TYPED_MAX_CHARS too (flows' `max: 20000`).
            went = "lost" if len(story) + len(caption) >= TYPED_MAX_CHARS else "story"
            if went == "story":
                answers[key] = f"{story}\n{caption}".strip()
        elif step.problem is None and text is not None and len(caption) <= text.max_chars:
            before = answers.get(text.save, "") if text.append else ""
            answers[text.save] = f"{before}\n{caption}".strip()
            move = text.move
            effects = (*step.effects, Effect(move.do, move.arg)) if move.do else step.effects
            return replace(step, caption="text", effects=effects)
        else:
            kept = self._keep(session, Inbound(kind="text", text=caption), "unexpected_text")
            went = "kept" if kept else "lost"
        if step.problem is None:
            return replace(step, caption=went, notices=(*step.notices, CAPTION_SAID[went]))
        return replace(step, caption=went)

    def _step(self, session: Session, inbound: Inbound) -> Step:
        trigger, problem = self._trigger_for(session, inbound)
        if problem:
            return Step(
                problem=problem, kept=self._keep(session, inbound, problem), trigger=trigger
            )
        if trigger not in self.allowed[session.flow][session.state]:
            problem = "unknown_command" if inbound.kind == "command" else "stale"
            return Step(problem=problem)
        inbound, clipped = self._fit(session, inbound)
        if inbound is None:
            return Step(problem="story_full")
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
            clipped=clipped,
            carried=session.carried,
        )
        session.effects.clear()
        session.notices.clear()
        session.carried = False
        return step

    def _keep(self, session: Session, inbound: Inbound, problem: Problem) -> bool:
        """Keep a text or photo that could not be used here; False when there is no room."""
        answers = session.answers
        if not self.flows[session.flow].keep_typed:
            return False
        if problem in ("unexpected_text", "too_long", "edited") and inbound.text:
            before = answers.get(TYPED, "")
            if len(before) + len(inbound.text) > TYPED_MAX_CHARS:
                return False
            answers[TYPED] = f"{before}\n{inbound.text}".strip()
            return True
        if problem == "unexpected_photo" and inbound.file_id:
            photos = answers.setdefault(TYPED_PHOTOS, [])
            if len(photos) >= TYPED_MAX_PHOTOS:
                return False
            photos.append(_token(inbound))
            return True
        return False

    def _fit(self, session: Session, inbound: Inbound) -> tuple[Inbound | None, str | None]:
        """A story part that only partly fits keeps its start (None: nothing fits any more)."""
        state = self.state_of(session)
        if inbound.kind != "text" or state.text is None or not state.text.append:
            return inbound, None
        room = state.text.max_chars - len(session.answers.get(state.text.save, ""))
        text = inbound.text or ""
        if len(text) <= room:
            return inbound, None
        if room <= CLIP_MIN_ROOM:  # a few letters of a message help nobody: say it is full
            return None, None
        kept = clip(text, room - 1)  # one for the line break that joins the parts
        return replace(inbound, text=kept), last_words(kept)

    def has_draft(self, session: Session) -> bool:
        return has_draft(self.flows[session.flow], self.state_of(session), session.answers)

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
        if move is not None and move.confirm and inbound.arg == CONFIRMED:
            return True
        return move is not None and bool(move.save_arg or (move.do and move.arg is None))

    def _asks_first(self, session: Session, trigger: str, inbound: Inbound) -> bool:
        """Leaving a report that holds typed text or photos asks first (nothing is lost)."""
        move = self.flows[session.flow].global_move(trigger)
        confirm = move is not None and move.confirm and inbound.arg != CONFIRMED
        return confirm and self.has_draft(session)

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
        if inbound.kind in ("button", "command"):
            trigger = inbound.trigger or ""
            if self._asks_first(session, trigger, inbound):
                return trigger, "leaving_draft"
            return trigger, None
        if inbound.kind == "text":
            if state.text is None:
                return "", "unexpected_text"
            if not state.text.append and len(inbound.text or "") > state.text.max_chars:
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
