"""The web chat in a real browser, as a child uses it: a `Chat` is one tab that presses buttons
by trigger id, types, sends photos and secret codes, and checks every screen it shows.

Every screen is checked the same way: no serious or critical axe finding, and (over the whole
test) no Content Security Policy violation, no script error and no request that leaves this
machine. Each step waits for the server's answer to be on the page (by its seq), never for a
time. Open tabs with `browsing(url)`: it fails the test at the end if any tab saw a problem.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, ConsoleMessage, Locator, Page, Request, Response, Route

from bot.app import App
from bot.channels.web.limits import SessionRate
from bot.core.ratelimit import FloodGate
from support.browser import chromium

Message = dict[str, Any]

EXIT_URL = "https://www.google.com/"  # WebOptions' default exit; routed here, never fetched
PROBE = "/probe-without-chat"  # a blank page of the chat's own origin (routed, not served)
TOKEN = "antipest.token"  # the page's sessionStorage key
TIMEOUT = 10_000  # ms for any one step: a broken page fails in seconds, not in minutes
SERIOUS = ("serious", "critical")
# axe-core as axe-playwright-python ships it; `check` puts it into each document only once
# (Axe().run would, on every screen, and it is half a megabyte).
AXE_SCRIPT = Axe().axe_script
BLANK = "<!doctype html><html lang='en'><head><title>elsewhere</title></head><body></body></html>"
# Before the page's own script: every violation is also said on the console with its directive
# and source line, whatever chromium's own wording of the day is.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  `Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI} ` +
  `${e.sourceFile}:${e.lineNumber}`));
"""
# Which buttons fire a trigger (and arg): the data is "<state>:<trigger>[:<arg>]".
FIND_BUTTONS = """([trigger, arg]) => Array.from(document.querySelectorAll("#log button.choice"))
  .map((b) => b.dataset.button)
  .filter((d) => { const p = d.split(":");
    return p[1] === trigger && (arg === null || p.slice(2).join(":") === arg); })"""


def tap_faster_than_a_child(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole walk in a few seconds: more than the flood gate (20 updates in 10 s) and a tab's
    rate (a burst of 20, then one request a second) let through. Both have their own tests;
    the address ceiling stays on, so a page that loops still fails."""
    app.service.flood = FloodGate(burst=10**6)
    monkeypatch.setattr(SessionRate, "allow", lambda _self, _session: 0.0)


class Problems(list[str]):
    """What any tab saw that must never happen; empty at the end of a good test."""

    def watch(self, page: Page, app: str) -> None:
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self.append(f"script error: {error}"))
        page.on("request", lambda request: self._request(request, app))

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.append(f"CSP: {message.text}")

    def _request(self, request: Request, app: str) -> None:
        url = request.url
        local = url.startswith((app, EXIT_URL, "data:", "blob:", "about:"))
        if not local:
            self.append(f"a request off this machine: {url}")


class Browsing:
    """One chromium; each `open` is a new browser context (another device) with one tab."""

    def __init__(self, browser: Browser, app: str) -> None:
        self.browser = browser
        self.app = app
        self.problems = Problems()

    async def open(self, locale: str = "nl-NL", path: str = "/", **context: Any) -> Chat:
        """A new device on the chat, once its first question is on screen."""
        chat = await self.tab(locale, **context)
        await chat.open(path)
        return chat

    async def tab(self, locale: str = "nl-NL", **context: Any) -> Chat:
        """A new device with an empty tab; the exit address answers with a blank page."""
        made = await self.browser.new_context(locale=locale, **context)
        made.set_default_timeout(TIMEOUT)
        await made.route(EXIT_URL + "**", _blank)
        await made.route(self.app + PROBE, _blank)
        await made.add_init_script(REPORT_CSP)
        page = await made.new_page()
        self.problems.watch(page, self.app)
        return Chat(page, self.app, self.problems)


@asynccontextmanager
async def browsing(app: str) -> AsyncIterator[Browsing]:
    async with chromium() as browser:
        tabs = Browsing(browser, app)
        yield tabs
        assert not tabs.problems, "\n".join(tabs.problems)


class Chat:
    """One tab on the chat page."""

    def __init__(self, page: Page, app: str, problems: Problems) -> None:
        self.page = page
        self.app = app
        self.problems = problems
        self.screens = 0  # how many screens axe has checked

    # --- doing what a child does ----------------------------------------------------------

    async def open(self, path: str = "/") -> None:
        """Go to the chat; back once its first question is on screen."""
        await self.page.goto(self.app + path)
        await self.page.locator("#log button.choice").first.wait_for()
        await self.check("start")

    async def press(self, trigger: str, arg: str | None = None) -> list[Message]:
        """Tap the newest button that fires `trigger` (and `arg`); the server's answer."""
        button = await self.button(trigger, arg)
        return await self.answer("/api/turn", button.click, trigger)

    async def walk(self, *triggers: str) -> list[Message]:
        """Press each in turn; the last answer."""
        said: list[Message] = []
        for trigger in triggers:
            said = await self.press(trigger)
        return said

    async def say(self, text: str) -> list[Message]:
        await self.page.locator("#message").fill(text)
        return await self.answer("/api/turn", self.page.locator("#send").click, "text")

    async def photo(self, data: bytes, name: str = "photo.jpg") -> list[Message]:
        file = {"name": name, "mimeType": "image/jpeg", "buffer": data}
        choose = lambda: self.page.locator("#photo").set_input_files(file)  # noqa: E731
        return await self.answer("/api/photo", choose, "photo")

    async def use_code(self, code: str) -> tuple[int, Any]:
        """Open the code form, type `code` and go on: the status and the answer's body."""
        opener = self.page.locator("#code-open")
        if await self.page.locator("#code-form").is_hidden():
            await opener.click()
        assert await opener.get_attribute("aria-expanded") == "true"
        await self.page.locator("#code-input").fill(code)
        await self.check("code form")
        return await self.exchange("/api/code", self.page.locator("#code-submit").click, "code")

    async def button(self, trigger: str, arg: str | None = None) -> Locator:
        found = await self.page.evaluate(FIND_BUTTONS, [trigger, arg])
        if not found:
            lately = (await self.texts())[-2:]
            raise AssertionError(f"no button {trigger!r} on the page; it said last: {lately}")
        return self.page.locator(f'#log button.choice[data-button="{found[-1]}"]').last

    async def wait_for_button(self, trigger: str, timeout: float = 10) -> None:
        """Until a button firing `trigger` is on the page (one that came live, say)."""
        await self.page.wait_for_function(
            f"() => ({FIND_BUTTONS})([{trigger!r}, null]).length > 0", timeout=timeout * 1000
        )

    # --- waiting for the server -----------------------------------------------------------

    async def answer(
        self, path: str, action: Callable[[], Awaitable[Any]], screen: str
    ) -> list[Message]:
        status, body = await self.exchange(path, action, screen)
        assert status == 200, body
        return body["messages"]  # type: ignore[no-any-return]

    async def exchange(
        self, path: str, action: Callable[[], Awaitable[Any]], screen: str
    ) -> tuple[int, Any]:
        """Do `action`, wait for the POST to `path` it makes, then for its answer on screen."""

        def ours(response: Response) -> bool:
            return urlsplit(response.url).path == path and response.request.method == "POST"

        async with self.page.expect_response(ours) as answered:
            await action()
        response = await answered.value
        body = await response.json()
        seqs = [m["seq"] for m in body.get("messages", [])]
        if seqs:
            await self.page.locator(f'#log [data-seq="{max(seqs)}"]').wait_for(state="attached")
        await self.check(screen)
        return response.status, body

    # --- reading the page -----------------------------------------------------------------

    async def texts(self) -> list[str]:
        """What the bot said on this page, in order."""
        return await self.page.locator("[data-testid=msg-bot] .text").all_text_contents()

    async def token(self) -> str | None:
        token: str | None = await self.page.evaluate(f"sessionStorage.getItem({TOKEN!r})")
        return token

    async def kept(self) -> dict[str, Any]:
        """What this tab keeps for the current origin: storage, and cookies of the device."""
        kept: dict[str, Any] = await self.page.evaluate(
            """() => ({session: Object.keys(sessionStorage), local: Object.keys(localStorage),
                       cookie: document.cookie})"""
        )
        kept["cookies"] = await self.page.context.cookies()
        return kept

    async def server_knows(self, token: str) -> bool:
        """Whether the server still answers for `token`, after giving a forgetting that has
        begun some seconds (the page's /api/end goes out as the page leaves, so it may still be
        on its way). Asked with a catch-up read, which changes nothing; a few times only, as the
        server allows a tab a request a second."""
        for wait in (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 0):
            answer = await self.page.context.request.get(
                f"{self.app}/api/events?after=0&wait=0", headers={"X-Session": token}
            )
            if answer.status == 401:
                return False
            assert answer.status == 200, answer.status
            await asyncio.sleep(wait)
        return True

    async def turn_status(self, token: str) -> int:
        """The status of a turn sent with `token` as the page sends it (same origin)."""
        answer = await self.page.context.request.post(
            f"{self.app}/api/turn",
            headers={"X-Session": token, "Origin": self.app, "Content-Type": "application/json"},
            data=json.dumps({"id": "probe-turn-0001", "command": "menu"}),
        )
        return answer.status

    # --- checking every screen ------------------------------------------------------------

    async def check(self, screen: str) -> None:
        """No serious or critical axe finding on this screen, and no problem so far."""
        if not await self.page.evaluate("typeof window.axe === 'object'"):
            await self.page.evaluate(AXE_SCRIPT)
        found = await self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in found["violations"]
            if v["impact"] in SERIOUS
        ]
        assert not bad, f"axe on the screen after {screen!r}: {bad}"
        assert not self.problems, f"after {screen!r}: {list(self.problems)}"
        self.screens += 1


async def _blank(route: Route) -> None:
    await route.fulfill(status=200, content_type="text/html", body=BLANK)
