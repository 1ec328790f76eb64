"""The kind answers to input that could not be used where it was sent, and to danger.

Whatever someone sends, the answer gives a way forward: what was typed is kept (the engine keeps
it under TYPED), "tell the school" puts it into a report, help is one tap away, and the question
is asked again. One English msgid serves every reader; its `NC_` variants give parents "u"
(audience = the conversation's flow, see Renderer.text).
"""

from __future__ import annotations

from bot.core.engine import CAPTION_SAID, CONFIRMED, Step
from bot.core.flowspec import Flow, State
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Screen, Text
from bot.core.ratelimit import Tally

TELL_SCHOOL = "tell_school"  # the flows' global trigger that starts a report with what was typed
HELP = "help"
GO_ON = "go_on"  # the flows' global that does nothing: "No, go on" re-shows the question

STALE = N_("That button does not work anymore. Choose again below. 👇")
UNKNOWN_COMMAND = N_("I do not know that. Choose a button below. 👇")

KEPT_TEXT = N_("I have kept what you typed. ✅")
NC_("parent", "I have kept what you typed. ✅")
NC_("welcome", "I have kept what you typed. ✅")
KEPT_PHOTO = N_("I have kept your photo. ✅")
NC_("parent", "I have kept your photo. ✅")
NOT_KEPT = N_("This is more than I can keep. I did not keep this message.")
NC_("parent", "I have added your text to your story. ✅")  # a caption (CAPTION_SAID)
TOO_LONG = N_("That is too long for here. I have kept it apart. ✅")
NC_("parent", "That is too long for here. I have kept it apart. ✅")
EDITED = N_("You changed a message. I only have what you sent first.")
NC_("parent", "You changed a message. I only have what you sent first.")
EDITED_KEPT = N_("Your new text I have kept apart. ✅")
NC_("parent", "Your new text I have kept apart. ✅")
UNSUPPORTED = N_("I cannot read this. I can only read text, photos and buttons.")
UNSUPPORTED_HINT = N_("Can you not type well yet? Ask someone you trust to help you.")
NC_("parent", "Can you not type well yet? Ask someone you trust to help you.")

OFFER_REPORT = N_("Do you want to tell the school? Then tap ✉️ Tell the school.")
NC_("parent", "Do you want to tell the school? Then tap ✉️ Tell the school.")
OFFER_DRAFT = N_("Do you want to add it to your report? Then tap ➕ Add it to my story.")
NC_("parent", "Do you want to add it to your report? Then tap ➕ Add it to my story.")
OFFER_ROLE = N_("First choose below who you are. Then you can tell the school.")
HELP_NOW = N_(
    "Do you need help right now? Tap 🆘 Help now. Or call De Kindertelefoon: 0800-0432. It is free."
)
NC_(
    "parent",
    "Do you need help right now? Tap 🆘 Help now. Or call De Kindertelefoon: 0800-0432. "
    "It is free.",
)
LABEL_REPORT = N_("✉️ Tell the school")
NC_("parent", "✉️ Tell the school")
LABEL_DRAFT = N_("➕ Add it to my story")
NC_("parent", "➕ Add it to my story")
LABEL_HELP = N_("🆘 Help now")

COORDINATOR_TEXT = N_(
    "I cannot use typed text here, and I did not keep it. To write something, first tap a "
    "button such as 📝 Add a note or ✉️ Message to the reporter."
)
STORY_FULL = N_("Your story is full: I cannot keep more. I did not keep this last message.")
NC_("parent", "Your story is full: I cannot keep more. I did not keep this last message.")
STORY_CLIPPED = N_(
    "Your story is full now. Of this last message I kept the start, up to: “{end}”. "
    "The rest I did not keep."
)
NC_(
    "parent",
    "Your story is full now. Of this last message I kept the start, up to: “{end}”. "
    "The rest I did not keep.",
)
STORY_FULL_NEXT = N_("Tap ✅ Done telling to go on. You can tell the rest to your teacher.")
NC_("parent", "Tap ✅ Done telling to go on. You can tell the rest to your teacher.")
TOO_MANY_PHOTOS = N_(
    "I cannot keep more photos. I did not keep this one. Tap a button to go on. 👇"
)
LEAVE_QUESTION = N_("Do you want to stop? What you typed will not be sent then.")
NC_("parent", "Do you want to stop? What you typed will not be sent then.")
LEAVE_YES = N_("🛑 Yes, stop")
LEAVE_NO = N_("▶️ No, go on")

CRISIS = (
    N_(
        "I am a computer program. What you write is important. Please talk about it with a "
        "person now:"
    ),
    N_("🆘 Are you in danger? Call 112."),
    N_(
        "💬 Do you think about not wanting to live anymore? Call 113 or 0800-0113, day and "
        "night. You can also chat at 113.nl."
    ),
    N_(
        "📞 Call De Kindertelefoon: 0800-0432. It is free, and you do not have to say your "
        "name. You can also chat at kindertelefoon.nl."
    ),
    N_("🏠 Not safe at home? Call Veilig Thuis: 0800-2000, day and night."),
    N_("You can also go to your teacher, or to another grown-up you trust."),
)
NC_(
    "parent",
    "I am a computer program. What you write is important. Please talk about it with a person now:",
)
NC_("parent", "🆘 Are you in danger? Call 112.")
NC_(
    "parent",
    "💬 Do you think about not wanting to live anymore? Call 113 or 0800-0113, day and "
    "night. You can also chat at 113.nl.",
)
NC_(
    "parent",
    "📞 Call De Kindertelefoon: 0800-0432. It is free, and you do not have to say your "
    "name. You can also chat at kindertelefoon.nl.",
)
NC_("parent", "🏠 Not safe at home? Call Veilig Thuis: 0800-2000, day and night.")
NC_("parent", "You can also go to your teacher, or to another grown-up you trust.")


PRIVATE_ONLY = N_(
    "I only talk in a private chat, so that nobody else reads along. Send me a private message. "
    "I am leaving this group now. 👋"
)
# A flood slows the answers, never what is kept (bot/core/ratelimit.py): the pause is half a
# minute (FloodGate.pause), and what was typed in it is stored as usual.
SLOW_DOWN = N_(
    "Whoa, that is a lot of messages at once! 🙂 I keep what you type, and your photos. But I "
    "will only answer again in half a minute. Until then, buttons and commands like /stop do "
    "nothing."
)
NC_(
    "parent",
    "Whoa, that is a lot of messages at once! 🙂 I keep what you type, and your photos. But I "
    "will only answer again in half a minute. Until then, buttons and commands like /stop do "
    "nothing.",
)
# Said once, with the first answer after the pause.
FLOOD_KEPT = N_("I have kept everything you sent while I waited. ✅")
NC_("parent", "I have kept everything you sent while I waited. ✅")
FLOOD_LOST = N_(
    "I could not keep everything you sent while I waited. Kept: {kept}. Not kept: {lost}."
)
NC_(
    "parent",
    "I could not keep everything you sent while I waited. Kept: {kept}. Not kept: {lost}.",
)
FLOOD_IGNORED = N_("Buttons and commands did nothing while I waited. They work again now.")
FAILED = N_(
    "Oops, something went wrong on my side. What you just sent did not arrive. Please try "
    "again in a moment. Does it keep going wrong? Then tell your teacher. Do you need help "
    "now? Call De Kindertelefoon: 0800-0432."
)


CARRIED = N_("What you typed is now part of your report. ✅")
NC_("parent", "What you typed is now part of your report. ✅")


def flood_screen(tally: Tally) -> Screen | None:
    """What became of a pause's updates, said once after it; None when nothing happened."""
    texts = []
    if tally.lost:
        texts.append(Text(FLOOD_LOST, {"kept": tally.kept, "lost": tally.lost}))
    elif tally.kept:
        texts.append(Text(FLOOD_KEPT))
    if tally.ignored:
        texts.append(Text(FLOOD_IGNORED))
    return Screen(tuple(texts)) if texts else None


def crisis_screen() -> Screen:
    return Screen(tuple(Text(msgid) for msgid in CRISIS))


def problem_screens(step: Step, flow: Flow, state: State) -> list[Screen]:
    """What is said about a problem; the question itself is shown after it unless it asks."""
    problem = step.problem
    if problem == "leaving_draft":
        return [_leave_question(step.trigger, state)]
    if problem == "stale":
        return [Screen((Text(STALE),))]
    if problem == "unknown_command":
        return [Screen((Text(UNKNOWN_COMMAND),))]
    # The text typed under a photo that could not be used: where it went.
    caption = [Text(CAPTION_SAID[step.caption])] if step.caption else []
    if problem == "too_many_photos":
        return [Screen((Text(TOO_MANY_PHOTOS), *caption))]
    if problem == "story_full":
        return [Screen((Text(STORY_FULL), Text(STORY_FULL_NEXT)))]
    if not flow.keep_typed:  # the coordinators' flow: nothing to report, nothing kept
        return [Screen((Text(COORDINATOR_TEXT),))]
    said = {
        "unexpected_text": [Text(KEPT_TEXT if step.kept else NOT_KEPT)],
        "too_long": [Text(TOO_LONG if step.kept else NOT_KEPT)],
        "unexpected_photo": [Text(KEPT_PHOTO if step.kept else NOT_KEPT), *caption],
        "edited": [Text(EDITED)] + ([Text(EDITED_KEPT)] if step.kept else []),
        "unsupported": [Text(UNSUPPORTED), Text(UNSUPPORTED_HINT)],
    }[problem or "unsupported"]
    return [_way_forward(said, flow, state)]


def clipped_screen(end: str) -> Screen:
    return Screen((Text(STORY_CLIPPED, {"end": end}), Text(STORY_FULL_NEXT)))


def _way_forward(said: list[Text], flow: Flow, state: State) -> Screen:
    """Help now, and a way to tell the school, with what was said first."""
    if flow.global_move(TELL_SCHOOL) is None:  # no role chosen yet: the role question follows
        return Screen(
            (*said, Text(OFFER_ROLE), Text(HELP_NOW)), ((Choice(Text(LABEL_HELP), HELP),),)
        )
    offer, label = (OFFER_DRAFT, LABEL_DRAFT) if state.draft else (OFFER_REPORT, LABEL_REPORT)
    rows = ((Choice(Text(label), TELL_SCHOOL),), (Choice(Text(LABEL_HELP), HELP),))
    return Screen((*said, Text(offer), Text(HELP_NOW)), rows)


def _leave_question(trigger: str, state: State) -> Screen:
    rows = (
        (Choice(Text(LEAVE_YES), trigger, CONFIRMED, state.name),),
        (Choice(Text(LEAVE_NO), GO_ON, None, state.name),),
    )
    return Screen((Text(LEAVE_QUESTION),), rows, asks=True)


# /privacy where the chat runs on the school's own computer (the web chat, the terminal): what is
# kept, who reads it, how long, when the school must act. Each channel adds its own last line.
PRIVACY_ON_OUR_COMPUTER = (
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
