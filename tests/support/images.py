"""Images as web visitors upload them, made with Pillow (all synthetic): a phone photo carrying
everything that gives a child away (EXIF with GPS, make and model, XMP, a comment), a screenshot
with text chunks, a WebP, plus hostile or broken files (a decompression bomb's header, a page of
HTML named .jpg, a cut-off JPEG).

The pictures are halves of two flat colours, so a test can tell the picture survived (and which
way up it is) from the average colour of each half.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw
from PIL.ExifTags import GPS, IFD, Base
from PIL.PngImagePlugin import PngInfo

RED = (220, 30, 30)
BLUE = (30, 40, 210)
# Things a photo must never carry past clean_photo; each is findable in the raw bytes.
MAKE, MODEL = "Schoolphone", "Speurder 9"
COMMENT = b"made-at-the-schoolyard"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf'
    b'-syntax-ns#"><rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
    b'photoshop:City="Speurdorp"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
PNG_TEXTS = {"Author": "secret-author", "Location": "secret-location", "Comment": "secret-note"}
SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def halves(size: tuple[int, int] = (64, 32), mode: str = "RGB") -> Image.Image:
    """Left half RED, right half BLUE."""
    width, height = size
    image = Image.new("RGB", size, RED)
    ImageDraw.Draw(image).rectangle((width // 2, 0, width, height), fill=BLUE)
    if mode == "P":  # exactly the two colours, as a screenshot's palette has them
        return image.quantize(colors=2)
    return image.convert(mode)


def _exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[Base.Make] = MAKE
    exif[Base.Model] = MODEL
    exif[Base.ImageDescription] = "secret-description"
    if orientation is not None:
        exif[Base.Orientation] = orientation
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N",
        GPS.GPSLatitude: (52.0, 5.0, 30.5),
        GPS.GPSLongitudeRef: "E",
        GPS.GPSLongitude: (4.0, 18.0, 12.25),
    }
    return exif


def phone_jpeg(
    size: tuple[int, int] = (64, 32), orientation: int | None = None, *, icc: bool = True
) -> bytes:
    """A JPEG as a phone writes it: EXIF (make, model, GPS latitude/longitude), XMP, a comment,
    an ICC profile (unless `icc` is False)."""
    out = io.BytesIO()
    profile = {"icc_profile": SRGB_PROFILE} if icc else {}
    halves(size).save(
        out, "JPEG", quality=95, exif=_exif(orientation), xmp=XMP, comment=COMMENT, **profile
    )
    return out.getvalue()


def screenshot_png(size: tuple[int, int] = (64, 32), mode: str = "RGB") -> bytes:
    """A PNG with tEXt, zTXt and iTXt chunks, an eXIf chunk and an ICC profile (iCCP)."""
    info = PngInfo()
    info.add_text("Author", PNG_TEXTS["Author"])
    info.add_text("Location", PNG_TEXTS["Location"], zip=True)  # zTXt
    info.add_itxt("Comment", PNG_TEXTS["Comment"], lang="nl", tkey="Opmerking")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    halves(size, mode).save(out, "PNG", pnginfo=info, exif=_exif(), icc_profile=SRGB_PROFILE)
    return out.getvalue()


def webp(size: tuple[int, int] = (64, 32), mode: str = "RGB") -> bytes:
    """A WebP with EXIF and XMP chunks."""
    out = io.BytesIO()
    halves(size, mode).save(out, "WEBP", quality=95, exif=_exif(), xmp=XMP)
    return out.getvalue()


def animated(kind: str, size: tuple[int, int] = (64, 32)) -> bytes:
    """Three frames (halves, then all blue, then all red) as an animated PNG or WebP."""
    frames = [halves(size), Image.new("RGB", size, BLUE), Image.new("RGB", size, RED)]
    out = io.BytesIO()
    frames[0].save(out, kind, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG's start claiming `width` x `height` (8-bit RGB): a decompression bomb's
    header in a few dozen bytes; decoding it would ask for width*height*3 bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """The first part of a file, as a dropped upload leaves it."""
    return data[: int(len(data) * keep)]


def jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments up to its image data (0xE0 is APP0, 0xE1 APP1
    where EXIF and XMP live, 0xED APP13 for IPTC, 0xE2 ICC, 0xFE a comment)."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF, "not at a marker"
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def average(data: bytes, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    """The mean RGB colour of part of an encoded image; `box` in fractions of its size."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    width, height = image.size
    left, top, right, bottom = box
    part = image.crop(
        (int(left * width), int(top * height), int(right * width), int(bottom * height))
    )
    pixels = list(part.get_flattened_data())
    return tuple(sum(channel) / len(pixels) for channel in zip(*pixels, strict=True))


def close(colour: tuple[float, ...], expected: tuple[int, ...], within: float = 12) -> bool:
    return all(abs(a - b) <= within for a, b in zip(colour, expected, strict=True))


def png_empty_ihdr() -> bytes:
    """A PNG whose header chunk is empty (Pillow: ValueError, not OSError)."""
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", b"") + _chunk(b"IEND", b"")


def png_broken_chunk(size: tuple[int, int] = (64, 32)) -> bytes:
    """A PNG whose image data is interrupted by a chunk with no valid type: found only while
    decoding (Pillow: SyntaxError)."""
    width, height = size
    rows = b"".join(b"\x00" + bytes(RED) * width for _ in range(height))
    data = zlib.compress(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", data[: len(data) // 2])
        + _chunk(b"\x10\xc00\xe0", b"")
        + _chunk(b"IDAT", data[len(data) // 2 :])
        + _chunk(b"IEND", b"")
    )
