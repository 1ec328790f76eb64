"""The figures each audience reads, as tables: the coordinators', the school leader's, the board's.

- Coordinators (own school, exact): this week's state, naming cases by their code only (never a
  name or a story), and this school year's headline and timings.
- The school leader (own school, exact, no case codes): a period's overview beside the same
  period last year.
- The board (several schools): counts by one breakdown at a time, whole months, suppressed
  (bot/stats/suppress.py), so that no cell points at a child.

Tables are untranslated data (bot/stats/table.py); the chat and the exports render them. The
headline is "Is het gestopt?": what the reporters answered when asked, some school days after a
case was closed, whether the bullying stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import partial

from bot.core.i18n import DEFAULT_LOCALE, N_
from bot.core.model import Text
from bot.schools.registry import Schools
from bot.schools.school import School
from bot.schools.schooltime import school_hours_between
from bot.stats import suppress
from bot.stats.labels import UNKNOWN, gathered, known, label, listed, shown_values
from bot.stats.table import Cell, Table
from bot.stats.tally import (
    ANSWERS,
    CHANNEL,
    CLAIM,
    CLOSE,
    FOLLOWUP_KIND,
    FOLLOWUP_PLACE,
    HOTSPOT,
    KIND,
    MESSAGE,
    PHASE_REACHED,
    PHASES,
    PLACE,
    REPORTER,
    SERIOUS,
    Shares,
    Tally,
    monthly,
    per_100_pupils,
    school_year,
    tallies,
    tally,
    year_before,
)
from bot.storage import Stores

CASE_CODE = Text(N_("case code"))  # the column of the tables that name cases
WAITING_LISTED = 500  # more open cases than this is not a week anyone plans for

TIMINGS = (
    (CLAIM, N_("until a coordinator claimed it")),
    (MESSAGE, N_("until the first message to the reporter")),
    (CLOSE, N_("until it was closed")),
)
STOPPED_NOTE = N_(
    "Some school days after a case is closed, the reporter is asked: has the bullying stopped?"
)
REOPEN_NOTE = N_(
    "Reopened: cases opened again per case closed. Cases closed as a test or a duplicate are "
    "left out."
)
REOPENED_HEAD = N_("reopened")  # the reopen rate's row or column


def _t(msgid: str, **params: object) -> Text:
    return Text(msgid, dict(params))


def _percent(share: float | None) -> str | None:
    return None if share is None else f"{int(100 * share + 0.5)} %"


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# The coordinators' week ---------------------------------------------------------------------


def coordinator_view(
    stores: Stores,
    school: School,
    now: str,
    *,
    locale: str = DEFAULT_LOCALE,
    codes: bool = True,
) -> list[Table]:
    """This week at the school: what is open, what waits longer than the promise and which
    follow-up questions go out (by case code), last week's counts, and this school year's
    headline and timings. Exact: coordinators see their own cases.

    `codes=False` leaves out the two lists of cases (their counts stay): an export never names
    a case, since a file travels further than the coordinators' chat.

    `locale` is the reader's, for what the school names itself (its phases); none of the week's
    tables names one today, so the two views are called alike."""
    moment = datetime.fromisoformat(now)
    local = moment.astimezone(school.zone)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), datetime.min.time())
    this_week = monday.replace(tzinfo=school.zone)
    next_week, last_week = this_week + timedelta(days=7), this_week - timedelta(days=7)
    scope = frozenset({school.id})
    open_cases = stores.reports.open_cases(scope, now, WAITING_LISTED)
    waiting = [case for case in open_cases if case.overdue]
    due = stores.reports.followups_due(school.id, now, _stamp(next_week))
    week = stores.reports.week_counts(school.id, _stamp(last_week), _stamp(this_week))
    year = tally(stores, scope, *school_year(local.date()))
    count = _t(N_("cases"))
    tables = [
        Table(
            _t(N_("Right now")),
            (_t(N_("what")), count),
            (
                (_t(N_("open now")), stores.reports.count_open(scope)),
                (_t(N_("not claimed yet")), sum(case.assignee_name is None for case in open_cases)),
                (_t(N_("waiting longer than the promise")), len(waiting)),
                (_t(N_("follow-up questions still to go out this week")), len(due)),
            ),
        ),
        Table(
            _t(N_("Waiting longer than the promise")),
            (CASE_CODE, _t(N_("reported at")), _t(N_("school hours waiting"))),
            tuple(
                (
                    case.code,
                    school.local_time(case.created),
                    _hours(
                        school_hours_between(datetime.fromisoformat(case.created), moment, school)
                    ),
                )
                for case in waiting
            ),
        ),
        Table(
            _t(N_("Follow-up questions this week")),
            (CASE_CODE, _t(N_("asked on"))),
            tuple((row["code"], school.local_time(row["due"])) for row in due),
        ),
        Table(
            _t(N_("Last week")),
            (_t(N_("what")), count),
            (
                (_t(N_("new reports")), week["created"]),
                (_t(N_("claimed")), week["first_claimed"]),
                (_t(N_("first message to the reporter")), week["first_messaged"]),
                (_t(N_("closed (the first time)")), week["first_closed"]),
            ),
        ),
        _stopped(year, None, _t(N_("This school year: is it stopped?"))),
        _timings(year, None, _t(N_("This school year: how fast (median, in school hours)"))),
    ]
    return tables if codes else [table for table in tables if CASE_CODE not in table.columns]


# The school leader's overview ---------------------------------------------------------------


def leader_view(
    stores: Stores, school: School, first: str, last: str, *, locale: str = DEFAULT_LOCALE
) -> list[Table]:
    """The school's figures for the months `first` to `last` (YYYY-MM) beside the same months a
    year earlier. Exact, and without case codes. `locale`: the reader's, for the names the
    school gave its phases."""
    scope = frozenset({school.id})
    now, before = tally(stores, scope, first, last), tally(stores, scope, *year_before(first, last))
    return [
        _stopped(now, before, _t(N_("Is it stopped?"))),
        _reports(now, before, school),
        _by(now, before, REPORTER, _t(N_("Who reported")), _t(N_("who"))),
        _by(now, before, CHANNEL, _t(N_("How they reported")), _t(N_("how"))),
        _stopped_by(now, KIND, FOLLOWUP_KIND, _t(N_("By kind of bullying")), _t(N_("kind"))),
        _stopped_by(now, PLACE, FOLLOWUP_PLACE, _t(N_("By place")), _t(N_("place"))),
        _hotspots(now),
        _timings(now, before, _t(N_("How fast (median, in school hours)"))),
        _phases(now, school, locale),
        _outcomes(now),
        _serious(stores, scope, first, last),
        _per_month(stores, scope, first, last),
    ]


def _columns(first: Text, before: Tally | None) -> tuple[Text, ...]:
    this = _t(N_("this period")) if before is not None else _t(N_("this school year"))
    if before is None:
        return (first, this)
    return (first, this, _t(N_("same period last year")))


def _row(what: Text, now: Cell, before: Cell, compare: bool) -> tuple[Cell, ...]:
    return (what, now, before) if compare else (what, now)


def _stopped(now: Tally, before: Tally | None, title: Text) -> Table:
    """The headline: the share of follow-up answers yes / a bit / no, and the reopen rate."""
    compare = before is not None
    then = before.followup() if before is not None else Shares()
    shares = now.followup()
    rows = [
        _row(
            label("followup", answer),
            _percent(shares.share(answer)),
            _percent(then.share(answer)),
            compare,
        )
        for answer in ANSWERS
    ]
    rows.append(_row(_t(N_("answers")), shares.answers, then.answers, compare))
    rows.append(
        _row(
            _t(REOPENED_HEAD),
            _percent(now.reopen_rate()),
            _percent(before.reopen_rate()) if before is not None else None,
            compare,
        )
    )
    return Table(
        title,
        _columns(_t(N_("answer")), before),
        tuple(rows),
        notes=(_t(STOPPED_NOTE), _t(REOPEN_NOTE)),
    )


def _reports(now: Tally, before: Tally, school: School) -> Table:
    rows = [(_t(N_("reports")), now.reports, before.reports)]
    if school.pupils:
        rows.append(
            (
                _t(N_("reports per 100 pupils")),
                per_100_pupils(now.reports, school.pupils),
                per_100_pupils(before.reports, school.pupils),
            )
        )
    return Table(_t(N_("Reports")), _columns(_t(N_("what")), before), tuple(rows))


def _by(now: Tally, before: Tally, dimension: str, title: Text, first: Text) -> Table:
    counts, then = now.by_value(dimension), before.by_value(dimension)
    now_known, then_known = gathered(dimension, counts), gathered(dimension, then)
    rows = tuple(
        (label(dimension, value), now_known.get(value, 0), then_known.get(value, 0))
        for value in shown_values(dimension, counts, then)
    )
    return Table(title, _columns(first, before), rows, chart="bars")


def _stopped_by(now: Tally, dimension: str, answers_by: str, title: Text, first: Text) -> Table:
    """Reports, the follow-up answers and the reopen rate per kind or place."""
    counts = known(dimension, now.by_value(dimension))
    by = _gathered(dimension, now.followup_by(answers_by))
    reopened = now.reopen_rates(dimension, partial(gathered, dimension))
    rows = []
    for value, n in counts.items():
        shares = by.get(value, Shares())
        rows.append(
            (
                label(dimension, value),
                n,
                shares.answers,
                *(_percent(shares.share(answer)) for answer in ANSWERS),
                _percent(reopened.get(value)),
            )
        )
    columns = (
        first,
        _t(N_("reports")),
        _t(N_("answers")),
        *(label("followup", answer) for answer in ANSWERS),
        _t(REOPENED_HEAD),
    )
    return Table(title, columns, tuple(rows), notes=(_t(STOPPED_NOTE), _t(REOPEN_NOTE)))


def _gathered(dimension: str, by: Mapping[str, Shares]) -> dict[str, Shares]:
    """Shares per listed value, the others gathered under UNKNOWN (as `labels.known` does)."""
    out: dict[str, Shares] = {}
    for value, shares in by.items():
        key = value if value in listed(dimension) else UNKNOWN
        had = out.get(key, Shares())
        out[key] = Shares(had.yes + shares.yes, had.a_bit + shares.a_bit, had.no + shares.no)
    return out


def _hotspots(now: Tally) -> Table:
    """Where and when reports say it happened: place × part of the school day (when the report
    was made, on the school's clock)."""
    pairs = now.pairs(HOTSPOT)
    parts = listed("part")
    places = shown_values(PLACE, {place: n for (place, _part), n in pairs.items()})
    rows = []
    for place in places:
        cells = [
            sum(n for (p, part), n in pairs.items() if part == wanted and _in(place, p))
            for wanted in parts
        ]
        rows.append((label(PLACE, place), *cells, sum(cells)))
    columns = (_t(N_("place")), *(label("part", part) for part in parts), _t(N_("total")))
    note = _t(N_("When the report was made, which is not always when it happened."))
    return Table(_t(N_("Where and when")), columns, tuple(rows), notes=(note,))


def _in(place: str, counted: str) -> bool:
    """Whether a counted place belongs to the row `place` (UNKNOWN gathers unlisted ones)."""
    if place == UNKNOWN:
        return counted not in listed(PLACE)
    return counted == place


def _timings(now: Tally, before: Tally | None, title: Text) -> Table:
    rows = []
    for dimension, what in TIMINGS:
        row: tuple[Cell, ...] = (
            _t(what),
            _hours(now.median_hours(dimension)),
            now.timed(dimension),
        )
        if before is not None:
            row = (*row, _hours(before.median_hours(dimension)))
        rows.append(row)
    columns: tuple[Text, ...] = (_t(N_("how long")), _t(N_("median")), _t(N_("cases")))
    if before is not None:
        columns = (*columns, _t(N_("median, same period last year")))
    note = _t(
        N_(
            "Counted in school hours, as the promise is: evenings, weekends and nights do not "
            "count. Cases closed as a test or a duplicate are not timed."
        )
    )
    return Table(title, columns, tuple(rows), notes=(note,))


def _phases(now: Tally, school: School, locale: str) -> Table:
    """How many cases reached each phase and how long they stayed, in the protocol's order, each
    phase by the name the school gave it ("Fase 1" unless it named them; configured text: a
    plain cell, neutralised where rendered)."""
    names = school.phases_in(locale)
    rows = tuple(
        (
            names[phase - 1],
            now.count(PHASE_REACHED, str(phase)),
            now.median_phase_days(phase),
        )
        for phase in PHASES
    )
    columns = (_t(N_("phase")), _t(N_("cases that reached it")), _t(N_("median school days in it")))
    return Table(_t(N_("Phases of the protocol")), columns, rows)


def _outcomes(now: Tally) -> Table:
    counts = known("outcome", now.by_value("outcome"))
    rows = tuple((label("outcome", value), n) for value, n in counts.items())
    note = _t(N_("Each case counts once, with how it was closed the first time."))
    return Table(
        _t(N_("How cases were closed")), (_t(N_("outcome")), _t(N_("cases"))), rows, notes=(note,)
    )


def _serious(stores: Stores, scope: frozenset[int], first: str, last: str) -> Table:
    rows = []
    for month, counted in monthly(stores, scope, first, last).items():
        for kind, n in known(KIND, counted.by_value(SERIOUS)).items():
            if n:
                rows.append((month, label(KIND, kind), n))
    note = _t(N_("Cases a coordinator marked as a serious incident, per kind."))
    columns = (_t(N_("month")), _t(N_("kind")), _t(N_("incidents")))
    return Table(_t(N_("Serious incidents")), columns, tuple(rows), notes=(note,))


def _per_month(stores: Stores, scope: frozenset[int], first: str, last: str) -> Table:
    now = monthly(stores, scope, first, last)
    before = monthly(stores, scope, *year_before(first, last))
    rows = tuple(
        (month, counted.reports, then.reports)
        for (month, counted), then in zip(now.items(), before.values(), strict=True)
    )
    columns = (_t(N_("month")), _t(N_("reports")), _t(N_("same month last year")))
    return Table(_t(N_("Reports per month")), columns, rows, chart="bars")


# The board's roll-up ------------------------------------------------------------------------

SUPPRESSED_NOTE = N_(
    "< 5: fewer than five, or hidden so that a total cannot give a small number away."
)
HIDDEN_NOTE = N_("x: not shown, so that no child can be recognised.")
BREAKDOWN_TITLES = {
    "kind": N_("Reports by kind of bullying"),
    "place": N_("Reports by place"),
    "reporter": N_("Reports by who reported"),
    "channel": N_("Reports by how they reported"),
    "followup": N_("Is it stopped? Follow-up answers"),
    "outcome": N_("How cases were closed"),
}


def board_view(
    stores: Stores, schools: Schools, first: str, last: str, breakdown: str
) -> list[Table]:
    """The board's live schools for the months `first` to `last`, by one breakdown (one of
    `suppress.BREAKDOWNS`): counts, shares and months, every figure suppressed where it is
    small. No tables for a board without schools.

    Raises `suppress.BoardRequestError` for anything but whole months or one breakdown.
    """
    suppress.check_request(first, last, breakdown)
    live = schools.live
    if not live:
        return []
    scope = frozenset(school.id for school in live)
    per_school = tallies(stores, scope, first, last)
    counted = [per_school[school.id].by_value(breakdown) for school in live]
    values = shown_values(breakdown, *counted)
    cells = [[gathered(breakdown, c).get(value, 0) for value in values] for c in counted]
    names: list[Cell] = [*(school.name or school.slug for school in live), _t(N_("all schools"))]
    counts = suppress.suppressed(cells)
    per_100 = [
        _board_per_100(per_school[school.id], school, row[-1])
        for school, row in zip(live, counts, strict=False)
    ]
    heads = tuple(label(breakdown, value) for value in values)
    title = _t(BREAKDOWN_TITLES[breakdown])
    notes = [_t(SUPPRESSED_NOTE), _t(HIDDEN_NOTE)]
    if breakdown == KIND:
        notes.append(_t(N_("A report about more than one kind counts once for each kind.")))
    return [
        Table(
            title,
            (_t(N_("school")), *heads, _t(N_("total")), _t(N_("reports per 100 pupils"))),
            tuple(
                (name, *row, pupils)
                for name, row, pupils in zip(names, counts, [*per_100, None], strict=True)
            ),
            notes=tuple(notes),
        ),
        Table(
            _t(N_("{title}: share per school"), title=title),
            (_t(N_("school")), *heads),
            tuple(
                (name, *row)
                for name, row in zip(names, suppress.suppressed_percents(cells), strict=True)
            ),
            notes=(_t(HIDDEN_NOTE),),
        ),
        _board_months(stores, scope, first, last),
    ]


def _board_per_100(counted: Tally, school: School, total: int | str) -> float | str | None:
    """Reports per 100 pupils, hidden where the reports are few or the school's total in the
    table is hidden (the pupil count would give it back)."""
    if school.pupils is None:
        return None
    if total == suppress.SUPPRESSED or counted.reports < suppress.SMALL:
        return suppress.HIDDEN
    return per_100_pupils(counted.reports, school.pupils)


def _board_months(stores: Stores, scope: frozenset[int], first: str, last: str) -> Table:
    """Reports per month over all the board's schools together (months only, suppressed)."""
    per_month = monthly(stores, scope, first, last)
    shown = suppress.suppressed([[counted.reports] for counted in per_month.values()])
    months: list[Cell] = [*per_month, _t(N_("total"))]
    return Table(
        _t(N_("Reports per month, all schools")),
        (_t(N_("month")), _t(N_("reports"))),
        tuple((month, row[0]) for month, row in zip(months, shown, strict=True)),
        notes=(_t(SUPPRESSED_NOTE),),
        chart="bars",
        total_row=True,
    )
