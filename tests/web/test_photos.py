"""A photo uploaded on the web comes out as pixels only: nothing says where, when or with what
it was taken, and hostile or broken files are refused by name, never crash (design.md §5).
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile
from PIL.ExifTags import GPS, IFD
from support import images
from support.images import BLUE, RED, average, close

from bot.channels.web import photos
from bot.channels.web.photos import CleanPhoto, PhotoLimits, PhotoRefused, clean_photo

LEFT, RIGHT = (0.05, 0.1, 0.4, 0.9), (0.6, 0.1, 0.95, 0.9)
TOP, BOTTOM = (0.1, 0.05, 0.9, 0.4), (0.1, 0.6, 0.9, 0.95)
# What a phone photo carried that must not survive, as it appears in the raw bytes (GPS tags
# are numbers in the EXIF block: Pillow reads them in the test).
PHONE_TRACES = [
    b"Exif",
    images.MAKE.encode(),
    images.MODEL.encode(),
    b"secret-description",
    images.COMMENT,
    b"<x:xmpmeta",
    b"ns.adobe.com/xap",
    b"Speurdorp",
]
TRACES = [*PHONE_TRACES, b"GPS", *(text.encode() for text in images.PNG_TEXTS.values())]


def refused(data: bytes, limits: PhotoLimits = photos.DEFAULT_LIMITS) -> str:
    with pytest.raises(PhotoRefused) as caught:
        clean_photo(data, limits)
    return caught.value.reason


def opened(clean: CleanPhoto) -> Image.Image:
    image = Image.open(io.BytesIO(clean.data))
    assert image.size == (clean.width, clean.height)
    assert Image.MIME[image.format] == clean.mime
    return image


def assert_no_traces(data: bytes) -> None:
    for trace in TRACES:
        assert trace not in data, trace


@pytest.mark.parametrize("icc", [True, False])
def test_a_phone_photo_keeps_its_picture_and_nothing_else(icc):
    original = images.phone_jpeg((120, 60), icc=icc)
    carried = Image.open(io.BytesIO(original)).getexif()  # the maker really put them there
    assert carried.get_ifd(IFD.GPSInfo)[GPS.GPSLatitude] == (52.0, 5.0, 30.5)
    assert all(trace in original for trace in PHONE_TRACES)
    assert (b"ICC_PROFILE" in original) == icc

    clean = clean_photo(original)

    image = opened(clean)
    assert clean.mime == "image/jpeg" and image.size == (120, 60)
    assert not image.getexif() and not image.getexif().get_ifd(IFD.GPSInfo)
    assert "exif" not in image.info and "xmp" not in image.info
    assert "comment" not in image.info and "icc_profile" not in image.info
    assert images.jpeg_segments(clean.data)[0] == 0xE0  # JFIF
    assert not {0xE1, 0xE2, 0xED, 0xFE} & set(images.jpeg_segments(clean.data))
    assert_no_traces(clean.data)
    assert b"ICC_PROFILE" not in clean.data
    assert close(average(clean.data, LEFT), RED) and close(average(clean.data, RIGHT), BLUE)


@pytest.mark.parametrize(
    ("orientation", "size", "first", "second"),
    [
        (6, (32, 64), TOP, BOTTOM),  # turned a quarter clockwise: the left half is on top
        (8, (32, 64), BOTTOM, TOP),  # a quarter anticlockwise: the left half at the bottom
        (3, (64, 32), RIGHT, LEFT),  # upside down
    ],
)
def test_a_turned_photo_comes_out_the_right_way_up(orientation, size, first, second):
    clean = clean_photo(images.phone_jpeg((64, 32), orientation=orientation))

    image = opened(clean)
    assert image.size == size
    assert not image.getexif()  # no orientation tag left to turn it a second time
    assert close(average(clean.data, first), RED) and close(average(clean.data, second), BLUE)


def test_a_screenshot_stays_a_png_without_its_text_chunks():
    original = images.screenshot_png((100, 40))
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"):
        assert chunk in original

    clean = clean_photo(original)

    assert clean.mime == "image/png"
    assert images.png_chunks(clean.data) == [b"IHDR", b"IDAT", b"IEND"]
    assert_no_traces(clean.data)
    image = opened(clean)
    assert not image.getexif() and not getattr(image, "text", {})
    # Lossless in, lossless out: a screenshot's text stays sharp.
    assert image.convert("RGB").tobytes() == images.halves((100, 40)).tobytes()


def test_a_paletted_screenshot_stays_paletted():
    original = images.screenshot_png((100, 40), mode="P")

    assert b"iCCP" in original

    clean = clean_photo(original)

    assert clean.mime == "image/png" and opened(clean).mode == "P"
    assert images.png_chunks(clean.data) == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    assert_no_traces(clean.data)
    assert close(average(clean.data, LEFT), RED, within=2)


def test_a_webp_is_taken_and_cleaned():
    original = images.webp((80, 40))
    assert b"EXIF" in original and b"XMP " in original

    clean = clean_photo(original)

    assert clean.mime == "image/jpeg" and (clean.width, clean.height) == (80, 40)
    assert_no_traces(clean.data)
    assert close(average(clean.data, LEFT), RED) and close(average(clean.data, RIGHT), BLUE)


def test_transparency_stays_in_a_png():
    picture = images.halves((40, 20), "RGBA")
    picture.paste((0, 0, 0, 0), (0, 0, 10, 20))  # a see-through strip on the left
    for kind, options in [("WEBP", {"lossless": True}), ("PNG", {})]:
        clean = clean_photo(images.encoded(picture, kind, **options))

        image = opened(clean)
        assert clean.mime == "image/png" and image.mode == "RGBA"
        assert image.getpixel((2, 10))[3] == 0 and image.getpixel((30, 10))[3] == 255


def test_a_transparent_picture_too_big_as_png_comes_as_a_jpeg():
    noise = Image.effect_noise((300, 300), 120)
    picture = Image.merge("RGBA", (noise, noise, noise, noise))  # see-through in places
    original = images.encoded(picture, "WEBP", quality=5)
    decoded = Image.open(io.BytesIO(original))
    assert decoded.mode == "RGBA"
    as_png = images.encoded(decoded, "PNG")
    assert clean_photo(original).mime == "image/png"
    limits = PhotoLimits(max_bytes=len(as_png) - 1)

    clean = clean_photo(original, limits)

    assert clean.mime == "image/jpeg" and len(clean.data) < len(as_png)
    assert opened(clean).mode == "RGB"


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_an_animation_gives_its_first_frame(kind):
    clean = clean_photo(images.animated(kind, (64, 32)))

    assert close(average(clean.data, LEFT), RED) and close(average(clean.data, RIGHT), BLUE)
    assert getattr(opened(clean), "n_frames", 1) == 1
    assert b"acTL" not in clean.data and b"ANIM" not in clean.data


def test_a_cmyk_jpeg_comes_out_in_rgb():
    clean = clean_photo(images.encoded(images.halves((64, 32), "CMYK"), "JPEG"))

    assert opened(clean).mode == "RGB"
    assert close(average(clean.data, LEFT), RED) and close(average(clean.data, RIGHT), BLUE)


def test_16_bit_grey_is_scaled_not_clipped():
    grey = Image.new("I;16", (20, 20), 32768)

    clean = clean_photo(images.encoded(grey, "PNG"))

    assert abs(opened(clean).convert("L").getpixel((5, 5)) - 128) <= 1


def test_a_large_photo_is_scaled_down_and_a_phone_screenshot_is_not():
    photo = clean_photo(images.encoded(images.halves((6000, 4000)), "JPEG"))
    assert (photo.width, photo.height) == (2560, 1707)
    assert close(average(photo.data, LEFT), RED) and close(average(photo.data, RIGHT), BLUE)

    screenshot = clean_photo(images.encoded(images.halves((1290, 2796)), "PNG"))
    assert (screenshot.width, screenshot.height) == (1181, 2560)  # nearly full size

    small = clean_photo(images.encoded(images.halves((1080, 2400)), "PNG"))
    assert (small.width, small.height) == (1080, 2400)


def test_a_large_paletted_screenshot_is_scaled_smoothly():
    wide = images.halves((5200, 100), "P")

    clean = clean_photo(images.encoded(wide, "PNG"))

    assert (clean.width, clean.height) == (2560, 49)
    # Smooth scaling blends the edge between the halves; nearest-pixel scaling would keep two
    # colours (and ragged letters).
    assert len(opened(clean).convert("RGB").getcolors()) > 2


@pytest.mark.parametrize(
    "data",
    [
        images.HTML_PAGE,  # uploaded as "photo.jpg", with Content-Type image/jpeg
        b"GIF89a" + bytes(40),  # a GIF: not one of the three
        b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        b"BM" + bytes(60),  # a bitmap
        b"",
        b"RIFF\x10\x00\x00\x00WAVEfmt ",  # RIFF, but sound
    ],
)
def test_what_is_not_a_photo_by_its_bytes_is_refused(data):
    assert refused(data) == "not_image"


def test_a_page_dressed_as_a_jpeg_is_broken_and_never_passed_on():
    assert refused(b"\xff\xd8\xff\xe0" + images.HTML_PAGE) == "broken"


def test_too_many_bytes_are_refused_before_anything_is_read(monkeypatch):
    limits = PhotoLimits(max_bytes=5000)
    photo = images.phone_jpeg((64, 32))
    assert len(photo) < 5000 and clean_photo(photo, limits)

    def never(*args, **kwargs):
        raise AssertionError("decoded a file that was too big")

    monkeypatch.setattr(photos.Image, "open", never)
    assert refused(photo + bytes(5001 - len(photo)), limits) == "too_big"
    assert refused(images.HTML_PAGE * 100, limits) == "too_big"


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (7000, 7000), (40_001, 1000)])
def test_too_many_pixels_are_refused_from_the_header(monkeypatch, width, height):
    bomb = images.png_header_only(width, height)
    assert len(bomb) < 200

    def never(self):
        raise AssertionError("decoded a decompression bomb")

    monkeypatch.setattr(Image.Image, "load", never)
    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    assert refused(bomb) == "too_many_pixels"


def test_the_pixel_limit_is_the_callers():
    photo = images.phone_jpeg((64, 32))
    assert refused(photo, PhotoLimits(max_pixels=64 * 32 - 1)) == "too_many_pixels"
    assert clean_photo(photo, PhotoLimits(max_pixels=64 * 32))


@pytest.mark.parametrize(
    "data",
    [
        images.truncated(images.phone_jpeg((300, 200))),
        images.truncated(images.screenshot_png((300, 200))),
        images.truncated(images.webp((300, 200))),
        images.phone_jpeg()[:40],
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\x00\x00\x00\x00WEBPVP8 nonsense",
        images.png_empty_ihdr(),  # Pillow: ValueError
        images.png_broken_chunk(),  # Pillow: SyntaxError, while decoding
    ],
)
def test_a_cut_off_or_garbled_file_is_broken(data):
    assert refused(data) == "broken"


def assert_clean_or_refused(data: bytes) -> None:
    try:
        clean = clean_photo(data, PhotoLimits(max_bytes=64 * 1024, max_pixels=2_000_000))
    except PhotoRefused as refusal:
        assert refusal.reason in {"too_big", "not_image", "too_many_pixels", "broken"}
        return
    image = opened(clean)
    assert not image.getexif() and "xmp" not in image.info
    assert_no_traces(clean.data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["\xff\xd8\xff", "\x89PNG\r\n\x1a\n", "RIFF\x00\x00\x00\x00WEBP", ""]),
    st.binary(max_size=2000),
)
def test_random_bytes_never_crash(magic, rest):
    assert_clean_or_refused(magic.encode("latin-1") + rest)


SEEDS = [images.phone_jpeg(), images.screenshot_png(), images.webp(), images.animated("PNG")]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_damaged_photos_never_crash(seed, flips):
    data = bytearray(seed)
    for at, value in flips:
        data[at % len(data)] = value
    assert_clean_or_refused(bytes(data))
