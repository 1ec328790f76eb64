"""The command menus Telegram clients show: one per language, and one more for coordinators."""

from __future__ import annotations

from bot.core.i18n import N_

# The command menu each language's users see in their Telegram client.
MENU = {
    "nl": [
        ("start", N_("Start again")),
        ("hulp", N_("Help right now")),
        ("taal", N_("Choose your language")),
        ("stop", N_("Stop what you are doing")),
        ("privacy", N_("What the bot keeps about you")),
        ("vergeet", N_("Let the bot forget you")),
    ],
    "en": [
        ("start", N_("Start again")),
        ("help", N_("Help right now")),
        ("language", N_("Choose your language")),
        ("stop", N_("Stop what you are doing")),
        ("privacy", N_("What the bot keeps about you")),
        ("forget", N_("Let the bot forget you")),
    ],
}

# Coordinators get the queue and the figures on top, in their own chats only.
COORDINATOR_MENU = {
    "nl": [("wachtrij", N_("Open cases")), ("cijfers", N_("This week's figures")), *MENU["nl"]],
    "en": [("queue", N_("Open cases")), ("figures", N_("This week's figures")), *MENU["en"]],
}
