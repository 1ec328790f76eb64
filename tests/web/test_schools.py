"""The web chat of a board with several schools, over real HTTP (issue 13).

Each school has its own address, /s/<slug>/, which names it and greets with its name. The bare
address is the board's one school, or, with several, a chat that asks for the code on the
poster. An address no live school has is a kind page that lists no school. A secret code opens
its conversation only on its own school's page: on another school's it reads exactly like a
wrong code.
"""

from __future__ import annotations

import re

import aiohttp
from support.running import Running
from support.visitor import Visitor
from support.walks import CASE_CODE, REPORT_PATH

from bot.channels.web import page
from bot.core.i18n import load_catalogs
from bot.core.model import Text
from bot.core.render import Renderer

NOW = "2026-11-23T08:00:00+00:00"
NAMES = {"a": "De Appelgaard", "b": "Het Zeepaard"}
ENTRY = {"a": "PRW4KA", "b": "KMP7QX"}
EXIT_A = "https://www.example.org/weer"  # school a's own quick exit; b keeps the server's
ASKS_CODE = "Typ de code van de poster op jouw school"
WRONG_CODE = "boom boom boom boom boom"


def add_schools(bot: Running) -> dict[str, int]:
    """Schools a and b join the board (school 1 stays): slug -> id."""
    stores = bot.app.stores
    with stores.db.transaction():
        ids = {slug: stores.schools.add(slug, NAMES[slug], ENTRY[slug], NOW) for slug in NAMES}
        stores.schools.update(ids["a"], NOW, settings={"exit_url": EXIT_A})
    return ids


async def get(http: aiohttp.ClientSession, bot: Running, path: str) -> tuple[int, str]:
    async with http.get(bot.web_url + path) as response:
        return response.status, await response.text()


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, html[:200]
    return found.group(1)


def said(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages if m["from"] == "bot")


async def report(tab: Visitor) -> str:
    """A pupil's whole report in this open tab; its case code."""
    await tab.press("pupil")
    await tab.walk(*REPORT_PATH)
    await tab.say("Ze schelden me uit in de pauze.")
    await tab.walk("story_done", "no_photo", "anonymous")
    codes = set(CASE_CODE.findall(said(await tab.press("send"))))
    assert len(codes) == 1
    return codes.pop()


async def test_each_school_page_names_its_school_and_greets_with_its_name(bot, http, visitor):
    add_schools(bot)
    for slug, name in NAMES.items():
        other = next(n for s, n in NAMES.items() if s != slug)
        status, html = await get(http, bot, f"/s/{slug}/")
        assert status == 200
        assert name in title(html) and other not in html
        assert f'<span class="school">{name}</span>' in html
        assert f'data-school="{slug}"' in html
        exit_url = EXIT_A if slug == "a" else "https://www.google.com/"
        assert f'data-exit-url="{exit_url}"' in html and f'href="{exit_url}"' in html
        welcome = said(await visitor(school=slug).open())
        assert f"anti-pesthelper van {name}" in welcome
        assert other not in welcome and ASKS_CODE not in welcome


async def test_an_unknown_or_removed_address_is_a_kind_page_that_names_no_school(
    bot, http, visitor
):
    ids = add_schools(bot)
    with bot.app.stores.db.transaction():
        bot.app.stores.schools.remove(ids["b"], NOW)
    for path in ("/s/nergens/", "/s/b/", "/s/" + "x" * 80 + "/"):
        status, html = await get(http, bot, path)
        assert status == 404, path
        assert "Ik kan deze chat niet vinden" in html
        assert "0800-0432" in html and "112" in html  # help right now
        assert 'href="/"' in html  # and the way to the chat (it asks for the poster's code)
        for name in ("Appelgaard", "Zeepaard", "/s/"):  # no school, nor any address of one
            assert name not in html, (path, name)
    status, html = await get(http, bot, "/s/nergens/?lang=en")
    assert status == 404 and "I cannot find this chat" in html and "0800-0432" in html
    # A page that was shown before its school was removed: its new tab gets the same kind words.
    status, body = await visitor(school="b").post("/api/session", {"school": "b"}, token=False)
    assert status == 404 and "Ik kan deze chat niet vinden" in body["message"]
    assert "Het Zeepaard" not in body["message"]
    # A live school's address without its last slash still leads there.
    async with http.get(bot.web_url + "/s/a", allow_redirects=False) as response:
        assert response.status == 302 and response.headers["Location"] == "/s/a/"


def test_the_missing_page_is_all_in_dutch_and_has_nothing_the_csp_blocks() -> None:
    renderer = Renderer(load_catalogs())
    untranslated = [m for m in page.MISSING_MSGIDS if renderer.text(Text(m), "nl") == m]
    assert untranslated == []
    html = page.render_missing(renderer, "nl", exit_url="https://www.google.com/")
    assert "{{" not in html and "<script" not in html and "style=" not in html
    assert re.findall(r'(?:src|href)="([^"]*)"', html) == [
        "data:,",
        "/static/chat.css",
        "https://www.google.com/",  # the quick exit, as on the chat page
        "/",
    ]


async def test_the_bare_address_with_several_schools_asks_for_the_poster_code(bot, http, visitor):
    ids = add_schools(bot)
    status, html = await get(http, bot, "/")
    assert status == 200
    for name in NAMES.values():
        assert name not in html
    assert 'data-school=""' in html and '<span class="school"></span>' in html
    tab = visitor()
    asked = said(await tab.open())
    assert ASKS_CODE in asked
    assert not any(name in asked for name in NAMES.values())
    welcome = said(await tab.say("prw 4ka"))  # as a child copies it off the poster
    assert "anti-pesthelper van De Appelgaard" in welcome
    code = await report(tab)
    (row,) = bot.app.stores.db.rows("SELECT school FROM reports WHERE code = ?", (code,))
    assert row["school"] == ids["a"]
    # Its secret code is school a's: it opens the report on a's page, not on b's.
    await tab.press("secret_code")
    for slug, opens in (("b", 404), ("a", 200)):
        later = visitor(school=slug)
        await later.open()
        assert (await later.code(tab.secret()))[0] == opens, slug


async def test_a_secret_code_opens_only_on_its_own_schools_page(bot, visitor):
    ids = add_schools(bot)
    maker = visitor(school="a")
    await maker.open()
    case = await report(maker)
    await maker.press("secret_code")
    secret = maker.secret()
    await maker.end()

    async def three_tries(code: str) -> list[tuple[int, dict]]:
        tab = visitor(school="b")
        await tab.open()
        return [await tab.code(code) for _ in range(3)]

    # On school b's page, school a's code is a wrong code: the same answers, the same slowing.
    others = await three_tries(secret)
    wrongs = await three_tries(WRONG_CODE)
    assert [status for status, _ in others] == [404, 404, 429]
    assert [(s, {**b, "retry_after": 0}) for s, b in others] == [
        (s, {**b, "retry_after": 0}) for s, b in wrongs
    ]

    # On its own school's page it opens the conversation.
    again = visitor(school="a")
    await again.open()
    status, body = await again.code(secret)
    assert status == 200 and case in said(body["messages"])

    # At the bare address (several schools) any school's code does, and the tab is then a's:
    # b's codes no longer open anything in it.
    other = visitor(school="b")
    await other.open()
    await report(other)
    await other.press("secret_code")
    b_secret = other.secret()
    bare = visitor()
    await bare.open()
    status, body = await bare.code(secret)
    assert status == 200 and case in said(body["messages"])
    assert (await bare.code(b_secret))[0] == 404
    (row,) = bot.app.stores.db.rows(
        "SELECT COUNT(*) AS n FROM web_codes WHERE school = ?", (ids["a"],)
    )
    assert row["n"] == 1


async def test_a_one_school_board_is_unchanged_at_the_bare_address(bot, http, visitor):
    status, html = await get(http, bot, "/")
    assert status == 200 and title(html) == "Meld pesten"  # no name configured: none shown
    tab = visitor()
    welcome = said(await tab.open())
    assert "anti-pesthelper van onze school" in welcome and ASKS_CODE not in welcome
    with bot.app.stores.db.transaction():  # as a name in the TOML file reads
        bot.app.stores.schools.update(1, NOW, name="De Linde")
    status, html = await get(http, bot, "/")
    assert status == 200 and title(html) == "Meld pesten · De Linde"
    assert '<span class="school">De Linde</span>' in html and 'data-school=""' in html
    await report(tab)
    await tab.press("secret_code")
    secret = tab.secret()
    later = visitor()
    await later.open()
    assert (await later.code(secret))[0] == 200
    # Its own address is the same chat.
    status, html = await get(http, bot, "/s/school/")
    assert status == 200 and title(html) == "Meld pesten · De Linde"
    # A second school joins while the tab is open: the tab stays with the first school.
    add_schools(bot)
    assert ASKS_CODE not in said(await tab.turn({"command": "start"}))
