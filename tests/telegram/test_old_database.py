"""A database made before channel ids became strings keeps working, end to end.

`tests/system/data/before-string-ids/` holds a database and its key made with the code of
commit 393cc2d (`made-by.py.txt`; the key is named `.fixture` because `*.key` files are never
committed), when Telegram ids were numbers everywhere: a Telegram pupil
(4242) who reported anonymously, and a Telegram coordinator (501). Their pseudonym (HMAC of
"telegram:4242") and the sealed contact ({"chat": 4242}, a number) must still reach them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from support.running import Running

DATA = Path(__file__).resolve().parents[1] / "system" / "data" / "before-string-ids"
PUPIL, COORDINATOR = 4242, 501


def _copy_old_database(env: dict[str, str]) -> None:
    for name, setting in (
        ("antipest.db", "ANTIPEST_DB"),
        ("secret-key.fixture", "ANTIPEST_SECRET_KEY_FILE"),
    ):
        target = Path(env[setting])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / name, target)
        os.chmod(target, 0o600)


async def test_the_pupil_and_the_coordinator_of_an_old_database_are_still_who_they_were(
    fake, env, person
):
    _copy_old_database(env)
    running = Running(fake, env)
    await running.start()
    try:
        (row,) = running.app.stores.db.rows("SELECT code FROM reports")
        code = row["code"]
        pupil, anna = person(PUPIL), person(COORDINATOR)

        # The pupil's session was found by the same pseudonym: the report is theirs.
        mine = "\n".join(await pupil.press_data("report_done:my_reports"))
        assert code in mine

        # The coordinator is still a coordinator, and the sealed number-chat still reaches
        # the pupil.
        case = "\n".join(await anna.press_data(f"*:open:{code}"))
        assert "Ze sturen nare berichten in de groepsapp." in case
        await anna.press("message")
        await anna.say("Dank je wel dat je het vertelt. Wie doet het?")
        # A lock screen shows only a neutral line; the message itself comes at the tap.
        await fake.wait_until(
            lambda: any("📬" in text for text in fake.texts(PUPIL)),
            timeout=10,
            what="the neutral line at the pupil",
        )
        await pupil.press("read_message")
        assert sum("Wie doet het?" in text for text in fake.texts(PUPIL)) == 1
    finally:
        await running.stop()
