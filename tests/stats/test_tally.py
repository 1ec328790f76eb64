"""Counters summed into figures: medians from half-hour histograms, the "Is het gestopt?" shares,
the reopen rate, school years and pupils; and school time as the counters measure it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from support.acting import acting, coordinator
from support.casefiles import file_report

from bot.cases import casework
from bot.cases import labels as case_labels
from bot.schools.config import SchoolConfigError, load_school, overrides
from bot.stats import labels, tally
from bot.stats.tally import Shares, Tally, histogram_median


def counted(**dimensions: dict[str, int]) -> Tally:
    return Tally.of(
        {"dimension": dimension, "value": value, "n": n}
        for dimension, values in dimensions.items()
        for value, n in values.items()
    )


def test_the_vocabulary_is_the_one_the_verbs_record() -> None:
    # The names are written once (bot/storage/figures.py); the labels must know every value.
    for dimension in ("kind", "place"):
        listed = {v: m for v, m in labels.VALUES[dimension].items() if v}
        assert listed == case_labels.FOR_COORDINATORS[dimension]
    assert labels.listed("outcome") == casework.OUTCOMES


@pytest.mark.parametrize(
    ("buckets", "median"),
    [
        ({}, None),
        ({3: 0}, None),
        ({7: 1}, 7),
        ({0: 1, 2: 3, 3: 2}, 2),  # 0 2 2 2 3 3: the two middle ones are 2 and 2
        ({4: 1, 5: 1}, 4.5),  # an even count: the mean of the two middle ones
        ({1: 2, 9: 1, 0: 0}, 1),  # order of the dict does not matter; empty buckets do not count
        ({1: 1, 2: 1, 40: 2}, 21),
    ],
)
def test_the_median_of_a_histogram(buckets: dict[int, int], median: float | None) -> None:
    assert histogram_median(buckets) == median


def test_a_median_in_hours_is_the_middle_of_its_half_hour() -> None:
    figures = counted(claim_halfhours={"0": 3}, close_halfhours={"5": 1, "13": 1, "16": 1})
    assert figures.median_hours("claim_halfhours") == 0.25  # between 0 and half an hour
    assert figures.median_hours("close_halfhours") == 6.75  # bucket 13: 6.5 to 7 hours
    assert figures.median_hours("message_halfhours") is None
    assert figures.timed("close_halfhours") == 3


def test_phase_days_have_a_median_per_phase() -> None:
    figures = counted(phase_days={"1|2": 1, "1|1": 1, "2|2": 3, "10|40": 1})
    assert figures.median_phase_days(1) == 1.5
    assert figures.median_phase_days(2) == 2
    assert figures.median_phase_days(10) == 40  # not "1": the phase is the whole part
    assert figures.median_phase_days(3) is None


def test_is_it_stopped_shares_are_of_all_answers_per_kind_and_place() -> None:
    figures = counted(
        followup={"yes": 6, "a_bit": 3, "no": 1},
        followup_kind={"names|yes": 2, "names|no": 2, "online|a_bit": 1},
        followup_place={"|yes": 1, "class|no": 1},
    )
    assert figures.followup() == Shares(yes=6, a_bit=3, no=1)
    assert figures.followup().share("yes") == 0.6
    assert figures.followup_by("followup_kind") == {
        "names": Shares(yes=2, no=2),
        "online": Shares(a_bit=1),
    }
    assert figures.followup_by("followup_place") == {"": Shares(yes=1), "class": Shares(no=1)}
    assert Shares().share("yes") is None


def test_the_reopen_rate_leaves_tests_and_duplicates_out() -> None:
    figures = counted(
        outcome={"resolved": 3, "referred": 1, "test_or_duplicate": 4},
        reopened={"followup": 1, "coordinator": 1},
    )
    assert figures.closes_counted == 4
    assert figures.reopen_rate() == 0.5
    assert counted(outcome={"test_or_duplicate": 2}).reopen_rate() is None


def test_a_reopen_rate_per_kind_and_place_divides_by_that_values_counted_closes() -> None:
    figures = counted(
        reopened_kind={"names": 1, "online": 3, "bogus": 1},
        closed_kind={"names": 4, "online": 2, "hitting": 1, "other": 2},
        reopened_place={"class": 1},
        closed_place={"class": 2, "": 1},
    )
    assert figures.reopen_rates("kind") == {
        "names": 0.25,
        "online": 1.5,  # reopened more often than closed: a case can be reopened twice
        "hitting": 0,
        "other": 0,
        "bogus": None,  # reopened, but never closed in this period
    }
    assert figures.reopen_rates("place") == {"class": 0.5, "": 0}

    def gathered(counts: Mapping[str, int]) -> dict[str, int]:
        return {"all": sum(counts.values())}

    assert figures.reopen_rates("kind", gathered) == {"all": 5 / 9}
    assert counted().reopen_rates("kind") == {}


def test_periods_school_years_and_pupils() -> None:
    assert tally.school_year(date(2026, 8, 1)) == ("2026-08", "2027-07")
    assert tally.school_year(date(2027, 7, 31)) == ("2026-08", "2027-07")
    assert tally.year_before("2026-08", "2027-07") == ("2025-08", "2026-07")
    assert tally.months("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert tally.per_100_pupils(7, 200) == 3.5
    assert tally.per_100_pupils(7, None) is None


def test_a_school_may_give_its_pupil_count(tmp_path: Path) -> None:
    config = tmp_path / "school.toml"
    config.write_text('[school]\nname = "De Linde"\npupils = 240\n')
    assert load_school(config).pupils == 240
    config.write_text('[school]\nname = "De Linde"\n')
    assert load_school(config).pupils is None
    for wrong in ("0", "5001", "12.5", '"240"'):
        config.write_text(f'[school]\nname = "De Linde"\npupils = {wrong}\n')
        with pytest.raises(SchoolConfigError, match=r"school\.pupils \(line 3 of .*1 to 5000"):
            load_school(config)
    assert overrides({"pupils": 310}) == {"pupils": 310}


# School time, as the verbs record it ---------------------------------------------------------

FRIDAY_2PM = "2026-11-27T13:00:00+00:00"  # Amsterdam: 14:00, one school hour before the weekend
SATURDAY_NOON = "2026-11-28T11:00:00+00:00"
MONDAY_9AM = "2026-11-30T08:00:00+00:00"  # half an hour after school opens
MONDAY_10AM = "2026-11-30T09:00:00+00:00"
TUESDAY_7AM = "2026-12-01T06:00:00+00:00"  # before school
TUESDAY_0845 = "2026-12-01T07:45:00+00:00"
WEDNESDAY_4PM = "2026-12-02T15:00:00+00:00"  # after school
THURSDAY_0930 = "2026-12-03T08:30:00+00:00"


def test_school_time_skips_weekends_nights_and_the_hours_outside_school(timed_app, clock):
    anna = coordinator(timed_app, 101, "Anna")
    claims = [
        (FRIDAY_2PM, MONDAY_9AM),  # 1 h on Friday + 0.5 h on Monday: 1.5 h, bucket 3
        (SATURDAY_NOON, MONDAY_10AM),  # made in the weekend: 1.5 h, bucket 3
        (TUESDAY_7AM, TUESDAY_0845),  # before school: only 08:30-08:45 counts, bucket 0
        (WEDNESDAY_4PM, THURSDAY_0930),  # after school: 08:30-09:30 counts, bucket 2
    ]
    for user, (made, claimed) in enumerate(claims, start=1):
        clock.set(made)
        code = file_report(timed_app, user)
        clock.set(claimed)
        casework.claim(acting(timed_app, anna), code)

    figures = tally.tally(timed_app.stores, frozenset({1}), "2026-11", "2026-12")

    assert figures.by_value("claim_halfhours") == {"0": 1, "2": 1, "3": 2}
    # 0 2 3 3: the middle ones are buckets 2 and 3, so 1.25 and 1.75 hours: 1.5 school hours.
    assert figures.median_hours("claim_halfhours") == 1.5
    # The hotspot table reads the same clock: when each report was made.
    assert figures.pairs("hotspot") == {
        ("class", "afternoon"): 1,
        ("class", "weekend"): 1,
        ("class", "before_school"): 1,
        ("class", "after_school"): 1,
    }
