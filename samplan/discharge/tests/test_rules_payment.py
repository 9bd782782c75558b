"""The municipality's payment liability (5 kap.; SPEC §5): start after the 12.00 cutoff, days
until discharge, excluded 5:5 periods, amounts per year and the 5:3 preconditions, under the
law's counting (Gävleborg) and the day-0 counting (Storstad). Pure rules: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samplan.agreements.loader import get_agreement, version_in_force
from samplan.discharge.rules import (
    STOCKHOLM,
    AgreementVersion,
    CaseFacts,
    ExcludedPeriod,
    LiableDay,
    Needs,
    Notice,
    NoticeKind,
    PaymentAmountMissing,
    payment_liability_days,
    payment_liability_start,
    payment_preconditions,
    sent_after_cutoff,
)

GAVLEBORG: AgreementVersion = version_in_force(
    get_agreement("gavleborg"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)
STORSTAD: AgreementVersion = version_in_force(
    get_agreement("storstad"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)
BOTH = pytest.mark.parametrize("agreement", [GAVLEBORG, STORSTAD], ids=lambda a: a.county_key)


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


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def days_of(liable: list[LiableDay]) -> list[date]:
    return [d.day for d in liable]


# --- The 12.00 cutoff -------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize(
    ("sent", "after"),
    [
        pytest.param(at(2025, 3, 10, 0, 0), False, id="midnight"),
        pytest.param(at(2025, 3, 10, 11, 59, 59, 999999), False, id="11:59:59.999999"),
        pytest.param(at(2025, 3, 10, 12, 0), False, id="12:00:00-exactly"),
        pytest.param(at(2025, 3, 10, 12, 0, 0, 1), True, id="12:00:00.000001"),
        pytest.param(at(2025, 3, 10, 12, 0, 1), True, id="12:00:01"),
        pytest.param(at(2025, 3, 10, 23, 59, 59, 999999), True, id="last-microsecond"),
        # UTC input is judged by the Stockholm clock: winter +1 h, summer +2 h.
        pytest.param(datetime(2025, 1, 15, 11, 0, tzinfo=UTC), False, id="utc-winter-noon"),
        pytest.param(datetime(2025, 1, 15, 11, 0, 0, 1, tzinfo=UTC), True, id="utc-winter-after"),
        pytest.param(datetime(2025, 7, 15, 10, 0, tzinfo=UTC), False, id="utc-summer-noon"),
        pytest.param(datetime(2025, 7, 15, 10, 0, 0, 1, tzinfo=UTC), True, id="utc-summer-after"),
        pytest.param(datetime(2025, 7, 15, 11, 0, tzinfo=UTC), True, id="utc-11-is-13-local"),
    ],
)
def test_sent_after_cutoff_is_strictly_after_noon_local_time(
    agreement: AgreementVersion, sent: datetime, after: bool
) -> None:
    assert sent_after_cutoff(sent, agreement) is after


@pytest.mark.parametrize(
    ("sent", "gavleborg_start", "storstad_start"),
    [
        # Monday before noon: day 3 after (Thursday) under the law; the send day is day 1 of 3
        # in Storstad, so Wednesday.
        pytest.param(at(2025, 3, 10, 9, 0), date(2025, 3, 13), date(2025, 3, 12), id="morning"),
        pytest.param(at(2025, 3, 10, 12, 0), date(2025, 3, 13), date(2025, 3, 12), id="noon"),
        pytest.param(
            at(2025, 3, 10, 12, 0, 0, 1), date(2025, 3, 14), date(2025, 3, 13), id="after-noon"
        ),
        pytest.param(at(2025, 3, 10, 0, 0), date(2025, 3, 13), date(2025, 3, 12), id="midnight"),
        pytest.param(
            at(2025, 3, 10, 23, 59, 59, 999999), date(2025, 3, 14), date(2025, 3, 13), id="late"
        ),
        # 23:30 UTC on the 9th is 00:30 on the 10th in Stockholm: morning of the 10th.
        pytest.param(
            datetime(2025, 3, 9, 23, 30, tzinfo=UTC), date(2025, 3, 13), date(2025, 3, 12),
            id="utc-evening",
        ),
        # Calendar days: weekends, holidays, the year end and DST changes are not skipped.
        pytest.param(at(2025, 12, 30, 13, 0), date(2026, 1, 3), date(2026, 1, 2), id="new-year"),
        pytest.param(at(2025, 3, 28, 12, 30), date(2025, 4, 1), date(2025, 3, 31), id="dst"),
    ],
)  # fmt: skip
def test_liability_starts_day_3_or_day_4_after_the_ready_notice(
    sent: datetime, gavleborg_start: date, storstad_start: date
) -> None:
    assert payment_liability_start(sent, GAVLEBORG) == gavleborg_start
    assert payment_liability_start(sent, STORSTAD) == storstad_start


SENT = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2027, 11, 1),
    timezones=st.sampled_from([UTC, STOCKHOLM, ZoneInfo("America/New_York")]),
)


@settings(max_examples=100, deadline=None)
@given(sent=SENT)
def test_start_is_3_or_4_days_after_the_local_send_date(sent: datetime) -> None:
    local = sent.astimezone(STOCKHOLM)
    after = local.time() > time(12, 0)
    assert sent_after_cutoff(sent, GAVLEBORG) is after
    assert sent_after_cutoff(sent, STORSTAD) is after
    assert (payment_liability_start(sent, GAVLEBORG) - local.date()).days == (4 if after else 3)
    # Storstad counts the send date as the first of the days: one day earlier.
    assert (payment_liability_start(sent, STORSTAD) - local.date()).days == (3 if after else 2)


# --- Counting the days ------------------------------------------------------------------------


def test_gavleborg_counts_up_to_the_day_before_discharge() -> None:
    sent = at(2025, 3, 10, 9, 0)
    days = payment_liability_days(sent, date(2025, 3, 20), True, [], GAVLEBORG)
    assert days_of(days) == span(date(2025, 3, 13), date(2025, 3, 19))
    assert {d.amount_sek for d in days} == {10500}
    assert sum(d.amount_sek for d in days) == 7 * 10500
    # A discharge datetime counts by its local date.
    discharged = datetime(2025, 3, 19, 23, 30, tzinfo=UTC)  # 00:30 on the 20th
    assert payment_liability_days(sent, discharged, True, [], GAVLEBORG) == days


def test_storstad_counts_from_day_zero_and_includes_the_discharge_day() -> None:
    sent = at(2025, 3, 10, 9, 0)
    days = payment_liability_days(sent, date(2025, 3, 20), True, [], STORSTAD)
    assert days_of(days) == span(date(2025, 3, 12), date(2025, 3, 20))
    assert len(days) == 9


@pytest.mark.parametrize(
    ("sent", "discharged", "gavleborg", "storstad"),
    [
        # Before noon on Monday: Gävleborg liable from Thursday, Storstad from Wednesday.
        (at(2025, 3, 10, 11, 0), date(2025, 3, 12), 0, 1),
        (at(2025, 3, 10, 11, 0), date(2025, 3, 13), 0, 2),
        (at(2025, 3, 10, 11, 0), date(2025, 3, 14), 1, 3),
        # After noon: one day later each.
        (at(2025, 3, 10, 13, 0), date(2025, 3, 13), 0, 1),
        (at(2025, 3, 10, 13, 0), date(2025, 3, 14), 0, 2),
        (at(2025, 3, 10, 13, 0), date(2025, 3, 15), 1, 3),
        # Discharged the same day: nothing.
        (at(2025, 3, 10, 13, 0), date(2025, 3, 10), 0, 0),
    ],
)
def test_number_of_liable_days(
    sent: datetime, discharged: date, gavleborg: int, storstad: int
) -> None:
    assert len(payment_liability_days(sent, discharged, True, [], GAVLEBORG)) == gavleborg
    assert len(payment_liability_days(sent, discharged, True, [], STORSTAD)) == storstad


@BOTH
def test_until_caps_the_days_of_a_patient_still_in_hospital(agreement: AgreementVersion) -> None:
    sent = at(2025, 3, 10, 9, 0)
    start = payment_liability_start(sent, agreement)
    days = payment_liability_days(sent, None, True, [], agreement, until=date(2025, 3, 31))
    assert days_of(days) == span(start, date(2025, 3, 31))
    # With both, the earlier end wins.
    capped = payment_liability_days(
        sent, date(2025, 4, 10), True, [], agreement, until=date(2025, 3, 20)
    )
    assert days_of(capped) == span(start, date(2025, 3, 20))
    assert payment_liability_days(sent, None, True, [], agreement, until=date(2025, 3, 11)) == []


@BOTH
def test_without_discharge_or_until_is_an_error(agreement: AgreementVersion) -> None:
    with pytest.raises(ValueError, match="ange utskrivningsdatum"):
        payment_liability_days(at(2025, 3, 10, 9, 0), None, True, [], agreement)


@BOTH
def test_no_days_when_the_preconditions_are_not_met(agreement: AgreementVersion) -> None:
    assert (
        payment_liability_days(at(2025, 3, 10, 9, 0), date(2025, 4, 1), False, [], agreement) == []
    )


@BOTH
def test_excluded_5_5_periods_are_not_liable(agreement: AgreementVersion) -> None:
    sent = at(2025, 3, 10, 9, 0)
    start = payment_liability_start(sent, agreement)
    excluded: list[ExcludedPeriod] = [
        (date(2025, 3, 15), date(2025, 3, 16)),  # inclusive on both ends
        (date(2025, 3, 1), date(2025, 3, 13)),  # overlaps the start
    ]
    days = days_of(payment_liability_days(sent, date(2025, 3, 20), True, excluded, agreement))
    assert date(2025, 3, 15) not in days
    assert date(2025, 3, 16) not in days
    assert date(2025, 3, 14) in days
    assert date(2025, 3, 17) in days
    assert min(days) == max(start, date(2025, 3, 14))
    # An ongoing period (no last day yet) excludes everything from its first day.
    ongoing: list[ExcludedPeriod] = [(date(2025, 3, 17), None)]
    days = days_of(payment_liability_days(sent, date(2025, 3, 30), True, ongoing, agreement))
    assert days == span(start, date(2025, 3, 16))
    # A period covering the whole stay leaves nothing.
    whole: list[ExcludedPeriod] = [(date(2025, 3, 1), date(2025, 4, 30))]
    assert payment_liability_days(sent, date(2025, 3, 30), True, whole, agreement) == []


@BOTH
def test_a_stay_across_new_year_uses_each_years_amount(agreement: AgreementVersion) -> None:
    sent = at(2024, 12, 26, 10, 0)
    days = payment_liability_days(sent, date(2025, 1, 3), True, [], agreement)
    by_year = {d.day: d.amount_sek for d in days}
    assert by_year[date(2024, 12, 31)] == 10100 == agreement.payment.amounts_sek[2024]
    assert by_year[date(2025, 1, 1)] == 10500 == agreement.payment.amounts_sek[2025]
    assert all(d.amount_sek == agreement.payment.amounts_sek[d.day.year] for d in days)
    assert days == sorted(days)


@BOTH
def test_a_year_without_amount_is_an_error(agreement: AgreementVersion) -> None:
    # 2019 has an amount, 2020 and 2021 have none in the shipped files; neither has 2028.
    with pytest.raises(PaymentAmountMissing, match="inget belopp per dag för år 2020"):
        payment_liability_days(at(2019, 12, 20, 9, 0), date(2020, 1, 5), True, [], agreement)
    with pytest.raises(PaymentAmountMissing, match=f"{agreement.version_id}: .* år 2028"):
        payment_liability_days(at(2027, 12, 27, 9, 0), date(2028, 1, 5), True, [], agreement)
    # Excluded days and days before the start need no amount.
    excluded: list[ExcludedPeriod] = [(date(2028, 1, 1), None)]
    days = payment_liability_days(
        at(2027, 12, 27, 9, 0), date(2028, 1, 5), True, excluded, agreement
    )
    assert max(days_of(days)) == date(2027, 12, 31)


@settings(max_examples=80, deadline=None)
@given(
    sent=SENT,
    stay=st.integers(0, 40),
    excluded_from=st.integers(0, 40),
    excluded_length=st.none() | st.integers(0, 10),
)
def test_liable_days_are_the_days_from_start_to_end_minus_excluded(
    sent: datetime, stay: int, excluded_from: int, excluded_length: int | None
) -> None:
    send_day = sent.astimezone(STOCKHOLM).date()
    discharged = send_day + timedelta(days=stay)
    first_excluded = send_day + timedelta(days=excluded_from)
    period: ExcludedPeriod = (
        first_excluded,
        None if excluded_length is None else first_excluded + timedelta(days=excluded_length),
    )
    for agreement, last in (
        (GAVLEBORG, discharged - timedelta(days=1)),
        (STORSTAD, discharged),
    ):
        start = payment_liability_start(sent, agreement)
        expected = [
            d
            for d in span(start, last)
            if not (period[0] <= d and (period[1] is None or d <= period[1]))
        ]
        days = payment_liability_days(sent, discharged, True, [period], agreement)
        assert days_of(days) == expected
        assert all(d.amount_sek == agreement.payment.amounts_sek[d.day.year] for d in days)


# --- Preconditions (5:3) ----------------------------------------------------------------------

ADMITTED = at(2025, 3, 10, 8, 0)
ADMISSION = Notice(NoticeKind.ADMISSION_NOTICE, at(2025, 3, 10, 10, 0))
READY = Notice(NoticeKind.READY_FOR_DISCHARGE, at(2025, 3, 14, 13, 0))
SIP = Notice(NoticeKind.SIP_INVITATION, at(2025, 3, 15, 9, 0))
NO_ADMISSION = "Inget inskrivningsmeddelande har skickats (2 kap. 1–3 §§)."
NO_READY = "Ingen underrättelse om utskrivningsklar har skickats (3 kap. 1 §)."
NO_SIP = "Fast vårdkontakt har inte kallat till SIP (4 kap. 3 §)."


def facts(needs: Needs | None, *notices: Notice) -> CaseFacts:
    return CaseFacts(
        agreement_version_id=GAVLEBORG.version_id,
        admitted_at=ADMITTED,
        needs=needs,
        notices=notices,
    )


E = Needs(special_housing_or_health_care_in_social_services=True)
C = Needs(social_services=True)


@pytest.mark.parametrize(
    ("case", "unmet"),
    [
        pytest.param(
            facts(None),
            ["Ankomstsamtalet är inte dokumenterat, så planeringskategorin är okänd."],
            id="no-arrival-conversation",
        ),
        pytest.param(facts(Needs(), ADMISSION, READY), ["Kategori A ger inget betalningsansvar."],
                     id="A"),
        pytest.param(facts(Needs(regional_outpatient=True), ADMISSION, READY),
                     ["Kategori B ger inget betalningsansvar."], id="B"),
        pytest.param(facts(C), [NO_ADMISSION, NO_READY], id="C-nothing-sent"),
        pytest.param(facts(C, ADMISSION, READY), [], id="C-needs-no-SIP"),
        pytest.param(facts(E), [NO_ADMISSION, NO_READY, NO_SIP], id="E-nothing-sent"),
        pytest.param(facts(E, ADMISSION), [NO_READY, NO_SIP], id="E-admission-only"),
        pytest.param(facts(E, ADMISSION, READY), [NO_SIP], id="E-no-SIP-invitation"),
        pytest.param(facts(E, ADMISSION, READY, SIP), [], id="E-all-sent"),
        pytest.param(facts(E, READY, SIP), [NO_ADMISSION], id="E-no-admission-notice"),
        # A withdrawn (makulerat) message counts as never sent.
        pytest.param(
            facts(E, ADMISSION, Notice(NoticeKind.READY_FOR_DISCHARGE, READY.sent_at,
                                       withdrawn=True), SIP),
            [NO_READY], id="withdrawn-ready-notice",
        ),
        pytest.param(
            facts(E, Notice(NoticeKind.ADMISSION_NOTICE, ADMISSION.sent_at, withdrawn=True),
                  ADMISSION, READY, SIP),
            [], id="withdrawn-then-resent",
        ),
        # Other messages do not count.
        pytest.param(
            facts(C, Notice(NoticeKind.GENERAL, ADMISSION.sent_at), READY), [NO_ADMISSION],
            id="general-message-is-not-an-admission-notice",
        ),
    ],
)  # fmt: skip
def test_payment_preconditions(case: CaseFacts, unmet: list[str]) -> None:
    assert payment_preconditions(case, GAVLEBORG) == unmet


@pytest.mark.parametrize(
    "needs",
    [
        Needs(municipal_health_care=True),
        Needs(regional_outpatient=True, social_services=True),
        Needs(social_services=True, municipal_health_care=True),
        E,
    ],
)
def test_every_category_with_sip_needs_the_invitation(needs: Needs) -> None:
    assert payment_preconditions(facts(needs, ADMISSION, READY), GAVLEBORG) == [NO_SIP]
    assert payment_preconditions(facts(needs, ADMISSION, READY, SIP), GAVLEBORG) == []


def test_preconditions_feed_the_days() -> None:
    case = facts(E, ADMISSION, READY)
    assert case.ready_notice_sent_at is not None
    met = not payment_preconditions(case, GAVLEBORG)
    assert (
        payment_liability_days(case.ready_notice_sent_at, date(2025, 3, 25), met, [], GAVLEBORG)
        == []
    )
    case = facts(E, ADMISSION, READY, SIP)
    assert case.ready_notice_sent_at is not None
    met = not payment_preconditions(case, GAVLEBORG)
    # Sent Friday 13:00, after the cutoff: liable from Tuesday the 18th.
    days = payment_liability_days(case.ready_notice_sent_at, date(2025, 3, 25), met, [], GAVLEBORG)
    assert days_of(days) == span(date(2025, 3, 18), date(2025, 3, 24))
