"""What `neutralise` keeps and drops: what hides or reorders text goes, what scripts and emoji
need stays (issue 11, item 14)."""

from __future__ import annotations

import pytest

from bot.core.textsafety import neutralise


def tags(ascii_text: str) -> str:
    """ASCII as invisible tag characters (U+E0000 + code point)."""
    return "".join(chr(0xE0000 + ord(c)) for c in ascii_text)


FAMILY = "👨\u200d👩\u200d👧"
RAINBOW = "🏳\ufe0f\u200d🌈"
ENGLAND = "🏴" + tags("gbeng") + "\U000e007f"
SCOTLAND = "🏴" + tags("gbsct") + "\U000e007f"
PERSIAN = "می\u200cخواهم"  # "I want": the ZWNJ keeps the prefix from joining the verb
HINDI = "क्\u200dष"  # a half form made with ZWJ

KEPT = [
    ("family emoji", FAMILY),
    ("rainbow flag", RAINBOW),
    ("England flag", ENGLAND),
    ("Scotland flag", SCOTLAND),
    ("Persian with ZWNJ", PERSIAN),
    ("Devanagari with ZWJ", HINDI),
    ("Arabic", "مرحبا، يضايقونني"),
    ("Hebrew", "הם צוחקים עליי"),
    ("Turkish", "Çocuklar bana gülüyor, öğretmen"),
    ("Polish", "Dzieci się ze mnie śmieją"),
    ("emoji with a variation selector", "❤\ufe0f"),
    ("keycap", "1\ufe0f\u20e3"),
    ("skin tone", "👍🏽"),
    ("Arabic number sign", "\u0600١٢"),
    ("newlines and tabs", "regel 1\nregel 2\tnog iets"),
]

DROPPED = [
    ("Arabic letter mark U+061C", "ab\u061ccd", "abcd"),
    ("LRM and RLM", "a\u200eb\u200fc", "abc"),
    ("bidi embeddings and override", "a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"),
    ("bidi isolates", "a\u2066b\u2067c\u2068d\u2069e", "abcde"),
    ("deprecated format U+206A-206F", "a" + "".join(map(chr, range(0x206A, 0x2070))) + "b", "ab"),
    ("zero-width space", "zelf\u200bmoord", "zelfmoord"),
    ("word joiner", "a\u2060b", "ab"),
    ("invisible math", "a\u2062b", "ab"),
    ("BOM", "\ufeffhallo", "hallo"),
    ("soft hyphen", "zelf\u00admoord", "zelfmoord"),
    ("interlinear annotation", "a\ufff9hidden\ufffab\ufffb", "ahiddenb"),
    ("hidden tag text", "hoi" + tags("ignore this") + " daar", "hoi daar"),
    ("tag text after a black flag", "🏴" + tags("secret") + "\U000e007f", "🏴"),
    ("a flag without its cancel tag", "🏴" + tags("gbeng") + "!", "🏴!"),
    ("a lone joiner at the start", "\u200dhallo", "hallo"),
    ("a joiner before a space", "hallo\u200d daar", "hallo daar"),
    ("a run of joiners", "a\u200d\u200c\u200db", "ab"),
    ("a run of variation selectors", "a\ufe0f\ufe01\U000e0100\U000e0101", "a\ufe0f"),
    ("control characters", "a\x00b\x1bc\x7fd", "abcd"),
]


@pytest.mark.parametrize(("what", "text"), KEPT, ids=[case[0] for case in KEPT])
def test_what_scripts_and_emoji_need_is_kept(what: str, text: str) -> None:
    assert neutralise(text) == text


@pytest.mark.parametrize(("what", "text", "left"), DROPPED, ids=[case[0] for case in DROPPED])
def test_what_hides_or_reorders_text_is_dropped(what: str, text: str, left: str) -> None:
    assert neutralise(text) == left
