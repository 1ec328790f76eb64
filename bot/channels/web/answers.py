"""What the web API says when it cannot do what a page asked: always kind, always with a way
forward (help right now, a grown-up, or simply trying again)."""

from __future__ import annotations

from bot.core.i18n import N_

HELP_HINT = N_("Need help right now? Tap 🆘 Help now, or call De Kindertelefoon: 0800-0432 (free).")
GONE = N_(
    "This chat was closed because nobody used it for a while, to keep it safe. We start again."
)
REQUEST = N_("Something went wrong with that message. Please try again.")
TOO_LONG = N_(
    "That message is too long for me. Can you send it in a few smaller parts? Your text is "
    "still there."
)
SLOW = N_("You are going very fast. Wait a moment, then try again.")
NO_CODE = N_(
    "I do not know that code. Check the words, or ask a grown-up to help you. Lost your code? "
    "Then you can just make a new report."
)
CODE_SLOW = N_("Wait a moment before you try a code again.")
PHOTO_TOO_BIG = N_("That photo is too big for me. Can you send a smaller one, or a screenshot?")
NOT_A_PHOTO = N_("I can only take photos (JPEG, PNG or WebP). Can you try another one?")
PHOTO_CLEANED = N_("We removed where your photo was taken. Nobody can see that now.")
ELSEWHERE = N_("This page cannot be used from another website. Open the chat itself.")
BUSY = N_("I am very busy right now. Try again in a moment.")
