"""One inbound in, replies out: load the session, pick the locale, run the engine, persist.

Everything an update changes (session, report, outbox rows, audit) is written in one
transaction; replies are rendered from what was committed, and sent by the channel after.
"""

from __future__ import annotations

import copy
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from bot.cases.board import Board
from bot.cases.context import Actor
from bot.chat import schooling
from bot.chat.schooling import ENTRY_FLOW
from bot.chat.turn import Turn, ViewPart
from bot.clock import Clock, stamp, system_clock
from bot.core import replies
from bot.core.crisis import CrisisWords
from bot.core.engine import Engine, Session
from bot.core.i18n import N_, pick_locale
from bot.core.model import (
    ChannelTraits,
    Choice,
    Identity,
    Inbound,
    Limits,
    Outbound,
    Refused,
    Screen,
    Text,
)
from bot.core.ratelimit import FloodGate, Verdict
from bot.core.render import Renderer
from bot.core.throttle import CodeThrottle
from bot.crypto import VaultError
from bot.schools.promise import promise_now
from bot.schools.registry import Schools
from bot.schools.school import School
from bot.storage import Stores, audit
from bot.storage.coordinators import Coordinator
from bot.storage.sessions import SessionStore

log = logging.getLogger(__name__)

Effect = Callable[[Turn, str | None], None]
View = Callable[[Turn], ViewPart]

OUR_SCHOOL = N_("our school")
COORDINATOR = "coordinator"  # the flow only a coordinator's identity opens
NOT_KEPT = (COORDINATOR, ENTRY_FLOW)  # flows a conversation leaves once it has a school/no role
KEPT_IN_FLOOD = ("text", "photo", "edited")  # what a user typed or sent: kept even in a flood


class Service:
    def __init__(
        self,
        stores: Stores,
        board: Board,
        engine: Engine,
        renderer: Renderer,
        crisis: CrisisWords,
        clock: Clock = system_clock,
        *,
        effects: Mapping[str, Effect],
        views: Mapping[str, View],
        channels: Mapping[str, ChannelTraits],
    ) -> None:
        self.stores = stores
        self.board = board  # the board's schools; each conversation belongs to one of them
        self.engine = engine
        self.renderer = renderer
        self.crisis = crisis
        self.clock = clock
        self.effects = effects
        self.views = views
        self.channels = dict(channels)  # name -> limits and honesty note; App adds its channels
        self.on_commit: Callable[[], None] = lambda: None  # App wakes the outbox senders
        # (channel, chat) of a coordinator who just joined: App tells the channel (a menu).
        self.on_coordinator_joined: Callable[[str, str], None] = lambda _channel, _chat: None
        self.sessions = SessionStore(stores.db, stores.vault)
        self.flood = FloodGate()
        self.entry_gate = CodeThrottle()  # wrong entry codes, per person and over everyone

    def handle(self, who: Identity, inbound: Inbound) -> list[Outbound]:
        key = self.stores.vault.subject(who.channel, who.user_id)
        queued = self.stores.outbox.queued
        verdict = self.flood.check(key)
        if verdict == "slow_down":  # once per pause: a flood of log lines would be a flood too
            log.info("flood_slow_down")
        # In a flood what is typed is still kept (storage is cheap); nothing else is done.
        stored = inbound.kind in KEPT_IN_FLOOD and self.flood.may_keep(key)
        if verdict != "ok" and not stored:
            return self._flooded(who, key, inbound, verdict)
        if inbound.kind == "command" and inbound.trigger == "privacy":
            return self._privacy(who, key, inbound.delivery)
        db = self.stores.db
        with db.transaction() as transaction:
            if inbound.delivery and not self._first_delivery(inbound.delivery):
                log.info("delivery_repeated")
                return []
            changes = db.changes
            turn = self._turn(who, key, inbound)
            kept = self._step(turn, inbound)
            # A notice that asks something (language, forgetting) is the answer on its own.
            asks = any(notice.asks for notice in turn.notices)
            screens = turn.notices if asks else [*turn.notices, *self._screen(turn)]
            if db.changes == changes:
                # Nothing but the session (and the delivery id) changes: a cheaper commit.
                transaction.navigation_only(key)
            if not turn.forgotten:
                # With the app's language: the outbox speaks it to one who never chose one.
                school = turn.school.id or None  # 0: not known yet
                self.sessions.save(key, turn.session, turn.now, who.language_code, school)
        if self.stores.outbox.queued != queued:  # wake the sender only when there is news
            self.on_commit()
        audience = turn.audience or turn.session.flow
        screens = self._flood_said(key, verdict, turn, kept, screens)
        return self.renderer.render(screens, turn.locale, audience, self._limits(who))

    def _flood_said(
        self, key: str, verdict: Verdict, turn: Turn, kept: bool, screens: list[Screen]
    ) -> list[Screen]:
        """What is said about a flood. Inside its pause only danger help or that something was
        not kept, once; the first answer after it says what became of the pause."""
        if verdict == "ok":
            tally = self.flood.settle(key)
            if tally is None:
                return screens
            log.info("flood_over kept=%s lost=%s ignored=%s", tally.kept, tally.lost, tally.ignored)
            said = replies.flood_screen(tally)
            return [said, *screens] if said else screens
        self.flood.note(key, "kept" if kept else "lost")
        crisis = replies.crisis_screen() in turn.notices
        urgent = (crisis or not kept) and self.flood.may_speak(key)
        slow = [Screen((Text(replies.SLOW_DOWN),))] if verdict == "slow_down" else []
        return [*(turn.notices if urgent else []), *slow]

    def _flooded(
        self, who: Identity, key: str, inbound: Inbound, verdict: Verdict
    ) -> list[Outbound]:
        """A button, a command or a sticker in a flood does nothing, nor does a text or photo
        past the pause's bound; the update that starts the pause says so."""
        self.flood.note(key, "lost" if inbound.kind in KEPT_IN_FLOOD else "ignored")
        if verdict != "slow_down":
            return []
        try:
            session = self.sessions.load(key)
        except (sqlite3.Error, VaultError):
            session = None  # said all the same, in the app's language
        locale = pick_locale(session.locale if session else None, who.language_code)
        screen = Screen((Text(replies.SLOW_DOWN),))
        flow = session.flow if session else None
        return self.renderer.render([screen], locale, flow, self._limits(who))

    def group_reply(self, language_code: str | None) -> list[Outbound]:
        return self.renderer.render(
            [Screen((Text(replies.PRIVATE_ONLY),))], pick_locale(None, language_code)
        )

    def _privacy(self, who: Identity, key: str, delivery: str | None) -> list[Outbound]:
        """Answered in every state, and even when the database cannot be read."""
        try:
            with self.stores.db.transaction() as transaction:
                transaction.navigation_only(key)
                if delivery and not self._first_delivery(delivery):
                    return []
            session, _language, school_id = self.sessions.load_all(key)
            stored = session.locale if session else None
            school = self.board.current()[school_id] if school_id else self.board.defaults
        except (sqlite3.Error, VaultError):
            log.warning("privacy_without_database")
            session = stored = None
            school = self.board.defaults
        days = {"days": school.retention_days}
        screen = Screen(tuple(Text(msgid, days) for msgid in self.channels[who.channel].privacy))
        flow = session.flow if session else None
        locale = pick_locale(stored, who.language_code)
        return self.renderer.render([screen], locale, flow, self._limits(who))

    def failure_reply(self, language_code: str | None) -> list[Outbound]:
        """Said when handling an update failed; works even when the database does not."""
        screen = Screen((Text(replies.FAILED),))
        return self.renderer.render([screen], pick_locale(None, language_code))

    def _limits(self, who: Identity) -> Limits:
        return self.channels[who.channel].limits

    def listening(self, who: Identity, on: bool) -> None:
        """The console coordinator is notified only while a terminal chat of theirs runs, and
        only about the school it was started for."""
        if who.channel == "terminal" and who.role == "coordinator":
            school = self._vouched(who, self.board.current()) or self.board.defaults
            with self.stores.db.transaction():
                self.stores.coordinators.listen_at_console(on, stamp(self.clock), school.id)

    def coordinator_chats(self, channel: str) -> list[tuple[str, bool]]:
        return [
            (str(c.telegram_id), c.active)
            for c in self.stores.coordinators.all()
            if c.channel == channel
        ]

    def _first_delivery(self, delivery: str) -> bool:
        return self.stores.deliveries.record(delivery, stamp(self.clock))

    def _turn(self, who: Identity, key: str, inbound: Inbound) -> Turn:
        now = stamp(self.clock)
        schools = self.board.current()
        coordinator = self._coordinator(who)
        session, _language, stored = self.sessions.load_all(key)
        turn = Turn(
            self.stores,
            schools[stored] if stored in schools.by_id else self._unknown(),
            self.engine.flows,
            who,
            key,
            session or self.engine.new_session("welcome"),
            pick_locale(session.locale if session else None, who.language_code),
            coordinator,
            now,
            self.channels.get(who.channel),
            schools=schools,
            gate=self.entry_gate,
        )
        if inbound.trigger == "start" and inbound.kind == "command" and inbound.arg:
            self._start_with(turn, inbound.arg, known=stored in schools.by_id)
        school = self._school(turn, stored, schools)
        if turn.coordinator:
            flow = COORDINATOR
        elif school is None:
            flow = ENTRY_FLOW  # several schools and none known: the poster's code first
        elif session and session.flow in self.engine.flows and session.flow not in NOT_KEPT:
            flow = session.flow
        else:
            flow = "welcome"
        if session is None or not self._fits(session, flow):
            # A new user, a changed role or school, or a state a newer flow file no longer has.
            turn.session = self.engine.new_session(flow, locale=session.locale if session else None)
        turn.school = school or self._unknown()
        return turn

    def _unknown(self) -> School:
        """The school of a conversation that has none yet: the board's defaults, id 0."""
        return replace(self.board.defaults, id=0)

    def _start_with(self, turn: Turn, arg: str, *, known: bool) -> None:
        """/start <code>: a school's entry code (a poster's Telegram link) or an invite. An
        invite may also give a coordinator of one school a role in another."""
        schools = turn.schools
        assert schools is not None
        entered = schools.by_entry_code(arg) if turn.coordinator is None else None
        if entered is not None:
            # Said plainly when it changes the school of a conversation that had one.
            schooling.belong_to(turn, entered, said=known)
            return
        redeemed = self._redeem(turn.who, arg, turn.now)
        if redeemed is not None:
            turn.coordinator = redeemed
        elif turn.coordinator is None and schooling.looks_like_code(arg):
            schooling.school_by_code(turn, arg)  # counted and answered as a typed code is

    def _school(self, turn: Turn, stored: int | None, schools: Schools) -> School | None:
        """The school this turn belongs to; None when several could and none is known yet."""
        coordinator = turn.coordinator
        if coordinator is not None:
            roles = coordinator.schools
            if turn.school.id in roles:
                return turn.school
            return schools[min(roles)] if roles else schools.defaults
        if turn.school_changed:
            return turn.school
        vouched = self._vouched(turn.who, schools)
        if vouched is not None and vouched.id != stored:
            # A school's own web address or terminal: that school, whatever was before.
            schooling.belong_to(turn, vouched, said=stored in schools.by_id)
            return vouched
        if stored in schools.by_id and stored not in schools.removed:
            return schools[stored]  # type: ignore[index]
        only = schools.only
        if only is not None:
            turn.school_changed = True
            return only
        return None

    def _vouched(self, who: Identity, schools: Schools) -> School | None:
        """The school the channel vouches for (a school's web address, `chat --school`)."""
        return schools.by_slug(who.school) if who.school else None

    def _fits(self, session: Session, flow: str) -> bool:
        return session.flow == flow and session.state in self.engine.flows[flow].states

    def _coordinator(self, who: Identity) -> Coordinator | None:
        if who.channel == "terminal" and who.role == "coordinator":
            return self.stores.coordinators.console(stamp(self.clock))
        if who.channel != "telegram":
            return None
        if not who.user_id.isdigit():
            return None
        found = self.stores.coordinators.by_telegram_id(int(who.user_id))
        return found if found and found.schools else None

    def _redeem(self, who: Identity, code: str, now: str) -> Coordinator | None:
        if who.channel != "telegram" or not who.user_id.isdigit():
            return None
        coordinator = self.stores.coordinators.redeem(code, int(who.user_id), now)
        if coordinator:
            actor = Actor.coordinator(coordinator.id).audit
            audit.record(self.stores.db, now, actor, "invite_redeemed", None, None)
            log.info("invite_redeemed coordinator=%s", coordinator.id)
            self.on_coordinator_joined(who.channel, who.chat_id)
        return coordinator

    def _step(self, turn: Turn, inbound: Inbound) -> bool:
        """Step the session; False when what was typed or sent was not (all) kept."""
        session = turn.session
        kept = self._move(turn, inbound)
        # A photo's caption is typed text too.
        typed = inbound.kind in ("text", "photo")
        if typed and inbound.text and self.crisis.match(inbound.text):
            # Danger first, wherever the user is and whatever else happened (the text itself
            # was handled as usual: a report in progress keeps it).
            log.info("crisis_help_shown flow=%s state=%s", session.flow, session.state)
            turn.notices.insert(0, replies.crisis_screen())
        return kept

    def _move(self, turn: Turn, inbound: Inbound) -> bool:
        session = turn.session
        before = (session.state, copy.deepcopy(session.answers), session.locale)
        state = self.engine.state_of(session)
        step = self.engine.step(session, inbound)
        if step.problem:
            log.info(
                "inbound_refused problem=%s flow=%s state=%s kept=%s",
                step.problem,
                session.flow,
                session.state,
                step.kept,
            )
            flow = self.engine.flows[session.flow]
            turn.notices += replies.problem_screens(step, flow, state)
            return step.kept and step.caption != "lost"
        if step.carried:
            turn.notices.append(Screen((Text(replies.CARRIED),)))
        if step.clipped is not None:
            turn.notices.append(replies.clipped_screen(step.clipped))
        if step.effects:
            try:
                with self.stores.db.savepoint():
                    for effect in step.effects:
                        self.effects[effect.name](turn, effect.arg)
            except Refused as refused:
                session.state, session.answers, session.locale = before
                turn.locale = pick_locale(session.locale, turn.who.language_code)
                turn.notices = [Screen((refused.text,))]
                return False
        # After the effects, so that a notice can name what they made (the case code).
        params = self._params(turn)
        turn.notices.extend(Screen((Text(msgid, params),)) for msgid in step.notices)
        return step.clipped is None and step.caption != "lost"

    def _params(self, turn: Turn) -> dict[str, Any]:
        school = turn.school
        if turn.coordinator is not None and len(turn.scope()) > 1:
            named: Any = " & ".join(turn.school_names(turn.scope()))
        else:
            named = school.name or Text(OUR_SCHOOL)
        return {
            **{k: v for k, v in turn.session.answers.items() if isinstance(v, str | int)},
            "school": named,
            "promise": promise_now(school, turn.now, turn.locale),
            "name": turn.coordinator.name if turn.coordinator else "",
            "channel_note": Text(self.channels[turn.who.channel].note_for(turn.session.flow)),
        }

    def _screen(self, turn: Turn) -> list[Screen]:
        session = turn.session
        flow = self.engine.flows[session.flow]
        state = flow.states[session.state]
        try:
            part = self.views[state.view](turn) if state.view else ViewPart()
        except Refused as refused:
            part = ViewPart(texts=[refused.text])
        params = self._params(turn)
        scope = str(session.answers.get(state.scope, "")) or None if state.scope else None
        left_out = turn.channel.without if turn.channel else frozenset()
        rows = list(part.rows)
        rows += [
            (Choice(Text(move.label), move.trigger, scope, state.name),)
            for move in state.buttons
            if move.label and move.trigger not in left_out
        ]
        footer = tuple(
            Choice(Text(m.label), m.trigger)
            for m in flow.footer_of(state)
            if m.label and m.trigger not in left_out
        )
        if footer:
            rows.append(footer)
        texts = [Text(msgid, params) for msgid in state.say] + part.texts
        texts += [Text(msgid, params) for msgid in state.say_after]
        screen = Screen(tuple(texts) or (Text("👇"),), tuple(rows), monospace=part.monospace)
        return [*part.before, screen]
