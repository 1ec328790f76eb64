"""What the web chat means for a user's privacy, in words true for a browser tab on the
school's own server (not Telegram), and what it leaves out."""

from __future__ import annotations

from bot.core import replies
from bot.core.i18n import N_, NC_
from bot.core.model import FILE_BUTTONS, ChannelTraits, Limits

PRIVACY = (
    *replies.PRIVACY_ON_OUR_COMPUTER,
    N_(
        "When you close this page, nothing of this chat stays on the computer. Want me to "
        "forget you? Type /vergeet. Questions? Ask your teacher or an anti-bullying coordinator."
    ),
)
NC_(
    "parent",
    "When you close this page, nothing of this chat stays on the computer. Want me to "
    "forget you? Type /vergeet. Questions? Ask your teacher or an anti-bullying coordinator.",
)
NC_(
    "parent",
    "Good to know: this chat ends when you close this page. On a shared computer, tap "
    "✅ Done when you are finished.",
)

WEB = ChannelTraits(
    name="web",
    # A browser shows any length; these keep one message readable on a phone.
    limits=Limits(text=4096, caption=1024),
    notes={
        "welcome": N_(
            "I do not know who you are, unless you tell me. But nobody is completely invisible "
            "on the internet. This chat runs on the school's own computer, not on Telegram."
        ),
        "*": N_(
            "Good to know: this chat ends when you close this page. On a shared computer, tap "
            "✅ Done when you are finished."
        ),
    },
    privacy=PRIVACY,
    return_codes=True,
    # Sound and delivery hours are for a phone's notifications; a web page has none. Nor does
    # it send files (the figures, should a coordinator ever chat here).
    without=frozenset({"delivery"}) | FILE_BUTTONS,
)
