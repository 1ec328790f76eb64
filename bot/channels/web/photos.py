"""Photos uploaded on the web chat, made safe to keep and to pass on to coordinators.

A child's phone photo can say where it was taken (EXIF GPS), with which phone, and more (XMP,
IPTC, comments, text chunks, an ICC profile's description). `clean_photo` keeps none of it: it
decodes the pixels and builds a new image from them alone, then encodes that afresh. Whatever a
file's name or claimed type says, only its first bytes decide what it is (JPEG, PNG or WebP).

Decoding untrusted bytes is the risky part, so the pixel count is checked from the header
before anything is decoded (Image.open only reads the header), and every decoder failure is a
refusal, never a crash. This is CPU work without I/O: callers run it off the event loop.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageCms, ImageOps

RefusalReason = Literal["too_big", "not_image", "too_many_pixels", "broken"]
MB = 1024 * 1024

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_QUALITY = 85  # small files, and the text of a screenshot sent as JPEG stays readable
ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = 10 * MB  # the page says the same (data-max-photo)
    # Phones save 12-24 MP photos by default; decoding takes up to 4 bytes a pixel, so 160 MB
    # at this limit (Pillow's own guard, Image.MAX_IMAGE_PIXELS, is 89 MP).
    max_pixels: int = 40_000_000
    # The longest side kept: a phone screenshot (1080 x 2400, 1290 x 2796) stays full size or
    # nearly, so its text stays readable; a larger photo is scaled down.
    max_side: int = 2560


DEFAULT_LIMITS = PhotoLimits()


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    mime: Literal["image/jpeg", "image/png"]
    width: int
    height: int


class PhotoRefused(Exception):
    """An upload that is not a photo we take; `reason` names why (never the file's content)."""

    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason)
        self.reason: RefusalReason = reason


def sniff(data: bytes) -> Literal["JPEG", "PNG", "WEBP"] | None:
    """The image format by the file's magic numbers alone; None when it is none we take."""
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    if data.startswith(PNG_MAGIC):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean_photo(data: bytes, limits: PhotoLimits = DEFAULT_LIMITS) -> CleanPhoto:
    """The photo in `data` re-encoded from its pixels alone, upright, at most `max_side` long:
    a JPEG, or a PNG for a PNG (screenshots stay sharp) and for anything with transparency.
    An animation gives its first frame.

    Raises PhotoRefused: "too_big" (checked before anything else), "not_image" (not JPEG, PNG
    or WebP by its bytes), "too_many_pixels" (by the header, before decoding) or "broken".
    """
    if len(data) > limits.max_bytes:
        raise PhotoRefused("too_big")
    kind = sniff(data)
    if kind is None:
        raise PhotoRefused("not_image")
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size  # from the header: nothing is decoded yet
            if width * height > limits.max_pixels:
                raise PhotoRefused("too_many_pixels")
            picture = _pixels(image, kind, limits.max_side)
        as_png = kind == "PNG" or picture.mode in ALPHA_MODES
        return _encode(picture, limits.max_bytes, as_png=as_png)
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard spoke first, in Image.open: its error from twice MAX_IMAGE_PIXELS
        # (its warning above that only where warnings are errors).
        raise PhotoRefused("too_many_pixels") from None
    except Exception:
        # Pillow's decoders answer hostile or cut-off bytes with many error types (OSError,
        # SyntaxError, ValueError, struct.error ...): each means the same to a visitor.
        raise PhotoRefused("broken") from None


def _pixels(image: Image.Image, kind: str, max_side: int) -> Image.Image:
    """A new image holding only `image`'s pixels: upright, sRGB, small enough, no metadata."""
    if kind == "JPEG" and max(image.size) > max_side:
        image.draft(None, (max_side, max_side))  # decodes at 1/2, 1/4 ... scale: less memory
    icc = image.info.get("icc_profile")
    image.load()  # the first frame of an animation
    # The orientation first, so the picture is the right way up once the tag is gone.
    picture = _plain_mode(_to_srgb(_upright(image), icc))
    if max(picture.size) > max_side:
        if picture.mode == "P":  # scaled, a palette image keeps nearest pixels: ragged text
            picture = picture.convert("RGB")
        picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    fresh = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    if picture.mode == "P":
        fresh.putpalette(picture.getpalette() or [])  # its colours; no other chunk comes along
    return fresh


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        # An unreadable EXIF block says nothing reliable about orientation: keep it as stored.
        return image


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Colours as the profile meant them, in sRGB (the profile itself is dropped: it can carry
    text, and an image without one is read as sRGB)."""
    modes = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB"}
    if not icc or image.mode not in modes:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        # A profile of its own per call: uploads are cleaned in several threads at once, and
        # littleCMS does not promise that one profile can be read from two at the same time.
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=modes[image.mode])
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: the colours as stored are close enough
    return converted or image


def _plain_mode(image: Image.Image) -> Image.Image:
    """One of L, RGB, P (no transparency), LA or RGBA: the modes both encoders take as is."""
    mode = image.mode
    if mode in ("RGB", "L", "RGBA", "LA", "P") and "transparency" not in image.info:
        return image
    if "transparency" in image.info or mode in ALPHA_MODES:
        return image.convert("RGBA")
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I;16"):
        # 16-bit grey: Pillow's convert clips at 255 (all white), so scale it instead.
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    return image.convert("RGB")  # CMYK without a profile, YCbCr, I, F ...


def _encode(picture: Image.Image, max_bytes: int, *, as_png: bool) -> CleanPhoto:
    """PNG when asked, unless that comes out larger than an upload may be (a photo with
    transparency from a WebP, a noisy picture): then a JPEG, which Telegram also takes."""
    if as_png:
        out = io.BytesIO()
        picture.save(out, "PNG", compress_level=6)
        if out.tell() <= max_bytes:
            return CleanPhoto(out.getvalue(), "image/png", picture.width, picture.height)
    out = io.BytesIO()
    _opaque(picture).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), "image/jpeg", picture.width, picture.height)


def _opaque(picture: Image.Image) -> Image.Image:
    """RGB or L for JPEG; transparent parts become white, as a chat app shows them."""
    if picture.mode in ("RGB", "L"):
        return picture
    if picture.mode in ("RGBA", "LA"):
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture.convert("RGBA"), mask=picture.getchannel("A"))
        return background
    return picture.convert("RGB")
