"""The counters of some schools and months summed into one `Tally`, and the figures read from it.

The counters are written when things happen (bot/cases/figures.py says what each dimension and
value means; the names are bot/storage/figures.py's, which both import). Nothing here sees a
case: a figure is only ever a sum of counters, so it is the same before and after cases are
deleted.

Timings are histograms of half school hours (value k: between k/2 and (k+1)/2 hours); a median is
the middle of the median bucket. Phase stays are whole school days. Medians, not means: one case
left open over a holiday would pull a mean far from what a child usually waits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.storage import Stores
from bot.storage.figures import (  # noqa: F401 - the vocabulary, re-exported for the views
    CHANNEL,
    CLAIM,
    CLOSE,
    CLOSED_KIND,
    CLOSED_PLACE,
    FOLLOWUP,
    FOLLOWUP_KIND,
    FOLLOWUP_PLACE,
    HOTSPOT,
    KIND,
    MADE,
    MESSAGE,
    NOT_COUNTED,
    OUTCOME,
    PHASE_DAYS,
    PHASE_REACHED,
    PLACE,
    REOPENED,
    REOPENED_KIND,
    REOPENED_PLACE,
    REPORTER,
    SERIOUS,
)

# The vocabulary of bot/cases/figures.py (tests/stats/test_tally.py holds the two equal).
ANSWERS = ("yes", "a_bit", "no")  # "Is het gestopt?": yes, a bit, no
PHASES = (1, 2, 3, 4, 5, 6)
SEP = "|"  # a paired value: "<kind>|<answer>", "<place>|<part of day>", "<phase>|<days>"
# What a reopen rate per kind or per place divides: (reopens, counted first closes) of each value.
REOPEN_BY = {KIND: (REOPENED_KIND, CLOSED_KIND), PLACE: (REOPENED_PLACE, CLOSED_PLACE)}


@dataclass(frozen=True)
class Shares:
    """The answers to "Is het gestopt?": how many said yes, a bit, no."""

    yes: int = 0
    a_bit: int = 0
    no: int = 0

    @property
    def answers(self) -> int:
        return self.yes + self.a_bit + self.no

    def share(self, answer: str) -> float | None:
        """The share (0..1) of all answers that were `answer`; None when nobody answered."""
        if not self.answers:
            return None
        return getattr(self, answer) / self.answers


@dataclass(frozen=True)
class Tally:
    """Counters summed over schools and months: (dimension, value) -> n."""

    counts: Mapping[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> Tally:
        summed: Counter[tuple[str, str]] = Counter()
        for row in rows:
            summed[(row["dimension"], row["value"])] += int(row["n"])
        return cls(dict(summed))

    def count(self, dimension: str, value: str) -> int:
        return self.counts.get((dimension, value), 0)

    def by_value(self, dimension: str) -> dict[str, int]:
        """Every value counted under `dimension`, with its count."""
        return {value: n for (dim, value), n in self.counts.items() if dim == dimension}

    def total(self, dimension: str) -> int:
        return sum(self.by_value(dimension).values())

    def pairs(self, dimension: str) -> dict[tuple[str, str], int]:
        """A paired dimension ("<a>|<b>" values) as (a, b) -> n."""
        out: dict[tuple[str, str], int] = {}
        for value, n in self.by_value(dimension).items():
            a, _sep, b = value.rpartition(SEP)
            out[(a, b)] = n
        return out

    @property
    def reports(self) -> int:
        return self.count(MADE, "all")

    def median_hours(self, dimension: str) -> float | None:
        """The median of a half-hour histogram (CLAIM, MESSAGE, CLOSE) in school hours: the
        middle of the median bucket; None when nothing was timed."""
        buckets = {int(k): n for k, n in self.by_value(dimension).items()}
        middle = histogram_median(buckets)
        return None if middle is None else (2 * middle + 1) / 4

    def timed(self, dimension: str) -> int:
        """How many cases a timing's median is taken over."""
        return self.total(dimension)

    def phase_days(self, phase: int) -> dict[int, int]:
        """How long cases stayed in `phase`: whole school days -> how many stays."""
        return {int(days): n for (p, days), n in self.pairs(PHASE_DAYS).items() if p == str(phase)}

    def median_phase_days(self, phase: int) -> float | None:
        """The median number of school days a case stayed in `phase`; None when none left it."""
        return histogram_median(self.phase_days(phase))

    def followup(self) -> Shares:
        return _shares(self.by_value(FOLLOWUP))

    def followup_by(self, dimension: str) -> dict[str, Shares]:
        """The answers per kind (FOLLOWUP_KIND) or per place (FOLLOWUP_PLACE)."""
        grouped: dict[str, dict[str, int]] = {}
        for (key, answer), n in self.pairs(dimension).items():
            grouped.setdefault(key, {})[answer] = n
        return {key: _shares(answers) for key, answers in grouped.items()}

    @property
    def closes_counted(self) -> int:
        """First closes that count in the rates: every outcome but a test or a duplicate."""
        return sum(n for value, n in self.by_value(OUTCOME).items() if value not in NOT_COUNTED)

    def reopen_rate(self) -> float | None:
        """Reopens per counted first close (0..1, a case reopened twice counts twice); None when
        nothing was closed."""
        return per_close(self.total(REOPENED), self.closes_counted)

    def reopen_rates(
        self,
        dimension: str,
        gather: Callable[[Mapping[str, int]], Mapping[str, int]] = dict,
    ) -> dict[str, float | None]:
        """The reopen rate per kind (KIND) or per place (PLACE): reopens of cases of that value
        per counted first close of one (a report about two kinds counts in both); None for a
        value with no such close. `gather` may first sum values together, as a table gathers
        unlisted ones in one row."""
        reopened, closed = REOPEN_BY[dimension]
        reopens, closes = gather(self.by_value(reopened)), gather(self.by_value(closed))
        return {
            value: per_close(reopens.get(value, 0), closes.get(value, 0))
            for value in {*reopens, *closes}
        }


def per_close(reopens: int, closes: int) -> float | None:
    """Reopens per counted first close; None when nothing was closed. More than 1 when cases
    were reopened more than once."""
    return reopens / closes if closes else None


def _shares(answers: Mapping[str, int]) -> Shares:
    return Shares(**{answer: answers.get(answer, 0) for answer in ANSWERS})


def histogram_median(buckets: Mapping[int, int]) -> float | None:
    """The median value of a histogram (value -> how often); None when it is empty.

    With an even number of observations, the mean of the two middle ones, as any median.
    """
    total = sum(n for n in buckets.values() if n > 0)
    if not total:
        return None
    wanted = ((total - 1) // 2, total // 2)  # 0-based positions of the middle one or two
    found: list[int] = []
    seen = 0
    for value in sorted(buckets):
        n = buckets[value]
        if n <= 0:
            continue
        found.extend(value for position in wanted if seen <= position < seen + n)
        seen += n
    return sum(found) / len(found)


def _counters(
    stores: Stores, schools: frozenset[int], first: str, last: str
) -> list[dict[str, Any]]:
    """The only read of the counters (bot/storage/figures.py)."""
    return stores.figures.counters(schools, first, last)


def tally(stores: Stores, schools: frozenset[int], first: str, last: str) -> Tally:
    """The counters of `schools` from month `first` to month `last` (YYYY-MM, both included)."""
    return Tally.of(_counters(stores, schools, first, last))


def tallies(stores: Stores, schools: frozenset[int], first: str, last: str) -> dict[int, Tally]:
    """One Tally per school (a school with no counters gets an empty one)."""
    rows: dict[int, list[Mapping[str, Any]]] = {school: [] for school in schools}
    for row in _counters(stores, schools, first, last):
        rows[row["school"]].append(row)
    return {school: Tally.of(its) for school, its in rows.items()}


def months(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (YYYY-MM), in order."""
    year, month = (int(part) for part in first.split("-"))
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def monthly(stores: Stores, schools: frozenset[int], first: str, last: str) -> dict[str, Tally]:
    """One Tally per month from `first` to `last` (a month with no counters gets an empty one)."""
    rows: dict[str, list[Mapping[str, Any]]] = {month: [] for month in months(first, last)}
    for row in _counters(stores, schools, first, last):
        rows[row["month"]].append(row)
    return {month: Tally.of(its) for month, its in rows.items()}


def year_before(first: str, last: str) -> tuple[str, str]:
    """The same months one year earlier: what "the same period last year" compares with."""
    return _back_a_year(first), _back_a_year(last)


def _back_a_year(month: str) -> str:
    year, rest = month.split("-", 1)
    return f"{int(year) - 1:04d}-{rest}"


def school_year(today: date) -> tuple[str, str]:
    """The school year `today` lies in, as months: August to July."""
    start = today.year if today.month >= 8 else today.year - 1
    return f"{start:04d}-08", f"{start + 1:04d}-07"


def per_100_pupils(n: int, pupils: int | None) -> float | None:
    """`n` per 100 pupils, to one decimal; None when the school's pupil count is not given."""
    if not pupils:
        return None
    return round(100 * n / pupils, 1)
