"""A visitor of the web chat over real HTTP, as the page talks to the server (no browser).

Presses buttons by trigger id, as `Person` does on Telegram: the page's own JavaScript is tested
in a real browser (tests/web/test_browser_*.py); this drives the API for everything else.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import aiohttp

from support.walks import CASE_CODE, REPORT_PATH

Message = dict[str, Any]
_ids = itertools.count(1)


def client_id() -> str:
    return f"client-{next(_ids):08d}"


class Visitor:
    def __init__(
        self, base: str, http: aiohttp.ClientSession, lang: str = "nl", school: str | None = None
    ) -> None:
        self.base = base
        self.http = http
        self.lang = lang
        self.school = school  # the slug of the school page (/s/<slug>/) this tab is on
        self.token = ""
        self.messages: list[Message] = []  # everything shown, in order, without repeats

    @property
    def headers(self) -> dict[str, str]:
        # What a browser sends by itself on a same-origin fetch.
        return {"Origin": self.base, "Sec-Fetch-Site": "same-origin", "X-Session": self.token}

    async def open(self) -> list[Message]:
        """A new tab: a session, then the start."""
        asked = {"lang": self.lang, **({"school": self.school} if self.school else {})}
        status, body = await self.post("/api/session", asked, token=False)
        assert status == 201, body
        self.token = body["token"]
        return await self.turn({"start": True})

    async def post(
        self, path: str, body: Any, *, token: bool = True, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        sent = {**self.headers, "Content-Type": "application/json", **(headers or {})}
        if not token:
            sent.pop("X-Session")
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        async with self.http.post(self.base + path, data=data, headers=sent) as response:
            return response.status, await response.json()

    async def turn(self, body: dict[str, Any], *, client: str | None = None) -> list[Message]:
        status, answer = await self.post("/api/turn", {"id": client or client_id(), **body})
        assert status == 200, answer
        return self._shown(answer["messages"])

    async def say(self, text: str) -> list[Message]:
        return await self.turn({"text": text})

    def button(self, trigger: str, arg: str | None = None) -> dict[str, str]:
        """The newest button that fires `trigger` (and `arg`)."""
        for message in reversed(self.messages):
            for row in message.get("buttons") or []:
                for button in row:
                    parts = button["data"].split(":", 2)
                    if parts[1] == trigger and (arg is None or parts[2:] == [arg]):
                        return button
        raise AssertionError(f"no button {trigger!r} on screen: {self.texts()[-3:]}")

    async def press(self, trigger: str, arg: str | None = None) -> list[Message]:
        button = self.button(trigger, arg)
        return await self.turn({"button": button["data"], "label": button["label"]})

    async def walk(self, *triggers: str) -> list[Message]:
        said: list[Message] = []
        for trigger in triggers:
            said = await self.press(trigger)
        return said

    async def photo(self, data: bytes) -> tuple[int, Any]:
        headers = {**self.headers, "Content-Type": "image/jpeg", "X-Client-Id": client_id()}
        async with self.http.post(self.base + "/api/photo", data=data, headers=headers) as r:
            body = await r.json()
        if r.status == 200:
            self._shown(body["messages"])
        return r.status, body

    async def code(self, code: str) -> tuple[int, Any]:
        status, body = await self.post("/api/code", {"id": client_id(), "code": code})
        if status == 200:
            # The tab now shows the code's conversation, numbered on its own: as the page does,
            # the transcript starts again.
            self.messages = []
            self._shown(body["messages"])
        return status, body

    async def catch_up(self) -> list[Message]:
        after = max((m["seq"] for m in self.messages), default=0)
        url = f"{self.base}/api/events?after={after}&wait=0"
        async with self.http.get(url, headers=self.headers) as response:
            assert response.status == 200, await response.text()
            return self._shown((await response.json())["messages"])

    async def report(self, story: str) -> str:
        """A pupil's whole report in this new tab; the case code it was given."""
        await self.open()
        await self.press("pupil")
        await self.walk(*REPORT_PATH)
        await self.say(story)
        await self.walk("story_done", "no_photo", "anonymous")
        said = await self.press("send")
        codes = set(CASE_CODE.findall("\n".join(m["text"] for m in said)))
        assert len(codes) == 1, said
        return codes.pop()

    async def end(self) -> None:
        status, _ = await self.post("/api/end", {})
        assert status == 200

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m["from"] == "bot"]

    def secret(self) -> str:
        found = [m["secret"] for m in self.messages if m.get("secret")]
        assert found, "no secret code was shown"
        return found[-1]

    def _shown(self, messages: list[Message]) -> list[Message]:
        seen = {m["seq"] for m in self.messages}
        self.messages += [m for m in messages if m["seq"] not in seen]
        return messages
