"""The web chat over real HTTP: whole conversations through the API, with coordinators on the
fake Bot API, and every way a request can be wrong."""

from __future__ import annotations

import asyncio
import json

from support.visitor import Visitor, client_id
from support.walks import REPORT_PATH


async def test_a_web_report_reaches_telegram_and_the_answer_comes_back_with_a_secret_code(
    bot, fake, coordinator, visitor
):
    anna = coordinator(501, "Juf Anna")
    tab = visitor()
    code = await tab.report("Ze lachen me elke dag uit in de pauze.")
    note = await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 501)
    assert code in note.params["text"]

    # The child asks for a secret code, and gets one shown once, in words.
    await tab.press("secret_code")
    secret = tab.secret()
    assert len(secret.split()) == 5
    await tab.end()  # the tab is closed

    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")
    await anna.press("message")
    await anna.say("Dank je wel. Wil je morgen even bij mij komen?")

    # Later, on another device: the code opens the conversation; the news comes first.
    later = visitor()
    await later.open()
    status, body = await later.code(secret.upper().replace(" ", "-"))
    assert status == 200, body
    first = body["messages"][0]
    assert first["from"] == "bot" and "read_message" in json.dumps(first["buttons"])
    assert any(code in m["text"] for m in body["messages"][1:])  # then "My reports"
    read = await later.press("read_message")
    assert any("Wil je morgen even bij mij komen?" in m["text"] for m in read)
    await later.press("write")
    await later.say("Ja, dat is goed.")
    await anna.press_data(f"*:open:{code}")
    assert any("Ja, dat is goed." in text for text in fake.texts(501))


async def test_the_same_message_sent_twice_counts_once(bot, visitor):
    tab = visitor()
    await tab.open()
    await tab.press("pupil")
    await tab.walk(*REPORT_PATH)
    await tab.say("Ze duwen me steeds.")
    await tab.walk("story_done", "no_photo", "anonymous")
    send, again = tab.button("send")["data"], client_id()
    first = await tab.turn({"button": send}, client=again)
    second = await tab.turn({"button": send}, client=again)  # a double tap, or a retry
    assert first == second
    assert len(bot.app.stores.reports.by_reporter(_pseudonym(bot, tab))) == 1


def _pseudonym(bot, tab: Visitor) -> str:
    visitor = bot.app.stores.web.tab(tab.token).visitor
    return bot.app.stores.vault.subject("web", visitor)


async def test_a_live_stream_shows_the_school_message_without_reloading(
    bot, fake, coordinator, visitor, http
):
    anna = coordinator(501, "Juf Anna")
    tab = visitor()
    code = await tab.report("Iemand pakt steeds mijn spullen af.")
    # The new-report notice first, as a coordinator gets it: arriving after the case is opened,
    # its own "open" button would be the last buttons Anna sees.
    await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 501)
    after = max(m["seq"] for m in tab.messages)
    url = f"{tab.base}/api/events?after={after}"
    async with http.get(url, headers=tab.headers) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        await anna.press_data(f"*:open:{code}")
        await anna.press("claim")
        await anna.press("message")
        await anna.say("Ik ga je helpen.")
        line = b""
        while b"read_message" not in line:
            line = await asyncio.wait_for(stream.content.readline(), 10)
    event = json.loads(line.decode().removeprefix("data: "))
    assert event["seq"] > after and event["from"] == "bot"


async def test_another_site_cannot_post_and_nothing_changes(bot, visitor):
    tab = visitor()
    await tab.open()
    before = len(await tab.catch_up()) + len(tab.messages)
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    status, body = await tab.post("/api/turn", {"id": client_id(), "text": "hoi"}, headers=evil)
    assert status == 403 and body["error"] == "elsewhere" and body["message"]
    status, _ = await tab.post(
        "/api/turn", {"id": client_id(), "text": "hoi"}, headers={"Origin": "https://evil.example"}
    )
    assert status == 403
    # A plain form post from anywhere: not JSON, refused before anything is read.
    form = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
    status, _ = await tab.post("/api/turn", "text=hoi", headers=form)
    assert status == 415
    await tab.catch_up()
    assert len(tab.messages) == before


async def test_wrong_requests_get_a_kind_answer_and_change_nothing(bot, visitor, http):
    tab = visitor()
    await tab.open()
    cases = [
        ('{"id": "client-1234", "text": ', 400),  # broken JSON
        (json.dumps({"id": "client-1234", "text": "hoi", "admin": True}), 400),  # unknown field
        (json.dumps({"id": "client-1234", "text": "hoi", "button": "*:help"}), 400),  # two at once
        (json.dumps({"id": "x", "text": "hoi"}), 400),  # a bad client id
        (json.dumps({"id": "client-1234", "text": 42}), 400),  # a wrong type
        (json.dumps({"id": "client-1234", "text": "a" * 4001}), 413),  # too long
    ]
    for body, expected in cases:
        status, answer = await tab.post("/api/turn", body)
        assert status == expected, (body[:60], answer)
        assert "0800-0432" in answer["message"]  # a way forward, every time
    forged = Visitor(tab.base, http)
    forged.token = "A" * 43
    status, answer = await forged.post("/api/turn", {"id": client_id(), "text": "hoi"})
    assert status == 401 and answer["error"] == "session"
    before = list(tab.messages)
    await tab.catch_up()
    assert tab.messages == before


async def test_a_forged_button_is_answered_kindly(bot, visitor):
    tab = visitor()
    await tab.open()
    said = await tab.turn({"button": "case:claim:AAAA-BB", "label": "Claim"})
    assert said and said[-1]["from"] == "bot" and said[-1]["buttons"]


async def test_wrong_codes_slow_down_and_a_right_one_still_works(bot, visitor):
    tab = visitor()
    await tab.report("Ze schelden me uit.")
    await tab.press("secret_code")
    secret = tab.secret()
    guesser = visitor()
    await guesser.open()
    answers = [await guesser.code("boom boom boom boom boom") for _ in range(3)]
    assert answers[0][0] == 404 and "nieuwe melding" in answers[0][1]["message"]
    assert answers[-1][0] == 429 and answers[-1][1]["retry_after"] >= 1
    # Another child of the class is not slowed down by the guesser.
    friend = visitor()
    await friend.open()
    assert (await friend.code(secret))[0] == 200


async def test_thirty_pupils_behind_one_school_address_report_at_once(bot, visitor):
    tabs = [visitor() for _ in range(30)]
    codes = await asyncio.gather(
        *(tab.report(f"Melding nummer {n}.") for n, tab in enumerate(tabs))
    )
    assert len(set(codes)) == 30


async def test_the_page_and_the_api_send_the_safety_headers(bot, http):
    async with http.get(bot.web_url + "/") as page:
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "camera=()" in page.headers["Permissions-Policy"]
        assert "Set-Cookie" not in page.headers
    async with http.post(bot.web_url + "/api/session", json={"lang": "nl"}) as session:
        assert session.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in session.headers


async def test_the_report_itself_shows_again_only_when_asked(bot, visitor):
    tab = visitor()
    code = await tab.report("Ze noemen me steeds een rare naam.")
    listed = "\n".join(m["text"] for m in await tab.press("my_reports"))
    assert code in listed and "rare naam" not in listed
    again = "\n".join(m["text"] for m in await tab.press("show_report", code))
    assert code in again and "Ze noemen me steeds een rare naam." in again


async def test_the_web_offers_a_secret_code_and_no_phone_settings(bot, visitor, person):
    tab = visitor()
    await tab.report("Ze lachen me uit.")
    offered = [b["data"].split(":")[1] for m in tab.messages[-2:] for r in m["buttons"] for b in r]
    assert "secret_code" in offered and "delivery" not in offered
    # On Telegram the answer comes in the chat: no code is offered, and a forged press says so.
    pupil = person(9001)
    await pupil.start("pupil")
    said = "\n".join(await pupil.press_data("*:secret_code"))
    assert "geen code nodig" in said
