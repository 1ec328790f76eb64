"""No per-user state in the process: what a user did lives in the database, not in memory.

The benchmark measures the process's memory with 10,000 users (bench/README.md); this test keeps
the known places where per-user state could pile up empty, so a regression shows in CI.
"""

from __future__ import annotations

import gc

from bot.core.engine import Session

USERS = 120


async def test_many_users_leave_nothing_behind_in_the_process(bot, fake, person):
    for n in range(USERS):
        fake.push_command(70_000 + n, "/start")
    await fake.wait_until(
        lambda: all(fake.texts(70_000 + n) for n in range(USERS)), timeout=30, what="answers"
    )
    await fake.wait_idle(quiet=0.3)  # the navigation fsync timer has run, too

    application = bot.channel.application  # type: ignore[union-attr]
    # PTB's own per-user stores: unused by the bot, and (see _Application) never marked.
    assert not application.user_data and not application.chat_data
    assert not application._user_ids_to_be_updated_in_persistence
    assert not application._chat_ids_to_be_updated_in_persistence
    assert not bot.app.stores.db._waiting  # users whose last step awaits its fsync
    gc.collect()
    assert sum(isinstance(o, Session) for o in gc.get_objects()) <= 1
    # ... while the database has them all.
    assert bot.app.stores.db.row("SELECT COUNT(*) AS n FROM sessions")["n"] == USERS
