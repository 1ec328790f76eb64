"""SIGKILL of the whole process in the middle of a web report: whatever the page was told was
received is still there after the restart, and the child goes on where they were."""

from __future__ import annotations

import aiohttp
import pytest
from support.botprocess import BotProcess
from support.visitor import Visitor, client_id
from support.walks import CASE_CODE, REPORT_PATH


@pytest.fixture
async def process(fake, env, tmp_path):
    bot = BotProcess(fake, env, tmp_path)
    yield bot
    bot.kill_now()


async def test_a_kill_mid_report_loses_nothing_that_was_acknowledged(process, fake, tmp_path):
    await process.start()
    async with aiohttp.ClientSession() as http:
        tab = Visitor(process.web_url, http)
        await tab.open()
        await tab.press("pupil")
        await tab.walk(*REPORT_PATH)
        await tab.say("Ze verstoppen elke dag mijn tas.")  # acknowledged: 200 came back
        await process.kill()
        await process.start()

        # The same tab (its token survived in sessionStorage) goes on where it was.
        await tab.catch_up()
        assert any(m["text"] == "Ze verstoppen elke dag mijn tas." for m in tab.messages)
        await tab.walk("story_done", "no_photo", "anonymous")
        summary = "\n".join(tab.texts()[-3:])
        assert "Ze verstoppen elke dag mijn tas." in summary

        send, sent_id = tab.button("send")["data"], client_id()
        said = await tab.turn({"button": send}, client=sent_id)
        code = CASE_CODE.findall("\n".join(m["text"] for m in said))[0]
        await process.kill()  # right after "sent" was shown
        await process.start()

        # Sent again by a page that never saw the answer: the same answer, no second report.
        again = await tab.turn({"button": send}, client=sent_id)
        assert again == said
        await tab.press("my_reports")
        mine = "\n".join(tab.texts()[-2:])
        assert mine.count(code) == 1 and len(set(CASE_CODE.findall(mine))) == 1
    await process.stop()
