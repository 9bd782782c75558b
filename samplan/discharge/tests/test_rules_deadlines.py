"""Deadlines of the discharge steps (SPEC §3.2) in Swedish local time: hours are real elapsed
time across DST changes, days are Stockholm calendar days, working days skip weekends and
Swedish holidays. Pure rules: no database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from samplan.agreements.loader import get_agreement, version_in_force
from samplan.agreements.schema import Deadlines, InformationItem
from samplan.discharge.rules import (
    STOCKHOLM,
    AgreementVersion,
    Duration,
    NaiveDatetimeError,
    acknowledgement_due,
    add_duration,
    admission_notice_due,
    discharge_notice_due,
    end_of_day,
    information_transfer_due,
    is_working_day,
    planning_assessment_due,
    sip_invitation_due,
    written_plan_due,
)

GAVLEBORG: AgreementVersion = version_in_force(
    get_agreement("gavleborg"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)
STORSTAD: AgreementVersion = version_in_force(
    get_agreement("storstad"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)

LAST = time.max  # 23:59:59.999999


def at(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
    *,
    fold: int = 0,
) -> datetime:
    """A Stockholm wall-clock moment: at(2025, 3, 10, 8, 0)."""
    return datetime(
        year, month, day, hour, minute, second, microsecond, tzinfo=STOCKHOLM, fold=fold
    )


def real(moment: datetime) -> datetime:
    """The instant in UTC: aware datetimes of the same zone subtract by wall clock."""
    return moment.astimezone(UTC)


def day_end(day: date) -> datetime:
    return datetime.combine(day, LAST, tzinfo=STOCKHOLM)


# Strategies: aware moments anywhere in a few years, in several zones, and moments close to the
# Stockholm DST changes (2025-03-30 02:00→03:00, 2025-10-26 03:00→02:00, same in 2026).
ZONES = [UTC, STOCKHOLM, ZoneInfo("America/New_York"), timezone(timedelta(hours=5, minutes=30))]
DST_CHANGES = [
    datetime(2025, 3, 30, 1, 0, tzinfo=UTC),
    datetime(2025, 10, 26, 1, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
]
TWO_DAYS_US = 2 * 24 * 3600 * 10**6
ANYWHERE = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2027, 12, 1),
    timezones=st.sampled_from(ZONES),
)
NEAR_DST = st.builds(
    lambda change, offset, zone: (change + timedelta(microseconds=offset)).astimezone(zone),
    st.sampled_from(DST_CHANGES),
    st.integers(-TWO_DAYS_US, TWO_DAYS_US),
    st.sampled_from(ZONES),
)
MOMENTS = st.one_of(ANYWHERE, NEAR_DST)
NAIVE = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 1))


# --- Inskrivningsmeddelande: 24 hours of real time (2:3) --------------------------------------


@settings(max_examples=150, deadline=None)
@given(admitted=MOMENTS, judged=st.none() | MOMENTS)
def test_admission_notice_is_due_24_real_hours_after_admission_or_later_judgement(
    admitted: datetime, judged: datetime | None
) -> None:
    due = admission_notice_due(admitted, judged, GAVLEBORG)
    start = real(admitted) if judged is None else max(real(admitted), real(judged))
    assert real(due) - start == timedelta(hours=24)
    assert due.tzinfo is STOCKHOLM


def test_admission_notice_examples() -> None:
    admitted = at(2025, 3, 10, 8, 15)
    assert admission_notice_due(admitted, None, GAVLEBORG) == at(2025, 3, 11, 8, 15)
    # A later judgement of the need restarts the count; an earlier one does not.
    judged = at(2025, 3, 12, 16, 40)
    assert admission_notice_due(admitted, judged, GAVLEBORG) == at(2025, 3, 13, 16, 40)
    earlier = at(2025, 3, 9, 23, 0)
    assert admission_notice_due(admitted, earlier, GAVLEBORG) == at(2025, 3, 11, 8, 15)


@pytest.mark.parametrize(
    ("admitted", "due"),
    [
        pytest.param(at(2025, 3, 10, 0, 0), at(2025, 3, 11, 0, 0), id="midnight"),
        pytest.param(
            at(2025, 3, 10, 23, 59, 59, 999999), at(2025, 3, 11, 23, 59, 59, 999999),
            id="last-microsecond",
        ),
        pytest.param(at(2025, 3, 10, 12, 0), at(2025, 3, 11, 12, 0), id="noon"),
        pytest.param(at(2025, 3, 10, 12, 0, 0, 1), at(2025, 3, 11, 12, 0, 0, 1), id="after-noon"),
        # Spring forward: the night has 23 hours, so 24 h later is an hour later on the clock.
        pytest.param(at(2025, 3, 29, 12, 0), at(2025, 3, 30, 13, 0), id="spring-forward"),
        pytest.param(at(2025, 3, 30, 1, 30), at(2025, 3, 31, 2, 30), id="just-before-gap"),
        pytest.param(at(2025, 3, 30, 3, 0), at(2025, 3, 31, 3, 0), id="just-after-gap"),
        # Fall back: the night has 25 hours, so 24 h later is an hour earlier on the clock.
        pytest.param(at(2025, 10, 25, 12, 0), at(2025, 10, 26, 11, 0), id="fall-back"),
        pytest.param(
            at(2025, 10, 25, 2, 30), at(2025, 10, 26, 2, 30, fold=0), id="into-first-0230"
        ),
        pytest.param(
            at(2025, 10, 26, 2, 30, fold=1), at(2025, 10, 27, 2, 30), id="from-second-0230"
        ),
    ],
)  # fmt: skip
def test_admission_notice_around_midnight_noon_and_dst(admitted: datetime, due: datetime) -> None:
    got = admission_notice_due(admitted, None, GAVLEBORG)
    assert real(got) == real(due)
    assert (got.date(), got.time()) == (due.date(), due.time())
    assert real(got) - real(admitted) == timedelta(hours=24)


def test_admission_notice_counts_from_the_later_moment_in_the_repeated_autumn_hour() -> None:
    """Regression: in the repeated hour 02:15 CET (second) is later than 02:30 CEST (first)
    although its wall clock is earlier. Same-zone datetimes compare by wall clock, so the rule
    must compare instants."""
    admitted = at(2025, 10, 26, 2, 30, fold=0)  # 00:30 UTC
    judged = at(2025, 10, 26, 2, 15, fold=1)  # 01:15 UTC
    assert real(admitted) < real(judged)
    due = admission_notice_due(admitted, judged, GAVLEBORG)
    assert real(due) == datetime(2025, 10, 27, 1, 15, tzinfo=UTC)
    assert due == at(2025, 10, 27, 2, 15)


def test_results_are_in_stockholm_time_whatever_the_input_zone() -> None:
    admitted = datetime(2025, 6, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 June in Stockholm
    due = admission_notice_due(admitted, None, GAVLEBORG)
    assert due.tzinfo is STOCKHOLM
    assert (due.date(), due.time()) == (date(2025, 6, 3), time(0, 30))


# --- Kallelse till SIP: by the end of the 3rd day after the utskrivningsklar notice (4:3) -----


@settings(max_examples=150, deadline=None)
@given(sent=MOMENTS)
def test_sip_invitation_is_due_at_the_end_of_the_third_day_after_the_ready_notice(
    sent: datetime,
) -> None:
    due = sip_invitation_due(sent, GAVLEBORG)
    local_day = sent.astimezone(STOCKHOLM).date()
    assert due == day_end(local_day + timedelta(days=3))
    assert due.tzinfo is STOCKHOLM
    assert due.time() == LAST


@pytest.mark.parametrize(
    ("sent", "due_day"),
    [
        pytest.param(at(2025, 3, 10, 0, 0), date(2025, 3, 13), id="midnight"),
        pytest.param(at(2025, 3, 10, 11, 59, 59, 999999), date(2025, 3, 13), id="before-noon"),
        pytest.param(at(2025, 3, 10, 12, 0), date(2025, 3, 13), id="noon"),
        pytest.param(at(2025, 3, 10, 12, 0, 0, 1), date(2025, 3, 13), id="after-noon"),
        pytest.param(at(2025, 3, 10, 23, 59, 59, 999999), date(2025, 3, 13), id="last-us"),
        pytest.param(at(2025, 3, 11, 0, 0), date(2025, 3, 14), id="next-midnight"),
        # 23:30 UTC on the 10th is 00:30 on the 11th in Stockholm: the local day counts.
        pytest.param(datetime(2025, 3, 10, 23, 30, tzinfo=UTC), date(2025, 3, 14), id="utc"),
        # Calendar days: weekends and holidays are not skipped.
        pytest.param(at(2025, 12, 23, 9, 0), date(2025, 12, 26), id="christmas"),
        pytest.param(at(2025, 3, 28, 15, 0), date(2025, 3, 31), id="across-spring-forward"),
        pytest.param(at(2025, 10, 24, 15, 0), date(2025, 10, 27), id="across-fall-back"),
    ],
)
def test_sip_invitation_examples(sent: datetime, due_day: date) -> None:
    assert sip_invitation_due(sent, GAVLEBORG) == day_end(due_day)


def test_sip_invitation_due_is_in_summer_or_winter_time_of_its_own_day() -> None:
    spring = sip_invitation_due(at(2025, 3, 28, 15, 0), GAVLEBORG)
    assert spring.utcoffset() == timedelta(hours=2)
    assert real(spring) == datetime(2025, 3, 31, 21, 59, 59, 999999, tzinfo=UTC)
    autumn = sip_invitation_due(at(2025, 10, 24, 15, 0), GAVLEBORG)
    assert autumn.utcoffset() == timedelta(hours=1)
    assert real(autumn) == datetime(2025, 10, 27, 22, 59, 59, 999999, tzinfo=UTC)


# --- Kvittens and planeringsunderlag ----------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(sent=MOMENTS)
def test_gavleborg_acknowledgement_is_24_and_assessment_48_real_hours(sent: datetime) -> None:
    assert real(acknowledgement_due(sent, GAVLEBORG)) - real(sent) == timedelta(hours=24)
    assessment = planning_assessment_due(sent, GAVLEBORG)
    assert assessment is not None
    assert real(assessment) - real(sent) == timedelta(hours=48)


def test_gavleborg_acknowledgement_across_dst() -> None:
    assert acknowledgement_due(at(2025, 3, 29, 22, 0), GAVLEBORG) == at(2025, 3, 30, 23, 0)
    assert acknowledgement_due(at(2025, 10, 25, 22, 0), GAVLEBORG) == at(2025, 10, 26, 21, 0)
    assert planning_assessment_due(at(2025, 10, 25, 8, 0), GAVLEBORG) == at(2025, 10, 27, 7, 0)


@pytest.mark.parametrize(
    ("sent", "acknowledge_by", "assess_by"),
    [
        # Thursday → Friday (1), Monday (2).
        pytest.param(at(2025, 12, 18, 9, 0), date(2025, 12, 22), date(2025, 12, 19), id="weekend"),
        # Saturday: Monday is the first working day after it.
        pytest.param(at(2025, 3, 15, 9, 0), date(2025, 3, 18), date(2025, 3, 17), id="saturday"),
        # Julafton, juldagen, annandag jul, then the weekend.
        pytest.param(at(2025, 12, 22, 9, 0), date(2025, 12, 29), date(2025, 12, 23), id="jul"),
        # Nyårsafton and nyårsdagen; trettondedag jul (Tuesday 6 January) too.
        pytest.param(at(2025, 12, 30, 9, 0), date(2026, 1, 5), date(2026, 1, 2), id="nyar"),
        pytest.param(at(2026, 1, 5, 9, 0), date(2026, 1, 8), date(2026, 1, 7), id="trettondagen"),
        # Långfredagen, the weekend and annandag påsk.
        pytest.param(at(2025, 4, 17, 9, 0), date(2025, 4, 23), date(2025, 4, 22), id="pask"),
        # Midsommarafton (a de facto holiday).
        pytest.param(at(2025, 6, 19, 9, 0), date(2025, 6, 24), date(2025, 6, 23), id="midsommar"),
        # Kristi himmelsfärdsdag (Thursday): Friday (1), Monday (2).
        pytest.param(at(2025, 5, 28, 9, 0), date(2025, 6, 2), date(2025, 5, 30), id="kristi"),
        # First of May and Nationaldagen on weekdays.
        pytest.param(at(2025, 4, 30, 9, 0), date(2025, 5, 5), date(2025, 5, 2), id="forsta-maj"),
        pytest.param(at(2025, 6, 5, 9, 0), date(2025, 6, 10), date(2025, 6, 9), id="6-juni"),
        # Across the DST change: still the end of the day, in summer time.
        pytest.param(at(2025, 3, 28, 9, 0), date(2025, 4, 1), date(2025, 3, 31), id="dst"),
        # The local day counts: 23:30 UTC Thursday is 00:30 Friday in Stockholm.
        pytest.param(
            datetime(2025, 12, 18, 23, 30, tzinfo=UTC), date(2025, 12, 23), date(2025, 12, 22),
            id="utc-midnight",
        ),
    ],
)  # fmt: skip
def test_storstad_counts_working_days_to_the_end_of_the_day(
    sent: datetime, acknowledge_by: date, assess_by: date
) -> None:
    assert acknowledgement_due(sent, STORSTAD) == day_end(acknowledge_by)
    assert planning_assessment_due(sent, STORSTAD) == day_end(assess_by)


def test_no_assessment_deadline_when_the_agreement_sets_none() -> None:
    deadlines = Deadlines.model_validate(
        {**GAVLEBORG.deadlines.model_dump(), "planning_assessment": None}
    )
    without = GAVLEBORG.model_copy(update={"deadlines": deadlines})
    assert planning_assessment_due(at(2025, 3, 10, 9, 0), without) is None


# --- Written plan, discharge notice -----------------------------------------------------------


@pytest.mark.parametrize("agreement", [GAVLEBORG, STORSTAD], ids=lambda a: a.county_key)
def test_written_plan_within_three_days_and_discharge_notice_the_same_day(
    agreement: AgreementVersion,
) -> None:
    assert written_plan_due(at(2025, 3, 10, 14, 0), agreement) == day_end(date(2025, 3, 13))
    assert written_plan_due(at(2025, 3, 10, 23, 59), agreement) == day_end(date(2025, 3, 13))
    assert discharge_notice_due(at(2025, 3, 10, 0, 0), agreement) == day_end(date(2025, 3, 10))
    assert discharge_notice_due(at(2025, 3, 10, 23, 59), agreement) == day_end(date(2025, 3, 10))
    # Discharged 01:30 in Stockholm on the spring-forward night's next day (23:30 UTC before).
    discharged = datetime(2025, 3, 30, 23, 30, tzinfo=UTC)
    assert discharge_notice_due(discharged, agreement) == day_end(date(2025, 3, 31))


@settings(max_examples=60, deadline=None)
@given(discharged=MOMENTS)
def test_discharge_notice_is_due_by_the_end_of_the_local_discharge_day(
    discharged: datetime,
) -> None:
    due = discharge_notice_due(discharged, GAVLEBORG)
    assert due == day_end(discharged.astimezone(STOCKHOLM).date())
    assert real(due) >= real(discharged)


# --- Informationsöverföring (3:2) -------------------------------------------------------------


def test_gavleborg_information_transfer() -> None:
    ready = at(2025, 3, 14, 13, 0)
    # Epikris and medication list the same day as the utskrivningsklar notice.
    assert information_transfer_due(ready, None, GAVLEBORG) == day_end(date(2025, 3, 14))
    assert information_transfer_due(ready, None, GAVLEBORG, "epikris") == day_end(date(2025, 3, 14))
    assert information_transfer_due(ready, None, GAVLEBORG, "medication_list") == day_end(
        date(2025, 3, 14)
    )
    # Medical responsibility counts from the discharge, unknown so far.
    assert information_transfer_due(ready, None, GAVLEBORG, "medical_responsibility") is None
    discharged = at(2025, 3, 17, 10, 0)
    assert information_transfer_due(
        ready, discharged, GAVLEBORG, "medical_responsibility"
    ) == day_end(date(2025, 3, 17))
    assert information_transfer_due(
        ready, date(2025, 3, 17), GAVLEBORG, "medical_responsibility"
    ) == day_end(date(2025, 3, 17))
    # Without an item: the earliest.
    assert information_transfer_due(ready, discharged, GAVLEBORG) == day_end(date(2025, 3, 14))
    assert information_transfer_due(None, None, GAVLEBORG) is None


def test_storstad_information_transfer_is_due_on_the_discharge_day_only() -> None:
    ready = at(2025, 3, 14, 13, 0)
    for item in (None, "epikris", "medication_list", "medical_responsibility"):
        assert information_transfer_due(ready, None, STORSTAD, item) is None
        assert information_transfer_due(ready, date(2025, 3, 17), STORSTAD, item) == day_end(
            date(2025, 3, 17)
        )
    # A discharge 00:30 Stockholm time given in UTC (the evening before).
    discharged = datetime(2025, 3, 16, 23, 30, tzinfo=UTC)
    assert information_transfer_due(ready, discharged, STORSTAD) == day_end(date(2025, 3, 17))


def test_the_law_bound_the_discharge_day_wins_over_a_later_agreement_deadline() -> None:
    lenient = GAVLEBORG.model_copy(
        update={
            "information_transfer": (
                InformationItem(
                    id="epikris",
                    text="Epikris",
                    due_from="ready_notice",
                    within=Duration(amount=5, unit="calendar_days", at_end_of_day=True),
                ),
            )
        }
    )
    ready = at(2025, 3, 14, 13, 0)
    assert information_transfer_due(ready, None, lenient) == day_end(date(2025, 3, 19))
    assert information_transfer_due(ready, date(2025, 3, 15), lenient) == day_end(date(2025, 3, 15))


def test_unknown_information_item_is_an_error() -> None:
    with pytest.raises(KeyError, match="okänd informationspunkt 'rontgen'"):
        information_transfer_due(at(2025, 3, 14, 13, 0), None, GAVLEBORG, "rontgen")


# --- Naive datetimes --------------------------------------------------------------------------

DEADLINES: list[tuple[str, Callable[[datetime], object]]] = [
    ("admission_notice", lambda t: admission_notice_due(t, None, GAVLEBORG)),
    ("admission_judged", lambda t: admission_notice_due(at(2025, 1, 1, 0, 0), t, GAVLEBORG)),
    ("acknowledgement", lambda t: acknowledgement_due(t, STORSTAD)),
    ("planning_assessment", lambda t: planning_assessment_due(t, GAVLEBORG)),
    ("sip_invitation", lambda t: sip_invitation_due(t, GAVLEBORG)),
    ("written_plan", lambda t: written_plan_due(t, GAVLEBORG)),
    ("discharge_notice", lambda t: discharge_notice_due(t, GAVLEBORG)),
    ("information_ready", lambda t: information_transfer_due(t, None, GAVLEBORG)),
    ("information_discharge", lambda t: information_transfer_due(None, t, STORSTAD)),
]


@pytest.mark.parametrize(("name", "deadline"), DEADLINES, ids=[n for n, _ in DEADLINES])
def test_naive_datetimes_are_refused(name: str, deadline: Callable[[datetime], object]) -> None:
    with pytest.raises(NaiveDatetimeError, match="saknar tidszon"):
        deadline(datetime(2025, 3, 10, 12, 0))


@settings(max_examples=40, deadline=None)
@given(naive=NAIVE)
def test_any_naive_datetime_is_refused(naive: datetime) -> None:
    for _name, deadline in DEADLINES:
        with pytest.raises(NaiveDatetimeError):
            deadline(naive)


# --- The clock underneath ---------------------------------------------------------------------


def test_calendar_days_keep_the_wall_clock_across_dst() -> None:
    one_day = Duration(amount=1, unit="calendar_days")
    spring = add_duration(at(2025, 3, 29, 12, 0), one_day)
    assert spring == at(2025, 3, 30, 12, 0)
    assert real(spring) - real(at(2025, 3, 29, 12, 0)) == timedelta(hours=23)
    autumn = add_duration(at(2025, 10, 25, 12, 0), one_day)
    assert real(autumn) - real(at(2025, 10, 25, 12, 0)) == timedelta(hours=25)
    # A kept time in the spring gap moves forward by the gap.
    assert add_duration(at(2025, 3, 29, 2, 30), one_day) == at(2025, 3, 30, 3, 30)
    # An ambiguous kept time is the first occurrence (summer time).
    first = add_duration(at(2025, 10, 25, 2, 30), one_day)
    assert first.utcoffset() == timedelta(hours=2)


def test_an_ambiguous_kept_time_is_the_first_occurrence_whatever_the_start_fold() -> None:
    second_0230 = at(2025, 10, 26, 2, 30, fold=1)  # winter time, 01:30 UTC
    a_year_later = add_duration(second_0230, Duration(amount=364, unit="calendar_days"))
    assert a_year_later.date() == date(2026, 10, 25)  # the next autumn change
    assert a_year_later.utcoffset() == timedelta(hours=2)
    assert real(a_year_later) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_working_days_zero_means_the_same_or_next_working_day() -> None:
    same_day = Duration(amount=0, unit="working_days", at_end_of_day=True)
    assert add_duration(at(2025, 3, 12, 9, 0), same_day) == day_end(date(2025, 3, 12))
    assert add_duration(at(2025, 12, 24, 9, 0), same_day) == day_end(date(2025, 12, 29))
    keep = Duration(amount=1, unit="working_days")
    assert add_duration(at(2025, 3, 14, 9, 30), keep) == at(2025, 3, 17, 9, 30)


@settings(max_examples=60, deadline=None)
@given(sent=MOMENTS, amount=st.integers(0, 12))
def test_working_days_land_on_the_right_working_day(sent: datetime, amount: int) -> None:
    duration = Duration(amount=amount, unit="working_days", at_end_of_day=True)
    due = add_duration(sent, duration)
    start = sent.astimezone(STOCKHOLM).date()
    assert due.time() == LAST
    assert is_working_day(due.date())
    between = [start + timedelta(days=i) for i in range(1, (due.date() - start).days + 1)]
    if amount == 0:
        assert all(not is_working_day(d) for d in [start, *between][:-1])
    else:
        assert sum(map(is_working_day, between)) == amount


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 3, 10), True),  # Monday
        (date(2025, 3, 15), False),  # Saturday
        (date(2025, 3, 16), False),  # Sunday
        (date(2025, 1, 1), False),  # nyårsdagen
        (date(2025, 1, 6), False),  # trettondedag jul
        (date(2025, 4, 18), False),  # långfredagen
        (date(2025, 4, 21), False),  # annandag påsk
        (date(2025, 5, 1), False),  # första maj
        (date(2025, 5, 29), False),  # Kristi himmelsfärdsdag
        (date(2025, 6, 6), False),  # nationaldagen
        (date(2025, 6, 20), False),  # midsommarafton
        (date(2025, 12, 24), False),  # julafton
        (date(2025, 12, 26), False),  # annandag jul
        (date(2025, 12, 31), False),  # nyårsafton
        (date(2025, 12, 23), True),
        (date(2025, 4, 22), True),  # Tuesday after Easter
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_end_of_day_is_the_last_microsecond_in_stockholm() -> None:
    end = end_of_day(date(2025, 3, 30))
    assert end.tzinfo is STOCKHOLM
    assert end + timedelta(microseconds=1) == at(2025, 3, 31, 0, 0)


def test_invalid_durations_are_refused() -> None:
    with pytest.raises(ValidationError, match="0 betyder samma dag"):
        Duration(amount=0, unit="calendar_days")
    with pytest.raises(ValidationError, match="kan bara användas med dagar"):
        Duration(amount=24, unit="hours", at_end_of_day=True)
    with pytest.raises(ValidationError, match="positivt heltal"):
        Duration(amount=-1, unit="hours")
