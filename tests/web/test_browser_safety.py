"""Leaving safely, in real chromium: quick exit (the button, or Shift three times) and "Klaar".

Afterwards nothing of the conversation is left: not on screen, not behind the back button, not
in the tab's storage or the device's cookies, and not on the server (its token gets 401).
"""

from __future__ import annotations

from support.page import EXIT_URL, PROBE, Chat, browsing

STORY = "Een jongen uit groep 8 pakt elke dag mijn fiets af."


async def talk(chat: Chat) -> str:
    """Some conversation, with something typed; the tab's token."""
    await chat.press("pupil")
    await chat.press("check")
    await chat.say(STORY)
    token = await chat.token()
    assert token and STORY in await chat.page.locator("#log").inner_text()
    return token


async def test_quick_exit_leaves_forgets_everything_and_back_shows_no_chat(bot):
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.tab()
        await chat.page.goto(bot.web_url + PROBE)  # where the child was before the chat
        await chat.open()
        token = await talk(chat)

        await chat.page.locator("#quick-exit").click()
        await chat.page.wait_for_url(EXIT_URL)

        # Back does not bring the chat back: it was replaced, so back is the page before it.
        await chat.page.go_back()
        assert chat.page.url == bot.web_url + PROBE
        assert await chat.kept() == {"session": [], "local": [], "cookie": "", "cookies": []}
        assert not await chat.server_knows(token)
        assert await chat.turn_status(token) == 401

        # The chat opened again in this tab starts empty, as a new conversation.
        await chat.open()
        assert await chat.page.locator("#log .msg").count() == 1  # the welcome, nothing else
        assert STORY not in await chat.page.content()
        assert await chat.token() not in (None, token)


async def test_shift_three_times_is_a_quick_exit_but_capitals_are_not(bot):
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open()
        token = await talk(chat)
        keyboard = chat.page.keyboard
        await chat.page.locator("#message").focus()
        for _ in range(3):
            await keyboard.press("Shift+A")  # typing capitals: a letter between the shifts
        assert chat.page.url.startswith(bot.web_url)
        assert await chat.page.locator("#message").input_value() == "AAA"

        for _ in range(3):
            await keyboard.press("Shift")
        await chat.page.wait_for_url(EXIT_URL)
        assert not await chat.server_knows(token)
        assert await chat.turn_status(token) == 401
        await chat.page.goto(bot.web_url + PROBE)  # this tab, the chat's origin: nothing kept
        assert await chat.kept() == {"session": [], "local": [], "cookie": "", "cookies": []}


async def test_klaar_says_goodbye_and_forgets_the_session(bot):
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open()
        token = await talk(chat)
        done = chat.page.locator("#done")
        assert await done.inner_text() == "✅ Klaar"

        await done.click()
        ended = chat.page.locator("#ended")
        await ended.wait_for()
        assert await chat.page.locator("#ended-text").inner_text() == (
            "De chat is nu gesloten. Fijn dat je er was."
        )
        await chat.check("goodbye")
        assert await chat.page.locator("#log .msg").count() == 0
        assert STORY not in await chat.page.content()
        assert await chat.page.locator("#composer-box").is_hidden()
        assert await chat.kept() == {"session": [], "local": [], "cookie": "", "cookies": []}
        assert not await chat.server_knows(token)
        assert await chat.turn_status(token) == 401
        assert await chat.page.evaluate("document.activeElement.id") == "restart"

        # Starting again is a new conversation.
        await chat.page.locator("#restart").click()
        await chat.page.locator("#log button.choice").first.wait_for()
        await chat.check("start again")
        assert await ended.is_hidden()
        assert await chat.token() not in (None, token)
