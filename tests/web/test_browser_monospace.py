"""A message in a fixed-width font (tables of figures, `Outbound.monospace`) in real chromium:
shown in a <pre> as plain text, its columns as they were sent, nothing in it read as HTML."""

from __future__ import annotations

from support.page import browsing

from bot.core.model import Outbound

TABLE = "wat      meldingen\n-------  ---------\nnu open          4\n<b>x</b>  &amp;    1"


async def test_a_monospace_message_shows_in_a_pre_as_plain_text(bot):
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open()
        tab = bot.web_channel.records.tab(await chat.token())
        await bot.web_channel.send(tab.visitor, Outbound(TABLE, monospace=True))
        pre = chat.page.locator("#log pre.text")
        await pre.wait_for()
        assert await pre.text_content() == TABLE  # every space kept, the markup as typed
        assert await chat.page.locator("#log b").count() == 0
        font = await pre.evaluate("node => getComputedStyle(node).fontFamily")
        assert "monospace" in font
        # Other messages stay paragraphs.
        assert await chat.page.locator("#log p.text").count() >= 1
