"""What a queued outbox payload says to a coordinator."""

from __future__ import annotations

from typing import Any

from bot.answers import case_label
from bot.i18n import N_
from bot.model import Choice, Screen, Text
from bot.turn import Stores


def notification_screen(stores: Stores, payload: dict[str, Any]) -> Screen:
    code = payload["code"]
    if payload["event"] == "new_report":
        text = Text(
            N_("🔔 New report {case}\nWhat: {kind}\nReceived: {when}"),
            {
                "case": code,
                "kind": case_label("kind", payload["kind"]),
                "when": stores.local_time(payload["at"]),
            },
        )
    else:
        raise ValueError(f"unknown outbox event {payload['event']!r}")
    return Screen((text,), rows=((Choice(Text(N_("Open {case}"), {"case": code}), "open", code),),))
