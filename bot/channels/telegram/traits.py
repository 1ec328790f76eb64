"""Telegram's limits, what it means for a user's privacy, and the webhook's address: what
the rest of the bot may know of Telegram without loading python-telegram-bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import N_, NC_
from bot.core.model import ChannelTraits, Limits

# /privacy: what is kept and who can see it, in words true for Telegram.
PRIVACY = (
    N_("🔒 What this bot keeps, and why"),
    N_(
        "What you tell the bot and your reports are stored by the school, locked with a key "
        "(encrypted). Instead of your Telegram account the bot keeps a code that only it can work "
        "out. To be able to answer you, it keeps your chat number, also locked."
    ),
    N_(
        "Who can read it: only the school's anti-bullying coordinators. They never see your "
        "Telegram name or account, unless you gave your name yourself."
    ),
    N_(
        "How long: a closed case is deleted after {days} days. Only counts stay (what kind of "
        "bullying, where, which month), without names or stories."
    ),
    N_(
        "Telegram itself also keeps this chat, like every chat. Want the bot to forget you? "
        "Send /vergeet. Questions? Ask your teacher or an anti-bullying coordinator."
    ),
)


# Parents read the same texts with "u" (dutch.md, section 2); the title needs no variant.
NC_(
    "parent",
    "What you tell the bot and your reports are stored by the school, locked with a key "
    "(encrypted). Instead of your Telegram account the bot keeps a code that only it can work "
    "out. To be able to answer you, it keeps your chat number, also locked.",
)
NC_(
    "parent",
    "Who can read it: only the school's anti-bullying coordinators. They never see your "
    "Telegram name or account, unless you gave your name yourself.",
)
NC_(
    "parent",
    "How long: a closed case is deleted after {days} days. Only counts stay (what kind of "
    "bullying, where, which month), without names or stories.",
)
NC_(
    "parent",
    "Telegram itself also keeps this chat, like every chat. Want the bot to forget you? "
    "Send /vergeet. Questions? Ask your teacher or an anti-bullying coordinator.",
)

TELEGRAM = ChannelTraits(
    name="telegram",
    limits=Limits(text=4096, caption=1024),
    notes={
        "welcome": N_(
            "The school does not see who you are, unless you want to tell them. Good to know: "
            "this chat runs over Telegram, and Telegram does know your account."
        ),
        "*": N_(
            "Good to know: this chat runs over Telegram. Telegram does know that you chat with me."
        ),
    },
    privacy=PRIVACY,
)
NC_(
    "parent",
    "Good to know: this chat runs over Telegram. Telegram does know that you chat with me.",
)


@dataclass(frozen=True)
class Webhook:
    """Take the updates Telegram posts to `url` instead of asking for them.

    They arrive on the process's one HTTP server (bot/channels/http.py), at the path of `url`,
    on the port the web chat uses; TLS belongs to a reverse proxy in front. The channel calls
    setWebhook with `secret_token`; Telegram sends it back in the X-Telegram-Bot-Api-Secret-Token
    header, and a request that lacks it is answered 403 without its update being read.
    """

    url: str
    secret_token: str
