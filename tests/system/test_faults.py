"""Fault injection: 50 pupils report while the Bot API fails or stalls a share of sendMessage calls.

The fake answers a seeded share of all sendMessage calls (pupils' replies and coordinators'
notifications alike) with 429 (retry_after, and Telegram-like flood control for that chat), 500,
or a slow success. A pupil's reply that fails after its update was done is kept in the outbox and
sent again (issue 11, item 5): the pupil taps nothing twice, only waits a moment, and gets each
answer, the case code too, and never "oops, try again". Coordinators' notifications go through
the outbox as well, which must deliver each one exactly once, without retrying too early after a
429.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

import pytest
from support.fakebotapi import Call, FakeBotApi
from support.walks import CASE_CODE, REPORT_PATH

from bot.background.outbox import OutboxSender
from bot.cases.notifications import notify_coordinators
from bot.channels.base import DeliveryError
from bot.core import replies
from bot.core.model import Outbound, Text
from bot.core.ratelimit import FloodGate

# The Telegram channel reads RetryAfter.retry_after as a number, which PTB 22.2+ warns about.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PUPILS = 50
FIRST_PUPIL = 20_000
COORDINATORS = (501, 502)
SEED = 2026
SHARE = 0.2  # of all sendMessage calls; a third each 429, 500 and slow
MAX_WAIT = 60.0  # seconds a pupil waits for a whole answer before the test fails
LOSE_FINAL = 10  # every 10th pupil's answer with the case code surely fails the first time
PATTERN = "🔎"  # fifty reports about one place (online) make one pattern alert each


class Rounds:
    """One wait for the bot to go idle, shared by everyone who acted in the same moment.

    Each pupil waiting on its own would see the others' next updates as fresh activity, and the
    class would move one child at a time; sharing the wait moves all of them a step per round.
    """

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self.count = 0
        self._current: asyncio.Future[None] | None = None

    async def idle(self) -> None:
        if self._current is None or self._current.done():
            self.count += 1
            self._current = asyncio.ensure_future(self.fake.wait_idle(quiet=0.15, timeout=60))
        await asyncio.shield(self._current)


class Pupil:
    """A child who does what the buttons say, and waits when an answer is slow to come."""

    def __init__(
        self, fake: FakeBotApi, rounds: Rounds, user_id: int, *, lose_final: bool = False
    ) -> None:
        self.fake = fake
        self.rounds = rounds
        self.id = user_id
        self.lose_final = lose_final
        self.failed_replies = 0  # replies to this pupil the fake failed (or flood-blocked)
        self.waits = 0  # rounds waited for an answer that failed first
        self.final_reply_failed = False

    def _since(self, mark: int) -> list[Call]:
        return [
            c
            for c in self.fake.calls[mark:]
            if c.method == "sendMessage" and c.params.get("chat_id") == self.id
        ]

    async def act(self, push: Callable[[], object]) -> tuple[list[str], bool]:
        """Do something, and wait until the bot's whole answer came through.

        Returns the texts of the answer, and whether a message of it failed the first time.
        """
        mark = len(self.fake.calls)
        push()
        await self.rounds.idle()
        first_failed = False
        deadline = time.monotonic() + MAX_WAIT
        while not _answered(calls := self._since(mark)):
            first_failed = True
            self.waits += 1
            assert time.monotonic() < deadline, f"pupil {self.id} is stuck\n{self.fake.dump()}"
            await asyncio.sleep(0.2)  # the outbox's retry comes a moment later
            await self.rounds.idle()
        self.failed_replies += sum(not c.ok for c in calls)
        return [c.params["text"] for c in calls if c.ok], first_failed

    def _data(self, trigger: str) -> str:
        for _label, data in self.fake.last_buttons(self.id):
            if data.split(":")[1] == trigger:
                return data
        raise AssertionError(f"pupil {self.id}: no button {trigger!r}\n{self.fake.dump()}")

    async def press(self, trigger: str) -> tuple[list[str], bool]:
        data = self._data(trigger)
        return await self.act(lambda: self.fake.push_callback(self.id, data))

    async def command(self, text: str) -> tuple[list[str], bool]:
        return await self.act(lambda: self.fake.push_command(self.id, text))

    async def say(self, text: str) -> tuple[list[str], bool]:
        return await self.act(lambda: self.fake.push_text(self.id, text))

    async def report(self) -> str:
        """A whole report, as in test_e2e_report.report_as_pupil; returns the case code shown."""
        await self.command("/start")
        await self.press("pupil")
        for trigger in REPORT_PATH:
            await self.press(trigger)
        await self.say(f"Verhaal van leerling {self.id}: ze lachen me elke dag uit.")
        for trigger in ("story_done", "no_photo", "anonymous"):
            await self.press(trigger)
        if self.lose_final:
            self.fake.fail_next("sendMessage", status=500, chat_id=self.id)
        texts, self.final_reply_failed = await self.press("send")
        codes = set(CASE_CODE.findall("\n".join(texts)))
        assert len(codes) == 1, (self.id, texts)
        return codes.pop()


def _answered(calls: list[Call]) -> bool:
    """The whole answer came: something was sent, and every message that failed came again."""
    delivered = {c.params["text"] for c in calls if c.ok}
    return bool(calls) and all(c.params["text"] in delivered for c in calls if not c.ok)


def _notifications(fake: FakeBotApi) -> Counter[tuple[int, str]]:
    """Delivered sendMessage calls per (coordinator chat, case code), pattern alerts aside."""
    seen: Counter[tuple[int, str]] = Counter()
    for chat in COORDINATORS:
        for call in _alerts(fake, chat, pattern=False):
            for code in set(CASE_CODE.findall(call.params["text"])):
                seen[(chat, code)] += 1
    return seen


def _alerts(fake: FakeBotApi, chat: int, *, pattern: bool = True) -> list[Call]:
    """The pattern alerts a coordinator got (all report about one place), or everything else."""
    sent = fake.delivered(chat, "sendMessage")
    return [c for c in sent if c.params["text"].startswith(PATTERN) == pattern]


async def test_fifty_pupils_report_while_the_api_fails(bot, fake, coordinator):
    for n, chat in enumerate(COORDINATORS):
        coordinator(chat, f"Coördinator {n + 1}")
    # Fast retries for the test (the outbox rounds each retry up to a whole second anyway).
    bot.app.outboxes["telegram"].base_delay = 0.5
    # The per-user flood gate (20 updates in 10 s) would treat a child tapping again and again
    # during an outage as flooding; that is its own feature, tested elsewhere.
    bot.app.service.flood = FloodGate(burst=10_000)
    policy = fake.fault_rate(["sendMessage"], share=SHARE, retry_after=1, slow=0.3, seed=SEED)
    rounds = Rounds(fake)
    pupils = [
        Pupil(fake, rounds, FIRST_PUPIL + n, lose_final=n % LOSE_FINAL == 0) for n in range(PUPILS)
    ]

    codes = await asyncio.gather(*(pupil.report() for pupil in pupils))

    # Every notification arrives; then nothing more is due.
    expected = {(chat, code) for chat in COORDINATORS for code in codes}
    await fake.wait_until(
        lambda: set(_notifications(fake)) >= expected, timeout=60, what="all notifications"
    )
    await fake.wait_idle(quiet=0.3, timeout=30)
    policy.off()

    db = bot.app.stores.db
    reports = db.rows("SELECT code, reporter FROM reports")
    assert len(reports) == PUPILS
    vault = bot.app.stores.vault
    by_reporter = {row["reporter"]: row["code"] for row in reports}
    for pupil, code in zip(pupils, codes, strict=True):
        assert by_reporter[vault.subject("telegram", pupil.id)] == code
    assert len(set(codes)) == PUPILS

    notifications = _notifications(fake)
    assert set(notifications) == expected
    duplicates = {key: n for key, n in notifications.items() if n != 1}
    assert duplicates == {}
    for chat in COORDINATORS:  # and nothing else reached the coordinators but one alert
        assert len(_alerts(fake, chat)) == 1
        assert len(fake.delivered(chat)) == PUPILS + 1
    notified = db.rows("SELECT status FROM outbox WHERE coordinator IS NOT NULL")
    sent = (PUPILS + 1) * len(COORDINATORS)
    assert Counter(row["status"] for row in notified) == {"sent": sent}
    # The pupils' failed replies were kept in the outbox, and all delivered.
    kept = db.rows("SELECT status FROM outbox WHERE coordinator IS NULL AND report IS NULL")
    assert kept and {row["status"] for row in kept} == {"sent"}
    # retry_after was honoured: the outbox never called a coordinator's chat inside the window.
    assert [c for c in fake.early if c.params["chat_id"] in COORDINATORS] == []
    assert fake.violations == []

    # The faults really happened, to pupils and coordinators alike.
    to_coordinators = [c for c in fake.sent(method="sendMessage") if c.fault and _coord(c)]
    assert {c.fault for c in to_coordinators} >= {"429", "500", "slow"}
    failed_pupils = [p for p in pupils if p.failed_replies]
    assert len(failed_pupils) >= 10
    # A failed answer costs the pupil nothing: it comes again, the case code once, and nobody
    # is told to try again what was done.
    oops = bot.app.renderer.text(Text(replies.FAILED), "nl")
    assert not [p.id for p in pupils if any(oops in text for text in fake.texts(p.id))]
    lost_final = [p for p in pupils if p.final_reply_failed]
    assert len(lost_final) >= PUPILS // LOSE_FINAL
    for pupil, code in zip(pupils, codes, strict=True):
        assert sum(code in text for text in fake.texts(pupil.id)) == 1, pupil.id

    print(
        f"\nfaults injected: {dict(policy.injected)} (total {policy.total}), "
        f"to coordinators: {len(to_coordinators)}, flood-blocked: {len(fake.early)}; "
        f"notifications delivered: {sum(notifications.values())}, duplicates: {len(duplicates)}; "
        f"pupils with a failed reply: {len(failed_pupils)}, rounds waited: "
        f"{sum(p.waits for p in pupils)}, final reply failed first: "
        f"{len(lost_final)}; rounds: {rounds.count}"
    )


def _coord(call: Call) -> bool:
    return call.params.get("chat_id") in COORDINATORS


async def test_the_outbox_waits_out_a_429_for_that_chat_and_never_retries_at_once(app, clock):
    """The outbox's retry times, to the second: a 429's retry_after is waited out in full, for
    every message to that chat, and a backoff under a second is not rounded down to "now"."""
    stores = app.stores
    now = "2026-11-23T08:00:00+00:00"
    with stores.db.transaction():
        for chat in COORDINATORS:
            stores.coordinators.add(chat, f"Coördinator {chat}", now)
        codes = [
            stores.reports.create("reporter", "{}", {"story": "x", "kind": "names"}, now)
            for _ in range(2)
        ]
        for code in codes:
            notify_coordinators(stores, "new_report", code, 1, now, kind="names")
    sent: list[int] = []
    failures = {COORDINATORS[0]: DeliveryError("rate_limited", retry_after=1.0)}

    async def send(chat: str, _outbound: Outbound) -> None:
        if int(chat) in failures:
            raise failures.pop(int(chat))
        sent.append(int(chat))

    outbox = OutboxSender(stores, app.board, app.renderer, send, clock, base_delay=0.3)
    clock.set("2026-11-23T08:00:00.500000+00:00")

    def rows() -> list[tuple[int, int, str, str]]:
        query = "SELECT c.telegram_id, o.attempts, o.next_try, o.status FROM outbox o"
        query += " JOIN coordinators c ON c.id = o.coordinator ORDER BY o.id"
        return [tuple(r.values()) for r in stores.db.rows(query)]

    assert await outbox.deliver_due() == 2
    # 08:00:00.5 + 1 s is 08:00:01.5: the retry is at 08:00:02, not truncated to 08:00:01; and
    # the other message to that chat waits too, without an attempt counted against it.
    first, second = COORDINATORS
    assert sent == [second, second]
    assert rows() == [
        (first, 1, "2026-11-23T08:00:02+00:00", "pending"),
        (second, 0, now, "sent"),
        (first, 0, "2026-11-23T08:00:02+00:00", "pending"),
        (second, 0, now, "sent"),
    ]
    clock.set("2026-11-23T08:00:01.900000+00:00")
    assert await outbox.deliver_due() == 0
    clock.set("2026-11-23T08:00:02+00:00")
    failures[first] = DeliveryError("NetworkError")
    assert await outbox.deliver_due() == 1
    # A backoff of 0.3-0.6 s from 08:00:02 is 08:00:03, never "now" again (no hot loop).
    assert rows()[0] == (first, 2, "2026-11-23T08:00:03+00:00", "pending")
    assert rows()[2][3] == "sent"
