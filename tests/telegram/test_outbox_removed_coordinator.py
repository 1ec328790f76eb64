"""A coordinator removed after a notification was queued for them never receives it.

The row is cancelled when its turn comes (logged as `outbox_cancelled`), and what went only to
them as the case's coordinator goes to the active coordinators instead, as a new message would.
"""

from __future__ import annotations

from collections import Counter

from support.walks import CASE_CODE, report_as_pupil

from bot.background.outbox import OutboxSender
from bot.cases.notifications import notify_coordinators
from bot.core.model import Outbound

NOW = "2026-11-23T08:00:00+00:00"


async def test_a_notification_queued_before_removal_is_never_delivered(
    bot, fake, person, coordinator, caplog
):
    caplog.set_level("INFO")
    anna = coordinator(501, "Juf Anna")
    bram = coordinator(502, "Meester Bram")
    bot.app.outboxes["telegram"].base_delay = 4.0  # the retry comes 2-4 s later
    fake.fail_next("sendMessage", status=500, chat_id=bram.id)
    code = await report_as_pupil(person(9001), "Ze sluiten me buiten bij het voetballen.")
    await fake.wait_for(lambda c: c.params.get("chat_id") == bram.id and not c.ok, timeout=10)

    # Removed (by the CLI, in another process) while his notification waits for its retry.
    stores = bot.app.stores
    bram_id = stores.coordinators.by_telegram_id(bram.id).id
    with stores.db.transaction():
        stores.coordinators.deactivate(bram_id)
    mark = len(fake.calls)
    await fake.wait_until(
        lambda: stores.outbox.pending_count() == 0, timeout=10, what="the retry's turn"
    )
    await fake.wait_idle(quiet=0.3)

    assert [c for c in fake.calls[mark:] if c.params.get("chat_id") == bram.id] == []
    assert [c for c in fake.delivered(bram.id) if code in c.params.get("text", "")] == []
    assert sum(code in text for text in fake.texts(anna.id)) == 1
    statuses = Counter(row["status"] for row in stores.db.rows("SELECT status FROM outbox"))
    assert statuses == {"sent": 1, "cancelled": 1}
    assert any(
        r.getMessage().startswith("outbox_cancelled key=new_report:") for r in caplog.records
    )


async def test_what_only_the_removed_coordinator_was_told_goes_to_the_others(timed_app):
    """The case was Bram's: a reminder for him alone is sent to Anna once he left."""
    stores = timed_app.stores
    with stores.db.transaction():
        anna = stores.coordinators.add(501, "Juf Anna", NOW)
        bram = stores.coordinators.add(502, "Meester Bram", NOW)
        code = stores.reports.create("reporter", "{}", {"story": "x", "kind": "names"}, NOW)
        stores.reports.claim(code, 1, bram.id, NOW)
        notify_coordinators(stores, "remind", code, 1, NOW, occasion="remind")
        stores.coordinators.deactivate(bram.id)
    sent: list[tuple[str, str]] = []

    async def send(chat: str, outbound: Outbound) -> None:
        sent.append((chat, outbound.text))

    outbox = OutboxSender(stores, timed_app.board, timed_app.renderer, send, timed_app.clock)
    assert await outbox.deliver_due() == 0  # Bram's row is cancelled, Anna's queued after it
    assert await outbox.deliver_due() == 1
    assert [chat for chat, _text in sent] == [str(anna.telegram_id)]
    assert CASE_CODE.findall(sent[0][1]) == [code]
    assert await outbox.deliver_due() == 0
    statuses = Counter(row["status"] for row in stores.db.rows("SELECT status FROM outbox"))
    assert statuses == {"sent": 1, "cancelled": 1}
