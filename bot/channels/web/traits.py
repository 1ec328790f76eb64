"""What the web chat means for a user's privacy, in words true for a browser tab on the
school's own server (not Telegram), and what it leaves out."""

from __future__ import annotations

from bot.core.i18n import N_, NC_
from bot.core.model import ChannelTraits, Limits

PRIVACY = (
    N_("🔒 What this chat keeps, and why"),
    N_(
        "What you tell here and your reports are kept by the school, locked with a key. I do not "
        "keep your name, unless you give it yourself. I do not keep where you are or which "
        "computer you use."
    ),
    N_("Who can read it: only the school's anti-bullying coordinators."),
    N_(
        "How long: a closed case is deleted after {days} days. Only counts stay (what kind of "
        "bullying, where, which month), without names or stories."
    ),
    N_(
        "Is a child in danger? Then the school must do something, also without your name. The "
        "school will try to tell you first."
    ),
    N_(
        "When you close this page, nothing of this chat stays on the computer. Want me to "
        "forget you? Type /vergeet. Questions? Ask your teacher or an anti-bullying coordinator."
    ),
)
# Parents read the same texts with "u" (dutch.md, section 2); the title needs no variant.
NC_(
    "parent",
    "What you tell here and your reports are kept by the school, locked with a key. I do not "
    "keep your name, unless you give it yourself. I do not keep where you are or which "
    "computer you use.",
)
NC_(
    "parent",
    "Is a child in danger? Then the school must do something, also without your name. The "
    "school will try to tell you first.",
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
    # Sound and delivery hours are for a phone's notifications; a web page has none.
    without=frozenset({"delivery"}),
)
