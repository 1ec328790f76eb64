"""Secret codes for children: the word list's rules, what a child may type, the stored hash,
and the throttle on wrong codes (per tab and over all tabs), with a clock moved by hand."""

from __future__ import annotations

import math
import pickle
import re
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.clocks import Seconds

from bot.channels.web import codes
from bot.channels.web.codes import CODE_WORDS, WORDS, new_code, normalize
from bot.core import throttle as throttle_module
from bot.core.throttle import FREE_CODES, OVERALL_MAX_WAIT, TAB_MAX_WAIT, CodeThrottle

WORD_FILE = Path(codes.__file__).with_name("words_nl.txt")


# --- the word list ------------------------------------------------------------------------


def one_edit_apart(a: str, b: str) -> bool:
    """Whether a and b differ by at most one letter changed, added or left out."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def sounds(word: str) -> str:
    """A rough key for how a Dutch child hears a word: sounds spelled two ways become one."""
    for spelled, heard in (("sch", "sg"), ("ch", "g"), ("dt", "t"), ("v", "f"), ("z", "s")):
        word = word.replace(spelled, heard)
    word = re.sub(r"d$", "t", re.sub(r"b$", "p", word))
    return re.sub(r"([b-df-hj-np-tv-z])\1", r"\1", word)  # "kikker" sounds like "kiker"


def test_the_helpers_see_what_the_rules_forbid():
    assert one_edit_apart("bal", "bel") and one_edit_apart("lam", "lamp")
    assert one_edit_apart("laars", "lars") and not one_edit_apart("lam", "lampje")
    assert not one_edit_apart("kaas", "taart") and not one_edit_apart("boom", "bloem")
    assert sounds("hond") == sounds("hont") and sounds("kikker") == sounds("kiker")
    assert sounds("vis") == sounds("fis") and sounds("lucht") == sounds("lugt")


def test_the_file_is_512_sorted_words_one_a_line_and_nothing_else():
    text = WORD_FILE.read_text(encoding="ascii")
    lines = text.split("\n")
    assert lines[-1] == "" and "" not in lines[:-1]  # one final newline, no blank lines
    assert tuple(lines[:-1]) == WORDS
    assert len(WORDS) == 512 == len(set(WORDS)) == 2**9
    assert list(WORDS) == sorted(WORDS)


def test_every_word_is_3_to_7_plain_letters_without_sounds_spelled_two_ways():
    for word in WORDS:
        assert re.fullmatch(r"[a-z]{3,7}", word), word
        assert not re.search(r"ij|ei|au|ou|[yqx]", word), word
        assert "c" not in word.replace("ch", ""), word


def test_no_two_words_are_one_slip_apart_or_sound_the_same():
    close = [(a, b) for a, b in combinations(WORDS, 2) if one_edit_apart(a, b)]
    assert close == []
    heard: dict[str, str] = {}
    for word in WORDS:
        assert sounds(word) not in heard, (word, heard.get(sounds(word)))
        heard[sounds(word)] = word


def test_no_diminutive_stands_beside_its_own_word():
    known = set(WORDS)
    pairs = [w for w in WORDS if w.endswith("je") and (w[:-2] in known or w[:-3] in known)]
    assert pairs == []


def test_a_code_has_at_least_44_bits():
    bits = CODE_WORDS * math.log2(len(set(WORDS)))
    assert bits >= 44
    assert bits == 45  # 5 words x 9 bits


# --- making and reading codes -------------------------------------------------------------


def test_a_new_code_is_five_words_drawn_with_the_given_randomness():
    asked = []

    def randbelow(n: int) -> int:
        asked.append(n)
        return [0, 511, 7, 7, 300][len(asked) - 1]

    code = new_code(randbelow)
    assert asked == [512] * 5
    assert code == " ".join([WORDS[0], WORDS[511], WORDS[7], WORDS[7], WORDS[300]])


def test_new_codes_are_canonical_and_different():
    made = {new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert normalize(code) == code and len(code.split(" ")) == CODE_WORDS


a_code = st.lists(st.sampled_from(WORDS), min_size=CODE_WORDS, max_size=CODE_WORDS)


@given(a_code)
def test_a_code_reads_back_as_itself(words):
    code = " ".join(words)
    assert normalize(code) == code


separator = st.sampled_from([" ", "  ", "-", " - ", ".", ". ", ",", ", ", "\n", "\r\n", "\t"])
spelled = st.sampled_from([str.lower, str.upper, str.capitalize, str.title])
around = st.sampled_from(["", " ", "\n", "  \t", ".", " \u00a0"])


@given(a_code, st.lists(st.tuples(separator, spelled), min_size=5, max_size=5), around)
def test_a_code_typed_messily_still_reads_as_the_code(words, typing, edge):
    typed = "".join(gap + case(word) for word, (gap, case) in zip(words, typing, strict=True))
    assert normalize(edge + typed + edge) == " ".join(words)


def test_what_phones_and_copy_paste_do_to_a_code_is_forgiven():
    code = "boom fiets wolk kaas pop"
    for typed in (
        "Boom Fiets Wolk Kaas Pop",
        "boom\u00a0fiets\u00a0wolk\u00a0kaas\u00a0pop",  # no-break spaces
        "boom\u2013fiets\u2014wolk\u2011kaas-pop",  # dashes a phone makes of hyphens
        "boom fi\u200bets wolk kaas pop\ufeff",  # invisible characters from a copy
        "ｂｏｏｍ ｆｉｅｔｓ ｗｏｌｋ ｋａａｓ ｐｏｐ",  # full-width letters
        "bóóm fiëts wolk käas pop",  # accents from autocorrect
        '"boom, fiets, wolk, kaas, pop."',
        "1. boom 2. fiets 3. wolk 4. kaas 5. pop",
        "BOOM\nFIETS\nWOLK\nKAAS\nPOP\n",
    ):
        assert normalize(typed) == code, typed


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "- . ,",
        "boom fiets wolk kaas",  # four words
        "boom fiets wolk kaas pop pop",  # six
        "boom fiets wolk kaas poppetje",  # not a word of ours
        "bom fiets wolk kaas pop",  # one letter off
        "boomfiets wolk kaas pop",  # a space left out is not guessed
        "boom fiets wolk kaas hont",  # spelled as it sounds, but "hond" it is
        "boom fiets wolk kaas pop" + " " * codes.MAX_TYPED,  # too long to be typed by hand
        "bijl fiets wolk kaas pop",
    ],
)
def test_what_is_not_a_code_is_none(typed):
    assert normalize(typed) is None


@given(a_code, st.integers(0, CODE_WORDS - 1), st.integers(0, 6), st.integers(1, 25), st.data())
def test_one_slip_is_never_another_code(words, which, at, shift, data):
    word = words[which]
    at = min(at, len(word) - 1)
    other = chr((ord(word[at]) - ord("a") + shift) % 26 + ord("a"))
    slip = data.draw(st.sampled_from(["changed", "added", "left out"]))
    if slip == "changed":
        words[which] = word[:at] + other + word[at + 1 :]
    elif slip == "added":
        words[which] = word[:at] + other + word[at:]
    else:
        words[which] = word[:at] + word[at + 1 :]
    assert normalize(" ".join(words)) is None


# --- the throttle -------------------------------------------------------------------------


def attempt(throttle: CodeThrottle, tab: str, *, right: bool) -> float:
    """One code typed in `tab`: the wait it met (0: it was tried at once, and judged)."""
    wait = throttle.wait(tab)
    if wait == 0:
        (throttle.succeeded if right else throttle.failed)(tab)
    return wait


def test_a_class_that_each_mistype_once_is_never_slowed():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    tabs = [f"tab-{i}" for i in range(30)]
    for tab in tabs:
        assert attempt(throttle, tab, right=False) == 0
        assert attempt(throttle, tab, right=True) == 0
        clock.advance(1)
    assert len(throttle) == 0  # right codes leave nothing behind


def test_a_class_that_mistypes_all_at_the_same_moment_is_never_slowed():
    throttle = CodeThrottle(Seconds())
    tabs = [f"tab-{i}" for i in range(30)]
    assert [throttle.wait(tab) for tab in tabs] == [0] * 30
    for tab in tabs:
        throttle.failed(tab)
    assert [throttle.wait(tab) for tab in tabs] == [0] * 30  # the second tries, together
    for tab in tabs:
        throttle.succeeded(tab)
    assert throttle.wait("tab-late") == 0


def test_right_codes_never_use_up_the_budget():
    throttle = CodeThrottle(Seconds())
    for i in range(10 * FREE_CODES):  # a whole school comes back, each with the right code
        assert attempt(throttle, f"tab-{i}", right=True) == 0
    for i in range(FREE_CODES):
        assert attempt(throttle, f"typo-{i}", right=False) == 0


def test_one_tab_waits_twice_as_long_after_each_wrong_code():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    waits = []
    for _ in range(12):
        waited = throttle.wait("tab")
        if waited:
            waits.append(waited)
            clock.advance(waited)
            assert throttle.wait("tab") == 0
        throttle.failed("tab")
    assert waits == pytest.approx([2, 4, 8, 16, 32, 64, 128, 256, 300, 300])
    assert throttle.wait("tab") == pytest.approx(TAB_MAX_WAIT)
    assert throttle.wait("another-tab") == 0  # the others are not slowed by one tab


def test_a_right_code_forgets_the_tabs_wrong_ones():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    for _ in range(3):
        clock.advance(throttle.wait("tab"))
        attempt(throttle, "tab", right=False)
    clock.advance(throttle.wait("tab"))
    assert attempt(throttle, "tab", right=True) == 0
    assert attempt(throttle, "tab", right=False) == 0  # a new first mistake is free again
    assert attempt(throttle, "tab", right=False) == 0
    assert throttle.wait("tab") == 2


def test_a_tab_cannot_try_two_codes_at_once_after_a_mistake():
    throttle = CodeThrottle(Seconds())
    attempt(throttle, "tab", right=False)
    assert throttle.wait("tab") == 0  # the second try starts ...
    assert throttle.wait("tab") == 2  # ... and a third, sent with it, waits


def test_many_tabs_guessing_meet_a_wait_for_everyone_that_stops_at_60_s():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    waits = []
    for i in range(1000):
        waited = throttle.wait(f"guesser-{i}")
        waits.append(waited)
        if waited:
            clock.advance(waited)
            assert throttle.wait(f"guesser-{i}") == 0
        throttle.failed(f"guesser-{i}")
    free = FREE_CODES + 1  # the last free one is let through; the next waits
    assert waits[:free] == [0] * free
    assert 0 < waits[free] <= 1
    grown = waits[free : free + 7]
    assert all(later > earlier * 1.5 for earlier, later in zip(grown, grown[1:], strict=False))
    assert max(waits) == pytest.approx(OVERALL_MAX_WAIT)
    assert waits[-900:] == pytest.approx([OVERALL_MAX_WAIT] * 900)
    assert throttle.wait("a-child") == pytest.approx(OVERALL_MAX_WAIT)  # everyone waits


def test_requests_that_arrive_together_do_not_slip_past_the_wait():
    throttle = CodeThrottle(Seconds())
    for i in range(FREE_CODES):
        attempt(throttle, f"tab-{i}", right=False)
    at_once = [throttle.wait(f"guesser-{i}") for i in range(100)]  # none judged yet
    assert at_once.count(0) == 1


def test_an_attempt_never_judged_stays_counted():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    for i in range(FREE_CODES):
        assert throttle.wait(f"dropped-{i}") == 0  # the connection dropped: no verdict
    assert throttle.wait("next") == 0
    assert throttle.wait("after") > 0


def test_guessing_for_a_day_gets_about_1500_codes_at_most():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    start, tried, i = clock.now, 0, 0
    while clock.now < start + 86400:
        i += 1
        waited = throttle.wait(f"guesser-{i}")
        if waited:
            clock.advance(waited)
            continue
        throttle.failed(f"guesser-{i}")
        tried += 1
    assert tried <= 1510
    days_to_find_one_of_10000_codes = len(WORDS) ** CODE_WORDS / 10_000 / tried
    assert days_to_find_one_of_10000_codes / 365 > 5000


def test_the_wait_ends_soon_after_the_guessing_stops():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    for i in range(300):
        clock.advance(throttle.wait(f"guesser-{i}"))
        attempt(throttle, f"guesser-{i}", right=False)
    assert throttle.wait("a-child") == pytest.approx(OVERALL_MAX_WAIT)
    clock.advance(9 * 60)
    assert attempt(throttle, "a-child", right=False) == 0
    assert attempt(throttle, "a-child", right=True) == 0


def test_no_wait_is_longer_than_a_minute_and_a_flood_is_over_in_minutes():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    for i in range(1000):  # wrong codes judged at once, e.g. from many processes' worth of tabs
        throttle.failed(f"flood-{i}")
    assert throttle.wait("a-child") == pytest.approx(OVERALL_MAX_WAIT)
    clock.advance(10 * 60)
    assert attempt(throttle, "a-child", right=False) == 0
    assert attempt(throttle, "another-child", right=False) == 0


def test_the_waits_run_from_when_the_answer_was_given():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    attempt(throttle, "tab", right=False)
    assert throttle.wait("tab") == 0
    clock.advance(10)  # looking the code up took long
    throttle.failed("tab")
    assert throttle.wait("tab") == pytest.approx(2)
    for i in range(FREE_CODES):
        attempt(throttle, f"other-{i}", right=False)
    clock.advance(throttle.wait("late"))
    assert throttle.wait("late") == 0
    clock.advance(30)
    throttle.failed("late")
    assert throttle.wait("next") > 1


def test_a_failure_without_wait_is_counted_too():
    throttle = CodeThrottle(Seconds())
    throttle.failed("tab")
    throttle.failed("tab")
    assert throttle.wait("tab") == 2


def test_memory_stays_bounded_with_100000_tabs():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    for i in range(100_000):
        throttle.failed(f"flood-{i}")
    assert len(throttle) == throttle_module.TABS_KEPT
    clock.advance(throttle_module.TAB_IDLE)
    throttle.wait("one-more")
    assert len(throttle) == 1


def test_an_idle_tab_is_forgotten_after_an_hour():
    clock = Seconds()
    throttle = CodeThrottle(clock)
    for _ in range(5):
        clock.advance(throttle.wait("tab"))
        attempt(throttle, "tab", right=False)
    clock.advance(throttle_module.TAB_IDLE - 1)
    assert throttle.wait("tab") == 0 and throttle.wait("tab") > 0  # still remembered
    throttle.failed("tab")
    clock.advance(throttle_module.TAB_IDLE)
    assert throttle.wait("tab") == 0
    throttle.failed("tab")
    assert throttle.wait("tab") == 0  # its first mistake again


def test_a_tab_id_is_not_kept_as_itself():
    throttle = CodeThrottle()
    throttle.failed("tab-secret-id-123")
    assert "tab-secret-id-123" not in repr(vars(throttle)) + repr(throttle)
    assert b"tab-secret-id-123" not in pickle.dumps(throttle)  # all it holds, however deep
