"""Open obligations of a case (who must do what, by when) through a category-E stay, overdue
strictly after the deadline, withdrawn messages, interruption, and the agreement version the case
is judged by. Pure rules: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samplan.agreements.loader import get_agreement, version_in_force
from samplan.agreements.schema import NoVersionInForce
from samplan.discharge.rules import (
    STOCKHOLM,
    AgreementMismatch,
    AgreementVersion,
    CaseFacts,
    NaiveDatetimeError,
    Needs,
    Notice,
    NoticeKind,
    Obligation,
    ObligationKind,
    Recipient,
    UnitId,
    UnitKind,
    open_obligations,
    payment_preconditions,
)

GAVLEBORG: AgreementVersion = version_in_force(
    get_agreement("gavleborg"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)
STORSTAD: AgreementVersion = version_in_force(
    get_agreement("storstad"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)

K = ObligationKind
WARD_KIND = UnitKind.INPATIENT_WARD
VC_KIND = UnitKind.PRIMARY_CARE
SPEC_KIND = UnitKind.SPECIALIST_OUTPATIENT
SOC_KIND = UnitKind.SOCIAL_SERVICES
HSV_KIND = UnitKind.MUNICIPAL_HEALTH_CARE
WARD, VC, SPEC, SOC, HSV = "avd-7", "vc-1", "spec-1", "soc-1", "hsv-1"
UNITS = ((VC, VC_KIND), (SOC, SOC_KIND), (HSV, HSV_KIND))
E = Needs(special_housing_or_health_care_in_social_services=True)


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


def day_end(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=STOCKHOLM)


def notice(
    kind: NoticeKind,
    sent_at: datetime,
    acknowledged_at: datetime | None = None,
    *,
    withdrawn: bool = False,
    units: tuple[tuple[UnitId, UnitKind], ...] = UNITS,
) -> Notice:
    recipients = tuple(Recipient(unit, kind_, acknowledged_at) for unit, kind_ in units)
    return Notice(kind, sent_at, recipients, withdrawn=withdrawn)


Row = tuple[ObligationKind, UnitKind, UnitId | None, str | None, datetime | None]


def rows(obligations: list[Obligation]) -> set[Row]:
    found = {(o.kind, o.responsible_kind, o.unit_id, o.subject, o.due) for o in obligations}
    assert len(found) == len(obligations), "an obligation is listed twice"
    return found


def acks(subject: NoticeKind, due: datetime) -> set[Row]:
    return {(K.ACKNOWLEDGE_NOTICE, kind, unit, subject.value, due) for unit, kind in UNITS}


def answers(due: datetime | None) -> set[Row]:
    return {(K.ANSWER_PLANNING_ASSESSMENT, kind, unit, None, due) for unit, kind in UNITS}


# --- A category-E stay under Gävleborg, stage by stage ----------------------------------------

ADMITTED = at(2025, 3, 10, 8, 0)  # Monday
ESTIMATED = at(2025, 3, 18, 12, 0)
ADMISSION_SENT = at(2025, 3, 10, 10, 0)
READY_SENT = at(2025, 3, 14, 13, 0)  # Friday, after 12.00
SIP_SENT = at(2025, 3, 14, 15, 0)  # the FVK acts the same day
DISCHARGED = at(2025, 3, 18, 11, 0)
ALL_INFORMATION = frozenset({"epikris", "medication_list", "medical_responsibility"})

S0_ADMITTED = CaseFacts(
    agreement_version_id=GAVLEBORG.version_id, admitted_at=ADMITTED, ward_unit_id=WARD
)
S1_CONVERSATION = replace(S0_ADMITTED, needs=E, estimated_discharge=ESTIMATED)
S2_ADMISSION_NOTICE = replace(
    S1_CONVERSATION, notices=(notice(NoticeKind.ADMISSION_NOTICE, ADMISSION_SENT),)
)
S3_ACKNOWLEDGED = replace(
    S1_CONVERSATION,
    notices=(notice(NoticeKind.ADMISSION_NOTICE, ADMISSION_SENT, at(2025, 3, 10, 11, 0)),),
)
S4_ASSESSED = replace(S3_ACKNOWLEDGED, assessed_by=frozenset({VC, SOC, HSV}))
S5_FVK = replace(S4_ASSESSED, fvk_appointed=True, fvk_unit_id=VC)
S6_READY = replace(
    S5_FVK,
    notices=(
        *S5_FVK.notices,
        notice(NoticeKind.READY_FOR_DISCHARGE, READY_SENT, at(2025, 3, 14, 13, 30)),
    ),
)
S7_SIP_INVITATION = replace(
    S6_READY,
    notices=(
        *S6_READY.notices,
        notice(NoticeKind.SIP_INVITATION, SIP_SENT, at(2025, 3, 14, 15, 30), units=UNITS[1:]),
    ),
)
S8_INFORMATION = replace(S7_SIP_INVITATION, information_transferred=ALL_INFORMATION)
S9_DISCHARGED = replace(S8_INFORMATION, discharged_at=DISCHARGED)
S10_DISCHARGE_NOTICE = replace(
    S9_DISCHARGED,
    notices=(
        *S9_DISCHARGED.notices,
        notice(NoticeKind.DISCHARGE_NOTICE, at(2025, 3, 18, 11, 5), at(2025, 3, 18, 11, 30)),
    ),
)

SEND_READY: Row = (K.SEND_READY_NOTICE, WARD_KIND, WARD, None, None)


@pytest.mark.parametrize(
    ("facts", "now", "expected"),
    [
        pytest.param(
            S0_ADMITTED, at(2025, 3, 10, 8, 30),
            {(K.RECORD_ARRIVAL_CONVERSATION, WARD_KIND, WARD, None, at(2025, 3, 11, 8, 0))},
            id="0-admitted",
        ),
        pytest.param(
            S1_CONVERSATION, at(2025, 3, 10, 9, 0),
            {
                (K.SEND_ADMISSION_NOTICE, WARD_KIND, WARD, None, at(2025, 3, 11, 8, 0)),
                # No outpatient unit notified yet: the vårdcentral kind, unit unknown.
                (K.APPOINT_FVK, VC_KIND, None, None, ESTIMATED),
                SEND_READY,
            },
            id="1-arrival-conversation",
        ),
        pytest.param(
            S2_ADMISSION_NOTICE, at(2025, 3, 10, 10, 30),
            acks(NoticeKind.ADMISSION_NOTICE, at(2025, 3, 11, 10, 0))
            | answers(at(2025, 3, 12, 10, 0))
            | {(K.APPOINT_FVK, VC_KIND, VC, None, ESTIMATED), SEND_READY},
            id="2-admission-notice",
        ),
        pytest.param(
            S3_ACKNOWLEDGED, at(2025, 3, 10, 11, 30),
            answers(at(2025, 3, 12, 10, 0))
            | {(K.APPOINT_FVK, VC_KIND, VC, None, ESTIMATED), SEND_READY},
            id="3-acknowledged",
        ),
        pytest.param(
            S4_ASSESSED, at(2025, 3, 11, 9, 0),
            {(K.APPOINT_FVK, VC_KIND, VC, None, ESTIMATED), SEND_READY},
            id="4-assessed",
        ),
        pytest.param(S5_FVK, at(2025, 3, 12, 9, 0), {SEND_READY}, id="5-fvk"),
        pytest.param(
            S6_READY, at(2025, 3, 14, 14, 0),
            {
                # Within 3 days of the utskrivningsklar notice: the end of Monday.
                (K.SEND_SIP_INVITATION, VC_KIND, VC, None, day_end(date(2025, 3, 17))),
                # Gävleborg: epikris and medication list the same day as the notice.
                (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "epikris", day_end(date(2025, 3, 14))),
                (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "medication_list",
                 day_end(date(2025, 3, 14))),
                # Counted from the discharge, not known yet.
                (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "medical_responsibility", None),
            },
            id="6-ready-notice",
        ),
        pytest.param(
            S7_SIP_INVITATION, at(2025, 3, 14, 16, 0),
            {
                (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "epikris", day_end(date(2025, 3, 14))),
                (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "medication_list",
                 day_end(date(2025, 3, 14))),
                (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "medical_responsibility", None),
            },
            id="7-sip-invitation",
        ),
        pytest.param(S8_INFORMATION, at(2025, 3, 14, 17, 0), set(), id="8-information"),
        pytest.param(
            S9_DISCHARGED, at(2025, 3, 18, 11, 1),
            {(K.SEND_DISCHARGE_NOTICE, WARD_KIND, WARD, None, day_end(date(2025, 3, 18)))},
            id="9-discharged",
        ),
        pytest.param(S10_DISCHARGE_NOTICE, at(2025, 3, 18, 12, 0), set(), id="10-done"),
        pytest.param(S10_DISCHARGE_NOTICE, at(2025, 12, 31, 12, 0), set(), id="10-done-later"),
    ],
)  # fmt: skip
def test_category_e_stage_by_stage(facts: CaseFacts, now: datetime, expected: set[Row]) -> None:
    found = open_obligations(facts, GAVLEBORG, now)
    assert rows(found) == expected
    assert not any(o.is_overdue(now) for o in found)


def test_labels_and_responsible_units() -> None:
    found = open_obligations(S2_ADMISSION_NOTICE, GAVLEBORG, at(2025, 3, 10, 10, 30))
    labels = {o.kind: o.label for o in found}
    assert labels[K.ACKNOWLEDGE_NOTICE] == "Kvittera inskrivningsmeddelande"
    assert labels[K.ANSWER_PLANNING_ASSESSMENT] == "Besvara planeringsunderlaget"
    assert labels[K.APPOINT_FVK] == "Utse fast vårdkontakt (före utskrivningen)"
    assert {o.responsible_label for o in found} == {
        "Vårdcentral",
        "Socialtjänst",
        "Kommunal hälso- och sjukvård",
        "Slutenvårdsavdelning",
    }


def test_discharged_without_information_transferred() -> None:
    facts = replace(S7_SIP_INVITATION, discharged_at=DISCHARGED)
    found = open_obligations(facts, GAVLEBORG, at(2025, 3, 18, 11, 30))
    assert rows(found) == {
        (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "epikris", day_end(date(2025, 3, 14))),
        (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "medication_list", day_end(date(2025, 3, 14))),
        (K.TRANSFER_INFORMATION, WARD_KIND, WARD, "medical_responsibility",
         day_end(date(2025, 3, 18))),
        (K.SEND_DISCHARGE_NOTICE, WARD_KIND, WARD, None, day_end(date(2025, 3, 18))),
    }  # fmt: skip
    # Epikris and medication list were due on the day of the notice: overdue, so listed first.
    assert {o.subject for o in found[:2]} == {"epikris", "medication_list"}
    assert all(o.is_overdue(at(2025, 3, 18, 11, 30)) for o in found[:2])


def test_steps_before_discharge_lapse_at_discharge() -> None:
    # Discharged without a ready notice, FVK or assessments: what is tied to the discharge day
    # remains, the rest lapses. The SIP invitation needs a ready notice to count from.
    facts = replace(S2_ADMISSION_NOTICE, discharged_at=DISCHARGED)
    found = open_obligations(facts, GAVLEBORG, at(2025, 3, 18, 12, 0))
    assert rows(found) == acks(NoticeKind.ADMISSION_NOTICE, at(2025, 3, 11, 10, 0)) | {
        (K.TRANSFER_INFORMATION, WARD_KIND, WARD, item, day_end(date(2025, 3, 18)))
        for item in ("epikris", "medication_list", "medical_responsibility")
    } | {(K.SEND_DISCHARGE_NOTICE, WARD_KIND, WARD, None, day_end(date(2025, 3, 18)))}


def test_sip_invitation_and_written_plan_after_discharge() -> None:
    facts = replace(
        S6_READY, discharged_at=at(2025, 3, 15, 10, 0), information_transferred=ALL_INFORMATION
    )
    facts = replace(
        facts,
        notices=(
            *facts.notices,
            notice(NoticeKind.DISCHARGE_NOTICE, at(2025, 3, 15, 10, 5), at(2025, 3, 15, 11, 0)),
        ),
    )
    found = open_obligations(facts, GAVLEBORG, at(2025, 3, 16, 9, 0))
    assert rows(found) == {(K.SEND_SIP_INVITATION, VC_KIND, VC, None, day_end(date(2025, 3, 17)))}
    met = replace(S10_DISCHARGE_NOTICE, sip_meeting_at=at(2025, 3, 20, 10, 0))
    found = open_obligations(met, GAVLEBORG, at(2025, 3, 20, 11, 0))
    assert rows(found) == {(K.DELIVER_WRITTEN_PLAN, VC_KIND, VC, None, day_end(date(2025, 3, 23)))}
    assert found[0].label == "Ge personen den skriftliga planen från SIP-mötet"
    given = replace(met, written_plan_given_at=at(2025, 3, 21, 9, 0))
    assert open_obligations(given, GAVLEBORG, at(2025, 3, 21, 10, 0)) == []


def test_the_lpt_notice_asks_for_no_sip_kallelse() -> None:
    """The notice under LPT 7 a § / LRV 12 a § counts as the utskrivningsklar notice, and the
    samordnad vårdplan replaces the SIP (4 kap. 1 § andra stycket): no kallelse is asked for,
    and none is a precondition of payment liability (5:3); an ordinary notice asks for one."""
    ready = S6_READY.notices[-1]
    lpt = replace(S6_READY, notices=(*S5_FVK.notices, replace(ready, compulsory_care=True)))
    now = at(2025, 3, 16, 9, 0)
    assert K.SEND_SIP_INVITATION in {o.kind for o in open_obligations(S6_READY, GAVLEBORG, now)}
    assert K.SEND_SIP_INVITATION not in {o.kind for o in open_obligations(lpt, GAVLEBORG, now)}
    sip_unmet = "Fast vårdkontakt har inte kallat till SIP (4 kap. 3 §)."
    assert sip_unmet in payment_preconditions(S6_READY, GAVLEBORG)
    assert payment_preconditions(lpt, GAVLEBORG) == []
    # A withdrawn LPT notice is no notice: an ordinary one sent after it asks for the kallelse.
    withdrawn = replace(ready, compulsory_care=True, withdrawn=True)
    later = replace(ready, sent_at=at(2025, 3, 14, 14, 0))
    again = replace(S6_READY, notices=(*S5_FVK.notices, withdrawn, later))
    assert K.SEND_SIP_INVITATION in {o.kind for o in open_obligations(again, GAVLEBORG, now)}


def test_a_later_judgement_moves_the_admission_notice_deadline() -> None:
    facts = replace(S1_CONVERSATION, needs_judged_at=at(2025, 3, 11, 15, 0))
    found = open_obligations(facts, GAVLEBORG, at(2025, 3, 11, 16, 0))
    due = {o.kind: o.due for o in found}
    assert due[K.SEND_ADMISSION_NOTICE] == at(2025, 3, 12, 15, 0)


def test_estimated_discharge_passed() -> None:
    late = at(2025, 3, 18, 12, 0, 0, 1)
    found = open_obligations(S5_FVK, GAVLEBORG, late)
    assert found[0].kind is K.ESTIMATED_DISCHARGE_PASSED
    assert found[0].due == ESTIMATED
    assert found[0].is_overdue(late)
    assert "2 kap. 4 §" in found[0].label
    # Exactly at the estimated time it has not passed.
    kinds = {o.kind for o in open_obligations(S5_FVK, GAVLEBORG, ESTIMATED)}
    assert K.ESTIMATED_DISCHARGE_PASSED not in kinds
    # Nobody was told an estimate before the admission notice: nothing to correct.
    kinds = {o.kind for o in open_obligations(S1_CONVERSATION, GAVLEBORG, late)}
    assert K.ESTIMATED_DISCHARGE_PASSED not in kinds


def test_most_urgent_first() -> None:
    now = at(2025, 3, 11, 10, 30)  # acknowledgements overdue since 10:00
    found = open_obligations(S2_ADMISSION_NOTICE, GAVLEBORG, now)
    assert [o.kind for o in found] == [
        K.ACKNOWLEDGE_NOTICE,
        K.ACKNOWLEDGE_NOTICE,
        K.ACKNOWLEDGE_NOTICE,
        K.ANSWER_PLANNING_ASSESSMENT,
        K.ANSWER_PLANNING_ASSESSMENT,
        K.ANSWER_PLANNING_ASSESSMENT,
        K.APPOINT_FVK,
        K.SEND_READY_NOTICE,  # no deadline: last
    ]
    assert [o.is_overdue(now) for o in found] == [True] * 3 + [False] * 5


def test_fvk_is_appointed_by_the_vardcentral_before_a_specialist_clinic() -> None:
    units = ((SPEC, SPEC_KIND), (SOC, SOC_KIND), (VC, VC_KIND))
    facts = replace(
        S1_CONVERSATION,
        notices=(notice(NoticeKind.ADMISSION_NOTICE, ADMISSION_SENT, units=units),),
    )
    fvk = [o for o in open_obligations(facts, GAVLEBORG, ADMISSION_SENT) if o.kind is K.APPOINT_FVK]
    assert [(o.responsible_kind, o.unit_id) for o in fvk] == [(VC_KIND, VC)]
    only_specialist = replace(
        facts, notices=(notice(NoticeKind.ADMISSION_NOTICE, ADMISSION_SENT, units=units[:2]),)
    )
    fvk = [
        o for o in open_obligations(only_specialist, GAVLEBORG, ADMISSION_SENT)
        if o.kind is K.APPOINT_FVK
    ]  # fmt: skip
    assert [(o.responsible_kind, o.unit_id) for o in fvk] == [(SPEC_KIND, SPEC)]


# --- Other categories -------------------------------------------------------------------------


def test_category_a_has_no_obligations() -> None:
    facts = replace(S1_CONVERSATION, needs=Needs())
    assert open_obligations(facts, GAVLEBORG, at(2025, 3, 25, 9, 0)) == []
    assert open_obligations(replace(facts, discharged_at=DISCHARGED), GAVLEBORG, DISCHARGED) == []


def test_category_b_depends_on_the_physician() -> None:
    b = replace(S1_CONVERSATION, needs=Needs(regional_outpatient=True))
    assert open_obligations(b, GAVLEBORG, at(2025, 3, 10, 9, 0)) == []
    wanted = replace(b, physician_wants_admission_notice=True)
    assert rows(open_obligations(wanted, GAVLEBORG, at(2025, 3, 10, 9, 0))) == {
        (K.SEND_ADMISSION_NOTICE, WARD_KIND, WARD, None, at(2025, 3, 11, 8, 0))
    }
    # Once sent, the utskrivningsklar notice is required too; no FVK, no SIP.
    vc_only = ((VC, VC_KIND),)
    sent = replace(
        b,
        notices=(
            notice(NoticeKind.ADMISSION_NOTICE, ADMISSION_SENT, ADMISSION_SENT, units=vc_only),
        ),
    )
    assert rows(open_obligations(sent, GAVLEBORG, at(2025, 3, 10, 11, 0))) == {
        (K.ANSWER_PLANNING_ASSESSMENT, VC_KIND, VC, None, at(2025, 3, 12, 10, 0)),
        SEND_READY,
    }
    ready = replace(
        sent,
        assessed_by=frozenset({VC}),
        notices=(
            *sent.notices,
            notice(NoticeKind.READY_FOR_DISCHARGE, READY_SENT, READY_SENT, units=vc_only),
        ),
    )
    kinds = {o.kind for o in open_obligations(ready, GAVLEBORG, at(2025, 3, 14, 14, 0))}
    assert kinds == {K.TRANSFER_INFORMATION}


def test_category_c_needs_no_fvk_and_no_sip() -> None:
    c = replace(S6_READY, needs=Needs(social_services=True), fvk_appointed=False, fvk_unit_id=None)
    kinds = {o.kind for o in open_obligations(c, GAVLEBORG, at(2025, 3, 14, 14, 0))}
    assert kinds == {K.TRANSFER_INFORMATION}
    before = replace(S3_ACKNOWLEDGED, needs=Needs(social_services=True))
    kinds = {o.kind for o in open_obligations(before, GAVLEBORG, at(2025, 3, 10, 12, 0))}
    assert kinds == {K.ANSWER_PLANNING_ASSESSMENT, K.SEND_READY_NOTICE}


# --- Overdue strictly after the deadline ------------------------------------------------------


def test_overdue_strictly_after_the_legal_deadline() -> None:
    found = open_obligations(S2_ADMISSION_NOTICE, GAVLEBORG, ADMISSION_SENT)
    with_due = [o for o in found if o.due is not None]
    assert with_due
    for obligation in with_due:
        assert obligation.due is not None
        assert not obligation.is_overdue(obligation.due - timedelta(microseconds=1))
        assert not obligation.is_overdue(obligation.due)
        assert obligation.is_overdue(obligation.due + timedelta(microseconds=1))
        # The same instants in UTC.
        in_utc = obligation.due.astimezone(UTC)
        assert not obligation.is_overdue(in_utc)
        assert obligation.is_overdue(in_utc + timedelta(microseconds=1))
    no_deadline = next(o for o in found if o.due is None)
    assert not no_deadline.is_overdue(at(2099, 1, 1, 0, 0))


def test_admission_notice_overdue_one_microsecond_after_24_hours() -> None:
    due = ADMITTED + timedelta(hours=24)
    before = open_obligations(S1_CONVERSATION, GAVLEBORG, due)
    after = open_obligations(S1_CONVERSATION, GAVLEBORG, due + timedelta(microseconds=1))
    notice_before = next(o for o in before if o.kind is K.SEND_ADMISSION_NOTICE)
    notice_after = next(o for o in after if o.kind is K.SEND_ADMISSION_NOTICE)
    assert not notice_before.is_overdue(due)
    assert notice_after.is_overdue(due + timedelta(microseconds=1))
    # Overdue obligations sort before those on time.
    assert after[0] == notice_after


def test_overdue_in_the_repeated_autumn_hour() -> None:
    """Regression: 02:10 CET (the second 02:10) is 40 minutes after 02:30 CEST (the first)."""
    due = at(2025, 10, 26, 2, 30, fold=0)
    obligation = Obligation(K.SEND_ADMISSION_NOTICE, "x", due, WARD_KIND)
    assert obligation.is_overdue(at(2025, 10, 26, 2, 10, fold=1))
    assert not obligation.is_overdue(at(2025, 10, 26, 2, 10, fold=0))
    # The admission notice of a patient admitted at 02:30 the day before falls right there.
    facts = replace(S1_CONVERSATION, admitted_at=at(2025, 10, 25, 2, 30), estimated_discharge=None)
    now = at(2025, 10, 26, 2, 10, fold=1)
    found = open_obligations(facts, GAVLEBORG, now)
    assert found[0].kind is K.SEND_ADMISSION_NOTICE
    assert found[0].is_overdue(now)


ZONES = [UTC, STOCKHOLM, ZoneInfo("America/New_York"), timezone(timedelta(hours=-3))]
DUES = st.one_of(
    st.datetimes(
        min_value=datetime(2024, 1, 1),
        max_value=datetime(2027, 12, 1),
        timezones=st.sampled_from(ZONES),
    ),
    # Close to the autumn DST change, where Stockholm's wall clock repeats an hour.
    st.builds(
        lambda offset: (
            datetime(2025, 10, 26, 1, 0, tzinfo=UTC) + timedelta(seconds=offset)
        ).astimezone(STOCKHOLM),
        st.integers(-7200, 7200),
    ),
)


@settings(max_examples=150, deadline=None)
@given(due=DUES, delta=st.integers(-(10**8), 10**8), zone=st.sampled_from(ZONES))
def test_overdue_iff_strictly_after_due(due: datetime, delta: int, zone: ZoneInfo) -> None:
    obligation = Obligation(K.SEND_READY_NOTICE, "x", due, WARD_KIND)
    now = (due.astimezone(UTC) + timedelta(microseconds=delta)).astimezone(zone)
    assert obligation.is_overdue(now) is (delta > 0)


def test_naive_times_are_refused() -> None:
    obligation = Obligation(K.SEND_READY_NOTICE, "x", ADMITTED, WARD_KIND)
    with pytest.raises(NaiveDatetimeError):
        obligation.is_overdue(datetime(2025, 3, 10, 12, 0))
    with pytest.raises(NaiveDatetimeError):
        open_obligations(S2_ADMISSION_NOTICE, GAVLEBORG, datetime(2025, 3, 10, 12, 0))
    with pytest.raises(NaiveDatetimeError):
        CaseFacts(agreement_version_id=GAVLEBORG.version_id, admitted_at=datetime(2025, 3, 10))
    naive_estimate = replace(S2_ADMISSION_NOTICE, estimated_discharge=datetime(2025, 3, 18, 12, 0))
    with pytest.raises(NaiveDatetimeError):
        open_obligations(naive_estimate, GAVLEBORG, at(2025, 3, 19, 9, 0))


# --- Withdrawn messages, interruption ---------------------------------------------------------


def test_a_withdrawn_admission_notice_counts_as_never_sent() -> None:
    withdrawn = replace(
        S1_CONVERSATION,
        notices=(notice(NoticeKind.ADMISSION_NOTICE, ADMISSION_SENT, withdrawn=True),),
    )
    now = at(2025, 3, 10, 10, 30)
    # No acknowledgements, no planeringsunderlag: exactly as before anything was sent.
    assert rows(open_obligations(withdrawn, GAVLEBORG, now)) == rows(
        open_obligations(S1_CONVERSATION, GAVLEBORG, now)
    )
    # Sent again: counted from the new message.
    resent_at = at(2025, 3, 10, 15, 0)
    resent = replace(
        withdrawn, notices=(*withdrawn.notices, notice(NoticeKind.ADMISSION_NOTICE, resent_at))
    )
    found = open_obligations(resent, GAVLEBORG, at(2025, 3, 10, 15, 30))
    assert rows(found) == acks(NoticeKind.ADMISSION_NOTICE, at(2025, 3, 11, 15, 0)) | answers(
        at(2025, 3, 12, 15, 0)
    ) | {(K.APPOINT_FVK, VC_KIND, VC, None, ESTIMATED), SEND_READY}


def test_a_withdrawn_ready_notice_counts_as_never_sent() -> None:
    withdrawn = replace(
        S5_FVK,
        notices=(
            *S5_FVK.notices,
            notice(NoticeKind.READY_FOR_DISCHARGE, READY_SENT, withdrawn=True),
        ),
    )
    assert withdrawn.ready_notice_sent_at is None
    found = open_obligations(withdrawn, GAVLEBORG, at(2025, 3, 14, 14, 0))
    assert rows(found) == {SEND_READY}


def test_the_earliest_valid_notice_counts() -> None:
    later = at(2025, 3, 14, 16, 0)
    facts = replace(
        S5_FVK,
        notices=(
            *S5_FVK.notices,
            notice(NoticeKind.READY_FOR_DISCHARGE, later, later),
            notice(NoticeKind.READY_FOR_DISCHARGE, at(2025, 3, 13, 9, 0), withdrawn=True),
            notice(NoticeKind.READY_FOR_DISCHARGE, READY_SENT, READY_SENT),
        ),
    )
    assert facts.ready_notice_sent_at == READY_SENT
    found = open_obligations(facts, GAVLEBORG, later)
    sip = next(o for o in found if o.kind is K.SEND_SIP_INVITATION)
    assert sip.due == day_end(date(2025, 3, 17))


def test_an_interrupted_case_has_only_acknowledgements() -> None:
    now = at(2025, 3, 10, 10, 30)
    interrupted = replace(S2_ADMISSION_NOTICE, interrupted=True)
    assert rows(open_obligations(interrupted, GAVLEBORG, now)) == acks(
        NoticeKind.ADMISSION_NOTICE, at(2025, 3, 11, 10, 0)
    )
    assert open_obligations(replace(S0_ADMITTED, interrupted=True), GAVLEBORG, now) == []
    assert open_obligations(replace(S6_READY, interrupted=True), GAVLEBORG, now) == []
    # Acknowledgements of every open message, withdrawn ones excepted.
    more = replace(
        interrupted,
        notices=(
            *interrupted.notices,
            notice(NoticeKind.GENERAL, at(2025, 3, 10, 11, 0), units=UNITS[:1]),
            notice(NoticeKind.GENERAL, at(2025, 3, 10, 11, 0), withdrawn=True),
        ),
    )
    general = [o for o in open_obligations(more, GAVLEBORG, now) if o.subject == "general"]
    assert [(o.unit_id, o.label) for o in general] == [(VC, "Kvittera meddelande")]


def test_another_agreement_version_is_refused() -> None:
    with pytest.raises(AgreementMismatch) as caught:
        open_obligations(S2_ADMISSION_NOTICE, STORSTAD, at(2025, 3, 10, 10, 30))
    assert str(caught.value) == (
        "ärendet bedöms enligt gavleborg@2024-01-01, inte storstad@2024-01-01"
    )
    assert isinstance(caught.value, ValueError)


# --- Nothing is hard-coded: the same facts under two agreements -------------------------------


def under(facts: CaseFacts, agreement: AgreementVersion) -> CaseFacts:
    return replace(facts, agreement_version_id=agreement.version_id)


def test_the_same_facts_give_other_deadlines_under_storstad() -> None:
    now = at(2025, 3, 10, 10, 30)
    gavleborg = rows(open_obligations(under(S2_ADMISSION_NOTICE, GAVLEBORG), GAVLEBORG, now))
    storstad = rows(open_obligations(under(S2_ADMISSION_NOTICE, STORSTAD), STORSTAD, now))
    shared = {(K.APPOINT_FVK, VC_KIND, VC, None, ESTIMATED), SEND_READY}
    # Gävleborg: acknowledge within 24 h, answer within 48 h.
    assert (
        gavleborg
        == acks(NoticeKind.ADMISSION_NOTICE, at(2025, 3, 11, 10, 0))
        | answers(at(2025, 3, 12, 10, 0))
        | shared
    )
    # Storstad: by the end of the 2nd and 1st working day after sending.
    assert (
        storstad
        == acks(NoticeKind.ADMISSION_NOTICE, day_end(date(2025, 3, 12)))
        | answers(day_end(date(2025, 3, 11)))
        | shared
    )

    now = at(2025, 3, 14, 14, 0)
    info = {
        (o.subject, o.due)
        for o in open_obligations(under(S6_READY, GAVLEBORG), GAVLEBORG, now)
        if o.kind is K.TRANSFER_INFORMATION
    }
    assert info == {
        ("epikris", day_end(date(2025, 3, 14))),
        ("medication_list", day_end(date(2025, 3, 14))),
        ("medical_responsibility", None),
    }
    info = {
        (o.subject, o.due)
        for o in open_obligations(under(S6_READY, STORSTAD), STORSTAD, now)
        if o.kind is K.TRANSFER_INFORMATION
    }
    assert info == {("epikris", None), ("medication_list", None), ("medical_responsibility", None)}


def test_over_christmas_working_days_stretch_storstad_deadlines() -> None:
    sent = at(2025, 12, 23, 10, 0)
    facts = replace(S1_CONVERSATION, notices=(notice(NoticeKind.ADMISSION_NOTICE, sent),))
    now = at(2025, 12, 23, 11, 0)
    ack_due = {
        agreement.county_key: {
            o.due
            for o in open_obligations(under(facts, agreement), agreement, now)
            if o.kind is K.ACKNOWLEDGE_NOTICE
        }
        for agreement in (GAVLEBORG, STORSTAD)
    }
    assert ack_due == {
        "gavleborg": {at(2025, 12, 24, 10, 0)},
        "storstad": {day_end(date(2025, 12, 30))},  # 29th (1), 30th (2)
    }


# --- Agreement swap: the version in force, and the version a case keeps -----------------------


def two_versions() -> tuple[AgreementVersion, AgreementVersion]:
    """Gävleborg's version until 2026-05-31, and a stricter one from 2026-06-01."""
    content = GAVLEBORG.model_dump(mode="json", exclude={"version_id"})
    old = AgreementVersion.model_validate({**content, "valid_to": "2026-05-31"})
    stricter = {
        **content["deadlines"],
        "admission_notice": {"amount": 12, "unit": "hours"},
        "acknowledgement": {"amount": 4, "unit": "hours"},
    }
    new = AgreementVersion.model_validate(
        {**content, "valid_from": "2026-06-01", "valid_to": None, "deadlines": stricter}
    )
    return old, new


def test_version_in_force_is_picked_by_the_stockholm_date() -> None:
    old, new = two_versions()
    assert (old.version_id, new.version_id) == ("gavleborg@2024-01-01", "gavleborg@2026-06-01")
    # 22:00 UTC on 31 May is midnight in Stockholm (CEST).
    last_old = datetime(2026, 5, 31, 21, 59, 59, 999999, tzinfo=UTC)
    assert version_in_force([old, new], last_old) is old
    assert version_in_force([old, new], last_old + timedelta(microseconds=1)) is new
    assert version_in_force([old, new], at(2026, 5, 31, 23, 59, 59, 999999)) is old
    assert version_in_force([old, new], at(2026, 6, 1, 0, 0)) is new
    # The shipped file: the first version starts on 1 January 2024, Stockholm time.
    shipped = get_agreement("gavleborg")
    assert version_in_force(shipped, datetime(2023, 12, 31, 23, 0, tzinfo=UTC)).version_id == (
        "gavleborg@2024-01-01"
    )
    with pytest.raises(NoVersionInForce):
        version_in_force(shipped, datetime(2023, 12, 31, 22, 59, 59, tzinfo=UTC))


def test_a_case_keeps_being_judged_by_its_stored_version() -> None:
    old, new = two_versions()
    admitted = at(2026, 5, 31, 23, 30)  # the old version's last evening
    version = version_in_force([old, new], admitted)
    case = CaseFacts(
        agreement_version_id=version.version_id, admitted_at=admitted, needs=E, ward_unit_id=WARD
    )
    now = at(2026, 6, 1, 9, 0)  # the new version is in force now
    assert version_in_force([old, new], now) is new
    due = {o.kind: o.due for o in open_obligations(case, old, now)}
    assert due[K.SEND_ADMISSION_NOTICE] == at(2026, 6, 1, 23, 30)  # 24 h, the old rule
    with pytest.raises(AgreementMismatch):
        open_obligations(case, new, now)
    # The version as stored in the database judges the same.
    stored = AgreementVersion.model_validate_json(old.model_dump_json())
    assert open_obligations(case, stored, now) == open_obligations(case, old, now)
    # A case admitted half an hour later falls under the new version.
    later = at(2026, 6, 1, 0, 0)
    new_case = replace(
        case, agreement_version_id=version_in_force([old, new], later).version_id, admitted_at=later
    )
    due = {o.kind: o.due for o in open_obligations(new_case, new, now)}
    assert due[K.SEND_ADMISSION_NOTICE] == at(2026, 6, 1, 12, 0)  # 12 h, the new rule
    # Acknowledgements too: 24 h under the old version, 4 h under the new.
    sent = at(2026, 6, 1, 8, 0)
    for facts, agreement, ack_due in (
        (case, old, at(2026, 6, 2, 8, 0)),
        (new_case, new, at(2026, 6, 1, 12, 0)),
    ):
        with_notice = replace(facts, notices=(notice(NoticeKind.ADMISSION_NOTICE, sent),))
        found = open_obligations(with_notice, agreement, now)
        assert {o.due for o in found if o.kind is K.ACKNOWLEDGE_NOTICE} == {ack_due}


# --- The category changes after the inskrivningsmeddelande ----------------------------------

C = Needs(social_services=True)
C_ADMITTED = at(2025, 3, 10, 8, 0)
C_CONVERSATION = at(2025, 3, 10, 9, 0)
C_NOTICE = at(2025, 3, 10, 10, 0)
BECAME_E = at(2025, 3, 12, 15, 20)
TO_NEW_KINDS = "Skicka inskrivningsmeddelande till "


def c_then(*later: tuple[datetime, Needs]) -> CaseFacts:
    """A category C case told the social services, then ankomstsamtal documented again."""
    history = ((C_CONVERSATION, C), *later)
    return CaseFacts(
        agreement_version_id=GAVLEBORG.version_id,
        admitted_at=C_ADMITTED,
        ward_unit_id=WARD,
        needs=history[-1][1],
        needs_history=history,
        notices=(
            notice(NoticeKind.ADMISSION_NOTICE, C_NOTICE, C_NOTICE, units=((SOC, SOC_KIND),)),
        ),
    )


def to_new_kinds(facts: CaseFacts, agreement: AgreementVersion = GAVLEBORG) -> set[Row]:
    found = open_obligations(under(facts, agreement), agreement, at(2025, 3, 12, 16, 0))
    return {
        (o.kind, o.responsible_kind, o.unit_id, o.subject, o.due)
        for o in found
        if o.label.startswith(TO_NEW_KINDS)
    }


def test_a_category_raised_after_the_notice_has_the_new_units_told_within_24_hours() -> None:
    due = at(2025, 3, 13, 15, 20)  # 24 hours from the ankomstsamtal that made it E
    facts = c_then((BECAME_E, E))
    assert to_new_kinds(facts) == {
        (K.SEND_ADMISSION_NOTICE, WARD_KIND, WARD, "municipal_health_care", due),
        (K.SEND_ADMISSION_NOTICE, WARD_KIND, WARD, "regional_outpatient", due),
    }
    labels = {o.label for o in open_obligations(facts, GAVLEBORG, BECAME_E)}
    assert {
        "Skicka inskrivningsmeddelande till kommunal hälso- och sjukvård",
        "Skicka inskrivningsmeddelande till regionens öppna vård",
    } <= labels
    assert "Skicka inskrivningsmeddelande" not in labels  # the first notice was sent

    # A second notice reaches the home health care; a vårdcentral added later gets the first.
    second = notice(NoticeKind.ADMISSION_NOTICE, at(2025, 3, 12, 16, 0), units=((HSV, HSV_KIND),))
    told = replace(facts, notices=(*facts.notices, second))
    assert {row[3] for row in to_new_kinds(told)} == {"regional_outpatient"}
    first = replace(
        facts.notices[0], recipients=(*facts.notices[0].recipients, Recipient(VC, VC_KIND))
    )
    assert to_new_kinds(replace(told, notices=(first, second))) == set()
    # A withdrawn notice reached no one.
    withdrawn = replace(second, withdrawn=True)
    assert len(to_new_kinds(replace(facts, notices=(*facts.notices, withdrawn)))) == 2


def test_the_deadline_runs_from_when_the_new_kind_became_needed_without_a_break() -> None:
    # C → E → C+D: C+D needs the same units as E, so they have been needed since E.
    c_d = Needs(social_services=True, municipal_health_care=True)
    facts = c_then((BECAME_E, E), (at(2025, 3, 12, 15, 50), c_d))
    assert {row[4] for row in to_new_kinds(facts)} == {at(2025, 3, 13, 15, 20)}
    # C → E → C → E: only the last stretch counts.
    back = at(2025, 3, 12, 15, 40)
    again = at(2025, 3, 12, 15, 55)
    facts = c_then((BECAME_E, E), (back, C), (again, E))
    assert {row[4] for row in to_new_kinds(facts)} == {at(2025, 3, 13, 15, 55)}
    # Back to C: nothing new is needed.
    assert to_new_kinds(c_then((BECAME_E, E), (back, C))) == set()


def test_what_the_agreement_required_before_the_change_is_not_new() -> None:
    # Storstadslän tells the vårdcentral about category C too: for C → E only home health care
    # is new (a C notice that missed the vårdcentral is the first notice's own shortfall).
    facts = c_then((BECAME_E, E))
    assert {row[3] for row in to_new_kinds(facts, STORSTAD)} == {"municipal_health_care"}


# --- Before an FVK exists, the kallelse is the outpatient party's ---------------------------


def test_the_kallelse_without_an_fvk_belongs_to_the_outpatient_unit_that_got_the_notice() -> None:
    no_fvk = replace(S6_READY, fvk_appointed=False, fvk_unit_id=None)
    now = at(2025, 3, 14, 14, 0)
    kallelse = [
        o for o in open_obligations(no_fvk, GAVLEBORG, now) if o.kind is K.SEND_SIP_INVITATION
    ]
    assert [(o.unit_id, o.responsible_kind, o.label) for o in kallelse] == [
        (VC, VC_KIND, "Skicka kallelse till SIP (utse först fast vårdkontakt)")
    ]
    # A specialist clinic only when no vårdcentral got the notice.
    specialist_only = replace(
        no_fvk,
        notices=tuple(
            replace(n, recipients=(Recipient(SPEC, SPEC_KIND, n.sent_at),))
            if n.kind is NoticeKind.ADMISSION_NOTICE
            else n
            for n in no_fvk.notices
        ),
    )
    kallelse = [
        o
        for o in open_obligations(specialist_only, GAVLEBORG, now)
        if o.kind is K.SEND_SIP_INVITATION
    ]
    assert [(o.unit_id, o.responsible_kind) for o in kallelse] == [(SPEC, SPEC_KIND)]
    # Once appointed, the FVK's unit has it, without the reminder.
    kallelse = [
        o for o in open_obligations(S6_READY, GAVLEBORG, now) if o.kind is K.SEND_SIP_INVITATION
    ]
    assert [(o.unit_id, o.label) for o in kallelse] == [(VC, "Skicka kallelse till SIP")]
