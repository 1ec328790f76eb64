"""A school's own chat in real chromium (issue 13): the launcher a school pastes on its website
leads to its address, and the page there is that school's, from its title to the welcome. A tab
belongs to one school: the same tab on another school's address starts that school's chat. An
address no school has is a kind page that names none."""

from __future__ import annotations

from support.page import browsing

NOW = "2026-11-23T08:00:00+00:00"
SCHOOLS = {"appel": ("De Appelgaard", "PRW4KA"), "zee": ("Het Zeepaard", "KMP7QX")}


async def test_the_second_schools_launcher_and_page_are_that_schools_own(bot):
    stores = bot.app.stores
    with stores.db.transaction():
        for slug, (name, code) in SCHOOLS.items():
            stores.schools.add(slug, name, code, NOW)
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.tab()
        page = chat.page
        # The one line `antipestbot school add` prints for the school's website.
        snippet = f'<script src="{bot.web_url}/widget.js" data-school="zee" defer></script>'
        await page.set_content(f"<!doctype html><html lang='nl'><body>{snippet}</body></html>")
        launcher = page.locator("#antipest-launcher")
        assert await launcher.get_attribute("href") == f"{bot.web_url}/s/zee/"

        await chat.open("/s/zee/")
        assert "Het Zeepaard" in await page.title()
        assert await page.locator(".school").inner_text() == "Het Zeepaard"
        assert any("anti-pesthelper van Het Zeepaard" in text for text in await chat.texts())
        said = await chat.press("pupil")
        assert said and said[-1]["buttons"]

        # A reload keeps this school's conversation; another school's address in the same tab
        # is that school's own chat, with nothing of the first on it.
        await page.reload()
        await page.locator(f'#log [data-seq="{said[-1]["seq"]}"]').wait_for(state="attached")
        await chat.open("/s/appel/")
        texts = "\n".join(await chat.texts())
        assert "anti-pesthelper van De Appelgaard" in texts and "Zeepaard" not in texts
        assert "Zeepaard" not in await page.title()

        # An address no school has: a kind page (axe checks it too) with help, and no school.
        answer = await page.goto(f"{bot.web_url}/s/zeepard/")
        assert answer is not None and answer.status == 404
        await chat.check("an unknown school")
        shown = await page.locator("body").inner_text()
        assert "Ik kan deze chat niet vinden" in shown and "0800-0432" in shown
        assert "Zeepaard" not in shown and "Appelgaard" not in shown
