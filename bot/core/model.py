"""Value types that cross the boundaries between channels, service and engine.

Nothing here knows about Telegram or the database: channels build `Inbound` values, the
engine turns them into `Step`s, and the service hands `Outbound` messages back to channels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

InboundKind = Literal["command", "button", "text", "photo", "edited", "unsupported"]
# How a user sent an image: as a photo, or "as a file" (an uncompressed screenshot, a GIF, HEIC).
# A channel can send it again only the same way: Telegram refuses a file's id in sendPhoto.
MediaKind = Literal["photo", "document"]
# `Outbound.photo` of a file the bot makes as it sends it (the figures as a document): this
# prefix and a token saying what to make, never the file (an Outbound may be kept in the outbox
# as JSON). The channel asks the conversation for it (`Conversation.document`). No file id a
# user's photo brings can start so: Telegram's hold no colon, the web's start "web-".
MADE_FILE = "made:"
# Buttons that answer with a made file: a channel that cannot send one leaves them out
# (`ChannelTraits.without`).
FILE_BUTTONS = frozenset({"figures_pdf", "figures_csv"})

# A button's callback data: "<state>:<trigger>[:<arg>]". A state of "*" marks a button that is
# valid in any state (help, open a case from a notification).
ANY_STATE = "*"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who sent an update. `user_id` is the channel's own id for them, never stored in clear.

    Ids are strings whatever the channel uses: Telegram's numbers read as their digits, so
    pseudonyms made from them (HMAC of "telegram:<digits>") are the same as before.
    """

    channel: str
    user_id: str
    chat_id: str
    language_code: str | None = None
    role: str | None = None  # a role the channel vouches for (the local terminal only)
    school: str | None = None  # a school's slug the channel vouches for (its own web address)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one message may hold on a channel (Telegram's limits are the defaults)."""

    text: int = 4096  # characters in a message
    caption: int = 1024  # characters under a photo
    # Columns on a line of a fixed-width message (tables of figures): a phone shows 32 to 35 of
    # a Telegram `pre` block, and of the web chat's <pre>, before it wraps and breaks a table.
    monospace_width: int = 32


@dataclass(frozen=True, slots=True)
class ChannelTraits:
    """What the conversation must know of a channel: its name, limits and honesty note."""

    name: str
    limits: Limits
    # Msgids by flow ("*": every other flow): who else can see that someone chats with the bot
    # here, said where a flow explains itself (its {channel_note} placeholder).
    notes: Mapping[str, str]
    # The msgids /privacy says: what is kept and who can see it ({days}: the retention).
    privacy: tuple[str, ...]
    # The channel forgets who a user is when they leave (a browser tab): a reporter who wants
    # the school's answer gets a secret code to come back with (bot/chat/secret_code.py).
    return_codes: bool = False
    # Buttons (trigger ids) this channel leaves out because what they offer is not true there
    # (e.g. "messages arrive without sound" where nothing arrives once the tab is closed).
    without: frozenset[str] = frozenset()

    def note_for(self, flow: str) -> str:
        return self.notes.get(flow, self.notes["*"])


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a user did: a command, a button press, a text, a photo or something else."""

    kind: InboundKind
    trigger: str | None = None
    arg: str | None = None
    shown_in: str | None = None  # the state a pressed button was shown in
    text: str | None = None
    file_id: str | None = None
    file_size: int | None = None
    delivery: str | None = None  # the channel's id for this update, to handle it only once
    file_kind: MediaKind = "photo"  # how `file_id` was sent (a photo with a caption: `text`)
    album: str | None = None  # photos sent at once share it (Telegram's media group)


@dataclass(frozen=True, slots=True)
class Media:
    """An image a user sent: the channel's id for it, and whether it came as a photo or a file.

    In a report's answers it is one string (`token`): a photo is its bare id, as in every report
    stored before kinds were kept, and a file "document:<id>" (channels' file ids hold no colon).
    """

    file_id: str
    kind: MediaKind = "photo"

    @property
    def token(self) -> str:
        return self.file_id if self.kind == "photo" else f"{self.kind}:{self.file_id}"

    @classmethod
    def from_token(cls, token: str) -> Media:
        kind, colon, file_id = token.partition(":")
        return cls(file_id, "document") if colon and kind == "document" else cls(token)


@dataclass(frozen=True, slots=True)
class Text:
    """A msgid with its placeholders; params may themselves be `Text` (translated in turn)."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Grid:
    """Rows of cells that line up in columns once translated: a placeholder's value in a `Text`
    of a monospace screen. Widths can only be known in the reader's language, so the renderer
    lays it out, to fit the channel's `Limits.monospace_width` (bot/core/fixedwidth.py). A
    column of numbers is right-aligned; None is an empty cell."""

    rows: tuple[tuple[str | int | float | Text | None, ...], ...]
    header: bool = True  # the first row names the columns: a line goes under it


class Refused(Exception):
    """A request that cannot be done; the session goes back to where it was and `text` is shown."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


def lines(texts: list[Text]) -> Text:
    """Several texts as one paragraph, one per line (each still translated on its own)."""
    template = "\n".join(f"{{line{n}}}" for n in range(len(texts)))
    return Text(template, {f"line{n}": text for n, text in enumerate(texts)})


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: a label plus the trigger id (and optional argument) it fires."""

    label: Text
    trigger: str
    arg: str | None = None
    state: str = ANY_STATE

    @property
    def data(self) -> str:
        parts = [self.state, self.trigger] + ([self.arg] if self.arg else [])
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Screen:
    """Untranslated message: paragraphs of text, buttons in rows, an optional photo."""

    texts: tuple[Text, ...]
    rows: tuple[tuple[Choice, ...], ...] = ()
    photo: str | None = None  # a channel file id to send with the first text as caption
    asks: bool = False  # a question whose buttons are the answers: the state's screen waits
    quiet: bool = False  # delivered without sound or vibration (the reporter asked for that)
    photo_kind: MediaKind = "photo"  # how `photo` was sent to the bot: it goes out the same way
    # Said in its place when the channel cannot send `photo` (one line; the rest goes on).
    unsent: Text | None = None
    # Here the channel shows a new secret code to write down (only channels with return_codes).
    secret: bool = False
    # The whole message in a fixed-width font, so that a `Grid` in it lines up (figures).
    monospace: bool = False


@dataclass(frozen=True, slots=True)
class Outbound:
    """A translated message ready for a channel: text, buttons as (label, data) rows."""

    text: str
    rows: tuple[tuple[tuple[str, str], ...], ...] = ()
    photo: str | None = None
    # Arrives without sound or vibration; a channel that cannot do that ignores it.
    quiet: bool = False
    photo_kind: MediaKind = "photo"
    unsent: str | None = None  # sent instead when the channel refuses the photo
    secret: bool = False  # the channel makes a new secret code and shows it here (Screen.secret)
    monospace: bool = False  # shown in a fixed-width font as a whole (Screen.monospace)


@dataclass(frozen=True, slots=True)
class Effect:
    """Work a transition asks the service to do inside the update's transaction."""

    name: str
    arg: str | None = None


def parse_button_data(data: str) -> Inbound | None:
    """Turn callback data back into an `Inbound`; None when it is not ours at all."""
    parts = data.split(":", 2)
    if len(parts) < 2 or not all(parts[:2]):
        return None
    arg = parts[2] if len(parts) == 3 else None
    return Inbound(kind="button", trigger=parts[1], arg=arg, shown_in=parts[0])
