"""The chat for every child, in real chromium: on a small phone with its keyboard open, and with
a keyboard only (no mouse). axe checks every screen on the way (support/page.py)."""

from __future__ import annotations

from support.page import Chat, browsing

PHONE = {"width": 375, "height": 667}
KEYBOARD_UP = {"width": 375, "height": 350}  # what is left above a phone's on-screen keyboard
# Where an element is, and whether a tap on its middle reaches it (nothing covers it).
PLACE = """(el) => { const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          reachable: hit !== null && (hit === el || el.contains(hit))}; }"""
TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
# The controls a child taps or clicks, as shown now.
TARGETS = """() => Array.from(document.querySelectorAll("button, a[href], label.photo-button"))
  .filter((el) => el.checkVisibility())
  .map((el) => { const r = el.getBoundingClientRect();
    return {what: el.id || el.dataset.button || el.textContent, w: r.width, h: r.height}; })"""
# What has keyboard focus, and whether its focus ring shows (the hidden file input's ring is
# drawn on its label).
FOCUSED = """() => { const el = document.activeElement;
  const ring = el.id === "photo" ? el.nextElementSibling : el;
  const style = getComputedStyle(ring);
  return {what: el.id || el.dataset.button || el.tagName,
          ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2}; }"""


async def resize(chat: Chat, size: dict[str, int]) -> None:
    """The window becomes `size`, and the page has had two frames to fit itself to it."""
    await chat.page.set_viewport_size(size)
    await chat.page.wait_for_function(f"() => window.visualViewport.height === {size['height']}")
    await chat.page.evaluate(TWO_FRAMES)


async def in_sight(chat: Chat, selector: str, viewport: dict[str, int]) -> None:
    """`selector` lies wholly inside `viewport`, and a tap on its middle reaches it."""
    at = await chat.page.locator(selector).evaluate(PLACE)
    across = at["left"] >= 0 and at["right"] <= viewport["width"]
    down = at["top"] >= 0 and at["bottom"] <= viewport["height"]
    assert across and down and at["reachable"], (selector, at)


async def test_on_a_phone_the_message_box_stays_in_sight_above_the_keyboard(bot):
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        page = chat.page
        viewport = await page.locator("meta[name=viewport]").get_attribute("content") or ""
        assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
        sizes = await page.eval_on_selector_all(
            "input[type=text], textarea", "(all) => all.map((el) => getComputedStyle(el).fontSize)"
        )
        assert sizes and all(float(size.removesuffix("px")) >= 16 for size in sizes), sizes
        await chat.walk("pupil", "report", "me", "names", "kinds_done", "playground")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The keyboard slides up: the box, the send button and the quick exit stay in sight.
        await page.locator("#message").tap()
        await resize(chat, KEYBOARD_UP)
        assert await page.evaluate("document.activeElement.id") == "message"
        for selector in ("#message", "#send", "#quick-exit"):
            await in_sight(chat, selector, KEYBOARD_UP)
        await chat.check("keyboard up")

        await chat.walk("daily", "weeks")
        await chat.say("In de pauze duwen ze mij steeds om.")
        for selector in ("#message", "#send", "#quick-exit"):
            await in_sight(chat, selector, KEYBOARD_UP)
        # The answer starts in the part of the conversation that shows, above the box.
        await page.wait_for_function(
            """() => { const last = document.querySelector("#log .msg:last-child");
              const shown = document.getElementById("main").getBoundingClientRect();
              const top = last.getBoundingClientRect().top;
              return top >= shown.top && top < shown.bottom; }"""
        )

        # The keyboard goes away again.
        await resize(chat, PHONE)
        await in_sight(chat, "#send", PHONE)


async def test_with_a_keyboard_only_every_control_is_reached_and_works(bot):
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open()
        page = chat.page
        log = page.get_by_role("log")
        assert await log.count() == 1 and await log.get_attribute("aria-live") == "polite"
        assert await log.locator(".msg").count() > 0

        # Tab goes everywhere, each stop with a visible focus ring (past the last control focus
        # leaves the page for the browser's own bar: BODY).
        stops = []
        for _ in range(40):
            await page.keyboard.press("Tab")
            stop = await page.evaluate(FOCUSED)
            if stop["what"] != "BODY":
                stops.append(stop)
        reached = {stop["what"] for stop in stops}
        assert {"quick-exit", "done", "code-open", "role:pupil", "message", "send"} <= reached
        assert all(stop["ring"] for stop in stops), [s for s in stops if not s["ring"]]

        # Enter on a button presses it; focus stays in the page, and Tab goes on from there.
        await tab_to(chat, "role:pupil")
        await chat.answer("/api/turn", lambda: page.keyboard.press("Enter"), "pupil by Enter")
        assert (await page.evaluate(FOCUSED))["what"] == "role:pupil"
        await tab_to(chat, "menu:check")
        await chat.answer("/api/turn", lambda: page.keyboard.press("Enter"), "check by Enter")
        assert "Is het een grapje" in (await chat.texts())[-1]

        # Typing and Enter sends; every control is big enough to hit.
        await tab_to(chat, "message")
        await page.keyboard.type("Ik weet het niet zo goed.")
        await chat.answer("/api/turn", lambda: page.keyboard.press("Enter"), "typed text")
        assert await page.locator("[data-testid=msg-you] .text").last.inner_text() == (
            "Ik weet het niet zo goed."
        )
        small = [t for t in await page.evaluate(TARGETS) if t["w"] < 44 or t["h"] < 44]
        assert not small, small


async def tab_to(chat: Chat, what: str, most: int = 60) -> None:
    """Press Tab until `what` (an id or a button's data) has focus."""
    for _ in range(most):
        await chat.page.keyboard.press("Tab")
        if (await chat.page.evaluate(FOCUSED))["what"] == what:
            return
    raise AssertionError(f"Tab never reached {what!r}")
