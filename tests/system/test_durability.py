"""Durability: what a power cut would leave at the moment each answer leaves the bot.

The connection commits with synchronous=NORMAL and fsyncs the WAL itself (bot/storage/db.py):
at once for anything but navigation, and for navigation a moment later. `PowerCut` keeps what
a power cut leaves behind: the database file (it only changes at a checkpoint, turned off here)
and the WAL as of the bot's last fsync, labelled with how many Bot API calls the fake had seen
by then. `image_before(call)` opens that copy as it was when `call` went out, so the tests check
what the pupil was told against what the disk held at that moment.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.fakebotapi import Call, FakeBotApi
from support.walks import report_as_pupil

from bot.storage import db as storage
from bot.storage.db import Database
from bot.storage.reports import ReportStore
from bot.storage.sessions import SessionStore

STORY = "Ze pakken elke dag mijn pet af."


class PowerCut:
    def __init__(self, db: Database, fake: FakeBotApi, workdir: Path) -> None:
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.sync()
        self.db, self.fake, self.workdir = db, fake, workdir
        self.base = db.path.read_bytes()
        self.images: list[tuple[int, bytes]] = [(len(fake.calls), db.wal.read_bytes())]
        self.syncs = 0
        real_sync = db.sync

        def sync() -> None:
            real_sync()
            self.syncs += 1
            self.images.append((len(fake.calls), db.wal.read_bytes()))

        db.sync = sync  # type: ignore[method-assign]

    def image_before(self, call: Call) -> Database:
        """The database a power cut just before `call` reached Telegram would leave."""
        index = next(i for i, seen in enumerate(self.fake.calls) if seen is call)
        wal = [image for seen, image in self.images if seen <= index][-1]
        return self._open(wal)

    def image_now(self) -> Database:
        return self._open(self.images[-1][1])

    def _open(self, wal: bytes) -> Database:
        # No checkpoint ran: the database file still holds only what it held at the start.
        assert self.db.path.read_bytes() == self.base
        folder = self.workdir / f"image-{len(list(self.workdir.glob('image-*')))}"
        folder.mkdir()
        (folder / "bot.db").write_bytes(self.base)
        (folder / "bot.db-wal").write_bytes(wal)
        return Database(folder / "bot.db")


def state_in(db: Database, running, user_id: int) -> tuple | None:
    """Where the user is and what they answered, as stored in `db`."""
    vault = running.app.stores.vault
    session = SessionStore(db, vault).load(vault.subject("telegram", user_id))
    return session and (session.flow, session.state, session.answers, session.locale)


def answer_to(fake: FakeBotApi, user_id: int, after: int) -> Call:
    """The bot's last message to the user, sent after the call number `after`."""
    calls = [c for c in fake.calls[after:] if c.method == "sendMessage"]
    return [c for c in calls if c.params["chat_id"] == user_id][-1]


async def test_a_report_is_on_disk_before_the_pupil_sees_its_case_code(
    bot, fake, person, coordinator, tmp_path, monkeypatch
):
    # No timer: navigation reaches the disk only with a durable commit (or a second step).
    monkeypatch.setattr(storage, "NAVIGATION_SYNC_DELAY", 3600.0)
    coordinator(501, "Juf Anna")
    power = PowerCut(running_db(bot), fake, tmp_path)
    pupil = person(9101)

    code = await report_as_pupil(pupil, STORY)

    ack = next(c for c in fake.sent(pupil.id, "sendMessage") if code in c.params["text"])
    image = power.image_before(ack)
    report = ReportStore(image, bot.app.stores.vault).get(code, frozenset({1}))
    assert report is not None and report.story == STORY
    queued = image.rows(
        "SELECT c.telegram_id, o.payload FROM outbox o JOIN coordinators c ON c.id = o.coordinator"
    )
    assert [row["telegram_id"] for row in queued if code in row["payload"]] == [501]


async def test_a_power_cut_loses_at_most_each_users_last_step(
    bot, fake, person, tmp_path, monkeypatch
):
    monkeypatch.setattr(storage, "NAVIGATION_SYNC_DELAY", 3600.0)
    power = PowerCut(running_db(bot), fake, tmp_path)
    ada, bo = person(9201), person(9202)
    live: dict[int, tuple | None] = {ada.id: None, bo.id: None}
    lagged = 0

    steps = [
        "/start",
        "pupil",
        "check",
        "not_funny",
        "often",
        "long",
        "same",
        "power",
        "on_purpose",
    ]
    for step in steps:
        for who in (ada, bo):  # interleaved: two users' steps wait for the same fsync
            mark = len(fake.calls)
            await (who.say(step) if step.startswith("/") else who.press(step))
            after = state_in(running_db(bot), bot, who.id)
            on_disk = state_in(power.image_before(answer_to(fake, who.id, mark)), bot, who.id)
            assert on_disk in (live[who.id], after), (step, on_disk, live[who.id], after)
            lagged += on_disk != after
            live[who.id] = after
    assert live[ada.id] == live[bo.id] == ("pupil", "outcome_bullying", {}, None)

    # The cheap commit was used (a step was not yet on disk when answered), and the rule
    # "at most one step behind" forced the fsyncs that were made.
    assert lagged > 0
    assert power.syncs > 0


async def test_navigation_reaches_the_disk_within_a_moment(bot, fake, person, tmp_path):
    power = PowerCut(running_db(bot), fake, tmp_path)
    pupil = person(9301)

    await pupil.start()
    await pupil.press("check")
    await asyncio.sleep(0.5)  # five times the delay: slack for a busy test machine

    on_disk = state_in(power.image_now(), bot, pupil.id)
    assert on_disk == state_in(running_db(bot), bot, pupil.id)
    assert on_disk is not None and on_disk[:2] == ("pupil", "check_fun")


def running_db(running) -> Database:
    return running.app.stores.db
