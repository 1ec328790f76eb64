"""The web API's ceilings: per client address (generous: a whole class behind one school
address) and per tab, with a clock moved by hand, bounded memory, and no address kept."""

from __future__ import annotations

import pickle
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.clocks import Seconds

from bot.channels.web import limits
from bot.channels.web.limits import AddressCeiling, SessionRate, ShortMemory, client_of

SCHOOL = "203.0.113.7"
OTHER = "198.51.100.23"


def test_a_class_of_30_behind_one_address_is_never_stopped():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    requests = [f"tab-{tab}" for tab in range(30) for _ in range(20)]
    random.Random(7).shuffle(requests)
    for _ in requests:  # 600 requests, spread over one minute
        assert ceiling.allow(SCHOOL) == 0
        clock.advance(60 / len(requests))


def test_a_class_of_30_all_at_the_same_moment_is_never_stopped():
    ceiling = AddressCeiling(Seconds())
    assert [ceiling.allow(SCHOOL) for _ in range(30 * 20)] == [0] * 600


def test_one_machine_hammering_is_slowed_to_the_ceiling():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    allowed = 0
    waits = []
    for _ in range(2000):  # 2000 requests in one minute
        waited = ceiling.allow(SCHOOL)
        if waited == 0:
            allowed += 1
        else:
            waits.append(waited)
        clock.advance(60 / 2000)
    assert 600 <= allowed <= limits.ADDRESS_BURST + limits.ADDRESS_PER_MINUTE
    assert waits and all(0 < w <= 60 / limits.ADDRESS_PER_MINUTE for w in waits)


def test_a_class_can_keep_using_the_chat_for_a_whole_lesson():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    for _ in range(45 * 30 * 20):  # 45 minutes, 30 pupils, 20 requests a minute each
        assert ceiling.allow(SCHOOL) == 0
        clock.advance(60 / (30 * 20))


def test_a_pause_gives_back_only_what_it_earned():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    while ceiling.allow(SCHOOL) == 0:
        pass
    clock.advance(2)  # two seconds: 20 requests' worth
    assert [ceiling.allow(SCHOOL) for _ in range(100)].count(0) == 20


def test_a_client_that_never_stops_never_saves_up_more_than_its_burst():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    for _ in range(120):  # one request every 30 s, for an hour
        assert ceiling.allow(SCHOOL) == 0
        clock.advance(30)
    burst = [ceiling.allow(SCHOOL) for _ in range(2 * limits.ADDRESS_BURST)]
    assert burst.count(0) == limits.ADDRESS_BURST


def test_waiting_as_long_as_told_is_enough():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    while (waited := ceiling.allow(SCHOOL)) == 0:
        pass
    clock.advance(waited)
    assert ceiling.allow(SCHOOL) == 0
    assert ceiling.allow(SCHOOL) > 0


def test_addresses_are_independent():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    while ceiling.allow(SCHOOL) == 0:
        pass
    assert ceiling.allow(OTHER) == 0
    assert ceiling.allow("2001:db8:1:2::5") == 0
    assert ceiling.allow(SCHOOL) > 0


def test_one_ipv6_network_counts_as_one_client():
    assert client_of("2001:db8:1:2::5") == client_of("2001:db8:1:2:ffff:1:2:3")
    assert client_of("2001:db8:1:2::5") != client_of("2001:db8:1:3::5")
    assert client_of("::ffff:203.0.113.7") == client_of(SCHOOL) == SCHOOL
    assert client_of("") == "" and client_of("not an address") == "not an address"
    ceiling = AddressCeiling(Seconds())
    hopping = [ceiling.allow(f"2001:db8:1:2::{i:x}") for i in range(1000)]
    assert hopping.count(0) == limits.ADDRESS_BURST  # a new address in the /64 is no escape
    assert ceiling.allow("2001:db8:1:3::1") == 0


@given(st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=800))
def test_no_address_ever_gets_more_than_its_burst_and_its_rate(gaps):
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    allowed = 0
    for gap in gaps:
        clock.advance(gap)
        allowed += ceiling.allow(SCHOOL) == 0
    assert allowed <= limits.ADDRESS_BURST + sum(gaps) * limits.ADDRESS_PER_MINUTE / 60


def test_an_address_is_never_kept_as_itself():
    ceiling = AddressCeiling()  # the real clock: everything it holds can be pickled
    for address in (SCHOOL, "2001:db8:1:2::5", "::ffff:198.51.100.23"):
        ceiling.allow(address)
    state = repr(vars(ceiling)) + repr(ceiling) + repr(list(ceiling._buckets._items))
    dumped = pickle.dumps(ceiling)  # all it holds, however deep
    for text in (SCHOOL, "203.0.113", "2001:db8", "198.51.100.23"):
        assert text not in state
        assert text.encode() not in dumped
    assert len(ceiling) == 3


def test_two_processes_keep_different_keys():
    one, two = ShortMemory[int](10, 60), ShortMemory[int](10, 60)
    one.put(SCHOOL, 1, 0)
    two.put(SCHOOL, 1, 0)
    assert list(one._items) != list(two._items)


def test_memory_is_bounded_when_many_addresses_come():
    clock = Seconds()
    ceiling = AddressCeiling(clock, size=1000)
    for i in range(100_000):
        ceiling.allow(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
    assert len(ceiling) == 1000


def test_an_idle_address_is_forgotten_once_its_bucket_would_be_full_again():
    clock = Seconds()
    ceiling = AddressCeiling(clock)
    for _ in range(limits.ADDRESS_BURST):
        ceiling.allow(SCHOOL)
    assert ceiling.allow(SCHOOL) > 0
    clock.advance(limits.ADDRESS_BURST / limits.ADDRESS_PER_MINUTE * 60)
    ceiling.allow(OTHER)
    assert len(ceiling) == 1  # forgotten: it lost nothing, a new bucket is full too
    assert [ceiling.allow(SCHOOL) for _ in range(limits.ADDRESS_BURST)].count(0) == 600


def test_the_least_recently_used_is_forgotten_first():
    memory = ShortMemory[str](size=2, idle=60)
    memory.put("a", "A", 0)
    memory.put("b", "B", 1)
    assert memory.get("a", 2) == "A"  # "a" used again: "b" is now the oldest
    memory.put("c", "C", 3)
    assert memory.get("b", 4) is None
    assert memory.get("a", 4) == "A" and memory.get("c", 4) == "C"
    assert memory.pop("a") == "A" and memory.pop("a") is None
    assert memory.get("c", 4 + 60) is None  # idle for a minute


# --- per tab -------------------------------------------------------------------------------


def test_a_tab_gets_a_burst_then_one_request_a_second():
    clock = Seconds()
    rate = SessionRate(clock)
    assert [rate.allow("tab") for _ in range(limits.TAB_BURST)] == [0] * limits.TAB_BURST
    waited = rate.allow("tab")
    assert waited == pytest.approx(60 / limits.TAB_PER_MINUTE)
    clock.advance(waited)
    assert rate.allow("tab") == 0
    assert rate.allow("another-tab") == 0


def test_a_tab_gets_its_rate_in_a_minute_of_hammering():
    clock = Seconds()
    rate = SessionRate(clock)
    allowed = 0
    for _ in range(1000):
        allowed += rate.allow("tab") == 0
        clock.advance(60 / 1000)
    assert limits.TAB_PER_MINUTE <= allowed <= limits.TAB_BURST + limits.TAB_PER_MINUTE


def test_a_tabs_id_is_not_kept_as_itself_and_memory_is_bounded():
    rate = SessionRate(size=500)  # the real clock: everything it holds can be pickled
    for i in range(10_000):
        rate.allow(f"tab-secret-{i}")
    assert len(rate) == 500
    assert "tab-secret" not in repr(vars(rate)) + repr(rate)
    assert b"tab-secret" not in pickle.dumps(rate)
