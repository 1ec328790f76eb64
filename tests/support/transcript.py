"""Drive the service like the terminal does and write what happens as a readable transcript."""

from __future__ import annotations

import re

from bot.app import App
from bot.core.model import Identity, Inbound, parse_button_data

CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{2}\b")
DATE = re.compile(r"\b\d{2}-\d{2}-\d{4}( \d{2}:\d{2})?\b")


class Transcript:
    def __init__(self, app: App, who: Identity) -> None:
        self.app, self.who = app, who
        self.lines: list[str] = []
        self.buttons: list[str] = []

    def _run(self, shown: str, inbound: Inbound) -> None:
        self.lines.append(f">>> {shown}")
        self.buttons = []
        for out in self.app.service.handle(self.who, inbound):
            self.lines.append(out.text)
            for row in out.rows:
                for label, data in row:
                    self.buttons.append(data)
                    self.lines.append(f"    [{label}]  ({data})")
        self.lines.append("")

    def command(self, name: str) -> None:
        self._run(f"/{name}", Inbound(kind="command", trigger=name))

    def text(self, text: str) -> None:
        self._run(text, Inbound(kind="text", text=text))

    def press(self, trigger: str, arg: str | None = None) -> None:
        data = next(
            d
            for d in self.buttons
            if d.split(":")[1] == trigger and (arg is None or d.split(":")[2:] == [arg])
        )
        inbound = parse_button_data(data)
        assert inbound is not None
        self._run(f"[{data}]", inbound)

    def walk(self, *triggers: str) -> None:
        for trigger in triggers:
            self.press(trigger)

    def render(self) -> str:
        text = "\n".join(self.lines)
        return DATE.sub("DD-MM-YYYY", CODE.sub("XXXX-XX", text))
