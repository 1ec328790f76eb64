"""A secret code to come back with, on channels that forget who a user is (a browser tab).

On Telegram the school's answer comes in the same chat. A web chat forgets its visitor when the
tab closes, so a reporter who wants to read the answer later asks for a secret code. The chat
only says where the code goes (`Screen.secret`); the channel makes it, keeps its keyed hash and
shows it once (bot/channels/web/), so no code ever passes through the conversation's storage.
"""

from __future__ import annotations

from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Screen, Text

OFFER = N_(
    "Do you want to read later what the school writes back? On this website you need a secret "
    "code for that."
)
ASK = N_("🔑 Give me a secret code")
GIVEN = (
    N_(
        "This is your secret code. Write it down, or print it. Do not show it to anyone: with it, "
        "someone else could read your messages."
    ),
    N_(
        "Come back to this page later and tap 🔑 I have a secret code. Then you see what the "
        "school wrote."
    ),
    N_(
        "Lost your code? Then just make a new report. Ask again, and you get a new code: only the "
        "newest one works."
    ),
)
# Where to go from the code: labels the flows already give these buttons.
AFTER = (("📂 My reports", "my_reports"), ("🆘 Help now", "help"), ("🏠 Back to the start", "menu"))
NOT_NEEDED = N_("You do not need a code here: what the school writes back comes in this chat.")
NC_(
    "parent",
    "Do you want to read later what the school writes back? On this website you need a secret "
    "code for that.",
)
NC_("parent", "🔑 Give me a secret code")
NC_(
    "parent",
    "This is your secret code. Write it down, or print it. Do not show it to anyone: with it, "
    "someone else could read your messages.",
)
NC_(
    "parent",
    "Come back to this page later and tap 🔑 I have a secret code. Then you see what the "
    "school wrote.",
)
NC_(
    "parent",
    "Lost your code? Then just make a new report. Ask again, and you get a new code: only the "
    "newest one works.",
)
NC_("parent", "You do not need a code here: what the school writes back comes in this chat.")


def offer(turn: Turn) -> ViewPart:
    """The offer under a sent report and "My reports", where the channel needs codes."""
    if turn.channel is None or not turn.channel.return_codes:
        return ViewPart()
    return ViewPart(texts=[Text(OFFER)], rows=[(Choice(Text(ASK), "secret_code"),)])


def give_secret_code(turn: Turn, _arg: str | None) -> None:
    if turn.channel is None or not turn.channel.return_codes:
        turn.say(NOT_NEEDED)  # an old or forged button on a channel that keeps its chats
        return
    # The answer on its own (`asks`): the offer under it again would make another code.
    rows = tuple((Choice(Text(label), trigger),) for label, trigger in AFTER)
    turn.notices.append(Screen(tuple(Text(msgid) for msgid in GIVEN), rows, asks=True, secret=True))


EFFECTS = {"give_secret_code": give_secret_code}
