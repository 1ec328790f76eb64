"""Property-based tests (hypothesis): random input from several users never breaks the bot.

The service is driven directly, without Telegram, as the Telegram channel would drive it: every
inbound carries a delivery id, and button data goes through `parse_button_data` (or becomes an
empty button, as the channel makes of data that is not ours). Four users: two pupils-to-be (one
with an English Telegram), a reporter whose report exists from the start, and a coordinator.
They send commands (known, unknown, with arguments), texts (empty-ish, 5000 characters, unicode,
bidi and zero-width marks), photos, edits, stickers, and press buttons: valid ones from the last
reply, stale ones from earlier replies or notifications, forged ones (random state:trigger:arg,
other users' buttons and case codes). Some updates are delivered twice.

After every step:
- `handle` did not raise; it answered with at least one message with text, every text within
  Telegram's limits (4096, captions 1024) and every button's data within 64 bytes; a repeated
  delivery got no answer and changed nothing in the database;
- every stored session is in a state of its flow (coordinators in theirs, everyone else in a
  public flow);
- every report has a story and a known kind;
- a forged button (data the bot never showed that user) changed no case's assignee, status or
  phase; nor did anything a non-coordinator did (except a reporter answering the follow-up
  question about their own closed case, which reopens it; the bot sends that question itself).
Coordinator notifications and relayed messages are delivered through the real `OutboxSender`
after every step; what they show counts as shown to their receiver.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

import bot.app
import bot.storage.reports
from bot.app import App, build
from bot.background.outbox import OutboxSender
from bot.chat.onboarding import PUBLIC_FLOWS
from bot.chat.reporting import KINDS as KINDS_KNOWN
from bot.core.casecode import ALPHABET
from bot.core.commands import COMMANDS
from bot.core.model import Identity, Inbound, Outbound, Text, parse_button_data
from bot.core.ratelimit import FloodGate
from bot.core.replies import HELP, STORY_CLIPPED, STORY_FULL, TELL_SCHOOL
from bot.settings import load_settings
from bot.storage.sessions import SessionStore

PUPIL, PUPIL_EN, REPORTER, COORDINATOR = 101, 102, 104, 201
USERS = (PUPIL, PUPIL_EN, REPORTER, COORDINATOR)
LANGUAGE = {PUPIL: "nl", PUPIL_EN: "en", REPORTER: None, COORDINATOR: "nl"}
EXAMPLES = 100
CASE_EXAMPLES = 50
# Shrinking replays long sequences and can outlast the test timeout; a failure is reported with
# its whole sequence of draws (each labelled: user, kind, button ...), which reads well enough.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
MIN_STEPS, MAX_STEPS = 30, 80
FOLLOWUP = ("followup_yes", "followup_bit", "followup_no")
SEED_PATH = ("report", "me", "online", "kinds_done", "online", "daily", "months")

TEXTS = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "x" * 5000,
            "a" * 3500,
            "a" * 3501,
            " ",
            "\n\n",
            "\u202eevil\u202c in de klas",
            "\u200b\u200d\u2066\u2069",
            "🙂" * 200,
            "/",
            "K7QX-2M",
            "Sam, groep 6",
        ]
    ),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(500, 1400)),
)
COMMAND_NAMES = st.sampled_from([*sorted(COMMANDS), "onzin", "admin", "START", "Wachtrij", "x"])
KINDS = st.sampled_from(
    ["onward"] * 14
    + ["valid"] * 3
    + ["stale", "forged", "forged", "forged", "forged", "others", "command", "text", "text"]
    + ["photo"]
    + ["edited", "unsupported", "repeat"]
)
# Buttons that lead away from a task: "onward" steps avoid them, so reports get filed and
# cases worked on (a purely random walk would almost never finish a report).
AWAY = {
    "help", "language", "menu", "home", "switch_role", "stop", "check", "signals", "difference",
    "cyber", "school", "my_reports", "change", "cancel", "back", "forget", "forget_yes",
    "online", "go_on",
}  # fmt: skip


class World:
    """One fresh bot (database, key, outbox) and what each user was shown."""

    codes_made = itertools.count()

    @classmethod
    def next_code(cls) -> str:
        n = next(cls.codes_made)
        return f"K{ALPHABET[n // 26 % 26]}{ALPHABET[n % 26]}Q-2M"

    def __init__(self, root: Path) -> None:
        World.codes_made = itertools.count()
        env = {
            "ANTIPEST_DB": str(root / "antipest.db"),
            "ANTIPEST_SECRET_KEY_FILE": str(root / "secret.key"),
        }
        self.app: App = build(load_settings(env))
        # The per-user flood gate answers a burst with one "slow down" and then with silence,
        # on purpose; these users type faster than any child, so it is switched off here.
        self.app.service.flood = FloodGate(burst=10**9)
        stores = self.app.stores
        with stores.db.transaction():
            stores.coordinators.add(COORDINATOR, "Coördinator", "2026-11-23T08:00:00+00:00")
        self.coordinator_key = stores.vault.subject("telegram", COORDINATOR)
        self.sessions = SessionStore(stores.db, stores.vault)
        self.loop = asyncio.new_event_loop()
        self.outbox = OutboxSender(stores, self.app.board, self.app.renderer, self._delivered)
        self.shown: dict[int, set[str]] = {user: set() for user in USERS}
        self.last: dict[int, list[str]] = {user: [] for user in USERS}
        self.sent: list[tuple[int, Inbound]] = []
        self.kinds = set(KINDS_KNOWN)
        self.states = sorted(
            {s for flow in self.app.service.engine.flows.values() for s in flow.states}
        )
        self.triggers = sorted(
            {m.trigger for flow in self.app.service.engine.flows.values() for m in flow.all_moves()}
        )
        self.steps = 0
        self._seed_report()

    def close(self) -> None:
        self.loop.close()
        self.app.stores.db.close()

    # ------------------------------------------------------------------ sending
    def send(self, user: int, inbound: Inbound) -> list[Outbound]:
        self.steps += 1
        inbound = replace(inbound, delivery=f"telegram:{self.steps}")
        self.sent.append((user, inbound))
        return self._handle(user, inbound)

    def _handle(self, user: int, inbound: Inbound) -> list[Outbound]:
        who = Identity("telegram", str(user), str(user), LANGUAGE[user])
        out = self.app.service.handle(who, inbound)
        if out:
            check_messages(out)
            self.last[user] = [data for o in out for row in o.rows for _label, data in row]
            self.shown[user].update(self.last[user])
        self.loop.run_until_complete(self.outbox.deliver_due())
        return out

    async def _delivered(self, chat: str, outbound: Outbound) -> None:
        check_messages([outbound])
        self.shown[int(chat)].update(data for row in outbound.rows for _label, data in row)

    def press(self, user: int, trigger: str) -> list[Outbound]:
        data = next(d for d in self.last[user] if d.split(":")[1] == trigger)
        return self.send(user, button(data))

    def _seed_report(self) -> None:
        """The reporter files one report, so the coordinator has a case from the start."""
        self.send(REPORTER, Inbound(kind="command", trigger="start"))
        self.file_report(REPORTER)
        assert len(self.codes()) == 1

    def file_report(self, user: int) -> None:
        """From the role question: a pupil's whole report."""
        for trigger in ("pupil", *SEED_PATH):
            self.press(user, trigger)
        self.send(user, Inbound(kind="text", text="Ze schelden me uit in de groepsapp."))
        for trigger in ("story_done", "no_photo", "anonymous", "send"):
            self.press(user, trigger)

    # ------------------------------------------------------------------ reading
    def codes(self) -> list[str]:
        return [r["code"] for r in self.app.stores.db.rows("SELECT code FROM reports")]

    def cases(self) -> dict[str, tuple[Any, ...]]:
        rows = self.app.stores.db.rows("SELECT code, assignee, status, phase FROM reports")
        return {r["code"]: (r["assignee"], r["status"], r["phase"]) for r in rows}

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        db = self.app.stores.db
        tables = [r["name"] for r in db.rows("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: sorted(tuple(r.values()) for r in db.rows(f"SELECT * FROM [{t}]")) for t in tables
        }

    def own(self, user: int, code: str) -> bool:
        reporter = self.app.stores.reports.reporter(code, 1)
        key = self.app.stores.vault.subject("telegram", user)
        return reporter is not None and reporter["reporter"] == key

    def expects_text(self, user: int) -> bool:
        session = self.sessions.load(self.app.stores.vault.subject("telegram", user))
        return session is not None and self.app.service.engine.state_of(session).text is not None

    def kept(self, user: int, text: str, out: list[Outbound]) -> bool:
        """Nothing typed is lost: it is in a draft, a report or a thread, or the answer offers
        help and a way to tell the school, or it says exactly what was (not) kept."""
        wanted = text.strip()
        stores = self.app.stores
        session = self.sessions.load(stores.vault.subject("telegram", user))
        blobs = [str(value) for value in session.answers.values()] if session else []
        for code in self.codes():
            report = stores.reports.get(code, frozenset({1}))
            assert report is not None
            blobs += [report.story, report.name]
            blobs += [message["text"] for message in stores.threads.of(code, 1)]
        if not wanted or any(wanted in blob for blob in blobs):
            return True
        offered = {data.split(":")[1] for o in out for row in o.rows for _label, data in row}
        if {TELL_SCHOOL, HELP} <= offered:
            return True
        said = "\n".join(o.text for o in out)
        full = {self._first_words(msgid) for msgid in (STORY_FULL, STORY_CLIPPED)}
        return any(words in said for words in full)

    def _first_words(self, msgid: str) -> str:
        # The Dutch or English start of a notice, before its placeholders.
        texts = [self.app.renderer.text(Text(msgid, {"end": ""}), lang) for lang in ("nl", "en")]
        return next(t[:20] for t in texts if t[:20])

    def check_store(self) -> None:
        flows = self.app.service.engine.flows
        for row in self.app.stores.db.rows("SELECT key FROM sessions"):
            session = self.sessions.load(row["key"])
            assert session is not None
            assert session.flow in flows and session.state in flows[session.flow].states, session
            if row["key"] == self.coordinator_key:
                assert session.flow == "coordinator"
            else:
                assert session.flow in PUBLIC_FLOWS
        for code in self.codes():
            report = self.app.stores.reports.get(code, frozenset({1}))
            assert report is not None
            assert report.story.strip(), code
            assert report.kind in self.kinds, report.kind


def button(data: str) -> Inbound:
    """What the Telegram channel makes of a button press with this callback data."""
    return parse_button_data(data) or Inbound(kind="button", trigger="", shown_in="?")


def check_messages(out: list[Outbound]) -> None:
    assert any(o.text.strip() for o in out), out
    for o in out:
        assert len(o.text) <= (1024 if o.photo else 4096), len(o.text)
        assert o.text or o.photo
        for row in o.rows:
            for label, data in row:
                assert label.strip() and 1 <= len(data.encode()) <= 64, (label, data)


@pytest.fixture
def world_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory for the examples' databases; `build` parses the flows and catalogs once."""
    # They are read-only values, so sharing them between examples' apps changes nothing else.
    monkeypatch.setattr(bot.app, "load_flows", functools.cache(bot.app.load_flows))
    monkeypatch.setattr(bot.app, "load_catalogs", functools.cache(bot.app.load_catalogs))
    # Case codes end up in the buttons the examples draw from, so hypothesis needs the same
    # codes each time it replays an example: numbered per world instead of random.
    monkeypatch.setattr(bot.storage.reports, "new_case_code", World.next_code)
    with tempfile.TemporaryDirectory() as root:
        yield Path(root)


def _step(world: World, data: st.DataObject, focus: int) -> None:
    user = data.draw(st.sampled_from([focus] * 5 + list(USERS)), label="user")
    kind = data.draw(KINDS, label="kind")
    forged = False
    if kind == "repeat":
        earlier = list(world.sent)
        if earlier:
            user, inbound = data.draw(st.sampled_from(earlier), label="repeat")
            before = world.dump()
            assert world._handle(user, inbound) == []
            assert world.dump() == before
            return
        kind = "command"
    onward = [d for d in world.last[user] if d.split(":")[1] not in AWAY]
    typing = kind in ("valid", "onward") and world.expects_text(user) and data.draw(st.booleans())
    if typing:
        inbound = Inbound(kind="text", text=data.draw(st.text(min_size=1), label="answer"))
    elif kind == "onward" and onward:
        inbound = button(data.draw(st.sampled_from(onward), label="onward"))
    elif kind in ("valid", "onward") and world.last[user]:
        inbound = button(data.draw(st.sampled_from(world.last[user]), label="button"))
    elif kind == "stale" and world.shown[user]:
        inbound = button(data.draw(st.sampled_from(sorted(world.shown[user])), label="stale"))
    elif kind in ("forged", "others"):
        if kind == "others":
            theirs = sorted(set().union(*(world.shown[u] for u in USERS if u != user)))
            raw = data.draw(st.sampled_from(theirs or ["?"]), label="others")
        else:
            raw = data.draw(forged_data(world, user), label="forged")
        forged = raw not in world.shown[user]
        inbound = button(raw)
    elif kind == "text":
        inbound = Inbound(kind="text", text=data.draw(TEXTS, label="text"))
        if not inbound.text:  # Telegram sends no empty texts; the channel calls it unsupported
            inbound = Inbound(kind="unsupported")
    elif kind == "photo":
        file_id = data.draw(st.text(min_size=1, max_size=80), label="file_id")
        size = data.draw(st.integers(0, 30_000_000), label="size")
        inbound = Inbound(kind="photo", file_id=file_id, file_size=size)
    elif kind in ("edited", "unsupported"):
        inbound = Inbound(kind=kind)
    else:
        name = data.draw(COMMAND_NAMES, label="command")
        arg = data.draw(st.one_of(st.none(), st.text(min_size=1, max_size=40)), label="arg")
        inbound = Inbound(kind="command", trigger=COMMANDS.get(name.lower(), name.lower()), arg=arg)

    cases = world.cases()
    out = world.send(user, inbound)
    if inbound.kind == "text" and user != COORDINATOR:
        assert world.kept(user, inbound.text or "", out), (inbound.text, out)
    after = world.cases()
    if forged or user != COORDINATOR:
        for code, was in cases.items():
            reopened = inbound.trigger in FOLLOWUP and world.own(user, code) and was[1] == "closed"
            assert after[code] == was or reopened, (code, was, after[code], inbound)


def forged_data(world: World, user: int) -> st.SearchStrategy[str]:
    """The user's current buttons (else any they saw) tampered with, or data made up."""
    junk = ["AAAA-AA", "1", "17", "99", "nl", "xx", "pupil", "coordinator", "new", "closed"]
    args = st.one_of(st.sampled_from(world.codes() or junk), st.sampled_from(junk), st.text())
    states = st.sampled_from(["*", "?", "", *world.states])
    real = st.sampled_from(world.last[user] or sorted(world.shown[user]) or ["*:help"])
    other_arg = st.tuples(real, args).map(lambda p: ":".join([*p[0].split(":")[:2], p[1]]))
    no_arg = real.map(lambda d: ":".join(d.split(":")[:2]))
    other_state = st.tuples(real, states).map(lambda p: ":".join([p[1], *p[0].split(":")[1:]]))
    made_up = st.tuples(states, st.sampled_from([*world.triggers, "", "x"]), st.none() | args)
    composed = made_up.map(lambda p: ":".join(x for x in p if x is not None))
    return st.one_of(other_arg, other_arg, no_arg, other_state, composed, st.text(max_size=64))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=NO_SHRINK,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_random_input_never_breaks_the_bot(world_dir: Path, data: st.DataObject) -> None:
    root = Path(tempfile.mkdtemp(dir=world_dir))
    world = World(root)
    try:
        world.check_store()
        focus = data.draw(st.sampled_from(USERS), label="focus")
        for _ in range(data.draw(st.integers(MIN_STEPS, MAX_STEPS), label="steps")):
            _step(world, data, focus)
            world.check_store()
        event(f"new reports: {min(len(world.codes()) - 1, 2)}")
        for status in {status for _assignee, status, _phase in world.cases().values()}:
            event(f"a case {status}")
    finally:
        world.close()


def test_a_redelivered_privacy_command_sends_nothing_twice(world_dir: Path) -> None:
    world = World(world_dir)
    try:
        world.send(PUPIL, Inbound(kind="command", trigger="privacy"))
        user, inbound = world.sent[-1]
        assert world._handle(user, inbound) == []
    finally:
        world.close()


def test_a_forged_any_state_button_does_not_claim_the_open_case(world_dir: Path) -> None:
    world = World(world_dir)
    try:
        (code,) = world.codes()
        world.send(COORDINATOR, button(f"*:open:{code}"))  # as the notification's button
        assert f"case:claim:{code}" in world.last[COORDINATOR]
        for forged in ("*:claim:AAAA-AA", f"*:claim:{code}", "*:claim"):
            assert forged not in world.shown[COORDINATOR]
            world.send(COORDINATOR, button(forged))
            assert world.cases()[code] == (None, "new", None), forged
    finally:
        world.close()


CASE_KINDS = st.sampled_from(["onward"] * 4 + ["valid", "stale"] + ["forged"] * 5)


@settings(
    max_examples=CASE_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=NO_SHRINK,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_forged_buttons_never_change_a_case(world_dir: Path, data: st.DataObject) -> None:
    """The coordinator works on two cases and tampers with the buttons of the current screen."""
    world = World(Path(tempfile.mkdtemp(dir=world_dir)))
    try:
        world.send(PUPIL, Inbound(kind="command", trigger="start"))
        world.file_report(PUPIL)
        world.send(COORDINATOR, Inbound(kind="command", trigger="start"))
        for _ in range(data.draw(st.integers(10, 40), label="steps")):
            kind = data.draw(CASE_KINDS, label="kind")
            onward = [d for d in world.last[COORDINATOR] if d.split(":")[1] not in AWAY]
            if kind == "onward" and world.expects_text(COORDINATOR):
                inbound = Inbound(kind="text", text=data.draw(st.text(min_size=1), label="text"))
            elif kind == "onward" and onward:
                inbound = button(data.draw(st.sampled_from(onward), label="onward"))
            elif kind == "stale":
                shown = sorted(world.shown[COORDINATOR])
                inbound = button(data.draw(st.sampled_from(shown), label="stale"))
            elif kind == "forged":
                raw = data.draw(forged_data(world, COORDINATOR), label="forged")
                if raw in world.shown[COORDINATOR]:
                    continue
                inbound = button(raw)
            else:
                inbound = button(data.draw(st.sampled_from(world.last[COORDINATOR]), label="b"))
            before = world.cases()
            world.send(COORDINATOR, inbound)
            if kind == "forged":
                assert world.cases() == before, inbound
            world.check_store()
        for status in {status for _assignee, status, _phase in world.cases().values()}:
            event(f"a case {status}")
    finally:
        world.close()
